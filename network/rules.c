/* brig — network/rules.c: the iptables rules brig keeps for each network
 * of its own making, per network and not per container (as Docker keeps
 * its bridge's), added when a container attaches (those missing) and
 * removed with the network (`network rm`); their comment names it.
 *
 *   nat        masquerade what leaves the subnet other than through the
 *              bridge; forward what comes from the bridge, and to it what
 *              belongs to a connection from it or to a published port
 *              (conntrack's DNAT state): so a FORWARD policy of DROP
 *              (Docker's) still lets the network work.  One rule set per
 *              network instead of the bridge plugin's ipMasq chain and
 *              the firewall plugin's rules per container: each iptables
 *              call costs tens of milliseconds, and those were half of a
 *              networked container's start (bench/network).
 *   host-only  (and internal) what keeps them what they say, whatever a
 *              container does (one holding CAP_NET_ADMIN adds any route
 *              it likes), for IPv4 and IPv6: nothing forwarded from the
 *              bridge elsewhere or from elsewhere to it (its containers
 *              still talk to each other: accepted explicitly, for a
 *              FORWARD policy of DROP);
 *   internal   and nothing from the bridge to the host itself (the bridge
 *              has no address, but the host answers on any of its own).
 *
 * host-only's and internal's DROPs are in the mangle table, which the
 * kernel walks before filter: ACCEPTs of others in filter's FORWARD go
 * above rules inserted before them (nat's own "to the bridge, DNAT:
 * ACCEPT", inserted when a nat container attaches after an internal
 * one, let a container on internal reach a published port through the
 * host's address; before, the firewall plugin's CNI-FORWARD let one
 * spoofing a nat container's address out: network-attack.bats).  The
 * ACCEPT within the bridge stays in filter, where a policy of DROP is.
 *
 * Every bridge: what it brings to 127.0.0.0/8 is dropped before routing
 * (raw).  portmap turns route_localnet on for the bridge (for -p
 * 127.0.0.1:...), and with it the host takes such a packet for its own
 * loopback: a container routing 127.0.0.1 through its gateway reached
 * the host's loopback-only services (CVE-2020-8558 in Kubernetes).
 * portmap's own traffic is not such a packet: the container answers the
 * bridge's address, which conntrack turns back.
 */
#include "network/network.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Run argv (its tool from the system's directories, whatever our PATH)
 * quietly; its exit status, -1 when it could not run. */
