/* brig — runtime/main.c: global flags, command dispatch, and the only place
 * that prints errors (as `brig: <message>` on stderr, and as a JSON or text
 * line in the --log file). */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "security/security.h"

static struct brig_globals globals = {.root = NULL};
static int log_fd = -1;

static void log_line(const char *level, const char *msg)
{
	cleanup_free char *ts = NULL;
	cleanup_free char *line = NULL;

	if (log_fd < 0)
		return;
	ts = timestamp_now();
	if (globals.log_json) {
		cleanup_free char *q = spec_json_quote(msg);
		line = xasprintf("{\"level\":\"%s\",\"msg\":%s,\"time\":\"%s\"}\n",
				 level, q, ts);
	} else {
		line = xasprintf("time=\"%s\" level=%s msg=\"%s\"\n", ts, level, msg);
	}
	(void)brig_write_all(log_fd, line, strlen(line));
}

void brig_warn(const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) >= 0) {
		fprintf(stderr, "brig: warning: %s\n", msg);
		log_line("warning", msg);
		free(msg);
	}
	va_end(ap);
}

void brig_err_warn(brig_error_t **err, const char *fmt, ...)
{
	va_list ap;
	char *context = NULL;

	if (err == NULL || *err == NULL)
		return;
	if (fmt == NULL) {
		brig_warn("%s", (*err)->msg);
	} else {
		va_start(ap, fmt);
		if (vasprintf(&context, fmt, ap) >= 0)
			brig_warn("%s: %s", context, (*err)->msg);
		va_end(ap);
		free(context);
	}
	brig_err_free(err);
}

void brig_debug(const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;
	if (!globals.debug)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) >= 0) {
		fprintf(stderr, "brig: debug: %s\n", msg);
		log_line("debug", msg);
		free(msg);
	}
	va_end(ap);
}

static void report_error(const char *msg)
{
	fprintf(stderr, "brig: %s\n", msg);
	log_line("error", msg);
}

