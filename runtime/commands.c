/* brig — runtime/commands.c: the lifecycle behind create, run, start, kill
 * and delete, on structs the command line (cli_container.c) filled. */
#include "runtime.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/proc.h"
#include "cgroups/cgroups.h"

/* ---- create / run ------------------------------------------------------- */

/* On failure after create: the container goes (as delete --force would),
 * with nothing said of it; the first error is the one reported. */
static void destroy_quietly(struct created *cr, const struct create_opts *o)
{
	if (o->reuse) {
		/* a rerun's: what it made goes, the container stays */
		if (container_teardown(cr->ct, true, NULL) == 0)
			container_keep_stopped(cr->ct);
	} else {
		container_destroy(cr->ct, true, NULL);
	}
	created_free(cr);
}

void container_keep_stopped(struct container *ct)
{
	brig_error_t *e = NULL;

	ct->state->status = SPEC_STATUS_STOPPED;
	ct->state->pid = 0;
	ct->state->has_exit = false;
	free(ct->state->finished);
	ct->state->finished = timestamp_now();
	if (container_save(ct, &e) < 0)
		brig_err_warn(&e, NULL);
}

void created_free(struct created *cr)
{
	container_free(cr->ct);
	spec_free(cr->config);
	cr->ct = NULL;
	cr->config = NULL;
}

int container_create_only(const struct brig_globals *g, const char *id,
			  const struct create_opts *o, brig_error_t **err)
{
	struct created cr;

	if (container_create(g, id, o, &cr, err) < 0)
		return -1;
	created_free(&cr);
	return 0;
}

/* poststart: a failure is a warning, the container keeps running */
static void poststart_hooks(struct container *ct, const struct spec_config *c)
{
	brig_error_t *e = NULL;

	if (c->hooks.poststart.n == 0)
		return;
	cleanup_free char *st = spec_state_to_json(ct->state, false);
	if (hooks_run(&c->hooks.poststart, "poststart", st, &e) < 0)
		brig_err_warn(&e, NULL);
}

int container_run(const struct brig_globals *g, const char *id, const struct create_opts *o,
		  bool start, const struct run_step *between, struct created *out,
		  brig_error_t **err)
{
	struct create_opts at_once = *o;

	/* nothing to do between create and start: create may start it */
	at_once.start_now = start && between == NULL;
	if (container_create(g, id, &at_once, out, err) < 0)
		return -1;
	if (out->started) {
		poststart_hooks(out->ct, out->config);
		return 0;
	}
	if (between && between->fn(out, between->arg, err) < 0) {
		destroy_quietly(out, o);
		return -1;
	}
	if (start && container_start(out->ct, err) < 0) {
		destroy_quietly(out, o);
		return -1;
	}
	return 0;
}

int container_wait_and_delete(struct created *cr, bool keep, brig_error_t **err)
{
	int status, code;

	/* let kill, state and delete work on it while we wait */
	flock(cr->ct->dir_fd, LOCK_UN);
	if (cr->pty_master >= 0) {
		status = terminal_proxy_and_wait(cr->pty_master, cr->pid);
		close(cr->pty_master);
		cr->pty_master = -1;
	} else {
		status = forward_signals_and_wait(cr->pid);
	}
	code = brig_wait_code(status);
	flock(cr->ct->dir_fd, LOCK_EX);
	if (!keep && container_destroy(cr->ct, true, err) < 0)
		code = -1;
	return code;
}

int container_run_foreground(const struct brig_globals *g, const char *id,
			     const struct create_opts *o, brig_error_t **err)
{
	struct created cr;
	int code = 0;

	if (container_run(g, id, o, true, NULL, &cr, err) < 0)
		return -1;
	if (!o->detach)
		code = container_wait_and_delete(&cr, o->keep, err);
	created_free(&cr);
	return code;
}

/* ---- start -------------------------------------------------------------- */

/* Fill exec.fifo again, after `start` gave up on an init frozen from
 * outside: woken while frozen, it finds the fifo full when thawed, and
 * goes on waiting for a `start`. */
