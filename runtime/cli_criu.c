/* brig — runtime/cli_criu.c: the command lines of `brig checkpoint` and
 * `brig restore` (criu.c does the work): runc's flags, refused in one
 * line when bad, before anything is done.  A long flag may have one dash,
 * as runc's (Go's flag package) may: containerd 1.6's shim restores with
 * "-no-subreaper". */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the command line --------------------------------------------------------------- */

enum {
	OPT_IMAGE = 256, OPT_WORK, OPT_PARENT, OPT_LEAVE, OPT_TCP, OPT_UNIXSK, OPT_SHELL,
	OPT_LAZY, OPT_STATUS_FD, OPT_PAGE_SERVER, OPT_LOCKS, OPT_PRE_DUMP, OPT_CG_MODE,
	OPT_EMPTY_NS, OPT_DEDUP, OPT_PID_FILE, OPT_CONSOLE, OPT_NO_SUBREAPER, OPT_NO_PIVOT,
	OPT_LSM, OPT_LSM_MOUNT,
};

#define CRIU_COMMON_OPTS                                                        \
	{"image-path", required_argument, NULL, OPT_IMAGE},                     \
	{"work-path", required_argument, NULL, OPT_WORK},                       \
	{"tcp-established", no_argument, NULL, OPT_TCP},                        \
	{"ext-unix-sk", no_argument, NULL, OPT_UNIXSK},                         \
	{"shell-job", no_argument, NULL, OPT_SHELL},                            \
	{"file-locks", no_argument, NULL, OPT_LOCKS},                           \
	{"manage-cgroups-mode", required_argument, NULL, OPT_CG_MODE},          \
	{"empty-ns", required_argument, NULL, OPT_EMPTY_NS},                    \
	{"auto-dedup", no_argument, NULL, OPT_DEDUP},                           \
	{"lazy-pages", no_argument, NULL, OPT_LAZY}

static const struct option checkpoint_longopts[] = {
	CRIU_COMMON_OPTS,
	{"parent-path", required_argument, NULL, OPT_PARENT},
	{"leave-running", no_argument, NULL, OPT_LEAVE},
	{"status-fd", required_argument, NULL, OPT_STATUS_FD},
	{"page-server", required_argument, NULL, OPT_PAGE_SERVER},
	{"pre-dump", no_argument, NULL, OPT_PRE_DUMP},
	{NULL, 0, NULL, 0},
};
const struct cli_options cli_opts_checkpoint = {"+", checkpoint_longopts};

static const struct option restore_longopts[] = {
	CRIU_COMMON_OPTS,
	{"bundle", required_argument, NULL, 'b'},
	{"detach", no_argument, NULL, 'd'},
	{"pid-file", required_argument, NULL, OPT_PID_FILE},
	{"console-socket", required_argument, NULL, OPT_CONSOLE},
	{"no-subreaper", no_argument, NULL, OPT_NO_SUBREAPER},
	{"no-pivot", no_argument, NULL, OPT_NO_PIVOT},
	{"lsm-profile", required_argument, NULL, OPT_LSM},
	{"lsm-mount-context", required_argument, NULL, OPT_LSM_MOUNT},
	{NULL, 0, NULL, 0},
};
const struct cli_options cli_opts_restore = {"+b:d", restore_longopts};

/* One option both commands take; 0 taken, 1 not one of them, -1 bad. */
static int common_opt(int c, struct criu_opts *o, brig_error_t **err)
{
	switch (c) {
	case OPT_IMAGE: o->image_path = optarg; return 0;
	case OPT_WORK: o->work_path = optarg; return 0;
	case OPT_TCP: o->tcp_established = true; return 0;
	case OPT_UNIXSK: o->ext_unix_sk = true; return 0;
	case OPT_SHELL: o->shell_job = true; return 0;
	case OPT_LOCKS: o->file_locks = true; return 0;
	case OPT_DEDUP: o->auto_dedup = true; return 0;
	case OPT_LAZY: o->lazy_pages = true; return 0;
	case OPT_CG_MODE:
		if (strcmp(optarg, "soft") && strcmp(optarg, "full") && strcmp(optarg, "strict") &&
		    strcmp(optarg, "ignore"))
			return brig_err(err, 0, "--manage-cgroups-mode: \"%s\": soft, full, strict "
					"or ignore", optarg);
		o->manage_cgroups_mode = optarg;
		return 0;
	case OPT_EMPTY_NS:
		/* runc takes namespace names and CRIU empties only "network";
		 * brig always does (criu.c), as runc */
		if (strcmp(optarg, "network") != 0)
			return brig_err(err, 0, "--empty-ns: \"%s\": only network can be left "
					"empty", optarg);
		o->empty_ns = true;
		return 0;
	default:
		return 1;
	}
}

