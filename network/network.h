/* brig — network/: a container's networks, through CNI plugins.
 *
 * `--network NAME` names a CNI network configuration list in brig's
 * network directory (/etc/brig/net.d, or --network-dir): NAME.conflist.
 * brig ships four, written there the first time they are named (netdir.c):
 * nat, host-only, internal (bridges) and bridged:IFACE (macvlan).  The
 * plugins are Debian's (containernetworking-plugins, /usr/lib/cni), run
 * as the CNI specification says (plugin.c): ADD in order with each
 * result passed to the next, DEL in reverse.
 *
 * A networked container gets a network namespace of its own before its
 * init exists: made here and bind-mounted in its state directory
 * (netns.c), where the plugins configure it and the init joins it by
 * path.  Each step is recorded in network.json first (attach.c), so that
 * delete, even `delete --force` after brig was killed anywhere, undoes
 * exactly what was done.
 */
#ifndef BRIG_NETWORK_H
#define BRIG_NETWORK_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "base/io.h"
#include "base/proc.h"
#include "spec/cni.h"

#define NET_DEFAULT_DIR "/etc/brig/net.d"

/* ---- ports.c: -p [HOSTIP:]HOSTPORT:PORT[/tcp|udp] ---------------------- */
int net_parse_port(const char *s, struct spec_cni_port *p, brig_error_t **err);
/* "127.0.0.1:8080->80/tcp" (docker ps's form), to free */
char *net_port_str(const struct spec_cni_port *p);
/* Does a socket on this host hold p's host address and port (a listener,
 * for tcp)?  portmap's DNAT would take its traffic without a word. */
bool net_port_bound(const struct spec_cni_port *p);
/* Do a and b publish the same host port (same protocol, and host
 * addresses equal or either of them any)? */
bool net_ports_clash(const struct spec_cni_port *a, const struct spec_cni_port *b);

/* ---- netdir.c: the network directory ------------------------------------- */
/* The built-in networks, and what each is. */
struct net_builtin {
	const char *name, *what;
};
extern const struct net_builtin net_builtins[];
extern const size_t net_n_builtins;
/* Is name a network name ([A-Za-z0-9][A-Za-z0-9_.-]*, 64 max; bridged:IFACE
 * too when with_iface)? */
bool net_name_ok(const char *name, bool with_iface);
/* NAME's list (made first when NAME is a built-in not written yet): its
 * text in *text (to free) and parsed in *l. */
int net_load(const char *dir, const char *name, char **text, struct spec_cni_list *l,
	     brig_error_t **err);
enum net_type { NET_NAT, NET_HOST_ONLY, NET_INTERNAL, NET_BRIDGED };
struct net_create_opts {
	enum net_type type;
	const char *subnet;  /* "10.89.5.0/24"; NULL: the next free 10.89.N.0/24 */
	const char *bridge;  /* NULL: "brig-<name>" (15 characters at most) */
	const char *parent;  /* bridged: the host interface */
};
int net_create(const char *dir, const char *name, const struct net_create_opts *o,
	       brig_error_t **err);
/* An IPv4 network "a.b.c.d/N" (8 <= N <= 30, no host bits set). */
int net_check_subnet(const char *cidr, brig_error_t **err);
int net_remove(const char *dir, const char *name, brig_error_t **err);
/* The .conflist names in dir, sorted (NULL-terminated, to free each and
 * the array); *n their number. */
char **net_names(const char *dir, size_t *n, brig_error_t **err);
/* The type brig gives a list of its own making (by its plugins), for
 * `network ls`: "nat", "host-only", "internal", "bridged", else "cni". */
const char *net_type_of(const struct spec_cni_list *l);
/* The iptables rules brig keeps per network of its own making (rules.c):
 * nat's masquerade and forwarding, host-only's and internal's isolation,
 * and for every bridge nothing to the host's 127.0.0.0/8; added (those
 * missing) when a container attaches, removed with the network. */
int net_rules(const struct spec_cni_list *l, bool add, brig_error_t **err);
/* Run a system tool (iptables, ip) quietly, found in the system's
 * directories whatever PATH says: its exit status, -1 when it cannot. */
int net_run_tool(char *const argv[]);

/* ---- netns.c ----------------------------------------------------------- */
/* A new network namespace, its loopback up, bind-mounted at path (a new
 * file). */
int net_netns_create(const char *path, brig_error_t **err);
/* Unmount and remove it; nothing there is no error. */
int net_netns_remove(const char *path, brig_error_t **err);

/* ---- attach.c ---------------------------------------------------------- */
struct net_attach_opts {
	const char *id;       /* CNI_CONTAINERID */
	const char *dir;      /* the network directory */
	int state_dirfd;      /* where network.json is written */
	char *const *networks; /* names, in order: eth0, eth1, ... */
	size_t n_networks;
	const struct spec_cni_port *ports;
	size_t n_ports;
};
/* Make the namespace at netns, then ADD each network.  On failure what
 * was done stays recorded for net_detach. */
int net_attach(const struct net_attach_opts *o, const char *netns, brig_error_t **err);
/* DEL each network of network.json in state_dirfd, newest first, then
 * remove the namespace and network.json; no network.json: nothing to do.
 * Every step is tried; the first failure is returned. */
int net_detach(const char *id, int state_dirfd, brig_error_t **err);
/* network.json of a container, 0 when there is none (s zeroed). */
int net_state_read(int state_dirfd, struct spec_net_state *s, brig_error_t **err);
int net_state_write(int state_dirfd, const struct spec_net_state *s, brig_error_t **err);
/* The container's addresses (CIDR) from its results, to free each. */
char **net_state_ips(const struct spec_net_state *s, size_t *n);

/* ---- plugin.c ---------------------------------------------------------- */
struct net_call {
	const char *command;  /* ADD, DEL, CHECK */
	const char *id, *netns, *ifname;
};
/* Run plugin type with input on its stdin; its stdout in *out (to free). */
int net_plugin_run(const char *type, const struct net_call *call, const char *input,
		   char **out, brig_error_t **err);

#endif