static void refill_fifo(struct container *ct)
{
	char fill[4096];
	int fd = openat(ct->dir_fd, "exec.fifo", O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);

	memset(fill, 'f', sizeof(fill));
	while (fd >= 0 && (write(fd, fill, sizeof(fill)) > 0 || errno == EINTR))
		;
	if (fd >= 0)
		close(fd);
}

/* Does the (live) init no longer hold exec.fifo?  Then it is past its
 * wait: a process of the container that can reach the init's descriptors
 * (CAP_SYS_PTRACE) read the fill and took what the init wrote.  -1: we
 * cannot tell (not allowed to look). */
static int init_left_fifo(struct container *ct, int fifo)
{
	char path[64], link[4096];
	cleanup_free char *dir = realpath(ct->dir, NULL);
	cleanup_free char *want = dir ? xasprintf("%s/exec.fifo", dir) : NULL;
	struct dirent *e;
	DIR *d;
	int left = 1;

	(void)fifo;
	if (!want)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)ct->state->pid);
	d = opendir(path);
	if (!d)
		return -1;
	/* by name (readlink): following the links could block on whatever
	 * the container put behind them (a FUSE file) */
	while ((e = readdir(d)) != NULL) {
		ssize_t n = e->d_name[0] == '.' ? -1 :
			    readlinkat(dirfd(d), e->d_name, link, sizeof(link) - 1);
		if (n < 0)
			continue;
		link[n] = '\0';
		if (strcmp(link, want) == 0)
			left = 0;
	}
	closedir(d);
	return left;
}

/* The init waits in a blocking write to exec.fifo, which create filled
 * (open_exec_fifo): reading the fill lets it write "0", run the
 * startContainer hooks and write "1".  EOF first: it exited, or a hook
 * failed. */
static int release_init(struct container *ct, int fifo, brig_error_t **err)
{
	cleanup_close int pfd = brig_pidfd_open(ct->state->pid);
	char buf[4096];

	for (;;) {
		struct pollfd p[2] = {{.fd = fifo, .events = POLLIN}, {.fd = pfd, .events = POLLIN}};
		int n = poll(p, pfd >= 0 ? 2 : 1, 1000);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return brig_err(err, errno, "poll exec.fifo");
		}
		/* a second without an answer: an init frozen from outside
		 * brig (its record says created) cannot write */
		if (n == 0 && container_frozen(ct)) {
			refill_fifo(ct);
			return brig_err(err, 0, "cannot start container \"%s\": it is paused "
					"(its cgroup is frozen)", ct->id);
		}
		if (n == 0 && init_left_fifo(ct, fifo) == 1) {
			brig_warn("container \"%s\" was started before start: a process in it "
				  "read exec.fifo", ct->id);
			return 0;
		}
		if (p[0].revents & (POLLIN | POLLHUP)) {
			ssize_t r = read(fifo, buf, sizeof(buf));
			if (r > 0 && memchr(buf, '1', (size_t)r))
				return 0;
			if (r == 0)
				break;
			if (r < 0 && errno != EAGAIN && errno != EINTR)
				return brig_err(err, errno, "read exec.fifo");
			continue;
		}
		if (pfd >= 0 && (p[1].revents & POLLIN))
			break;
	}
	return brig_err(err, 0, "container \"%s\": its process exited before start", ct->id);
}

