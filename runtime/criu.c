/* brig — runtime/criu.c: `brig checkpoint` and `brig restore`, runc's
 * commands with runc's flags, through CRIU's command line.
 *
 * Why the command line and not `criu swrk` (CRIU's RPC, runc's): each
 * option brig passes has a command-line form, a reader can paste the
 * command into a shell, and brig needs no protobuf code.  The RPC's
 * notifications brig gets as CRIU's action script (the hooks).
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
#include "spec/service.h"

#define CRIU "criu"
/* restore's hooks: the container brig, as CRIU's action script, runs them for */
#define ACTION_ROOT "BRIG_CRIU_ROOT"
#define ACTION_ID "BRIG_CRIU_ID"

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

/* A network namespace joined by path (external to CRIU)? */
static bool netns_joined(const struct spec_config *c)
{
	const struct spec_namespace *ns = spec_find_ns(c, SPEC_NS_NETWORK);

	return ns && ns->path && ns->path[0];
}

/* What dump and restore share: directories, log, and runc's flags. */
static void common_args(struct args *a, const struct criu_opts *o, const struct spec_config *c,
			const char *log)
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
	/* As runc: the network namespace's devices, addresses and rules are
	 * not the runtime's to save (runc: "Runc doesn't manage network
	 * devices and their configuration"); a restored container gets a
	 * new, empty one (dumping it took a third of a dump, with ip and
	 * iptables-save).  Not for one joined by path, which CRIU leaves
	 * alone as external anyway: there criu 3.17 with --empty-ns locks it
	 * twice (dump, restore) and unlocks it once, and its traffic stays
	 * dropped (runc passes it always). */
	if (!netns_joined(c)) {
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

/* Checked again once made: one made by another since the parser looked. */
static int make_dir(const char *path, const char *flag, brig_error_t **err)
{
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return brig_err(err, errno, "%s %s", flag, path);
	return cli_own_dir(path, flag, err);
}

/* CRIU's log: in the work directory, else the images'. */
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
	common_args(a, o, c, log);
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

/* stdio.json beside the images: what the init's 0, 1 and 2 are.  A pipe
 * to a reader outside (a shim's, a log monitor's) is dumped without its
 * other end; restore hands CRIU the caller's in its place, as runc's
 * descriptors.json does. */
static int save_stdio(struct container *ct, const struct criu_opts *o, brig_error_t **err)
{
	char targets[3][128];
	const char *fds[3];

	for (int i = 0; i < 3; i++) {
		char link[64];
		snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)ct->state->pid, i);
		ssize_t n = readlink(link, targets[i], sizeof(targets[i]) - 1);
		targets[i][n > 0 ? n : 0] = '\0';
		fds[i] = targets[i];
	}
	cleanup_free char *json = spec_stdio_to_json(fds);
	cleanup_free char *path = xasprintf("%s/stdio.json", o->image_path);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	int r = fd < 0 || brig_write_all(fd, json, strlen(json)) < 0 ? -1 : 0;
	if (fd >= 0)
		close(fd);
	return r < 0 ? brig_err(err, errno, "checkpoint: write %s", path) : 0;
}

/* restore: each pipe of the checkpointed stdio is the caller's (CRIU's
 * --inherit-fd: fd i of CRIU, which it inherits from us). */
static int inherit_stdio(struct args *a, const struct criu_opts *o, brig_error_t **err)
{
	cleanup_free char *path = xasprintf("%s/stdio.json", o->image_path);
	size_t len = 0;
	cleanup_free char *text = brig_read_file(path, &len);
	struct spec_strv v;

	if (!text)
		return errno == ENOENT ? 0 : brig_err(err, errno, "restore: read %s", path);
	if (spec_stdio_parse(text, len, &v, err) < 0)
		return brig_err_prefix(err, "restore");
	for (size_t i = 0; i < v.n; i++) {
		if (strncmp(v.v[i], "pipe:[", 6) == 0) {
			add(a, "--inherit-fd");
			addf(a, "fd[%zu]:%s", i, v.v[i]);
		}
		free(v.v[i]);
	}
	free(v.v);
	return 0;
}

static struct spec_config *saved_config(struct container *ct, brig_error_t **err)
{
	size_t len = 0;
	cleanup_free char *text = brig_read_file(ct->state->config_path, &len);

