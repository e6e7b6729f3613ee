/* brig — runtime/cli.c: the table of commands, their usage texts and help.
 * main.c dispatches from this table; `brig --help` lists it and
 * `brig <command> --help` (or -h, or `brig help <command>`) prints one
 * entry's usage on stdout and exits 0, as runc does. */
#include "cli.h"

#include <string.h>

static const char create_usage[] =
	"usage: brig create [options] ID\n"
	"\n"
	"Create a container from the bundle: its init is set up and waits before\n"
	"exec until `brig start ID`.\n"
	"\n"
	"Options:\n"
	"  -b, --bundle DIR         the bundle (config.json and rootfs; default .)\n"
	"  --pid-file FILE          write the init's pid to FILE\n"
	"  --console-socket PATH    send the terminal's master to this unix socket\n"
	"  --no-pivot               chroot instead of pivot_root\n"
	"  --no-new-keyring         keep the caller's session keyring\n"
	"  --preserve-fds N         pass descriptors 3 .. 3+N-1 to the container\n"
	"  --log-path FILE          stdout/stderr to FILE in the CRI log format, kept by a\n"
	"                           per-container log monitor (needs --detach with run);\n"
	"                           FILE '' = <root>/<id>/container.log\n"
	"  --log-max-size SIZE      rotate the log at SIZE (like 10m) to FILE.1 ..\n"
	"  --log-max-files N        keep FILE .. FILE.N-1 (default 5)\n"
	"  --network NAME           attach to network NAME (repeatable: eth0, eth1, ..):\n"
	"                           nat, host-only, internal, bridged:IFACE, a list of\n"
	"                           the network directory, or none / host alone\n"
	"  -p, --publish [HOSTIP:]HOSTPORT:PORT[/tcp|udp]\n"
	"                           publish a port (repeatable; on nat)\n"
	"  --restart POLICY         no, on-failure[:N] or always: the log monitor starts\n"
	"                           it again when it exits (implies a log monitor)\n";

static const char run_usage[] =
	"usage: brig run [options] ID\n"
	"\n"
	"Create and start a container; wait for it and delete it unless --detach.\n"
	"Exits with the container's status (128+N for signal N).\n"
	"\n"
	"Options:\n"
	"  -d, --detach             return once it runs\n"
	"  --keep                   do not delete it when it exits\n"
	"  -b, --bundle DIR         the bundle (config.json and rootfs; default .)\n"
	"  --pid-file FILE          write the init's pid to FILE\n"
	"  --console-socket PATH    send the terminal's master to this unix socket\n"
	"  --no-pivot               chroot instead of pivot_root\n"
	"  --no-new-keyring         keep the caller's session keyring\n"
	"  --no-subreaper           accepted, as runc\n"
	"  --preserve-fds N         pass descriptors 3 .. 3+N-1 to the container\n"
	"  --log-path FILE          (with -d) stdout/stderr to FILE in the CRI log\n"
	"                           format, kept by a per-container log monitor that\n"
	"                           records the exit code; FILE '' = <root>/<id>/container.log\n"
	"  --log-max-size SIZE      rotate the log at SIZE (like 10m) to FILE.1 ..\n"
	"  --log-max-files N        keep FILE .. FILE.N-1 (default 5)\n"
	"  --network NAME           attach to network NAME (repeatable: eth0, eth1, ..):\n"
	"                           nat, host-only, internal, bridged:IFACE, a list of\n"
	"                           the network directory, or none / host alone\n"
	"  -p, --publish [HOSTIP:]HOSTPORT:PORT[/tcp|udp]\n"
	"                           publish a port (repeatable; on nat)\n"
	"  --restart POLICY         no, on-failure[:N] or always: the log monitor starts\n"
	"                           it again when it exits (implies a log monitor)\n";

static const char start_usage[] =
	"usage: brig start ID\n"
	"\n"
	"Run the user process of a created container.  A stopped container made\n"
	"with a log monitor (--log-path, --restart) runs again with the options it\n"
	"was first run with (its log, restart policy, networks and ports).\n";

