/* brig — network/netdir.c: the network directory, NAME.conflist files.
 *
 * The built-in networks are written there the first time they are named,
 * from the same templates `network create` uses, so that what a container
 * attached to is always a file the user can read and change:
 *   nat        a bridge with a host address and IP masquerade, ports
 *              published through portmap (VirtualBox NAT, Docker's bridge)
 *   host-only  a bridge with a host address, no masquerade, no default
 *              route, nothing forwarded beyond it
 *   internal   a bridge without a host address: containers on it only
 *   bridged:IF macvlan on the host's interface IF: another machine on
 *              that LAN (its addresses from the upper quarter of IF's
 *              subnet: see bridged_opts)
 */
#include "network/network.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CNI_VERSION "1.0.0"
/* host-local's leases: gone at reboot with the containers that held them */
#define IPAM_DIR "/run/brig-ipam"
#define SUBNET_FMT "10.89.%d.0/24"

const struct net_builtin net_builtins[] = {
	{"nat", "bridge, host address, masquerade, published ports"},
	{"host-only", "bridge, host address, nothing beyond the host"},
	{"internal", "bridge, no host address: its containers only"},
	{"bridged:IFACE", "macvlan on IFACE: a machine on that LAN"},
	{"none", "loopback only"},
	{"host", "the host's network namespace"},
};
const size_t net_n_builtins = sizeof(net_builtins) / sizeof(net_builtins[0]);

/* An interface name as the kernel takes one (1 to 15 characters, no
 * '/', ':' or space, not "." or ".."), in printable ASCII and without
 * '"' or '\\' (which the kernel allows): it goes into a conflist's JSON
 * as it is, where --parent 'eth0","mode":"passthru' wrote a key. */
static bool ifname_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= IFNAMSIZ || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] == 0x7f || strchr("/:\"\\", s[i]))
			return false;
	return true;
}

bool net_name_ok(const char *name, bool with_iface)
{
	size_t n = strlen(name);

	if (with_iface && strncmp(name, "bridged:", 8) == 0)
		return ifname_ok(name + 8);
	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		if (!alnum && (i == 0 || (c != '_' && c != '.' && c != '-')))
			return false;
	}
	return true;
}

static char *list_path(const char *dir, const char *name)
{
	return xasprintf("%s/%s.conflist", dir, name);
}

/* ---- templates -------------------------------------------------------------- */

static const char *type_name(enum net_type t)
{
	static const char *const names[] = {"nat", "host-only", "internal", "bridged"};
	return names[t];
}

static char *bridge_name(const char *name, const struct net_create_opts *o)
{
	return o->bridge ? xstrdup(o->bridge) : xasprintf("brig-%.10s", name);
}

static char *bridge_plugin(const char *name, const struct net_create_opts *o)
{
	cleanup_free char *br = bridge_name(name, o);
	/* nat's masquerade is brig's rule for the whole subnet (rules.c),
	 * not the plugin's chain per container */
	bool gw = o->type != NET_INTERNAL, masq = false;
	const char *routes = o->type == NET_NAT ? ",\n          \"routes\": [{\"dst\": \"0.0.0.0/0\"}]" : "";

	return xasprintf("    {\n      \"type\": \"bridge\",\n      \"bridge\": \"%s\",\n"
			 "      \"isGateway\": %s,\n      \"ipMasq\": %s,\n      \"hairpinMode\": true,\n"
			 "      \"ipam\": {\n        \"type\": \"host-local\",\n"
			 "        \"ranges\": [[{\"subnet\": \"%s\"}]]%s,\n"
			 "        \"dataDir\": \"" IPAM_DIR "\"\n      }\n    }",
			 br, gw ? "true" : "false", masq ? "true" : "false", o->subnet, routes);
}

static char *macvlan_plugin(const struct net_create_opts *o, const char *range)
{
	return xasprintf("    {\n      \"type\": \"macvlan\",\n      \"master\": \"%s\",\n"
			 "      \"mode\": \"bridge\",\n"
			 "      \"ipam\": {\n        \"type\": \"host-local\",\n"
			 "        \"ranges\": [[{\"subnet\": \"%s\"%s}]],\n"
			 "        \"routes\": [{\"dst\": \"0.0.0.0/0\"}],\n"
			 "        \"dataDir\": \"" IPAM_DIR "\"\n      }\n    }",
			 o->parent, o->subnet, range ? range : "");
}

