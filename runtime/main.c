/* brig — runtime/main.c: global flags, the state root, and dispatch from the
 * table of commands (cli.c).  Errors are printed here only, through
 * brig_report_error (diag.c): `brig: <message>` on stderr, and a JSON or
 * text line in the --log file. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "security/security.h"

static struct brig_globals globals = {.root = NULL, .network_dir = NET_DEFAULT_DIR};
static void print_version(void)
{
	printf("brig version %s\nspec: %s\nlibseccomp: %s\n", BRIG_VERSION,
	       BRIG_OCI_VERSION, sec_seccomp_version());
}

/* The state root when --root is not given: /run/brig for root; for anyone
 * else (rootless) $XDG_RUNTIME_DIR/brig as runc uses $XDG_RUNTIME_DIR/runc,
 * or /tmp/brig-<uid> when XDG_RUNTIME_DIR is unset. That one lives in a
 * shared directory, so it must be ours and closed to others. */
static const char *default_root(brig_error_t **err)
{
	static char buf[4096];
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	const char *user = getenv("USER");
	struct stat st;

	/* As runc: root (the real one: uid 0 outside any user namespace, or
	 * in one as USER=root) keeps /run/brig; rootless Podman runs us as
	 * uid 0 in its user namespace, with XDG_RUNTIME_DIR. */
	if (geteuid() == 0 && (!brig_in_userns() || (user && strcmp(user, "root") == 0) || !xdg))
		return BRIG_DEFAULT_ROOT;
	if (xdg && xdg[0] == '/') {
		snprintf(buf, sizeof(buf), "%s/brig", xdg);
		return buf;
	}
	snprintf(buf, sizeof(buf), "/tmp/brig-%u", (unsigned)geteuid());
	if (mkdir(buf, 0700) < 0 && errno != EEXIST) {
		brig_err(err, errno, "mkdir %s", buf);
		return NULL;
	}
	if (lstat(buf, &st) < 0) {
		brig_err(err, errno, "stat %s", buf);
		return NULL;
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022)) {
		brig_err(err, 0, "%s: not a directory owned by uid %u and closed to others "
			 "(set XDG_RUNTIME_DIR or pass --root)", buf, (unsigned)geteuid());
		return NULL;
	}
	return buf;
}

/* The state root holds what brig trusts about each container: its pid
 * (kill, delete signal it), cgroup, config.  Someone else who can write
 * it can forge all of that: refuse it unless it is ours and closed to
 * others, as the rootless default is (default_root).  Not made yet: it
 * will be, 0711. */
static int check_root(const char *root, brig_error_t **err)
{
	struct stat st;

	if (stat(root, &st) < 0)
		return errno == ENOENT ? 0 : brig_err(err, errno, "--root %s", root);
	if (!S_ISDIR(st.st_mode))
		return brig_err(err, 0, "--root %s: not a directory", root);
	if (st.st_uid != geteuid() || (st.st_mode & 022))
		return brig_err(err, 0, "--root %s: owned by uid %u with mode %04o; the state "
				"root must be the caller's (uid %u) and not writable by others",
				root, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777),
				(unsigned)geteuid());
	return 0;
}

/* The flags before the command into globals; -1 to go on, else the exit
 * status (--version, --help, a bad flag). */
static int parse_globals(int argc, char **argv)
{
	static const struct option opts[] = {
		{"root", required_argument, NULL, 'r'},
		{"log", required_argument, NULL, 'l'},
		{"log-format", required_argument, NULL, 'f'},
		{"debug", no_argument, NULL, 'd'},
		{"systemd-cgroup", no_argument, NULL, 's'},
		{"criu", required_argument, NULL, 'c'},
		{"rootless", required_argument, NULL, 'R'},
		{"network-dir", required_argument, NULL, 'N'},
		{"version", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	while ((c = getopt_long(argc, argv, "+vh", opts, NULL)) != -1) {
		switch (c) {
		case 'r': globals.root = optarg; break;
		case 'l': globals.log = optarg; break;
		case 'f':
			if (strcmp(optarg, "json") == 0)
				globals.log_json = true;
			else if (strcmp(optarg, "text") != 0) {
				brig_report_error("--log-format: expected text or json");
				return 1;
			}
			break;
		case 'd': globals.debug = true; break;
		case 's': globals.systemd_cgroup = true; break;
		case 'N': globals.network_dir = optarg; break;
		case 'c': case 'R': break; /* accepted for runc compatibility */
		case 'v': print_version(); return 0;
		case 'h': cli_print_commands(stdout); return 0;
		default: cli_print_commands(stderr); return 1;
		}
	}
	return -1;
}

/* The state root (default, or --root) checked for cmd; help needs none. */
static int prepare_root(const struct brig_command *cmd, brig_error_t **err)
{
	if (!(cmd && (cmd->flags & CLI_HELP)) && !globals.root &&
	    !(globals.root = default_root(err)))
		return -1;
	if (!(cmd && (cmd->flags & CLI_NO_ROOT)) && check_root(globals.root, err) < 0)
		return -1;
	return 0;
}

static int fail(brig_error_t **err, int status)
{
	brig_report_error(*err ? (*err)->msg : "unknown error");
	brig_err_free(err);
	return status;
}

int main(int argc, char **argv)
{
	brig_error_t *err = NULL;
	int ret;

	/* a hook that does not read its stdin must not kill us */
	signal(SIGPIPE, SIG_IGN);
	/* run by CRIU as restore's action script (criu.c) */
	if (criu_action_wanted(argc))
		return criu_action_main();

	if ((ret = parse_globals(argc, argv)) >= 0)
		return ret;
	const struct brig_command *cmd = optind < argc ? cli_find(argv[optind]) : NULL;
	/* nothing the caller left open reaches a hook or a container: create,
	 * run and exec keep --preserve-fds (and LISTEN_FDS) and close the
	 * rest once they have read their options */
	if (!(cmd && (cmd->flags & CLI_KEEPS_FDS)) && brig_close_inherited_fds(0, &err) < 0)
		return fail(&err, 1);
	brig_log_setup(globals.log, globals.log_json, globals.debug);
	if (optind >= argc) {
		cli_print_commands(stderr);
		return 1;
	}
	const char *name = argv[optind];
	argc -= optind;
	argv += optind;
	/* help needs no state root: `brig COMMAND --help`, `brig help ...` */
	if (cmd && cli_wants_help(cmd, argc, argv)) {
		fputs(cmd->usage, stdout);
		return 0;
	}
	if (prepare_root(cmd, &err) < 0)
		return fail(&err, 1);
	if (!cmd) {
		cleanup_free char *msg = xasprintf("unknown command \"%s\" (see brig --help)", name);
		brig_report_error(msg);
		return 1;
	}
	optind = 0; /* reset getopt for the command's own flags */
	opterr = 0; /* the handler's one line names what it refused */
	ret = cmd->handler(&globals, argc, argv, &err);
	if (ret < 0)
		return fail(&err, cmd->fail_status ? cmd->fail_status : 1);
	return ret;
}
