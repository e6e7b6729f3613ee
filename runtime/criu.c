/* brig — runtime/criu.c: `brig checkpoint` and `brig restore`, runc's
 * commands with runc's flags, through CRIU's command line.
 *
 * Why the command line and not `criu swrk` (CRIU's RPC, which runc
 * uses): every option brig passes has a command-line form, the command
 * is what a reader can paste into a shell to see the same failure, and
 * brig needs no protobuf code.  What the RPC adds is notifications
 * during a restore (runc runs its hooks there); brig runs the hooks
 * around CRIU instead.
 *
 * checkpoint: `criu dump` (or `pre-dump`) of the container's init and
 * everything under it, frozen through the container's cgroup freezer;
 * its bind mounts are CRIU "external" mounts, keyed by their destination,
 * and so are namespaces it joined by path.  Unless --leave-running or
 * --pre-dump, the processes are gone afterwards and the container is
 * deleted, as runc does.
 *
 * restore: the ordinary create path (the state directory, the cgroups
 * and their limits, under any id), and where create would clone an init,
 * `criu restore` runs in the container's cgroups, in a mount namespace of
 * its own where the bundle's rootfs is bind-mounted as CRIU's root (a
 * mount brig never makes on the host: it goes with CRIU), and brings the
 * processes back as siblings of itself, that is children of brig.  The
 * bind mounts' sources come from the bundle's config.json, so a bundle
 * copied elsewhere (another machine) restores with its own paths. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/proc.h"
#include "base/strv.h"
#include "cgroups/cgroups.h"
#include "namespaces/namespaces.h"

#define CRIU "criu"

/* ---- the command line of criu ------------------------------------------------ */

struct args {
	char **v;
	size_t n;
};

static void add(struct args *a, const char *s)
{
	brig_strv_append(&a->v, &a->n, s);
}

static void __attribute__((format(printf, 2, 3))) addf(struct args *a, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	add(a, s);
	free(s);
}

/* What dump and restore share: directories, log, and runc's flags. */
static void common_args(struct args *a, const struct criu_opts *o, const char *log)
{
	add(a, "-D");
	add(a, o->image_path);
	if (o->work_path) {
		add(a, "-W");
		add(a, o->work_path);
	}
	add(a, "-o");
	add(a, log);
	add(a, "-v4");
	if (o->tcp_established)
		add(a, "--tcp-established");
	if (o->ext_unix_sk)
		add(a, "--ext-unix-sk");
	if (o->shell_job)
		add(a, "--shell-job");
	if (o->file_locks)
		add(a, "--file-locks");
	if (o->auto_dedup)
		add(a, "--auto-dedup");
	if (o->lazy_pages)
		add(a, "--lazy-pages");
	addf(a, "--manage-cgroups=%s", o->manage_cgroups_mode ? o->manage_cgroups_mode : "soft");
	if (o->empty_ns) {
		add(a, "--empty-ns");
		add(a, "net");
	}
}

static bool is_bind(const struct spec_mount *m)
{
	if (m->type && strcmp(m->type, "bind") == 0)
		return true;
	for (size_t i = 0; i < m->options.n; i++)
		if (strcmp(m->options.v[i], "bind") == 0 || strcmp(m->options.v[i], "rbind") == 0)
			return true;
	return false;
}

/* CRIU's key for a namespace joined by path: the same at dump and
 * restore. */
static const char *ext_ns_key(enum spec_ns_type t)
{
	return t == SPEC_NS_NETWORK ? "extRootNetNS" : "extRootPidNS";
}

/* ---- running criu ------------------------------------------------------------ */

struct criu_child {
	char **argv;
	const char *rootfs;   /* restore: bound at root_dir in a mount namespace of its own */
	const char *root_dir;
	const struct cg_spawn *sp; /* restore: the container's cgroups, or NULL */
};