static char *list_text(const char *name, const struct net_create_opts *o, const char *range)
{
	cleanup_free char *first = o->type == NET_BRIDGED ? macvlan_plugin(o, range)
							  : bridge_plugin(name, o);
	/* forwarding to and from nat's bridge is brig's rules too (rules.c),
	 * not the firewall plugin's per container */
	const char *more = o->type == NET_NAT
		? ",\n    {\"type\": \"portmap\", \"capabilities\": {\"portMappings\": true}}"
		: "";

	return xasprintf("{\n  \"cniVersion\": \"" CNI_VERSION "\",\n  \"name\": \"%s\",\n"
			 "  \"brigType\": \"%s\",\n  \"plugins\": [\n%s%s\n  ]\n}\n",
			 name, type_name(o->type), first, more);
}

/* ---- subnets ------------------------------------------------------------------ */

/* The name of the list in dir whose first plugin has the subnet (or the
 * bridge) asked for; NULL when none has. */
static char *list_using(const char *dir, const char *subnet, const char *bridge)
{
	size_t n = 0;
	char **names = net_names(dir, &n, NULL);
	char *user = NULL;

	for (size_t i = 0; names && i < n; i++) {
		cleanup_free char *path = list_path(dir, names[i]);
		cleanup_free char *text = brig_read_file(path, NULL);
		struct spec_cni_list l;

		if (!user && text && spec_cni_parse_list(text, strlen(text), path, &l, NULL) == 0) {
			const char *have = subnet ? l.plugins[0].subnet : l.plugins[0].bridge;
			if (have && strcmp(have, subnet ? subnet : bridge) == 0)
				user = xstrdup(names[i]);
			spec_cni_list_free(&l);
		}
		free(names[i]);
	}
	free(names);
	return user;
}

static int subnet_used(const char *dir, const char *subnet)
{
	cleanup_free char *user = list_using(dir, subnet, NULL);

	return user != NULL;
}

/* The built-ins' subnets are fixed (nat 10.89.0.0/24, host-only .1,
 * internal .2); others take the next that no list in dir has. */
static char *pick_subnet(const char *dir, const char *name)
{
	static const char *const fixed[] = {"nat", "host-only", "internal"};

	for (int i = 0; i < 3; i++)
		if (strcmp(name, fixed[i]) == 0)
			return xasprintf(SUBNET_FMT, i);
	for (int i = 3; i < 256; i++) {
		char *s = xasprintf(SUBNET_FMT, i);
		if (!subnet_used(dir, s))
			return s;
		free(s);
	}
	return NULL;
}

/* bridged:IF: IF's first IPv4 network, the container's addresses from
 * its upper quarter (where DHCP servers' pools seldom reach); the
 * default route goes through the subnet's first address (host-local's
 * gateway), the router on most LANs. */