static const char state_usage[] =
	"usage: brig state ID\n"
	"\n"
	"Print the container's state JSON.\n";

static const char kill_usage[] =
	"usage: brig kill [options] ID [SIGNAL]\n"
	"\n"
	"Send SIGNAL (a name like KILL or SIGKILL, or a number; default SIGTERM)\n"
	"to the container's init.\n"
	"\n"
	"Options:\n"
	"  -a, --all                every process in the container's cgroup\n";

static const char stop_usage[] =
	"usage: brig stop [options] ID\n"
	"\n"
	"Stop a running container as docker stop does: SIGTERM to its init, then\n"
	"SIGKILL if it has not exited after the timeout. The container stays\n"
	"(stopped) until delete; a --restart policy does not restart it.\n"
	"\n"
	"Options:\n"
	"  -t, --time SECONDS       wait this long before SIGKILL (default 10)\n";

static const char delete_usage[] =
	"usage: brig delete [options] ID\n"
	"\n"
	"Delete a stopped (or created) container: its processes, cgroup and state.\n"
	"\n"
	"Options:\n"
	"  -f, --force              kill it first if it runs; no error if it is gone\n";

static const char list_usage[] =
	"usage: brig list [options]\n"
	"\n"
	"List containers: ID, PID, STATUS (\"stopped (N)\" with the exit code a log\n"
	"monitor recorded), CREATED, BUNDLE, OWNER.\n"
	"\n"
	"Options:\n"
	"  -f, --format table|json  json: runc's state objects\n"
	"  -q, --quiet              ids only\n";

static const char spec_usage[] =
	"usage: brig spec [options]\n"
	"\n"
	"Write a default config.json.\n"
	"\n"
	"Options:\n"
	"  -b, --bundle DIR         where to write it (default .)\n"
	"  --rootless               for a container run by a user other than root\n"
	"  --service                Docker's default capabilities (CHOWN, SETUID, ...) for\n"
	"                           a daemon from a distribution (nginx, postgres)\n";

static const char logs_usage[] =
	"usage: brig logs [options] ID\n"
	"\n"
	"Print a logged container's output (run -d --log-path): stdout to stdout,\n"
	"stderr to stderr.\n"
	"\n"
	"Options:\n"
	"  -f, --follow             follow until it stops\n"
	"  -t, --timestamps         prefix each line with its time\n"
	"  -n, --tail N             the last N lines only (or all)\n"
	"  --since TIME             from TIME: RFC 3339, or 10s/5m/2h ago\n";

static const char port_usage[] =
	"usage: brig port ID\n"
	"\n"
	"The container's published ports (-p), one a line: PORT/PROTO -> HOSTIP:HOSTPORT.\n";

static const char network_usage[] =
	"usage: brig network ls\n"
	"       brig network create NAME --type nat|host-only|internal [--subnet CIDR]\n"
	"                           [--bridge IFACE]\n"
	"       brig network create NAME --type bridged --parent IFACE [--subnet CIDR]\n"
	"       brig network rm NAME\n"
	"\n"
	"The CNI network configuration lists of the network directory (--network-dir,\n"
	"default /etc/brig/net.d): NAME.conflist.  nat, host-only, internal and\n"
	"bridged:IFACE are written there the first time a container names them.\n"
	"rm refuses a network a container is attached to, and removes its bridge.\n";

static const char jail_usage[] =
	"usage: brig jail build DIR [--with BINARY]... [--bundle]\n"
	"       brig jail run DIR [--chroot] [-- CMD...]\n"
	"\n"
	"build: copy binaries (default /bin/sh, /bin/ls) and the libraries their ELF\n"
	"headers name into DIR; --bundle: DIR/rootfs + DIR/config.json, ready for\n"
	"brig run.\n"
	"run: run CMD (default /bin/sh) in DIR with brig spec's isolation, writing no\n"
	"file; --chroot: no pivot_root.\n";