/* An image or work directory that exists must be ours alone: CRIU writes
 * the container's memory there as root, and restore runs what it finds
 * there as root.  One that another user owns, or that its group or others
 * may write (a pre-made /tmp/checkpoint), lets them swap images between
 * checkpoint and restore, or plant them (runc does not check).  One we
 * make (mkdir 0700) is ours. */
int cli_own_dir(const char *path, const char *flag, brig_error_t **err)
{
	struct stat sb;

	if (!path || stat(path, &sb) < 0)
		return 0; /* made later (checkpoint), or CRIU says it is missing */
	if (!S_ISDIR(sb.st_mode))
		return brig_err(err, 0, "%s %s: not a directory", flag, path);
	if (sb.st_uid != geteuid() || (sb.st_mode & 022))
		return brig_err(err, 0, "%s %s: owned by uid %u, mode %04o: must be ours and "
				"writable by us alone", flag, path, (unsigned)sb.st_uid,
				(unsigned)(sb.st_mode & 07777));
	return 0;
}

/* runc's default: ./checkpoint; made absolute, as CRIU's -D is read
 * from its own working directory. */
static int finish_paths(struct criu_opts *o, char **img, char **work, brig_error_t **err)
{
	cleanup_free char *cwd = getcwd(NULL, 0);

	if (!cwd)
		return brig_err(err, errno, "getcwd");
	if (!o->image_path)
		o->image_path = "checkpoint";
	if (o->image_path[0] != '/')
		o->image_path = *img = xasprintf("%s/%s", cwd, o->image_path);
	if (o->work_path && o->work_path[0] != '/')
		o->work_path = *work = xasprintf("%s/%s", cwd, o->work_path);
	return cli_own_dir(o->image_path, "--image-path", err) < 0 ||
			       cli_own_dir(o->work_path, "--work-path", err) < 0
		       ? -1
		       : 0;
}

/* --parent-path as CRIU reads it, relative to the image directory, which
 * may not exist yet: its leading ".." taken off the image path by hand. */
static char *parent_dir(const struct criu_opts *o)
{
	const char *p = o->parent_path;

	if (!p || p[0] == '/')
		return p ? xstrdup(p) : NULL;
	char *base = xstrdup(o->image_path);
	while (strncmp(p, "..", 2) == 0 && (p[2] == '/' || !p[2])) {
		char *slash = strrchr(base, '/');
		if (slash)
			slash[slash == base] = '\0';
		p += p[2] ? 3 : 2;
	}
	char *path = xasprintf("%s/%s", base, p);
	free(base);
	return path;
}

static int one_operand(int argc, char **argv, const char *cmd, const char **id,
		       brig_error_t **err)
{
	if (optind >= argc)
		return brig_err(err, 0, "%s: missing container id (usage: brig %s [OPTIONS] ID)",
				cmd, cmd);
	if (argc - optind > 1)
		return brig_err(err, 0, "%s: one container id, got %d", cmd, argc - optind);
	*id = argv[optind];
	return 0;
}

