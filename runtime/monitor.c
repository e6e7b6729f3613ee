/* brig — runtime/monitor.c: the log monitor of `create`/`run -d --log-path`.
 *
 * The caller forks; the child calls setsid() and forks again, so the
 * monitor is nobody's child but init's and outlives the caller. The
 * monitor points its own stdout/stderr at two pipes and runs the normal
 * create path (and start, for run): the container's init is its child and
 * inherits the pipes' write ends. It reports "ok" or the error text back
 * to the caller over a pipe, then loops: poll() on the two read ends and
 * the init's pidfd, each read chunk written to the log in the CRI format
 *
 *   2026-01-02T15:04:05.123456789Z stdout F a whole line
 *   2026-01-02T15:04:05.123456789Z stderr P a piece with no newline yet
 *
 * When the init exits it reaps it, drains the pipes, and records the exit
 * code and the finish time in state.json under the container's lock. */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MON_BUF (64 * 1024)
/* records are written out whenever the next one might not fit */
#define MON_OUT (MON_BUF + 4096)

struct logw {
	const char *path;
	int fd;
	long long size;
	long long max_size; /* 0: no rotation */
	int max_files;      /* files kept, the current one included */
};

static int log_open(struct logw *w)
{
	struct stat sb;

	w->fd = open(w->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (w->fd < 0)
		return -1;
	w->size = fstat(w->fd, &sb) == 0 ? sb.st_size : 0;
	return 0;
}

/* container.log -> .1 -> .2 ...; the oldest beyond max_files goes. */
static void log_rotate(struct logw *w)
{
	close(w->fd);
	for (int i = w->max_files - 1; i >= 1; i--) {
		cleanup_free char *from = i == 1 ? xstrdup(w->path) : xasprintf("%s.%d", w->path, i - 1);
		cleanup_free char *to = xasprintf("%s.%d", w->path, i);
		rename(from, to);
	}
	if (w->max_files <= 1)
		unlink(w->path);
	log_open(w);
}

static void log_write(struct logw *w, const char *buf, size_t len)
{
	if (w->fd >= 0 && len > 0 && brig_write_all(w->fd, buf, len) == 0)
		w->size += (long long)len;
}

/* One read chunk -> CRI lines: each complete line F, a trailing piece P.
 * With rotation, the file is switched between records, never inside one. */
static void emit(struct logw *w, const char *stream, const char *data, size_t n,
		 char *out)
{
	cleanup_free char *ts = timestamp_now();
	size_t tl = strlen(ts), sl = strlen(stream), o = 0;

	while (n > 0) {
		const char *nl = memchr(data, '\n', n);
		size_t len = nl ? (size_t)(nl - data) : n;
		long long rec = (long long)(tl + sl + len + 5);
		if (o + (size_t)rec > MON_OUT) {
			log_write(w, out, o);
			o = 0;
		}
		if (w->max_size > 0 && w->size + (long long)o > 0 &&
		    w->size + (long long)o + rec > w->max_size) {
			log_write(w, out, o);
			o = 0;
			log_rotate(w);
		}
		memcpy(out + o, ts, tl);
		o += tl;
		out[o++] = ' ';
		memcpy(out + o, stream, sl);
		o += sl;
		out[o++] = ' ';
		out[o++] = nl ? 'F' : 'P';
		out[o++] = ' ';
		memcpy(out + o, data, len);
		o += len;
		out[o++] = '\n';
		data += len + (nl ? 1 : 0);
		n -= len + (nl ? 1 : 0);
	}
	log_write(w, out, o);
}

static int exit_code_of(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255;
}

static void record_exit(const struct brig_globals *g, const char *id, int code)
{
	brig_error_t *e = NULL;
	struct container *ct = container_open(g, id, true, &e);

	if (!ct) { /* deleted meanwhile */
		brig_err_free(&e);
		return;
	}
	free(ct->state->status);
	ct->state->status = xstrdup("stopped");
	ct->state->has_exit = true;
	ct->state->exit_code = code;
	free(ct->state->finished);
	ct->state->finished = timestamp_now();
	container_save(ct, &e);
	brig_err_free(&e);
	container_free(ct);
}

static void monitor_loop(const struct brig_globals *g, const char *id, pid_t pid,
			 int fds[2], struct logw *w)
{
	static const char *names[2] = {"stdout", "stderr"};
	char *buf = xmalloc(MON_BUF);
	char *out = xmalloc(MON_OUT);
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	int status = 0;
	bool exited = false;

	while (!exited && (fds[0] >= 0 || fds[1] >= 0 || pfd >= 0)) {
		struct pollfd p[3] = {
			{.fd = fds[0], .events = POLLIN},
			{.fd = fds[1], .events = POLLIN},
			{.fd = pfd, .events = POLLIN},
		};
		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < 2; i++) {
			if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			ssize_t n = read(fds[i], buf, MON_BUF);
			if (n > 0) {
				emit(w, names[i], buf, (size_t)n, out);
			} else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
				close(fds[i]);
				fds[i] = -1;
			}
		}
		if (pfd >= 0 && (p[2].revents & POLLIN)) {
			if (waitpid(pid, &status, WNOHANG) == pid)
				exited = true;
		} else if (pfd < 0 && fds[0] < 0 && fds[1] < 0) {
			break;
		}
	}
	if (!exited && waitpid(pid, &status, 0) != pid)
		status = 255 << 8;
	/* what is still in the pipes; a background process that keeps them
	 * open does not hold us: stop at the first empty read */
	for (int i = 0; i < 2; i++) {
		if (fds[i] < 0)
			continue;
		fcntl(fds[i], F_SETFL, O_NONBLOCK);
		ssize_t n;
		while ((n = read(fds[i], buf, MON_BUF)) > 0 || (n < 0 && errno == EINTR))
			if (n > 0)
				emit(w, names[i], buf, (size_t)n, out);
		close(fds[i]);
	}
	if (w->fd >= 0)
		close(w->fd);
	record_exit(g, id, exit_code_of(status));
	free(buf);
	free(out);
}