static const char update_usage[] =
	"usage: brig update [options] ID\n"
	"\n"
	"Change a running container's cgroup limits (sizes like 512m).\n"
	"\n"
	"Options:\n"
	"  -r, --resources FILE|-   a linux.resources JSON (the other flags are ignored)\n"
	"  --memory N  --memory-swap N  --memory-reservation N\n"
	"  --kernel-memory N  --kernel-memory-tcp N\n"
	"  --cpu-share N  --cpu-quota N  --cpu-period N  --cpu-burst N\n"
	"  --cpu-rt-period N  --cpu-rt-runtime N  --cpuset-cpus LIST  --cpuset-mems LIST\n"
	"  --pids-limit N  --blkio-weight N  --l3-cache-schema S  --mem-bw-schema S\n";

static const char pause_usage[] =
	"usage: brig pause ID\n"
	"\n"
	"Freeze a running or created container.\n";

static const char resume_usage[] =
	"usage: brig resume ID\n"
	"\n"
	"Thaw a paused container.\n";

static const char ps_usage[] =
	"usage: brig ps [options] ID [PS-ARGS...]\n"
	"\n"
	"The container's processes: ps(1) lines (ps -ef, or PS-ARGS), or their pids.\n"
	"\n"
	"Options:\n"
	"  -f, --format table|json  json: the pids\n";

static const char events_usage[] =
	"usage: brig events [options] ID\n"
	"\n"
	"Print the container's stats JSON every interval, and its OOM events.\n"
	"\n"
	"Options:\n"
	"  --interval D             between stats (default 5s)\n"
	"  --stats                  print the stats once\n";

static const char exec_usage[] =
	"usage: brig exec [options] ID [COMMAND [ARG...]]\n"
	"\n"
	"Run a new process in a running container (its namespaces, cgroup, user,\n"
	"capabilities, seccomp); exits with its status (128+N for signal N).\n"
	"\n"
	"Options:\n"
	"  -p, --process FILE       the process as JSON (config.json's process)\n"
	"  -d, --detach             return once it runs\n"
	"  -t, --tty                a terminal\n"
	"  --pid-file FILE          write its pid to FILE\n"
	"  --console-socket PATH    send the terminal's master to this unix socket\n"
	"  --cwd DIR                its working directory\n"
	"  -e, --env NAME=VALUE     set a variable (repeatable)\n"
	"  -u, --user UID[:GID]     its user\n"
	"  -g, --additional-gids G  a supplementary group (repeatable)\n"
	"  -c, --cap CAP            add a capability (repeatable)\n"
	"  --no-new-privs           set no_new_privs\n"
	"  --apparmor PROFILE       its AppArmor profile\n"
	"  --process-label LABEL    accepted, as runc\n"
	"  --preserve-fds N         pass descriptors 3 .. 3+N-1 to the process\n"
	"  --ignore-paused          exec in a paused container\n";

static const char checkpoint_usage[] =
	"usage: brig checkpoint [OPTIONS] ID\n"
	"\n"
	"Save a running container's processes to images with CRIU (criu dump); then\n"
	"the container is gone, unless --leave-running or --pre-dump.  runc's flags:\n"
	"  --image-path DIR         where the images go (default ./checkpoint)\n"
	"  --work-path DIR          CRIU's work files and log (default: the images')\n"
	"  --parent-path DIR        a pre-dump's images, relative to --image-path\n"
	"  --leave-running          keep the container running after the dump\n"
	"  --pre-dump               dump memory only and keep running (iterative)\n"
	"  --tcp-established        allow open TCP connections\n"
	"  --ext-unix-sk            allow external unix sockets\n"
	"  --shell-job              allow shell jobs (a terminal of the caller's)\n"
	"  --file-locks             handle file locks\n"
	"  --page-server ADDR:PORT  send the pages to a CRIU page server\n"
	"  --lazy-pages             leave the pages to be fetched on demand\n"
	"  --status-fd FD           with --lazy-pages: CRIU writes \\0 there when ready\n"
	"  --manage-cgroups-mode M  soft (default), full, strict or ignore\n"
	"  --empty-ns network       do not dump the network namespace's properties\n"
	"  --auto-dedup             deduplicate the memory images\n";