static int criu_child_main(void *arg)
{
	const struct criu_child *c = arg;
	brig_error_t *e = NULL;

	if (c->sp) {
		cg_spawn_child_close(c->sp);
		if (cg_spawn_join(c->sp, &e) < 0) {
			fprintf(stderr, "brig: restore: %s\n", e->msg);
			return 126;
		}
	}
	if (c->root_dir) {
		/* the rootfs as CRIU's root: a mount point whose parent is not
		 * overmounted; ours alone, gone when CRIU is */
		if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0 ||
		    mount(c->rootfs, c->root_dir, NULL, MS_BIND | MS_REC, NULL) < 0) {
			fprintf(stderr, "brig: restore: bind %s for criu: %s\n", c->rootfs,
				strerror(errno));
			return 126;
		}
	}
	execvp(CRIU, c->argv);
	fprintf(stderr, "brig: %s: %s\n", CRIU, strerror(errno));
	return errno == ENOENT ? 127 : 126;
}

/* What went wrong, from CRIU's log: the last error before its summary
 * ("Dumping FAILED.", a helper's "exited, status=1"), without timestamp
 * and source location; first: the first error instead (a failed kernel
 * probe comes first and says most). */
static char *log_error(const char *log, bool first)
{
	cleanup_free char *text = brig_read_file(log, NULL);
	char *found = NULL, *save = NULL;

	for (char *l = text ? strtok_r(text, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save)) {
		char *msg = strstr(l, "Error (");
		if (!msg || strstr(l, "FAILED") || strstr(l, "exited, status="))
			continue;
		char *after = strstr(msg, "): ");
		free(found);
		found = xstrdup(after ? after + 3 : msg);
		if (first)
			break;
	}
	return found;
}

/* Wait for criu; its failure as one line naming its first error and its
 * log. */
static int criu_wait(pid_t pid, const char *what, const char *log, brig_error_t **err)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return brig_err(err, errno, "%s: wait for criu", what);
	int code = brig_wait_code(status);
	if (code == 0)
		return 0;
	if (code == 127)
		return brig_err(err, 0, "%s: needs CRIU (Debian's package criu): no %s in PATH",
				what, CRIU);
	cleanup_free char *text = brig_read_file(log, NULL);
	bool no_kernel = text && strstr(text, "Could not initialize kernel features detection");
	cleanup_free char *why = log_error(log, no_kernel);
	if (no_kernel)
		return brig_err(err, 0, "%s: CRIU cannot run on this host (criu check fails too): "
				"%s (log: %s)", what, why ? why : "kernel features", log);
	return brig_err(err, 0, "%s: criu failed: %s (log: %s)", what,
			why ? why : "no error in its log", log);
}

static int make_dir(const char *path, const char *flag, brig_error_t **err)
{
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return brig_err(err, errno, "%s %s", flag, path);
	return 0;
}

/* The log's path as CRIU writes it: in the work directory, else the
 * images'. */
static char *log_path(const struct criu_opts *o, const char *name)
{
	return xasprintf("%s/%s", o->work_path ? o->work_path : o->image_path, name);
}

/* ---- checkpoint ------------------------------------------------------------------ */

static int external_ns_dump(struct args *a, const struct spec_config *c, enum spec_ns_type t,
			    brig_error_t **err)
{
	const struct spec_namespace *ns = spec_find_ns(c, t);
	struct stat sb;

	if (!ns || !ns->path || !ns->path[0])
		return 0;
	if (stat(ns->path, &sb) < 0)
		return brig_err(err, errno, "checkpoint: namespace %s", ns->path);
	add(a, "--external");
	addf(a, "%s[%llu]:%s", t == SPEC_NS_NETWORK ? "net" : "pid",
	     (unsigned long long)sb.st_ino, ext_ns_key(t));
	return 0;
}