static void report(int fd, const char *msg)
{
	size_t n = strlen(msg);
	(void)brig_write_all(fd, msg, n < 4000 ? n : 4000);
	close(fd);
}

/* In the monitor: create (and start), report, then log until the end. */
static void monitor_main(const struct brig_globals *g, const char *id,
			 const struct create_opts *o, bool start, int rep)
{
	struct create_opts o2 = *o;
	struct created cr;
	brig_error_t *e = NULL;
	struct logw w = {.fd = -1, .max_size = o->log_max_size,
			 .max_files = o->log_max_files > 0 ? o->log_max_files : 5};
	int out[2], errp[2], null;
	cleanup_free char *path = NULL;

	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
		report(rep, "E" "log monitor: pipe failed");
		_exit(1);
	}
	fcntl(out[0], F_SETPIPE_SZ, 1 << 20);
	fcntl(errp[0], F_SETPIPE_SZ, 1 << 20);
	if (o->log_path && o->log_path[0]) {
		path = xstrdup(o->log_path);
		w.path = path;
		if (log_open(&w) < 0) {
			cleanup_free char *m = xasprintf("E--log-path: open %s: %s", path, strerror(errno));
			report(rep, m);
			_exit(1);
		}
	}
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0 || dup2(null, 0) < 0 || dup2(out[1], 1) < 0 || dup2(errp[1], 2) < 0) {
		report(rep, "E" "log monitor: redirect stdio failed");
		_exit(1);
	}
	close(out[1]);
	close(errp[1]);
	o2.detach = true; /* no terminal without --console-socket */
	o2.foreground = false;
	if (container_create(g, id, &o2, &cr, &e) < 0)
		goto fail;
	if (!path) {
		path = xasprintf("%s/container.log", cr.ct->dir);
		w.path = path;
		if (log_open(&w) < 0) {
			brig_err(&e, errno, "open %s", path);
			container_destroy(cr.ct, true, NULL);
			goto fail;
		}
	}
	{
		cleanup_free char *info = xasprintf("%s\n%d\n", path, (int)getpid());
		int fd = openat(cr.ct->dir_fd, "log.info", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd >= 0) {
			(void)brig_write_all(fd, info, strlen(info));
			close(fd);
		}
	}
	if (start && container_start(cr.ct, &e) < 0) {
		container_destroy(cr.ct, true, NULL);
		goto fail;
	}
	/* the container has its copies; ours go, so EOF means it is done */
	dup2(null, 1);
	dup2(null, 2);
	close(null);
	pid_t pid = cr.pid;
	container_free(cr.ct); /* drops the lock */
	spec_free(cr.config);
	report(rep, "O");
	malloc_trim(0); /* what create used is not needed any more */
	if (chdir("/") < 0) {
		/* not fatal: only keeps a directory busy */
	}
	int fds[2] = {out[0], errp[0]};
	monitor_loop(g, id, pid, fds, &w);
	_exit(0);
