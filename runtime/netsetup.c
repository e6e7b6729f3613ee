/* brig — runtime/netsetup.c: --network and -p in create, and their undo
 * at delete (the plugins and the record: network/).
 *
 * With no --network, nothing here happens: the container's network
 * namespace is what config.json says, as with runc.  With one:
 *   host      the config's network namespace entry is dropped: the
 *             host's (its /etc/hosts and /etc/resolv.conf copied in);
 *   none      a new namespace, loopback only, made by the init as a
 *             config.json entry without a path makes it (so it works
 *             rootless too: nothing is mounted on the host);
 *   NAME...   that namespace, made before the init (bind-mounted at
 *             <state>/netns), attached to each network in order (eth0,
 *             eth1, ...), ports published on the first that can.
 * The init joins it by path.  /etc/hosts (localhost, the container's
 * name and its first address) and /etc/resolv.conf (the host's, without
 * its loopback nameservers, which mean nothing in another namespace)
 * are written to the state directory and bind-mounted, unless
 * config.json mounts its own.
 */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the config ------------------------------------------------------------ */

static struct spec_namespace *netns_entry(struct spec_config *c)
{
	for (size_t i = 0; i < c->linux->n_namespaces; i++)
		if (c->linux->namespaces[i].type == SPEC_NS_NETWORK)
			return &c->linux->namespaces[i];
	return NULL;
}

static void drop_netns(struct spec_config *c)
{
	struct spec_namespace *ns = netns_entry(c);

	if (!ns)
		return;
	free(ns->path);
	*ns = c->linux->namespaces[--c->linux->n_namespaces];
}

/* A network namespace entry, of path (NULL: a new one the init makes). */
static void join_netns(struct spec_config *c, const char *path)
{
	struct spec_namespace *ns = netns_entry(c);

	if (!ns) {
		c->linux->namespaces = xrealloc(c->linux->namespaces,
						(c->linux->n_namespaces + 1) * sizeof(*ns));
		ns = &c->linux->namespaces[c->linux->n_namespaces++];
		ns->type = SPEC_NS_NETWORK;
	} else {
		free(ns->path);
	}
	ns->path = path ? xstrdup(path) : NULL;
}

static bool mounts_own(const struct spec_config *c, const char *dest)
{
	for (size_t i = 0; i < c->n_mounts; i++)
		if (c->mounts[i].destination && strcmp(c->mounts[i].destination, dest) == 0)
			return true;
	return false;
}

static void add_bind(struct spec_config *c, const char *src, const char *dest)
{
	struct spec_mount *m;

	c->mounts = xrealloc(c->mounts, (c->n_mounts + 1) * sizeof(*m));
	m = &c->mounts[c->n_mounts++];
	memset(m, 0, sizeof(*m));
	m->destination = xstrdup(dest);
	m->type = xstrdup("bind");
	m->source = xstrdup(src);
	/* read-only: they live in the state directory, on /run, a small
	 * tmpfs of the host's, which a container appending to its
	 * /etc/hosts could otherwise fill (Docker's are writable, on disk) */
	m->options.v = xcalloc(4, sizeof(char *));
	m->options.v[0] = xstrdup("rbind");
	m->options.v[1] = xstrdup("rprivate");
	m->options.v[2] = xstrdup("ro");
	m->options.n = 3;
}

/* ---- /etc/hosts and /etc/resolv.conf ------------------------------------------ */

static int write_at(struct container *ct, const char *name, const char *text, brig_error_t **err)
{
	int fd = openat(ct->dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);

	if (fd < 0 || brig_write_all(fd, text, strlen(text)) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return brig_err(err, e, "write %s/%s", ct->dir, name);
	}
	close(fd);
	return 0;
}

/* The host's resolv.conf without loopback nameservers (a resolver on the
 * host's 127.0.0.53 is not in the container's namespace); Google's when
 * none is left, as Docker does. */