static const char usage[] =
	"usage: brig [global options] COMMAND [options] [ARGS]\n"
	"\n"
	"brig is an OCI container runtime with runc's command line.\n"
	"\n"
	"Commands:\n"
	"  create [-b DIR] [--pid-file F] [--console-socket S] [--no-pivot]\n"
	"         [--no-new-keyring] [--preserve-fds N] ID\n"
	"                       create a container, its process blocked before exec\n"
	"  start ID             run the user process of a created container\n"
	"  run [-d] [--keep] [create options] ID\n"
	"                       create and start; wait for it unless --detach\n"
	"  state ID             print the container's state JSON\n"
	"  kill [--all] ID [SIGNAL]\n"
	"                       send a signal (default SIGTERM) to the container\n"
	"  delete [-f] ID       delete a stopped container (--force: kill it first)\n"
	"  list [-f table|json] [-q]\n"
	"                       list containers: ID, PID, STATUS (\"stopped (N)\" with\n"
	"                       the exit code a log monitor recorded), CREATED, BUNDLE,\n"
	"                       OWNER; json: runc's state objects; -q: ids only\n"
	"  create|run -d --log-path FILE [--log-max-size SIZE] [--log-max-files N] ID\n"
	"                       stdout/stderr to FILE in the CRI log format, kept by a\n"
	"                       per-container monitor that reaps the container and\n"
	"                       records its exit code; FILE '' = <root>/<id>/container.log;\n"
	"                       SIZE like 10m rotates to FILE.1 .. FILE.N-1 (N default 5)\n"
	"  logs [-f] [-t] [--tail N] [--since TIME] ID\n"
	"                       print a logged container's output (stderr to stderr);\n"
	"                       -f: follow until it stops; TIME: RFC 3339 or 10s/5m/2h\n"
	"  jail build DIR [--with BINARY]... [--bundle]\n"
	"                       copy binaries (default /bin/sh, /bin/ls) and the\n"
	"                       libraries their ELF headers name into DIR; --bundle:\n"
	"                       DIR/rootfs + DIR/config.json, ready for brig run\n"
	"  jail run DIR [--chroot] [-- CMD...]\n"
	"                       run CMD (default /bin/sh) in DIR with brig spec's\n"
	"                       isolation, writing no file; --chroot: no pivot_root\n"
	"  spec [-b DIR] [--rootless]\n"
	"                       write a default config.json\n"
	"  update [-r FILE|-] [--memory N] [--memory-swap N] [--memory-reservation N]\n"
	"         [--kernel-memory N] [--kernel-memory-tcp N] [--cpu-share N]\n"
	"         [--cpu-quota N] [--cpu-period N] [--cpu-burst N] [--cpu-rt-period N]\n"
	"         [--cpu-rt-runtime N] [--cpuset-cpus L] [--cpuset-mems L]\n"
	"         [--pids-limit N] [--blkio-weight N] ID\n"
	"                       change a container's cgroup limits (sizes like 512m;\n"
	"                       -r: a linux.resources JSON, other flags ignored)\n"
	"  pause ID / resume ID freeze / thaw a running or created container\n"
	"  ps [-f table|json] ID [PS-ARGS...]\n"
	"                       the container's processes (ps -ef lines, or pids)\n"
	"  events [--stats] [--interval D] ID\n"
	"                       stats JSON every D (default 5s) and OOM events;\n"
	"                       --stats: print the stats once\n"
	"  exec [-d] [-t] [-p process.json] [--pid-file F] [--console-socket S]\n"
	"       [--cwd DIR] [-e NAME=VALUE]... [-u UID[:GID]] [-g GID]... [-c CAP]...\n"
	"       [--no-new-privs] [--apparmor P] [--preserve-fds N] [--ignore-paused]\n"
	"       ID [COMMAND [ARG...]]\n"
	"                       run a new process in a running container (its\n"
	"                       namespaces, cgroup, user, capabilities, seccomp);\n"
	"                       exits with its status (128+N for signal N)\n"
	"  features             print what this build supports (OCI features JSON)\n"
	"\n"
	"Global options:\n"
	"  --root DIR           state directory (default /run/brig; when not root\n"
	"                       $XDG_RUNTIME_DIR/brig, or /tmp/brig-<uid> without it)\n"
	"  --log FILE           also write errors and warnings to FILE\n"
	"  --log-format F       text (default) or json\n"
	"  --debug              print debug messages\n"
	"  --systemd-cgroup     use the systemd cgroup driver (not supported yet)\n"
	"  -v, --version        print the version\n"
	"  -h, --help           print this help\n";

static void print_version(void)
{
	printf("brig version %s\nspec: %s\nlibseccomp: %s\n", BRIG_VERSION,
	       BRIG_OCI_VERSION, sec_seccomp_version());
}

/* The state root when --root is not given: /run/brig for root; for anyone
 * else (rootless) $XDG_RUNTIME_DIR/brig as runc uses $XDG_RUNTIME_DIR/runc,
 * or /tmp/brig-<uid> when XDG_RUNTIME_DIR is unset. That one lives in a
 * shared directory, so it must be ours and closed to others. */
bool brig_in_userns(void)
{
	static int in = -1;
	char buf[128] = "";
	unsigned long a, b, n;

	if (in < 0) {
		FILE *f = fopen("/proc/self/uid_map", "re");
		/* the initial user namespace maps all ids onto themselves */
		in = !(f && fgets(buf, sizeof(buf), f) && sscanf(buf, "%lu %lu %lu", &a, &b, &n) == 3 &&
		       a == 0 && b == 0 && n == 4294967295UL && !fgets(buf, sizeof(buf), f));
		if (f)
			fclose(f);
	}
	return in;
}

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