fail: {
	cleanup_free char *m = xasprintf("E%s", e ? e->msg : "create failed");
	report(rep, m);
	_exit(1);
	}
}

int monitor_launch(const struct brig_globals *g, const char *id,
		   const struct create_opts *o, bool start, brig_error_t **err)
{
	struct brig_globals g2 = *g;
	cleanup_free char *root = NULL;
	cleanup_free char *log_path = NULL;
	struct create_opts o2 = *o;
	int rep[2];
	pid_t a;

	if (container_validate_id(id, err) < 0)
		return -1;
	if (o->detach == false && start)
		return brig_err(err, 0, "run: --log-path needs --detach (-d)");
	/* the monitor outlives the caller's cwd assumptions: absolute paths */
	if (g->root[0] != '/') {
		cleanup_free char *cwd = getcwd(NULL, 0);
		root = xasprintf("%s/%s", cwd ? cwd : "", g->root);
		g2.root = root;
	}
	if (o->log_path && o->log_path[0] && o->log_path[0] != '/') {
		cleanup_free char *cwd = getcwd(NULL, 0);
		log_path = xasprintf("%s/%s", cwd ? cwd : "", o->log_path);
		o2.log_path = log_path;
	}
	if (pipe2(rep, O_CLOEXEC) < 0)
		return brig_err(err, errno, "pipe");
	fflush(NULL);
	a = fork();
	if (a < 0) {
		close(rep[0]);
		close(rep[1]);
		return brig_err(err, errno, "fork");
	}
	if (a == 0) {
		close(rep[0]);
		setsid();
		pid_t b = fork();
		if (b < 0) {
			report(rep[1], "Elog monitor: fork failed");
			_exit(1);
		}
		if (b == 0) {
			signal(SIGPIPE, SIG_IGN);
			signal(SIGHUP, SIG_IGN);
			monitor_main(&g2, id, &o2, start, rep[1]);
		}
		_exit(0);
	}
	close(rep[1]);
	while (waitpid(a, NULL, 0) < 0 && errno == EINTR)
		;
	/* one write of at most PIPE_BUF bytes: read it once, not to EOF (a
	 * created init may still hold a copy of the write end) */
	char msg[4096];
	ssize_t len;
	while ((len = read(rep[0], msg, sizeof(msg) - 1)) < 0 && errno == EINTR)
		;
	close(rep[0]);
	if (len <= 0)
		return brig_err(err, 0, "the log monitor died before the container was %s",
				start ? "started" : "created");
	msg[len] = '\0';
	if (msg[0] != 'O')
		return brig_err(err, 0, "%s", msg + 1);
	return 0;
}
