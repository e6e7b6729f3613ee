/* brig — runtime/criu_restore.c: `brig restore` (the checkpoint half and
 * the command line both share are in criu.c).
 *
 * The ordinary create path (the state directory, the cgroups and their
 * limits, under any id), and where create would clone an init, `criu
 * restore` runs in the container's cgroups, in a mount namespace of its
 * own where the bundle's rootfs is bind-mounted as CRIU's root (a mount
 * brig never makes on the host: it goes with CRIU), and brings the
 * processes back as siblings of itself, that is children of brig.  The
 * bind mounts' sources come from the bundle's config.json, so a bundle
 * copied elsewhere (another machine) restores with its own paths. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/proc.h"
#include "base/strv.h"
#include "cgroups/cgroups.h"
#include "namespaces/namespaces.h"
#include "rootfs/rootfs.h"
#include "spec/service.h"
#include "criu.h"

/* A terminal's key in stdio.json, as checkpoint writes it: tty[RDEV:DEV]
 * in hex. */
static bool is_tty_key(const char *s)
{
	size_t hex1 = strncmp(s, "tty[", 4) == 0 ? strspn(s + 4, "0123456789abcdef") : 0;
	size_t hex2 = hex1 && s[4 + hex1] == ':' ? strspn(s + 5 + hex1, "0123456789abcdef") : 0;

	return hex2 && hex1 + hex2 <= 32 && strcmp(s + 5 + hex1 + hex2, "]") == 0;
}

/* restore: each pipe of the checkpointed stdio is the caller's (CRIU's
 * --inherit-fd: fd i of CRIU, which it inherits from us); a terminal's
 * key to tty (empty: none), for a new one in its place. */
static int inherit_stdio(struct criu_args *a, const struct criu_opts *o, char tty[64],
			 brig_error_t **err)
{
	cleanup_free char *path = xasprintf("%s/stdio.json", o->image_path);
	size_t len = 0;
	cleanup_free char *text = brig_read_file(path, &len);
	struct spec_strv v;

	tty[0] = '\0'; /* none, unless stdio.json names one */
	if (!text)
		return errno == ENOENT ? 0 : brig_err(err, errno, "restore: read %s", path);
	if (spec_stdio_parse(text, len, &v, err) < 0)
		return brig_err_prefix(err, "restore");
	int r = 0;
	for (size_t i = 0; i < v.n; i++) {
		if (strncmp(v.v[i], "pipe:[", 6) == 0) {
			criu_add(a, "--inherit-fd");
			criu_addf(a, "fd[%zu]:%s", i, v.v[i]);
		} else if (is_tty_key(v.v[i])) {
			if (tty[0] && strcmp(tty, v.v[i]) != 0 && r == 0)
				r = brig_err(err, 0, "restore: %s: more than one terminal", path);
			snprintf(tty, 64, "%s", v.v[i]);
		}
		free(v.v[i]);
	}
	free(v.v);
	return r;
}

/* A new terminal for the restored init, on the host's /dev/ptmx (the
 * container's devpts is CRIU's to bring back): its slave to CRIU, its
 * master to --console-socket (or to a foreground restore to copy); the
 * slave's path (/dev/pts/N) in path, for /dev/console. */
