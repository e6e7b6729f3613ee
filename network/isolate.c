/* brig — network/isolate.c: what keeps host-only and internal networks
 * what they say, whatever a container on them does (one holding
 * CAP_NET_ADMIN can add any route it likes): iptables and ip6tables rules
 * on the network's bridge,
 *   both      forwarded from the bridge to elsewhere, or from elsewhere to
 *             it: dropped (the containers on it still talk to each other,
 *             accepted explicitly for a FORWARD policy of DROP, Docker's);
 *   internal  to the host itself from the bridge: dropped too (the bridge
 *             has no address, but the host answers on any of its own).
 * Added when a container attaches (when missing), removed with the
 * network (`network rm`).  The comment names the network. */
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
	const char *chain, *in, *out; /* "!BR" negates */
	const char *target;
	bool internal_only;
};

/* argv of `TOOL -w OP CHAIN [-i X] [-o Y] -m comment --comment C -j T` */
static int rule_cmd(const char *tool, const char *op, const struct rule *r, const char *br,
		    const char *comment)
{
	char *argv[20];
	int n = 0;

	argv[n++] = (char *)tool;
	argv[n++] = (char *)"-w";
	argv[n++] = (char *)op;
	argv[n++] = (char *)r->chain;
	if (strcmp(op, "-I") == 0)
		argv[n++] = (char *)"1";
	for (int k = 0; k < 2; k++) {
		const char *v = k ? r->out : r->in;
		if (!v)
			continue;
		if (v[0] == '!')
			argv[n++] = (char *)"!";
		argv[n++] = (char *)(k ? "-o" : "-i");
		argv[n++] = (char *)br;
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

int net_isolate(const struct spec_cni_list *l, bool add, brig_error_t **err)
{
	/* inserted at the top in reverse: ACCEPT within the bridge first */
	static const struct rule rules[] = {
		{"INPUT", "BR", NULL, "DROP", true},
		{"FORWARD", "!BR", "BR", "DROP", false},
		{"FORWARD", "BR", "!BR", "DROP", false},
		{"FORWARD", "BR", "BR", "ACCEPT", false},
	};
	static const char *const tools[] = {"iptables", "ip6tables"};
	const char *type = l->brig_type, *br = l->plugins[0].bridge;
	bool internal;
	cleanup_free char *comment = NULL;

	if (!type || !br || (strcmp(type, "host-only") != 0 && strcmp(type, "internal") != 0))
		return 0;
	internal = strcmp(type, "internal") == 0;
	comment = xasprintf("brig network %s", l->name);
	/* no IPv6 in this kernel: nothing to keep in over it */
	size_t n_tools = access("/proc/net/if_inet6", F_OK) == 0 ? 2 : 1;
	for (size_t t = 0; t < n_tools; t++) {
		for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
			const struct rule *r = &rules[i];
			if (r->internal_only && !internal)
				continue;
			if (!add) {
				while (rule_cmd(tools[t], "-D", r, br, comment) == 0)
					;
				continue;
			}
			if (rule_cmd(tools[t], "-C", r, br, comment) == 0)
				continue;
			if (rule_cmd(tools[t], "-I", r, br, comment) != 0)
				return brig_err(err, 0, "network \"%s\": %s could not add its rule "
						"on %s (%s %s)", l->name, tools[t], r->chain, br, r->target);
		}
	}
	return 0;
}