static int dump_args(struct args *a, struct container *ct, const struct spec_config *c,
		     const struct criu_opts *o, const char *log, brig_error_t **err)
{
	add(a, CRIU);
	add(a, o->pre_dump ? "pre-dump" : "dump");
	add(a, "-t");
	addf(a, "%d", (int)ct->state->pid);
	common_args(a, o, log);
	if (o->leave_running && !o->pre_dump)
		add(a, "--leave-running");
	if (o->parent_path) {
		add(a, "--prev-images-dir");
		add(a, o->parent_path);
	}
	if (o->parent_path || o->pre_dump)
		add(a, "--track-mem");
	if (o->page_server) {
		const char *colon = strrchr(o->page_server, ':'); /* checked by the parser */
		add(a, "--page-server");
		add(a, "--address");
		addf(a, "%.*s", (int)(colon - o->page_server), o->page_server);
		add(a, "--port");
		add(a, colon + 1);
	}
	if (o->status_fd >= 0) {
		add(a, "--status-fd");
		addf(a, "%d", o->status_fd);
	}
	if (ct->state->cgroup_path) {
		struct cg_manager *cg = cg_load(BRIG_CGROUP_ROOT, ct->state->cgroup_path, NULL);
		const char *dir = cg ? cg_freezer_dir(cg) : NULL;
		if (dir) {
			add(a, "--freeze-cgroup");
			add(a, dir);
		}
		cg_free(cg);
	}
	if (o->pre_dump)
		return 0; /* memory only */
	for (size_t i = 0; i < c->n_mounts; i++) {
		if (!is_bind(&c->mounts[i]))
			continue;
		add(a, "--external");
		addf(a, "mnt[%s]:%s", c->mounts[i].destination, c->mounts[i].destination);
	}
	return external_ns_dump(a, c, SPEC_NS_NETWORK, err) < 0 ||
			       external_ns_dump(a, c, SPEC_NS_PID, err) < 0
		       ? -1
		       : 0;
}

static struct spec_config *saved_config(struct container *ct, brig_error_t **err)
{
	size_t len = 0;
	cleanup_free char *text = brig_read_file(ct->state->config_path, &len);

	if (!text)
		return brig_err(err, errno, "read %s", ct->state->config_path), NULL;
	return spec_parse_config(text, len, "config.json", err);
}

static int checkpoint(const struct brig_globals *g, const char *id, const struct criu_opts *o,
		      brig_error_t **err)
{
	struct container *ct = container_open(g, id, true, err);
	struct spec_config *c = NULL;
	struct args a = {0};
	cleanup_free char *log = NULL;
	int r = -1;

	if (!ct)
		return -1;
	enum spec_status st = container_status(ct);
	if (st != SPEC_STATUS_RUNNING && st != SPEC_STATUS_PAUSED) {
		brig_err(err, 0, "cannot checkpoint container \"%s\": it is %s, not running", id,
			 spec_status_name(st));
		goto out;
	}
	c = saved_config(ct, err);
	if (!c || make_dir(o->image_path, "--image-path", err) < 0 ||
	    (o->work_path && make_dir(o->work_path, "--work-path", err) < 0))
		goto out;
	log = log_path(o, o->pre_dump ? "pre-dump.log" : "dump.log");
	if (dump_args(&a, ct, c, o, log, err) < 0)
		goto out;
	struct criu_child child = {.argv = a.v};
	fflush(NULL);
	pid_t pid = ns_exec_spawn(-1, criu_child_main, &child, err);
	if (pid < 0 || criu_wait(pid, "checkpoint", log, err) < 0)
		goto out;
	r = 0;
	/* the processes are gone with the dump: so is the container (runc) */
	if (!o->leave_running && !o->pre_dump)
		r = container_destroy(ct, true, err);
out:
	brig_strv_free(a.v);
	spec_free(c);
	container_free(ct);
	return r;
}

/* ---- restore ---------------------------------------------------------------------- */

/* The bind mounts' sources, as create resolves them (relative to the
 * bundle). */
static void external_mounts_restore(struct args *a, const struct spec_config *c,
				    const char *bundle)
{
	for (size_t i = 0; i < c->n_mounts; i++) {
		const struct spec_mount *m = &c->mounts[i];
		if (!is_bind(m) || !m->source)
			continue;
		add(a, "--external");
		if (m->source[0] == '/')
			addf(a, "mnt[%s]:%s", m->destination, m->source);
		else
			addf(a, "mnt[%s]:%s/%s", m->destination, bundle, m->source);
	}
}