int brig_close_inherited_fds(int keep, brig_error_t **err)
{
	unsigned first = 3 + (unsigned)keep;

	/* what is kept is the caller's: none of brig's own may take a gap */
	for (int fd = 3; fd < (int)first; fd++)
		if (fd == log_fd || fcntl(fd, F_GETFD) < 0)
			return brig_err(err, EBADF, "--preserve-fds %d: descriptor %d is not open", keep, fd);

	int keep_log[1] = {log_fd};
	if (close_fds_except((int)first, keep_log, 1) < 0)
		return brig_err(err, errno, "close the descriptors brig inherited");
	return 0;
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

static bool uses_root(const char *cmd)
{
	return strcmp(cmd, "spec") != 0 && strcmp(cmd, "features") != 0 &&
	       strcmp(cmd, "help") != 0;
}

static bool keeps_fds(const char *cmd)
{
	return strcmp(cmd, "create") == 0 || strcmp(cmd, "run") == 0 || strcmp(cmd, "exec") == 0;
}

static const struct {
	const char *name;
	int (*fn)(const struct brig_globals *, int, char **, brig_error_t **);
} commands[] = {
	{"create", cmd_create}, {"start", cmd_start}, {"run", cmd_run},
	{"state", cmd_state},   {"kill", cmd_kill},   {"delete", cmd_delete},
	{"list", cmd_list},     {"spec", cmd_spec},
	{"logs", cmd_logs},     {"jail", cmd_jail},
	{"update", cmd_update}, {"pause", cmd_pause}, {"resume", cmd_resume},
	{"ps", cmd_ps},         {"events", cmd_events},
	{"exec", cmd_exec},     {"features", cmd_features},
};

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"root", required_argument, NULL, 'r'},
		{"log", required_argument, NULL, 'l'},
		{"log-format", required_argument, NULL, 'f'},
		{"debug", no_argument, NULL, 'd'},
		{"systemd-cgroup", no_argument, NULL, 's'},
		{"criu", required_argument, NULL, 'c'},
		{"rootless", required_argument, NULL, 'R'},
		{"version", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	brig_error_t *err = NULL;
	int c, ret;

	/* a hook that does not read its stdin must not kill us */
	signal(SIGPIPE, SIG_IGN);

	while ((c = getopt_long(argc, argv, "+vh", opts, NULL)) != -1) {
		switch (c) {
		case 'r': globals.root = optarg; break;
		case 'l': globals.log = optarg; break;
		case 'f':
			if (strcmp(optarg, "json") == 0)
				globals.log_json = true;
			else if (strcmp(optarg, "text") != 0) {
				report_error("--log-format: expected text or json");
				return 1;
			}
			break;
		case 'd': globals.debug = true; break;
		case 's': globals.systemd_cgroup = true; break;
		case 'c': case 'R': break; /* accepted for runc compatibility */
		case 'v': print_version(); return 0;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 1;
		}
	}
	/* nothing the caller left open reaches a hook or a container: create,
	 * run and exec keep --preserve-fds (and LISTEN_FDS) and close the
	 * rest once they have read their options */
	if ((optind >= argc || !keeps_fds(argv[optind])) && brig_close_inherited_fds(0, &err) < 0) {
		report_error(err->msg);
		brig_err_free(&err);
		return 1;
	}
	if (globals.log) {
		log_fd = open(globals.log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
		if (log_fd < 0)
			fprintf(stderr, "brig: warning: open log %s: %s\n", globals.log,
				strerror(errno));
	}
	if (optind >= argc) {
		fputs(usage, stderr);
		return 1;
	}
	const char *name = argv[optind];
	if (!globals.root && !(globals.root = default_root(&err))) {
		report_error(err->msg);
		brig_err_free(&err);
		return 1;
	}
	if (uses_root(name) && check_root(globals.root, &err) < 0) {
		report_error(err->msg);
		brig_err_free(&err);
		return 1;
	}
	if (globals.systemd_cgroup) {
		report_error("--systemd-cgroup: the systemd cgroup driver is not supported yet; "
			     "run without it (brig manages cgroupfs directly)");
		return 1;
	}
	argc -= optind;
	argv += optind;
	optind = 0; /* reset getopt for the command's own flags */
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		if (strcmp(commands[i].name, name) != 0)
			continue;
		ret = commands[i].fn(&globals, argc, argv, &err);
		if (ret < 0) {
			report_error(err ? err->msg : "unknown error");
			brig_err_free(&err);
			/* exec's own failure is 255, as runc's: its other codes
			 * are the process's */
			return strcmp(name, "exec") == 0 ? 255 : 1;
		}
		return ret;
	}
	if (strcmp(name, "help") == 0) {
		fputs(usage, stdout);
		return 0;
	}
	report_error(xasprintf("unknown command \"%s\" (see brig --help)", name));
	return 1;
}