int cmd_checkpoint(const struct brig_globals *g, int argc, char **argv, brig_error_t **err)
{
	struct criu_opts o = {.status_fd = -1};
	cleanup_free char *img = NULL, *work = NULL;
	const char *id;
	int c, r;

	while ((c = getopt_long_only(argc, argv, cli_opts_checkpoint.shortopts,
				cli_opts_checkpoint.longopts, NULL)) != -1) {
		if ((r = common_opt(c, &o, err)) <= 0) {
			if (r < 0)
				return -1;
			continue;
		}
		switch (c) {
		case OPT_PARENT: o.parent_path = optarg; break;
		case OPT_LEAVE: o.leave_running = true; break;
		case OPT_PRE_DUMP: o.pre_dump = true; break;
		case OPT_PAGE_SERVER: {
			const char *colon = strrchr(optarg, ':');
			if (!colon || colon == optarg || !colon[1])
				return brig_err(err, 0, "checkpoint: --page-server: ADDRESS:PORT, not "
						"\"%s\"", optarg);
			o.page_server = optarg;
			break;
		}
		case OPT_STATUS_FD: {
			char *end;
			long n = strtol(optarg, &end, 10);
			if (!*optarg || *end || n < 0 || n > 65535 || fcntl((int)n, F_GETFL) < 0)
				return brig_err(err, 0, "checkpoint: --status-fd: \"%s\" is not an open "
						"descriptor", optarg);
			o.status_fd = (int)n;
			break;
		}
		default:
			return brig_err(err, 0, "checkpoint: invalid option \"%s\" (see brig checkpoint --help)",
					cli_refused(argv));
		}
	}
	if (one_operand(argc, argv, "checkpoint", &id, err) < 0 ||
	    finish_paths(&o, &img, &work, err) < 0)
		return -1;
	/* the parent's images are read back at restore: ours alone too */
	cleanup_free char *parent = parent_dir(&o);
	if (cli_own_dir(parent, "--parent-path", err) < 0)
		return -1;
	o.parent_dir = parent;
	if (o.status_fd >= 0 && !o.lazy_pages)
		return brig_err(err, 0, "checkpoint: --status-fd needs --lazy-pages");
	return criu_checkpoint(g, id, &o, err);
}

int cmd_restore(const struct brig_globals *g, int argc, char **argv, brig_error_t **err)
{
	struct criu_opts co = {.status_fd = -1};
	struct create_opts o = {.restore = &co};
	cleanup_free char *img = NULL, *work = NULL;
	const char *id;
	int c, r;

	while ((c = getopt_long_only(argc, argv, cli_opts_restore.shortopts, cli_opts_restore.longopts,
				NULL)) != -1) {
		if ((r = common_opt(c, &co, err)) <= 0) {
			if (r < 0)
				return -1;
			continue;
		}
		switch (c) {
		case 'b': o.bundle = optarg; break;
		case 'd': o.detach = true; break;
		case OPT_PID_FILE: o.pid_file = optarg; break;
		case OPT_CONSOLE: o.console_socket = optarg; break;
		case OPT_NO_PIVOT: o.no_pivot = true; break;
		case OPT_NO_SUBREAPER: break;
		case OPT_LSM: co.lsm_profile = optarg; break;
		case OPT_LSM_MOUNT: break; /* accepted, as runc without SELinux */
		default:
			return brig_err(err, 0, "restore: invalid option \"%s\" (see brig restore --help)",
					cli_refused(argv));
		}
	}
	if (one_operand(argc, argv, "restore", &id, err) < 0 ||
	    finish_paths(&co, &img, &work, err) < 0)
		return -1;
	/* strict: CRIU makes every cgroup itself and refuses the one brig
	 * made, with the limits, for the container (runc restores into the
	 * checkpointed container's old cgroup instead, outside the new one) */
	if (co.manage_cgroups_mode && strcmp(co.manage_cgroups_mode, "strict") == 0)
		return brig_err(err, 0, "restore: --manage-cgroups-mode strict: CRIU would refuse "
				"the container's cgroup, which brig makes with its limits; "
				"use soft, full or ignore");
	o.foreground = !o.detach;
	struct created cr;
	if (container_create(g, id, &o, &cr, err) < 0)
		return -1;
	if (o.pid_file && write_pid_file(o.pid_file, cr.pid, NULL, err) < 0) {
		container_destroy(cr.ct, true, NULL);
		created_free(&cr);
		return -1;
	}
	int code = 0;
	if (!o.detach)
		code = container_wait_and_delete(&cr, false, err);
	created_free(&cr);
	return code;
}