/* Namespaces joined by path: net and pid were external at dump and are
 * handed to CRIU open (fds[0] as fd 3, fds[1] next: restore_child_main);
 * the others CRIU joins itself. */
static int restore_namespaces(struct args *a, const struct spec_config *c, int fds[2],
			      brig_error_t **err)
{
	static const char *const names[SPEC_NS_COUNT] = {
		[SPEC_NS_IPC] = "ipc", [SPEC_NS_UTS] = "uts", [SPEC_NS_USER] = "user",
		[SPEC_NS_MOUNT] = "mnt", [SPEC_NS_TIME] = "time",
	};
	static const enum spec_ns_type ext[2] = {SPEC_NS_NETWORK, SPEC_NS_PID};
	int next = 3;

	for (int i = 0; i < 2; i++) {
		const struct spec_namespace *ns = spec_find_ns(c, ext[i]);
		if (!ns || !ns->path || !ns->path[0])
			continue;
		fds[i] = open(ns->path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0)
			return brig_err(err, errno, "restore: namespace %s", ns->path);
		add(a, "--inherit-fd");
		addf(a, "fd[%d]:%s", next++, ext_ns_key(ext[i]));
	}
	for (size_t i = 0; c->linux && i < c->linux->n_namespaces; i++) {
		const struct spec_namespace *ns = &c->linux->namespaces[i];
		if (!ns->path || !ns->path[0] || ns->type == SPEC_NS_NETWORK ||
		    ns->type == SPEC_NS_PID)
			continue;
		if (!names[ns->type])
			return brig_err(err, 0, "restore: CRIU cannot join a %s namespace by path",
					spec_ns_name(ns->type));
		add(a, "--join-ns");
		addf(a, "%s:%s", names[ns->type], ns->path);
	}
	return 0;
}

/* The cgroups CRIU puts the processes in: the dumped tree's root maps to
 * the cgroup we are in, the container's (runc does the same). */
static void cgroup_roots(struct args *a)
{
	cleanup_free char *text = brig_read_file("/proc/self/cgroup", NULL);
	char *save = NULL;

	for (char *line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *ctrl = strchr(line, ':');
		char *path = ctrl ? strchr(ctrl + 1, ':') : NULL;
		if (!path)
			continue;
		*path++ = '\0';
		ctrl++;
		add(a, "--cgroup-root");
		if (*ctrl)
			addf(a, "%s:%s", ctrl, path);
		else
			add(a, path);
	}
}

struct restore_child {
	struct criu_child c;
	struct args *a;
	int ns_fds[2];
};

/* In the child, once in the container's cgroups: the cgroup roots, then
 * criu.  The namespaces' descriptors go to 3 and 4 (unless unused). */
static int restore_child_main(void *arg)
{
	struct restore_child *r = arg;
	int high[2] = {-1, -1}, next = 3;

	/* out of the way first: one may be 3 or 4 already */
	for (int i = 0; i < 2; i++)
		if (r->ns_fds[i] >= 0 && (high[i] = fcntl(r->ns_fds[i], F_DUPFD_CLOEXEC, 100)) < 0)
			return 126;
	for (int i = 0; i < 2; i++)
		if (high[i] >= 0 && dup2(high[i], next++) < 0)
			return 126;
	if (r->c.sp) {
		cg_spawn_child_close(r->c.sp);
		brig_error_t *e = NULL;
		if (cg_spawn_join(r->c.sp, &e) < 0) {
			fprintf(stderr, "brig: restore: %s\n", e->msg);
			return 126;
		}
	}
	cgroup_roots(r->a);
	r->c.argv = r->a->v;
	r->c.sp = NULL; /* joined */
	return criu_child_main(&r->c);
}