int container_start(struct container *ct, brig_error_t **err)
{
	enum spec_status status = container_status(ct);
	cleanup_close int fifo = -1;

	if (!status_can_start(status))
		return brig_err(err, 0, "cannot start container \"%s\": it is %s, not created",
				ct->id, spec_status_name(status));
	/* an init frozen from outside brig (its record says created) would
	 * take the start once thawed: refuse before reading the fifo */
	if (container_frozen(ct))
		return brig_err(err, 0, "cannot start container \"%s\": it is paused "
				"(its cgroup is frozen)", ct->id);
	fifo = openat(ct->dir_fd, "exec.fifo", O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
	if (fifo < 0)
		return brig_err(err, errno, "open %s/exec.fifo", ct->dir);
	if (release_init(ct, fifo, err) < 0)
		return -1;
	unlinkat(ct->dir_fd, "exec.fifo", 0);
	ct->state->status = SPEC_STATUS_RUNNING;
	/* The container runs now whatever happens here, and its status is
	 * read from exec.fifo (gone) and the init, not from this record: a
	 * full disk is worth a warning, not a failed start. */
	brig_error_t *e_save = NULL;
	if (container_save(ct, &e_save) < 0)
		brig_err_warn(&e_save, "container \"%s\" started, but its state was not updated",
			      ct->id);

	cleanup_free char *cfg_json = brig_read_file(ct->state->config_path, NULL);
	if (cfg_json && strstr(cfg_json, "\"poststart\"")) {
		brig_error_t *e2 = NULL;
		struct spec_config *c = spec_parse_config(cfg_json, strlen(cfg_json), "config.json", &e2);
		if (c) {
			poststart_hooks(ct, c);
			spec_free(c);
		}
		brig_err_free(&e2);
	}
	return 0;
}

/* ---- kill --------------------------------------------------------------- */

static int signal_init(struct container *ct, int sig, brig_error_t **err)
{
	int pfd = brig_pidfd_open(ct->state->pid);
	int r;

	if (pfd < 0)
		return brig_err(err, errno, "container \"%s\" is not running", ct->id);
	/* the pidfd pins the process: check it is still ours */
	if (!container_alive(ct)) {
		close(pfd);
		return brig_err(err, 0, "container \"%s\" is not running", ct->id);
	}
	r = (int)syscall(SYS_pidfd_send_signal, pfd, sig, NULL, 0);
	close(pfd);
	if (r < 0)
		return brig_err(err, errno, "kill container \"%s\"", ct->id);
	return 0;
}

int container_kill(const struct brig_globals *g, const struct kill_opts *o, brig_error_t **err)
{
	struct container *ct;
	int r;

	ct = container_open(g, o->id, true, err);
	if (!ct)
		return -1;
	enum spec_status status = container_status(ct);
	bool stopped = status == SPEC_STATUS_STOPPED;
	if (stopped && o->all) {
		/* as runc: --all signals what is left in the cgroup, if any, and
		 * succeeds (containerd's `task delete -f` sends it to a stopped
		 * task) */
		struct cg_manager *cg = ct->state->cgroup_path ?
			cg_load(BRIG_CGROUP_ROOT, ct->state->cgroup_path, NULL) : NULL;
		if (cg)
			cg_kill_all(cg, o->sig, NULL);
		cg_free(cg);
		container_free(ct);
		return 0;
	}
	if (!status_can_kill(status)) {
		/* "container not running" is runc's text, which containerd's
		 * shim reads back to report the process as already gone */
		brig_err(err, 0, "cannot kill container \"%s\": %s", o->id,
			 stopped ? "container not running" : "it is creating");
		container_free(ct);
		return -1;
	}
	if (o->all && ct->state->cgroup_path) {
		struct cg_manager *cg = cg_load(BRIG_CGROUP_ROOT, ct->state->cgroup_path, err);
		r = cg ? cg_kill_all(cg, o->sig, err) : -1;
		cg_free(cg);
	} else {
		r = signal_init(ct, o->sig, err);
	}
	container_free(ct);
	return r;
}

/* ---- delete ------------------------------------------------------------- */

/* How long delete --force goes on killing and removing the cgroup before
 * it reports what is still there. */
#define DELETE_KILL_MS 5000

/* Wait up to ms for the init to be gone. */
static bool wait_gone(struct container *ct, int ms)
{
	int pfd = brig_pidfd_open(ct->state->pid);
	if (pfd < 0)
		return true;
	for (int waited = 0; waited <= ms; waited += 10) {
		if (!container_alive(ct))
			break;
		struct pollfd p = {.fd = pfd, .events = POLLIN};
		poll(&p, 1, 10);
	}
	close(pfd);
	/* reap it if it is our child (run, or create in the same process) */
	waitpid(ct->state->pid, NULL, WNOHANG);
	return !container_alive(ct);
}

/* Everything of the run but the state directory: what delete does, and
 * what the log monitor does before it restarts a container in the same
 * directory (restart.c). */
int container_teardown(struct container *ct, bool force, brig_error_t **err)
{
	enum spec_status status = container_status(ct);
	struct cg_manager *cg = NULL;

	if (!force && !status_can_delete(status))
		return brig_err(err, 0,
				"cannot delete container \"%s\" that is not stopped: %s "
				"(use --force)", ct->id, spec_status_name(status));
	if (status != SPEC_STATUS_STOPPED) {
		if (container_alive(ct))
			signal_init(ct, SIGKILL, NULL);
	}
	/* Everything in the cgroup goes, not only the init: processes it
	 * left (a stopped container's daemons) or that were put there from
	 * outside.  Thawed first, retried for a bounded time; what is still
	 * there then (stuck in D state) is named, and the state stays for a
	 * later delete --force. */
	if (ct->state->cgroup_path)
		cg = cg_load(BRIG_CGROUP_ROOT, ct->state->cgroup_path, NULL);
	if (cg) {
		brig_error_t *e2 = NULL;
		if (cg_kill_destroy(cg, DELETE_KILL_MS, &e2) < 0) {
			brig_err(err, 0, "delete container \"%s\": %s", ct->id, e2->msg);
			brig_err_free(&e2);
			cg_free(cg);
			return -1;
		}
		cg_free(cg);
	}
	/* An init of a pid namespace ends only once its other processes
	 * are reaped, some by their parents outside (exec --detach): that
	 * can take a while after the cgroup is empty. */
	if (!wait_gone(ct, 10000))
		return brig_err(err, 0, "container \"%s\": process %d did not exit after SIGKILL",
				ct->id, (int)ct->state->pid);
	/* the networks, once nothing of the container is left to use them */
	if (netsetup_destroy(ct, force, err) < 0)
		return -1;
	/* poststop: failures are warnings, deletion goes on */
	cleanup_free char *cfg_json = ct->state->config_path ?
		brig_read_file(ct->state->config_path, NULL) : NULL;
	if (cfg_json && strstr(cfg_json, "\"poststop\"")) {
		brig_error_t *e2 = NULL;
		struct spec_config *c = spec_parse_config(cfg_json, strlen(cfg_json), "config.json", &e2);
		if (c) {
			ct->state->status = SPEC_STATUS_STOPPED;
			cleanup_free char *st = spec_state_to_json(ct->state, false);
			if (hooks_run(&c->hooks.poststop, "poststop", st, &e2) < 0)
				brig_err_warn(&e2, NULL);
			spec_free(c);
		}
		brig_err_free(&e2);
	}
	return 0;
}

int container_destroy(struct container *ct, bool force, brig_error_t **err)
{
	if (container_teardown(ct, force, err) < 0)
		return -1;
	if (container_remove_dir(ct) < 0)
		return brig_err(err, errno, "remove %s", ct->dir);
	return 0;
}

int container_delete(const struct brig_globals *g, const struct delete_opts *o,
		     brig_error_t **err)
{
	struct container *ct;
	int r;

	ct = container_open(g, o->id, true, err);
	if (!ct) {
		/* --force on a container that is already gone is not an error
		 * (runc does the same); remove a half-written directory */
		if (o->force && brig_err_is(*err, BRIG_E_NOT_FOUND)) {
			cleanup_free char *dir = xasprintf("%s/%s", g->root, o->id);
			struct container tmp = {.id = (char *)o->id, .dir = dir, .dir_fd = -1};
			if (container_validate_id(o->id, NULL) == 0) {
				brig_error_t *e2 = NULL;
				/* killed before its state: its networks all the same */
				tmp.dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
				if (netsetup_destroy(&tmp, true, &e2) < 0)
					brig_err_free(&e2);
				if (tmp.dir_fd >= 0)
					close(tmp.dir_fd);
				tmp.dir_fd = -1;
				container_remove_dir(&tmp);
			}
			brig_err_free(err);
			return 0;
		}
		return -1;
	}
	r = container_destroy(ct, o->force, err);
	container_free(ct);
	return r;
}