	if (!text)
		return brig_err(err, errno, "read %s", ct->state->config_path), NULL;
	return spec_parse_config(text, len, "config.json", err);
}

int criu_checkpoint(const struct brig_globals *g, const char *id, const struct criu_opts *o,
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
	if (dump_args(&a, ct, c, o, log, err) < 0 || (!o->pre_dump && save_stdio(ct, o, err) < 0))
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
	const char *hooks_root, *hooks_id; /* prestart/createRuntime hooks to run */
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
	if (r->hooks_id) {
		/* the hooks run at CRIU's setup-namespaces (criu_action_main) */
		char exe[4096];
		ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		if (n <= 0)
			return 126;
		exe[n] = '\0';
		if (setenv(ACTION_ROOT, r->hooks_root, 1) < 0 || setenv(ACTION_ID, r->hooks_id, 1) < 0)
			return 126;
		add(r->a, "--action-script");
		add(r->a, exe);
	}
	r->c.argv = r->a->v;
	r->c.sp = NULL; /* joined */
	return criu_child_main(&r->c);
}

pid_t criu_restore(const char *g_root, struct container *ct, const struct spec_config *c,
		   const char *bundle, const char *rootfs, struct cg_manager *cg,
		   struct cg_spawn *sp, const struct criu_opts *o, brig_error_t **err)
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
	common_args(&a, o, c, log);
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
	if (inherit_stdio(&a, o, err) < 0 || restore_namespaces(&a, c, rc.ns_fds, err) < 0)
		goto out;
	if (mkdir(root_dir, 0700) < 0) {
		brig_err(err, errno, "restore: mkdir %s", root_dir);
		goto out;
	}
	if (cg_spawn_begin(cg, true, sp, err) < 0)
		goto out;
	rc.c = (struct criu_child){.rootfs = rootfs, .root_dir = root_dir, .sp = cg ? sp : NULL};
	rc.a = &a;
	if (c->hooks.prestart.n || c->hooks.create_runtime.n) {
		rc.hooks_root = g_root;
		rc.hooks_id = ct->id;
	}
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

/* ---- hooks: brig as CRIU's action script ------------------------------------------ */

/* What runc runs at CRIU's "setup-namespaces" (the restored init exists,
 * in its namespaces, nothing of it runs yet): the prestart and
 * createRuntime hooks, with the state and that pid.  CRIU runs us with
 * CRTOOLS_SCRIPT_ACTION for each of its actions; the others need
 * nothing. */
int criu_action_main(void)
{
	const char *action = getenv("CRTOOLS_SCRIPT_ACTION"), *pid = getenv("CRTOOLS_INIT_PID");
	struct brig_globals g = {.root = getenv(ACTION_ROOT)};
	brig_error_t *e = NULL;
	struct spec_config *c = NULL;
	cleanup_free char *st = NULL;
	int r = 1;

	if (!action || strcmp(action, "setup-namespaces") != 0)
		return 0;
	/* CRIU runs us with its standard input closed: the pipe hooks_run
	 * makes for a hook's stdin must not take descriptor 0 */
	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
			return 1;
	struct container *ct = g.root ? container_open(&g, getenv(ACTION_ID), false, &e) : NULL;
	if (!ct || !pid || !(c = saved_config(ct, &e)))
		goto out;
	ct->state->pid = (pid_t)atoi(pid);
	ct->state->status = SPEC_STATUS_CREATING;
	st = spec_state_to_json(ct->state, false);
	if (hooks_run(&c->hooks.prestart, "prestart", st, &e) == 0 &&
	    hooks_run(&c->hooks.create_runtime, "createRuntime", st, &e) == 0)
		r = 0;
out:
	if (e)
		fprintf(stderr, "brig: restore: %s\n", e->msg);
	else if (r)
		fprintf(stderr, "brig: restore: no container for the hooks\n");
	brig_err_free(&e);
	spec_free(c);
	container_free(ct);
	return r;
}

bool criu_action_wanted(int argc)
{
	return argc == 1 && getenv("CRTOOLS_SCRIPT_ACTION") && getenv(ACTION_ID) &&
	       getenv(ACTION_ROOT);
}