pid_t criu_restore(struct container *ct, const struct spec_config *c, const char *bundle,
		   const char *rootfs, struct cg_manager *cg, struct cg_spawn *sp,
		   const struct criu_opts *o, brig_error_t **err)
{
	cleanup_free char *root_dir = xasprintf("%s/criu-root", ct->dir);
	cleanup_free char *pidfile = xasprintf("%s/criu.pid", ct->dir);
	cleanup_free char *log = log_path(o, "restore.log");
	struct args a = {0};
	struct restore_child rc = {.ns_fds = {-1, -1}};
	cleanup_free char *text = NULL;
	pid_t pid = -1;

	if (o->work_path && make_dir(o->work_path, "--work-path", err) < 0)
		return -1;
	add(&a, CRIU);
	add(&a, "restore");
	common_args(&a, o, log);
	add(&a, "--root");
	add(&a, root_dir);
	add(&a, "--restore-detached");
	add(&a, "--restore-sibling");
	add(&a, "--evasive-devices");
	add(&a, "--pidfile");
	add(&a, pidfile);
	if (o->lsm_profile) {
		add(&a, "--lsm-profile");
		add(&a, o->lsm_profile);
	}
	external_mounts_restore(&a, c, bundle);
	if (restore_namespaces(&a, c, rc.ns_fds, err) < 0)
		goto out;
	if (mkdir(root_dir, 0700) < 0) {
		brig_err(err, errno, "restore: mkdir %s", root_dir);
		goto out;
	}
	if (cg_spawn_begin(cg, true, sp, err) < 0)
		goto out;
	rc.c = (struct criu_child){.rootfs = rootfs, .root_dir = root_dir, .sp = cg ? sp : NULL};
	rc.a = &a;
	fflush(NULL);
	pid_t criu = ns_exec_spawn(sp->clone_fd, restore_child_main, &rc, err);
	if (cg_spawn_end(sp, criu, criu < 0 ? NULL : err) < 0 || criu < 0)
		goto out;
	if (criu_wait(criu, "restore", log, err) < 0)
		goto out;
	text = brig_read_file(pidfile, NULL);
	pid = text ? (pid_t)atoi(text) : 0;
	if (pid <= 0) {
		brig_err(err, 0, "restore: criu wrote no pid to %s", pidfile);
		pid = -1;
		goto out;
	}
	ct->state->pid = pid;
	ct->state->start_time = proc_start_time(pid);
	ct->state->status = SPEC_STATUS_RUNNING;
	(void)unlinkat(ct->dir_fd, "exec.fifo", 0); /* running: never created */
	if (container_save(ct, err) < 0)
		pid = -1; /* create_undo kills it */
out:
	for (int i = 0; i < 2; i++)
		if (rc.ns_fds[i] >= 0)
			close(rc.ns_fds[i]);
	(void)rmdir(root_dir);
	(void)unlink(pidfile);
	brig_strv_free(a.v);
	return pid;
}

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
		/* runc takes namespace names and CRIU empties only "network" */
		if (strcmp(optarg, "network") != 0)
			return brig_err(err, 0, "--empty-ns: \"%s\": only network can be left "
					"empty", optarg);
		o->empty_ns = true;
		return 0;
	default:
		return 1;
	}
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
	return 0;
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

	while ((c = getopt_long(argc, argv, cli_opts_checkpoint.shortopts,
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
	if (o.status_fd >= 0 && !o.lazy_pages)
		return brig_err(err, 0, "checkpoint: --status-fd needs --lazy-pages");
	return checkpoint(g, id, &o, err);
}

int cmd_restore(const struct brig_globals *g, int argc, char **argv, brig_error_t **err)
{
	struct criu_opts co = {.status_fd = -1};
	struct create_opts o = {.restore = &co};
	cleanup_free char *img = NULL, *work = NULL;
	const char *id;
	int c, r;

	while ((c = getopt_long(argc, argv, cli_opts_restore.shortopts, cli_opts_restore.longopts,
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
	o.foreground = !o.detach;
	struct created cr;
	if (container_create(g, id, &o, &cr, err) < 0)
		return -1;
	if (o.pid_file && write_pid_file(o.pid_file, cr.pid, err) < 0) {
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