static char *resolv_conf(bool host)
{
	cleanup_free char *text = brig_read_file("/etc/resolv.conf", NULL);
	size_t cap = (text ? strlen(text) : 0) + 64, len = 0;
	char *out = xmalloc(cap);
	bool ns = false;

	out[0] = '\0';
	for (char *line = text, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (strncmp(line, "nameserver", 10) == 0) {
			const char *a = line + 10 + strspn(line + 10, " \t");
			if (!host && (strncmp(a, "127.", 4) == 0 || strncmp(a, "::1", 3) == 0))
				continue;
			ns = true;
		}
		len += (size_t)snprintf(out + len, cap - len, "%s\n", line);
	}
	if (!ns)
		snprintf(out + len, cap - len, "nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
	return out;
}

static char *hosts_file(const struct spec_config *c, const char *id, const char *ip)
{
	const char *name = c->hostname && c->hostname[0] ? c->hostname : id;
	cleanup_free char *addr = ip ? xstrdup(ip) : NULL;

	if (addr && strchr(addr, '/'))
		*strchr(addr, '/') = '\0';
	return xasprintf("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
			 "%s\t%.63s\n", addr ? addr : "127.0.1.1", name);
}

static int name_files(struct container *ct, struct spec_config *c, bool host, const char *ip,
		      brig_error_t **err)
{
	cleanup_free char *hosts = host ? brig_read_file("/etc/hosts", NULL)
					: hosts_file(c, ct->id, ip);
	cleanup_free char *resolv = resolv_conf(host);
	cleanup_free char *hp = xasprintf("%s/hosts", ct->dir);
	cleanup_free char *rp = xasprintf("%s/resolv.conf", ct->dir);

	if (!mounts_own(c, "/etc/hosts")) {
		if (write_at(ct, "hosts", hosts ? hosts : "127.0.0.1\tlocalhost\n", err) < 0)
			return -1;
		add_bind(c, hp, "/etc/hosts");
	}
	if (!mounts_own(c, "/etc/resolv.conf")) {
		if (write_at(ct, "resolv.conf", resolv, err) < 0)
			return -1;
		add_bind(c, rp, "/etc/resolv.conf");
	}
	return 0;
}

/* ---- published ports ------------------------------------------------------------- */

/* The container (not ct) whose -p publishes a port clashing with p. */
static char *port_owner(const struct brig_globals *g, const struct container *ct,
			const struct spec_cni_port *p)
{
	size_t n = 0;
	char **ids = container_list_ids(g, &n);
	char *owner = NULL;

	for (size_t i = 0; i < n && !owner; i++) {
		brig_error_t *e = NULL;
		struct container *other = strcmp(ids[i], ct->id) ? container_open(g, ids[i], false, &e)
								 : NULL;
		struct spec_net_state s;

		brig_err_free(&e);
		if (!other)
			continue;
		if (netsetup_state(other, &s, &e) > 0) {
			for (size_t k = 0; k < s.n_ports && !owner; k++)
				if (net_ports_clash(&s.ports[k], p))
					owner = xstrdup(ids[i]);
			spec_net_state_free(&s);
		}
		brig_err_free(&e);
		container_free(other);
	}
	brig_strv_free(ids);
	return owner;
}

/* Each -p's host port free: portmap publishes by DNAT, without a socket,
 * so a port a host service listens on (its own connections to
 * 127.0.0.1:PORT too) or another container publishes would be taken
 * from it, or lost to it, without a word (Docker refuses: "port is
 * already allocated").  A race with a create at the same moment stays. */
static int ports_free(const struct brig_globals *g, const struct container *ct,
		      const struct create_opts *o, brig_error_t **err)
{
	for (size_t i = 0; i < o->n_ports; i++) {
		cleanup_free char *str = net_port_str(&o->ports[i]);
		cleanup_free char *owner = port_owner(g, ct, &o->ports[i]);

		if (owner)
			return brig_err(err, 0, "-p %s: the host port is in use by container \"%s\"",
					str, owner);
		if (net_port_bound(&o->ports[i]))
			return brig_err(err, 0, "-p %s: the host port is in use (a socket on the host "
					"holds it)", str);
	}
	return 0;
}

/* The state root's lock for published ports, held from the check to the
 * record (network.json, written first thing by net_attach). */
static int ports_lock(const struct brig_globals *g, brig_error_t **err)
{
	cleanup_free char *path = xasprintf("%s/.ports.lock", g->root);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		return brig_err(err, errno, "-p: lock %s", path);
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			int e = errno;
			close(fd);
			return brig_err(err, e, "-p: lock %s", path);
		}
	}
	return fd;
}

/* ---- create and delete ----------------------------------------------------------- */