static const char restore_usage[] =
	"usage: brig restore [OPTIONS] ID\n"
	"\n"
	"Restore a checkpointed container under ID (any id: the original may be gone)\n"
	"from a bundle and CRIU's images; without --detach, wait for it and delete it.\n"
	"  --image-path DIR         the images (default ./checkpoint)\n"
	"  --work-path DIR          CRIU's work files and log\n"
	"  -b, --bundle DIR         the bundle (default .)\n"
	"  -d, --detach             return once it runs\n"
	"  --pid-file FILE          write the restored init's pid there\n"
	"  --console-socket PATH    where a checkpointed terminal's new master goes\n"
	"  --no-pivot, --no-subreaper  accepted, as runc's\n"
	"  --lsm-profile TYPE:NAME  the LSM profile to restore under\n"
	"  --lsm-mount-context CTX  accepted, as runc's without SELinux\n"
	"  --tcp-established, --ext-unix-sk, --shell-job, --file-locks, --lazy-pages,\n"
	"  --manage-cgroups-mode M (not strict), --empty-ns network, --auto-dedup:\n"
	"  as checkpoint's\n";

static const char features_usage[] =
	"usage: brig features\n"
	"\n"
	"Print what this build supports (the OCI features JSON).\n";

static const char help_usage[] =
	"usage: brig help [COMMAND]\n"
	"\n"
	"Print the list of commands, or one command's usage.\n";

static const struct brig_command commands[] = {
	{"create", &cli_opts_create, "create a container, its process blocked before exec",
	 create_usage, cmd_create, CLI_KEEPS_FDS, 0},
	{"start", NULL, "run a created container (or a stopped service again)", start_usage, cmd_start, 0, 0},
	{"run", &cli_opts_run, "create and start; wait for it unless --detach", run_usage,
	 cmd_run, CLI_KEEPS_FDS, 0},
	{"state", NULL, "print the container's state JSON", state_usage, cmd_state, 0, 0},
	{"kill", &cli_opts_kill, "send a signal (default SIGTERM) to the container",
	 kill_usage, cmd_kill, 0, 0},
	{"stop", &cli_opts_stop, "SIGTERM, then SIGKILL after a timeout (as docker stop)",
	 stop_usage, cmd_stop, 0, 0},
	{"delete", &cli_opts_delete, "delete a stopped container (--force: kill it first)",
	 delete_usage, cmd_delete, 0, 0},
	{"list", &cli_opts_list, "list containers", list_usage, cmd_list, 0, 0},
	{"spec", &cli_opts_spec, "write a default config.json", spec_usage, cmd_spec, CLI_NO_ROOT, 0},
	{"logs", &cli_opts_logs, "print a logged container's output", logs_usage, cmd_logs, 0, 0},
	{"port", NULL, "list a container's published ports", port_usage, cmd_port, 0, 0},
	{"network", NULL, "list, create or remove networks", network_usage, cmd_network,
	 CLI_PASSES_ARGS, 0},
	{"jail", NULL, "build a jail from host binaries, or run a command in one",
	 jail_usage, cmd_jail, CLI_PASSES_ARGS, 0},
	{"update", &cli_opts_update, "change a container's cgroup limits", update_usage,
	 cmd_update, 0, 0},
	{"pause", NULL, "freeze a running or created container", pause_usage, cmd_pause, 0, 0},
	{"resume", NULL, "thaw a paused container", resume_usage, cmd_resume, 0, 0},
	{"ps", &cli_opts_ps, "the container's processes", ps_usage, cmd_ps, CLI_PASSES_ARGS, 0},
	{"events", &cli_opts_events, "stats every interval and OOM events", events_usage,
	 cmd_events, 0, 0},
	{"exec", &cli_opts_exec, "run a new process in a running container", exec_usage,
	 cmd_exec, CLI_KEEPS_FDS | CLI_PASSES_ARGS, 255},
	{"checkpoint", &cli_opts_checkpoint, "save a running container with CRIU",
	 checkpoint_usage, cmd_checkpoint, CLI_KEEPS_FDS | CLI_LONG_ONLY, 0},
	{"restore", &cli_opts_restore, "restore a checkpointed container with CRIU",
	 restore_usage, cmd_restore, CLI_LONG_ONLY, 0},
	{"features", NULL, "print what this build supports (OCI features JSON)",
	 features_usage, cmd_features, CLI_NO_ROOT, 0},
	{"help", NULL, "print the command list, or a command's usage", help_usage, cmd_help,
	 CLI_NO_ROOT | CLI_HELP, 3},
};