int net_run_tool(char *const argv[])
{
	static const char *const dirs[] = {"/usr/sbin", "/sbin", "/usr/bin", "/bin"};
	static char *const env[] = {(char *)"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL};
	posix_spawn_file_actions_t fa;
	char exe[64];
	pid_t pid;
	int status = 0, r = -1;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(exe, sizeof(exe), "%s/%s", dirs[i], argv[0]);
		if (access(exe, X_OK) == 0) {
			r = 0;
			break;
		}
	}
	if (r < 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	r = posix_spawn(&pid, exe, &fa, NULL, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	if (r != 0)
		return -1;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

struct rule {
	const char *table, *chain;
	const char *in, *out; /* "BR" the bridge, "!BR" not it, NULL any */
	bool from_subnet;     /* -s SUBNET */
	const char *state;    /* -m conntrack --ctstate STATE */
	const char *target;
	const char *dst;      /* -d DST, IPv4 only */
};

/* argv of `TOOL -w -t TABLE OP CHAIN [1] [-s SUBNET] [[!] -i BR]
 * [[!] -o BR] [-d DST] [-m conntrack --ctstate S] -m comment --comment C -j T` */
static int rule_cmd(const char *tool, const char *op, const struct rule *r, const char *br,
		    const char *subnet, const char *comment)
{
	char *argv[32];
	int n = 0;

	argv[n++] = (char *)tool;
	argv[n++] = (char *)"-w";
	argv[n++] = (char *)"-t";
	argv[n++] = (char *)r->table;
	argv[n++] = (char *)op;
	argv[n++] = (char *)r->chain;
	if (strcmp(op, "-I") == 0)
		argv[n++] = (char *)"1";
	if (r->from_subnet) {
		argv[n++] = (char *)"-s";
		argv[n++] = (char *)subnet;
	}
	for (int k = 0; k < 2; k++) {
		const char *v = k ? r->out : r->in;
		if (!v)
			continue;
		if (v[0] == '!')
			argv[n++] = (char *)"!";
		argv[n++] = (char *)(k ? "-o" : "-i");
		argv[n++] = (char *)br;
	}
	if (r->dst) {
		argv[n++] = (char *)"-d";
		argv[n++] = (char *)r->dst;
	}
	if (r->state) {
		argv[n++] = (char *)"-m";
		argv[n++] = (char *)"conntrack";
		argv[n++] = (char *)"--ctstate";
		argv[n++] = (char *)r->state;
	}
	argv[n++] = (char *)"-m";
	argv[n++] = (char *)"comment";
	argv[n++] = (char *)"--comment";
	argv[n++] = (char *)comment;
	argv[n++] = (char *)"-j";
	argv[n++] = (char *)r->target;
	argv[n] = NULL;
	return net_run_tool(argv);
}

/* Each list inserted at the top of its chain in reverse order, so that it
 * reads in order there. */
#define NO_LOOPBACK {"raw", "PREROUTING", "BR", NULL, false, NULL, "DROP", "127.0.0.0/8"}
static const struct rule nat_rules[] = {
	NO_LOOPBACK,
	{"nat", "POSTROUTING", NULL, "!BR", true, NULL, "MASQUERADE", NULL},
	{"filter", "FORWARD", NULL, "BR", false, "RELATED,ESTABLISHED,DNAT", "ACCEPT", NULL},
	{"filter", "FORWARD", "BR", NULL, false, NULL, "ACCEPT", NULL},
};
static const struct rule host_only_rules[] = {
	NO_LOOPBACK,
	{"mangle", "FORWARD", "!BR", "BR", false, NULL, "DROP", NULL},
	{"mangle", "FORWARD", "BR", "!BR", false, NULL, "DROP", NULL},
	{"filter", "FORWARD", "BR", "BR", false, NULL, "ACCEPT", NULL},
};
static const struct rule internal_rules[] = {
	NO_LOOPBACK,
	{"mangle", "INPUT", "BR", NULL, false, NULL, "DROP", NULL},
	{"mangle", "FORWARD", "!BR", "BR", false, NULL, "DROP", NULL},
	{"mangle", "FORWARD", "BR", "!BR", false, NULL, "DROP", NULL},
	{"filter", "FORWARD", "BR", "BR", false, NULL, "ACCEPT", NULL},
};

int net_rules(const struct spec_cni_list *l, bool add, brig_error_t **err)
{
	const char *type = l->brig_type, *br = l->plugins[0].bridge, *subnet = l->plugins[0].subnet;
	const struct rule *rules;
	size_t n, n_tools;
	cleanup_free char *comment = NULL;

	if (!type || !br)
		return 0;
	if (strcmp(type, "nat") == 0 && subnet)
		rules = nat_rules, n = sizeof(nat_rules) / sizeof(nat_rules[0]);
	else if (strcmp(type, "host-only") == 0)
		rules = host_only_rules, n = sizeof(host_only_rules) / sizeof(host_only_rules[0]);
	else if (strcmp(type, "internal") == 0)
		rules = internal_rules, n = sizeof(internal_rules) / sizeof(internal_rules[0]);
	else
		return 0;
	comment = xasprintf("brig network %s", l->name);
	/* nat's subnet is IPv4; the isolation holds for IPv6 too (link-local
	 * addresses need no subnet), unless this kernel has none */
	n_tools = strcmp(type, "nat") != 0 && access("/proc/net/if_inet6", F_OK) == 0 ? 2 : 1;
	for (size_t t = 0; t < n_tools; t++) {
		const char *tool = t ? "ip6tables" : "iptables";
		for (size_t i = 0; i < n; i++) {
			const struct rule *r = &rules[i];
			if (r->dst && t > 0)
				continue;
			if (!add) {
				while (rule_cmd(tool, "-D", r, br, subnet, comment) == 0)
					;
				continue;
			}
			if (rule_cmd(tool, "-C", r, br, subnet, comment) == 0)
				continue;
			if (rule_cmd(tool, "-I", r, br, subnet, comment) != 0)
				return brig_err(err, 0, "network \"%s\": %s could not add its rule "
						"on %s (%s %s %s)", l->name, tool, br, r->table,
						r->chain, r->target);
		}
	}
	return 0;
}