static int bridged_range(const char *iface, char **subnet, char **range, brig_error_t **err)
{
	struct ifaddrs *ifa = NULL;
	int r = brig_err(err, 0, "--network bridged:%s: no IPv4 address on %s", iface, iface);

	if (getifaddrs(&ifa) < 0)
		return brig_err(err, errno, "--network bridged:%s: getifaddrs", iface);
	for (struct ifaddrs *i = ifa; i; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || strcmp(i->ifa_name, iface) != 0)
			continue;
		uint32_t a = ntohl(((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr);
		uint32_t m = ntohl(((struct sockaddr_in *)i->ifa_netmask)->sin_addr.s_addr);
		int prefix = __builtin_popcount(m);
		uint32_t net = a & m, size = ~m + 1U;
		struct in_addr x;
		char s_net[16], s_lo[16], s_hi[16];

		if (prefix > 29) {
			r = brig_err(err, 0, "--network bridged:%s: its subnet /%d is too small", iface, prefix);
			break;
		}
		x.s_addr = htonl(net);
		inet_ntop(AF_INET, &x, s_net, sizeof(s_net));
		x.s_addr = htonl(net + size - size / 4);
		inet_ntop(AF_INET, &x, s_lo, sizeof(s_lo));
		x.s_addr = htonl(net + size - 2);
		inet_ntop(AF_INET, &x, s_hi, sizeof(s_hi));
		*subnet = xasprintf("%s/%d", s_net, prefix);
		*range = xasprintf(", \"rangeStart\": \"%s\", \"rangeEnd\": \"%s\"", s_lo, s_hi);
		brig_err_free(err);
		r = 0;
		break;
	}
	freeifaddrs(ifa);
	return r;
}

int net_check_subnet(const char *cidr, brig_error_t **err)
{
	char ip[INET_ADDRSTRLEN];
	const char *slash = strchr(cidr, '/');
	struct in_addr a;
	char *end;
	long n;

	if (!slash || (size_t)(slash - cidr) >= sizeof(ip))
		return brig_err(err, 0, "--subnet %s: expected an IPv4 network, like 10.89.7.0/24", cidr);
	memcpy(ip, cidr, (size_t)(slash - cidr));
	ip[slash - cidr] = '\0';
	n = strtol(slash + 1, &end, 10);
	if (inet_pton(AF_INET, ip, &a) != 1 || *end || end == slash + 1 || n < 8 || n > 30)
		return brig_err(err, 0, "--subnet %s: expected an IPv4 network a.b.c.d/N, 8 <= N <= 30", cidr);
	if (ntohl(a.s_addr) & ~(0xffffffffU << (32 - n)))
		return brig_err(err, 0, "--subnet %s: host bits set (the network is %s/%ld?)", cidr,
				inet_ntop(AF_INET, &(struct in_addr){htonl(ntohl(a.s_addr) &
					  (0xffffffffU << (32 - n)))}, ip, sizeof(ip)), n);
	return 0;
}

/* "a.b.c.d/N" -> network and mask (host order); false when not one. */
static bool cidr(const char *s, uint32_t *net, uint32_t *mask)
{
	char ip[INET_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	struct in_addr a;
	long n;

	if (!slash || (size_t)(slash - s) >= sizeof(ip))
		return false;
	memcpy(ip, s, (size_t)(slash - s));
	ip[slash - s] = '\0';
	n = strtol(slash + 1, NULL, 10);
	if (inet_pton(AF_INET, ip, &a) != 1 || n < 0 || n > 32)
		return false;
	*mask = n ? 0xffffffffU << (32 - n) : 0;
	*net = ntohl(a.s_addr) & *mask;
	return true;
}

static bool overlap(uint32_t n1, uint32_t m1, uint32_t n2, uint32_t m2)
{
	uint32_t m = m1 & m2; /* the shorter prefix */
	return (n1 & m) == (n2 & m);
}

/* A subnet given by hand must not overlap another network's, nor one of
 * the host's own (routes would then go one way or the other, and the
 * isolation rules with them). */
static int subnet_free(const char *dir, const char *subnet, brig_error_t **err)
{
	uint32_t net, mask;
	size_t n = 0;
	char **names = net_names(dir, &n, NULL);
	struct ifaddrs *ifa = NULL;
	int r = 0;

	if (!cidr(subnet, &net, &mask))
		return brig_err(err, 0, "--subnet %s: not an IPv4 network", subnet);
	for (size_t i = 0; names && i < n; i++) {
		cleanup_free char *path = list_path(dir, names[i]);
		cleanup_free char *text = brig_read_file(path, NULL);
		struct spec_cni_list l;
		uint32_t n2, m2;

		if (r == 0 && text && spec_cni_parse_list(text, strlen(text), path, &l, NULL) == 0) {
			if (l.plugins[0].subnet && cidr(l.plugins[0].subnet, &n2, &m2) &&
			    overlap(net, mask, n2, m2))
				r = brig_err(err, 0, "--subnet %s overlaps network \"%s\" (%s)", subnet,
					     names[i], l.plugins[0].subnet);
			spec_cni_list_free(&l);
		}
		free(names[i]);
	}
	free(names);
	if (r == 0 && getifaddrs(&ifa) == 0) {
		for (struct ifaddrs *i = ifa; i && r == 0; i = i->ifa_next) {
			if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || !i->ifa_netmask)
				continue;
			uint32_t a = ntohl(((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr);
			uint32_t m = ntohl(((struct sockaddr_in *)i->ifa_netmask)->sin_addr.s_addr);
			if (overlap(net, mask, a & m, m))
				r = brig_err(err, 0, "--subnet %s overlaps the host's network on %s",
					     subnet, i->ifa_name);
		}
		freeifaddrs(ifa);
	}
	return r;
}

/* ---- the files ------------------------------------------------------------------ */

/* The file whole or not at all: written aside, then linked into place
 * (link fails on an existing name, as O_EXCL would): two creates naming
 * a built-in for the first time at once never read half of it. */
static int write_new(const char *dir, const char *name, const char *text, brig_error_t **err)
{
	cleanup_free char *path = list_path(dir, name);
	cleanup_free char *tmp = xasprintf("%s/.%s.%d.tmp", dir, name, (int)getpid());
	int fd, r = 0;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return brig_err(err, errno, "network directory %s", dir);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return brig_err(err, errno, "network \"%s\": create %s", name, tmp);
	if (brig_write_all(fd, text, strlen(text)) < 0 || fsync(fd) < 0)
		r = brig_err(err, errno, "network \"%s\": write %s", name, tmp);
	close(fd);
	if (r == 0 && link(tmp, path) < 0)
		r = brig_err(err, errno, errno == EEXIST ? "network \"%s\" exists (%s)"
							   : "network \"%s\": create %s", name, path);
	unlink(tmp);
	return r;
}

int net_create(const char *dir, const char *name, const struct net_create_opts *o,
	       brig_error_t **err)
{
	struct net_create_opts x = *o;
	cleanup_free char *subnet = NULL, *range = NULL, *text = NULL;

	if (!net_name_ok(name, false) || strcmp(name, "none") == 0 || strcmp(name, "host") == 0)
		return brig_err(err, 0, "network create: \"%s\" is not a name for a network", name);
	if (x.bridge && !ifname_ok(x.bridge))
		return brig_err(err, 0, "network create: --bridge: not an interface name: \"%s\"", x.bridge);
	if (x.parent && !ifname_ok(x.parent))
		return brig_err(err, 0, "network create: --parent: not an interface name: \"%s\"", x.parent);
	if (x.type == NET_BRIDGED) {
		if (!x.parent)
			return brig_err(err, 0, "network create: a bridged network needs --parent IFACE");
		if (!x.subnet && bridged_range(x.parent, &subnet, &range, err) < 0)
			return -1;
	} else if (!x.subnet && !(subnet = pick_subnet(dir, name))) {
		return brig_err(err, 0, "network create: no free subnet 10.89.N.0/24 left: give --subnet");
	}
	{
		cleanup_free char *path = list_path(dir, name);
		if (access(path, F_OK) == 0)
			return brig_err(err, EEXIST, "network \"%s\" exists (%s)", name, path);
	}
	if (o->subnet && x.type != NET_BRIDGED && subnet_free(dir, o->subnet, err) < 0)
		return -1;
	if (!x.subnet)
		x.subnet = subnet;
	/* Two networks on one bridge are one network: an internal one
	 * sharing a nat one's bridge (names alike in their first 10
	 * characters, or --bridge naming another's) would be neither, and
	 * rm of either would delete the other's bridge. */
	if (x.type != NET_BRIDGED) {
		cleanup_free char *br = bridge_name(name, &x);
		cleanup_free char *other = list_using(dir, NULL, br);
		if (other && strcmp(other, name) != 0) /* itself: "exists", below */
			return brig_err(err, 0, "network create: bridge %s is network \"%s\"'s: "
					"give --bridge another name", br, other);
	}
	text = list_text(name, &x, range);
	return write_new(dir, name, text, err);
}

/* A built-in named for the first time: its file, from the template. */
static int make_builtin(const char *dir, const char *name, brig_error_t **err)
{
	struct net_create_opts o = {0};

	if (strcmp(name, "nat") == 0)
		o.type = NET_NAT;
	else if (strcmp(name, "host-only") == 0)
		o.type = NET_HOST_ONLY;
	else if (strcmp(name, "internal") == 0)
		o.type = NET_INTERNAL;
	else if (strncmp(name, "bridged:", 8) == 0)
		o.type = NET_BRIDGED, o.parent = name + 8;
	else
		return brig_err(err, ENOENT, "network \"%s\": no %s/%s.conflist", name, dir, name);
	if (o.type == NET_BRIDGED) {
		/* its file is named bridged-IFACE */
		cleanup_free char *fname = xasprintf("bridged-%s", name + 8);
		cleanup_free char *subnet = NULL, *range = NULL, *text = NULL;
		if (bridged_range(o.parent, &subnet, &range, err) < 0)
			return -1;
		o.subnet = subnet;
		text = list_text(fname, &o, range);
		return write_new(dir, fname, text, err);
	}
	return net_create(dir, name, &o, err);
}

int net_load(const char *dir, const char *name, char **text, struct spec_cni_list *l,
	     brig_error_t **err)
{
	cleanup_free char *fname = strncmp(name, "bridged:", 8) == 0
		? xasprintf("bridged-%s", name + 8) : xstrdup(name);
	cleanup_free char *path = list_path(dir, fname);
	brig_error_t *e = NULL;

	*text = brig_read_file(path, NULL);
	if (!*text && errno == ENOENT) {
		if (make_builtin(dir, name, &e) < 0 && !(e && e->code == EEXIST)) {
			*err = e;
			return -1;
		}
		brig_err_free(&e);
		*text = brig_read_file(path, NULL);
	}
	if (!*text)
		return brig_err(err, errno, "network \"%s\": read %s", name, path);
	if (spec_cni_parse_list(*text, strlen(*text), path, l, err) < 0) {
		free(*text);
		*text = NULL;
		return -1;
	}
	return 0;
}

/* The file, brig's rules for it, and its bridge (with the bridge's
 * address): what no container uses any more. */
int net_remove(const char *dir, const char *name, brig_error_t **err)
{
	cleanup_free char *path = list_path(dir, name);
	cleanup_free char *text = NULL;
	struct spec_cni_list l;

	if (!net_name_ok(name, false))
		return brig_err(err, 0, "network rm: \"%s\" is not a network name", name);
	text = brig_read_file(path, NULL);
	if (!text)
		return brig_err(err, errno, "network rm: %s", path);
	if (spec_cni_parse_list(text, strlen(text), path, &l, NULL) == 0) {
		const char *br = l.plugins[0].bridge;
		if (net_rules(&l, false, err) < 0) {
			spec_cni_list_free(&l);
			return -1;
		}
		/* only a bridge brig made: a conflist written by hand, or
		 * copied from another tool, names a bridge that tool's
		 * containers may be on (podman's, Kubernetes' cni0) */
		if (br && l.brig_type && strcmp(l.plugins[0].type, "bridge") == 0) {
			char *argv[] = {(char *)"ip", (char *)"link", (char *)"delete", (char *)br, NULL};
			net_run_tool(argv); /* not there: nothing to remove */
		}
		spec_cni_list_free(&l);
	}
	if (unlink(path) < 0)
		return brig_err(err, errno, "network rm: %s", path);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **net_names(const char *dir, size_t *n, brig_error_t **err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = xcalloc(1, sizeof(*v));

	*n = 0;
	if (!d) {
		if (errno != ENOENT) {
			free(v);
			brig_err(err, errno, "network directory %s", dir);
			return NULL;
		}
		return v;
	}
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (len <= 9 || strcmp(e->d_name + len - 9, ".conflist") != 0)
			continue;
		v = xrealloc(v, (*n + 2) * sizeof(*v));
		v[(*n)++] = xasprintf("%.*s", (int)(len - 9), e->d_name);
		v[*n] = NULL;
	}
	closedir(d);
	qsort(v, *n, sizeof(*v), cmp_str);
	return v;
}

const char *net_type_of(const struct spec_cni_list *l)
{
	return l->brig_type ? l->brig_type : "cni";
}