const struct brig_command *cli_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

const struct brig_command *cli_commands(size_t *n)
{
	*n = ARRAY_SIZE(commands);
	return commands;
}

/* Room for the largest table (update's) plus --help. */
#define CLI_MAX_OPTS 32

const char *cli_refused(char **argv)
{
	return optind > 0 && argv[optind - 1] ? argv[optind - 1] : "";
}

bool cli_wants_help(const struct brig_command *cmd, int argc, char **argv)
{
	struct option all[CLI_MAX_OPTS + 1];
	char shortopts[64];
	size_t n = 0;
	bool help = false;
	int c, saved_opterr = opterr;

	if (cmd->options)
		for (; cmd->options->longopts[n].name && n < CLI_MAX_OPTS - 1; n++)
			all[n] = cmd->options->longopts[n];
	all[n++] = (struct option){"help", no_argument, NULL, 'h'};
	all[n] = (struct option){NULL, 0, NULL, 0};
	/* ":" after "+": a missing argument is quiet too */
	snprintf(shortopts, sizeof(shortopts), "+:h%s",
		 cmd->options ? cmd->options->shortopts + 1 : "");
	opterr = 0;
	optind = 0;
	while (!help && optind < argc) {
		/* as the command's own parser: "-shell-job" is a long option
		 * there, not -s -h ... */
		c = cmd->flags & CLI_LONG_ONLY ? getopt_long_only(argc, argv, shortopts, all, NULL)
					       : getopt_long(argc, argv, shortopts, all, NULL);
		if (c != -1) {
			help = c == 'h';
			continue;
		}
		/* at an operand, or past "--" */
		if ((cmd->flags & CLI_PASSES_ARGS) || optind >= argc ||
		    strcmp(argv[optind - 1], "--") == 0)
			break;
		optind++;
	}
	opterr = saved_opterr;
	optind = 0; /* the handler parses from the start */
	return help;
}

void cli_print_commands(FILE *f)
{
	fputs("usage: brig [global options] COMMAND [options] [ARGS]\n"
	      "\n"
	      "brig is an OCI container runtime with runc's command line.\n"
	      "\n"
	      "Commands:\n", f);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("\n"
	      "`brig COMMAND --help` or `brig help COMMAND` prints a command's options.\n"
	      "\n"
	      "Global options:\n"
	      "  --root DIR           state directory (default /run/brig; when not root\n"
	      "                       $XDG_RUNTIME_DIR/brig, or /tmp/brig-<uid> without it)\n"
	      "  --log FILE           also write errors and warnings to FILE\n"
	      "  --log-format F       text (default) or json\n"
	      "  --debug              print debug messages\n"
	      "  --systemd-cgroup     the container's cgroup is a transient systemd unit\n"
	      "                       (cgroupsPath slice:prefix:name; see brig(8))\n"
	      "  -v, --version        print the version\n"
	      "  -h, --help           print this help\n", f);
}

int cmd_help(const struct brig_globals *g, int argc, char **argv, brig_error_t **err)
{
	const struct brig_command *cmd;

	(void)g;
	if (argc < 2) {
		cli_print_commands(stdout);
		return 0;
	}
	cmd = cli_find(argv[1]);
	if (!cmd) {
		return brig_err(err, 0, "unknown command \"%s\" (see brig --help)", argv[1]);
	}
	fputs(cmd->usage, stdout);
	return 0;
}