static int new_terminal(const struct spec_config *c, int *slave, char path[32],
			brig_error_t **err)
{
	int unlock = 0, n = -1;
	struct stat a, b;
	cleanup_close int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (master < 0)
		return brig_err(err, errno, "restore: open /dev/ptmx");
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0 || ioctl(master, TIOCGPTN, &n) < 0 ||
	    (*slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
		return brig_err(err, errno, "restore: open a terminal");
	/* the same pty by its path (/dev/pts is /dev/ptmx's instance) */
	snprintf(path, 32, "/dev/pts/%d", n);
	if (stat(path, &a) < 0 || fstat(*slave, &b) < 0 || a.st_rdev != b.st_rdev ||
	    a.st_dev != b.st_dev)
		return brig_err(err, 0, "restore: %s is not the terminal /dev/ptmx made", path);
	if (c->process && c->process->has_console_size) {
		struct winsize ws = {.ws_row = (unsigned short)c->process->console_height,
				     .ws_col = (unsigned short)c->process->console_width};
		(void)ioctl(*slave, TIOCSWINSZ, &ws);
	}
	return steal_fd(master);
}

/* The bind mounts' sources, as create resolves them (relative to the
 * bundle). */
static void external_mounts_restore(struct criu_args *a, const struct spec_config *c,
				    const char *bundle)
{
	for (size_t i = 0; i < c->n_mounts; i++) {
		const struct spec_mount *m = &c->mounts[i];
		if (!spec_mount_is_bind(m) || !m->source)
			continue;
		criu_add(a, "--external");
		if (m->source[0] == '/')
			criu_addf(a, "mnt[%s]:%s", m->destination, m->source);
		else
			criu_addf(a, "mnt[%s]:%s/%s", m->destination, bundle, m->source);
	}
}

/* Namespaces joined by path: net and pid were external at dump and are
 * handed to CRIU open (fds[0] as fd 3, fds[1] next: restore_child_main);
 * the others CRIU joins itself. */
static int restore_namespaces(struct criu_args *a, const struct spec_config *c, int fds[3],
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
		criu_add(a, "--inherit-fd");
		criu_addf(a, "fd[%d]:%s", next++, criu_ext_ns_key(ext[i]));
	}
	for (size_t i = 0; c->linux && i < c->linux->n_namespaces; i++) {
		const struct spec_namespace *ns = &c->linux->namespaces[i];
		if (!ns->path || !ns->path[0] || ns->type == SPEC_NS_NETWORK ||
		    ns->type == SPEC_NS_PID)
			continue;
		if (!names[ns->type])
			return brig_err(err, 0, "restore: CRIU cannot join a %s namespace by path",
					spec_ns_name(ns->type));
		criu_add(a, "--join-ns");
		criu_addf(a, "%s:%s", names[ns->type], ns->path);
	}
	return 0;
}

/* The cgroups CRIU puts the processes in: the dumped tree's root maps to
 * the cgroup we are in, the container's (runc does the same). */
static void cgroup_roots(struct criu_args *a)
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
		criu_add(a, "--cgroup-root");
		if (*ctrl)
			criu_addf(a, "%s:%s", ctrl, path);
		else
			criu_add(a, path);
	}
}

struct restore_child {
	struct criu_child c;
	struct criu_args *a;
	int fds[3]; /* net and pid namespaces, terminal (-1: none) */
	int go[2];  /* systemd's driver: a byte once the scope holds the child */
	const char *hooks_root, *hooks_id; /* prestart/createRuntime hooks to run */
};

/* In the child, once in the container's cgroups: the cgroup roots, then
 * criu.  The descriptors it inherits (namespaces, terminal) go to 3, 4
 * and 5, those unused left out. */
static int restore_child_main(void *arg)
{
	struct restore_child *r = arg;
	int high[3] = {-1, -1, -1}, next = 3;

	/* systemd's driver starts the scope with our pid once we exist: the
	 * cgroup roots are read after (else CRIU restores into the cgroup
	 * of whoever called us, as it did under Podman) */
	if (r->go[0] >= 0) {
		char b;
		close(r->go[1]);
		if (read(r->go[0], &b, 1) != 1)
			return 126;
		close(r->go[0]);
	}
	/* CRIU's options file first: it may be 3, 4 or 5 */
	if (r->c.conf_fd >= 0 && dup2(r->c.conf_fd, CRIU_CONF_FD) < 0)
		return 126;
	if (r->c.conf_fd >= 0)
		r->c.conf_fd = CRIU_CONF_FD;

	/* out of the way first: one may be 3 or 4 already */
	for (int i = 0; i < 3; i++)
		if (r->fds[i] >= 0 && (high[i] = fcntl(r->fds[i], F_DUPFD_CLOEXEC, 100)) < 0)
			return 126;
	for (int i = 0; i < 3; i++)
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
		criu_add(r->a, "--action-script");
		criu_add(r->a, exe);
	}
	r->c.argv = r->a->v;
	r->c.sp = NULL; /* joined */
	return criu_child_main(&r->c);
}