int netsetup_create(const struct brig_globals *g, struct container *ct, struct spec_config *c,
		    const struct create_opts *o, bool *attached, brig_error_t **err)
{
	bool host = o->n_networks == 1 && strcmp(o->networks[0], "host") == 0;
	bool none = o->n_networks == 1 && strcmp(o->networks[0], "none") == 0;
	cleanup_free char *netns = NULL;
	struct spec_net_state s = {.host = host};
	char **ips = NULL;
	size_t n_ips = 0;
	int r;

	*attached = false;
	if (o->n_networks == 0)
		return 0;
	if (!c->linux)
		return brig_err(err, 0, "--network: config.json has no linux section");
	if (brig_rootless() && !host && !none)
		return brig_err(err, 0, "--network %s: needs root (the CNI plugins configure "
				"the host's network); rootless, use none or host", o->networks[0]);
	if (host) {
		drop_netns(c);
		if (net_state_write(ct->dir_fd, &s, err) < 0)
			return -1;
		return name_files(ct, c, true, NULL, err);
	}
	if (none) {
		join_netns(c, NULL);
		return name_files(ct, c, false, NULL, err);
	}
	/* no other create between the check and the record of its ports */
	cleanup_close int lock = o->n_ports ? ports_lock(g, err) : -2;
	if (lock == -1 || ports_free(g, ct, o, err) < 0)
		return -1;
	netns = xasprintf("%s/netns", ct->dir);
	struct net_attach_opts a = {
		.id = ct->id, .dir = brig_network_dir(g), .state_dirfd = ct->dir_fd,
		.networks = (char *const *)o->networks,
		.n_networks = o->n_networks,
		.ports = o->ports, .n_ports = o->n_ports,
	};
	*attached = true;
	if (net_attach(&a, netns, err) < 0)
		return -1;
	fault_point("network");
	join_netns(c, netns);
	if (net_state_read(ct->dir_fd, &s, err) < 0)
		return -1;
	ips = net_state_ips(&s, &n_ips);
	r = name_files(ct, c, false, n_ips ? ips[0] : NULL, err);
	for (size_t i = 0; i < n_ips; i++)
		free(ips[i]);
	free(ips);
	spec_net_state_free(&s);
	return r;
}

int netsetup_destroy(struct container *ct, bool force, brig_error_t **err)
{
	brig_error_t *e = NULL;

	if (ct->dir_fd < 0 || net_detach(ct->id, ct->dir_fd, &e) == 0)
		return 0;
	if (!force) {
		*err = e;
		return brig_err_prefix(err, "delete container \"%s\": its network", ct->id);
	}
	brig_err_warn(&e, "delete container \"%s\": its network", ct->id);
	return 0;
}

/* ---- what list and port show ------------------------------------------------------- */

int netsetup_state(struct container *ct, struct spec_net_state *s, brig_error_t **err)
{
	int fd = ct->dir_fd >= 0 ? ct->dir_fd
				 : open(ct->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	int r;

	memset(s, 0, sizeof(*s));
	if (fd < 0)
		return brig_err(err, errno, "open %s", ct->dir);
	r = net_state_read(fd, s, err);
	if (fd != ct->dir_fd)
		close(fd);
	return r;
}

void netsetup_info(struct container *ct, struct netsetup_info *out)
{
	struct spec_net_state s;
	brig_error_t *e = NULL;
	char **ips;
	size_t n = 0;

	memset(out, 0, sizeof(*out));
	if (netsetup_state(ct, &s, &e) <= 0) {
		brig_err_free(&e);
		return;
	}
	out->host = s.host;
	ips = net_state_ips(&s, &n);
	for (size_t i = 0; i < n; i++) {
		char *slash = strchr(ips[i], '/');
		if (slash)
			*slash = '\0';
		if (!strchr(ips[i], ':'))
			brig_strv_append(&out->ipv4, &out->n_ipv4, ips[i]);
		free(ips[i]);
	}
	free(ips);
	for (size_t i = 0; i < s.n_ports; i++) {
		char *p = net_port_str(&s.ports[i]);
		brig_strv_append(&out->ports, &out->n_ports, p);
		free(p);
	}
	spec_net_state_free(&s);
}

void netsetup_info_free(struct netsetup_info *i)
{
	brig_strv_free(i->ipv4);
	brig_strv_free(i->ports);
	memset(i, 0, sizeof(*i));
}
