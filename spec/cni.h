/* brig — spec/cni.h: the JSON of CNI (the Container Network Interface
 * specification, 1.0): network configuration lists as brig's network
 * directory holds them, what each plugin is given on its stdin, what it
 * answers, and the record of a container's networks (network.json in its
 * state directory) that `delete`, `list` and `port` read back.
 */
#ifndef BRIG_SPEC_CNI_H
#define BRIG_SPEC_CNI_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

struct spec_cni_plugin {
	char *type;          /* the plugin's executable, "bridge" */
	bool port_mappings;  /* capabilities.portMappings */
	char *json;          /* its object, as text */
	/* for `network ls` and brig's own rules, when the plugin has them:
	 * "bridge", "master" (macvlan), ipam.ranges[0][0].subnet or
	 * ipam.subnet, "ipMasq", "isGateway" */
	char *bridge, *master, *subnet;
	bool ip_masq, is_gateway;
};

/* A network configuration list (a .conflist file). */
struct spec_cni_list {
	char *name;
	char *cni_version;
	char *brig_type; /* "brigType": what brig made it as, NULL for others' */
	struct spec_cni_plugin *plugins;
	size_t n;
};

/* A published port: -p [HOSTIP:]HOSTPORT:PORT[/tcp|udp]. */
struct spec_cni_port {
	char host_ip[64]; /* "" for every address */
	int host_port, container_port;
	char proto[4];    /* "tcp", "udp" */
};

/* text -> *l; errors name file and the JSON path. */
int spec_cni_parse_list(const char *text, size_t len, const char *file,
			struct spec_cni_list *l, brig_error_t **err);
void spec_cni_list_free(struct spec_cni_list *l);

/* What plugin i of l reads on its stdin: its object, with the list's
 * name and cniVersion, prevResult (JSON text of the previous plugin's
 * result, NULL for the first), and runtimeConfig.portMappings when it
 * declared the capability. */
char *spec_cni_plugin_input(const struct spec_cni_list *l, size_t i, const char *prev_result,
			    const struct spec_cni_port *ports, size_t n_ports);

/* The addresses of a result ("10.89.0.2/24"), those of its interface
 * in the container first; err names what is malformed. */
int spec_cni_result_ips(const char *text, size_t len, char ***ips, size_t *n,
			brig_error_t **err);
/* An error result ({"code": N, "msg": ..., "details": ...}) as one line,
 * NULL when text is none. */
char *spec_cni_error_text(const char *text, size_t len);

/* network.json: the container's networks as attached, in order. */
struct spec_net_attachment {
	char *network;  /* its name in the network directory */
	char *ifname;   /* "eth0" */
	char *conflist; /* the list as it was when attached (DEL uses it) */
	char *result;   /* the last plugin's result, NULL until ADD is done */
};
struct spec_net_state {
	bool host;     /* --network host: the host's namespace */
	char *netns;   /* the namespace's bind mount, NULL with host */
	struct spec_net_attachment *a;
	size_t n;
	struct spec_cni_port *ports;
	size_t n_ports;
};
char *spec_net_state_to_json(const struct spec_net_state *s);
int spec_net_state_parse(const char *text, size_t len, struct spec_net_state *s,
			 brig_error_t **err);
void spec_net_state_free(struct spec_net_state *s);

#endif