pid_t criu_restore(const char *g_root, struct container *ct, const struct spec_config *c,
		   const char *bundle, const char *rootfs, struct cg_manager *cg,
		   struct cg_spawn *sp, const struct criu_opts *o, const char *console_socket,
		   int *pty_master, brig_error_t **err)
{
	cleanup_free char *root_dir = xasprintf("%s/criu-root", ct->dir);
	cleanup_free char *pidfile = xasprintf("%s/criu.pid", ct->dir);
	cleanup_free char *log = criu_log_path(o, "restore.log");
	struct criu_args a = {0};
	struct restore_child rc = {.fds = {-1, -1, -1}, .go = {-1, -1}};
	cleanup_close int master = -1, conf_fd = -1;
	char tty[64];
	cleanup_free char *text = NULL;
	pid_t pid = -1;

	if (criu_conf_open(c, bundle, &conf_fd, err) < 0 ||
	    criu_dir_check(c, bundle, o->image_path, "--image-path", err) < 0 ||
	    criu_parents_check(c, bundle, o->image_path, err) < 0 ||
	    criu_dir_check(c, bundle, o->work_path, "--work-path", err) < 0 ||
	    (o->work_path && criu_make_dir(o->work_path, "--work-path", err) < 0))
		return -1;
	criu_add(&a, CRIU);
	criu_add(&a, "restore");
	criu_common_args(&a, o, c, log, conf_fd);
	criu_add(&a, "--root");
	criu_add(&a, root_dir);
	criu_add(&a, "--restore-detached");
	criu_add(&a, "--restore-sibling");
	criu_add(&a, "--evasive-devices");
	criu_add(&a, "--pidfile");
	criu_add(&a, pidfile);
	if (o->lsm_profile) {
		criu_add(&a, "--lsm-profile");
		criu_add(&a, o->lsm_profile);
	}
	external_mounts_restore(&a, c, bundle);
	if (rootfs_restore_mountpoints(c, rootfs, bundle, err) < 0) {
		brig_err_prefix(err, "restore");
		goto out;
	}
	if (inherit_stdio(&a, o, tty, err) < 0 || restore_namespaces(&a, c, rc.fds, err) < 0)
		goto out;
	if (tty[0]) {
		if (!c->process || !c->process->terminal) {
			brig_err(err, 0, "restore: the checkpointed process had a terminal, "
					 "the bundle's process.terminal is false");
			goto out;
		}
		char pts[32];
		if ((master = new_terminal(c, &rc.fds[2], pts, err)) < 0)
			goto out;
		criu_add(&a, "--inherit-fd");
		criu_addf(&a, "fd[%d]:%s", 3 + (rc.fds[0] >= 0) + (rc.fds[1] >= 0), tty);
		criu_add(&a, "--external");
		criu_addf(&a, "mnt[%s]:%s", CRIU_CONSOLE_KEY, pts);
	}
	if (mkdir(root_dir, 0700) < 0) {
		brig_err(err, errno, "restore: mkdir %s", root_dir);
		goto out;
	}
	if (cg_spawn_begin(cg, true, sp, err) < 0)
		goto out;
	if (sp->by_start && pipe2(rc.go, O_CLOEXEC) < 0) {
		brig_err(err, errno, "restore: pipe");
		goto out;
	}
	rc.c = (struct criu_child){.rootfs = rootfs, .root_dir = root_dir, .sp = cg ? sp : NULL,
				   .conf_fd = conf_fd, .root_ro = c->root && c->root->readonly,
				   .nnp = c->process && c->process->no_new_privileges};
	rc.a = &a;
	if (c->hooks.prestart.n || c->hooks.create_runtime.n) {
		rc.hooks_root = g_root;
		rc.hooks_id = ct->id;
	}
	fflush(NULL);
	pid_t criu = ns_exec_spawn(sp->clone_fd, restore_child_main, &rc, err);
	int end = cg_spawn_end(sp, criu, criu < 0 ? NULL : err);
	if (rc.go[1] >= 0) {
		if (end == 0 && criu > 0 && write(rc.go[1], "g", 1) != 1)
			end = brig_err(err, errno, "restore: tell criu's child to go on");
		close(rc.go[0]);
		close(rc.go[1]);
		rc.go[0] = rc.go[1] = -1; /* criu's child sees EOF on a failure */
	}
	if (end < 0 || criu < 0)
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
	if (master >= 0 && terminal_hand_over(console_socket, steal_fd(master), pty_master, err) < 0) {
		kill_and_reap(pid); /* not our child: CRIU's, gone */
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
	for (int i = 0; i < 3; i++)
		if (rc.fds[i] >= 0)
			close(rc.fds[i]);
	for (int i = 0; i < 2; i++)
		if (rc.go[i] >= 0)
			close(rc.go[i]);
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
	if (!ct || !pid || !(c = criu_saved_config(ct, &e)))
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
