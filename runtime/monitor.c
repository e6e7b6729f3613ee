/* brig — runtime/monitor.c: the log monitor of `create`/`run -d --log-path`.
 *
 * The caller forks; the child calls setsid() and forks again, so the
 * monitor is nobody's child but init's and outlives the caller. The
 * monitor points its own stdout/stderr at two pipes and runs the normal
 * create path (and start, for run): the container's init is its child and
 * inherits the pipes' write ends. It reports READY or ERROR with the text
 * back to the caller over the channel (channel.c, as the init does to
 * create), then loops: poll() on the two read ends and
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
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/proc.h"

#define MON_BUF (64 * 1024)
/* records are written out whenever the next one might not fit */
#define MON_OUT (MON_BUF + 4096)

struct logw {
	const char *path;   /* for messages */
	char *name;         /* its last component, the name in dirfd */
	int dirfd;          /* the log's directory, opened once, before the container runs */
	int state_fd;       /* the state directory (log.error), or -1 */
	int fd;             /* the current file: one we created, or checked */
	uid_t uid;          /* who owns the files we write */
	long long size;
	long long max_size; /* 0: no rotation */
	int max_files;      /* files kept, the current one included */
};

/* The directory once, then the current file: created, or when it is
 * already there (appended to), only a regular file of ours with one link.
 * A symlink, FIFO, device, directory or hard link is refused: the caller
 * is still there to read why.  dir: see struct create_opts. */
static int log_open(struct logw *w, const struct dir_ident *dir, brig_error_t **err)
{
	struct stat sb;

	w->uid = geteuid();
	w->dirfd = dir_open_parent(w->path, &w->name, err);
	if (w->dirfd < 0)
		return -1;
	/* a rerun's: nothing is made in a directory that replaced the first */
	if (dir_ident_check(w->dirfd, dir, NULL, w->path, err) < 0)
		return -1;
	for (int tries = 0; w->fd < 0; tries++) {
		w->fd = openat(w->dirfd, w->name, O_WRONLY | O_APPEND | O_CREAT | O_EXCL |
			       O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0640);
		if (w->fd >= 0)
			break;
		if (errno != EEXIST || tries == 8)
			return brig_err(err, errno, "create %s", w->path);
		w->fd = safefile_open(w->dirfd, w->name, w->path, O_WRONLY | O_APPEND, w->uid, err);
		if (w->fd < 0 && (*err)->code != ENOENT) /* ENOENT: gone meanwhile */
			return -1;
		brig_err_free(err);
	}
	w->size = fstat(w->fd, &sb) == 0 ? sb.st_size : 0;
	return 0;
}

/* No new file could be put in place: say so where `brig logs` looks. */
static void log_failed(struct logw *w, const char *why)
{
	cleanup_free char *ts = timestamp_now();
	cleanup_free char *msg = xasprintf("log monitor: %s: no new log file at rotation (%s); "
					   "output is dropped until the next rotation", w->path, why);
	cleanup_free char *line = xasprintf("%s %s\n", ts, msg);
	int fd = w->state_fd < 0 ? -1 :
		 openat(w->state_fd, "log.error", O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
			O_CLOEXEC, 0600);

	if (fd >= 0) {
		(void)brig_write_all(fd, line, strlen(line));
		close(fd);
	}
	brig_warn("%s", msg); /* to the --log file, if any */
}

/* FILE -> FILE.1 -> FILE.2 ...: names are moved, whatever they hold, and
 * nothing is opened. Then a new file of ours, made O_EXCL under a name
 * nobody can guess and renamed over FILE: what the container planted there
 * (a symlink, a FIFO, a hard link) is replaced, a directory swapped out. */
static void log_rotate(struct logw *w)
{
	cleanup_free char *tmp = NULL;
	brig_error_t *e = NULL;

	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	w->size = 0;
	for (int i = w->max_files - 1; i >= 1; i--) {
		cleanup_free char *from = i == 1 ? xstrdup(w->name) : xasprintf("%s.%d", w->name, i - 1);
		cleanup_free char *to = xasprintf("%s.%d", w->name, i);
		(void)renameat(w->dirfd, from, w->dirfd, to);
	}
	int fd = safefile_tmp(w->dirfd, "brig-log", 0640, &tmp, &e);
	if (fd < 0) {
		log_failed(w, e->msg);
		brig_err_free(&e);
		return;
	}
	if (renameat(w->dirfd, tmp, w->dirfd, w->name) < 0) {
		int r = errno;
		if (renameat2(w->dirfd, tmp, w->dirfd, w->name, RENAME_EXCHANGE) < 0) {
			cleanup_free char *why = xasprintf("rename into place: %s", strerror(r));
			unlinkat(w->dirfd, tmp, 0);
			close(fd);
			log_failed(w, why);
			return;
		}
		/* what was in the way now has our temporary name */
		if (unlinkat(w->dirfd, tmp, 0) < 0)
			(void)unlinkat(w->dirfd, tmp, AT_REMOVEDIR);
	}
	w->fd = fd;
}

/* Output dropped for want of a file counts too: the next rotation point
 * tries again. After a failed write (a full disk) the file says how much
 * of it went in. */
static void log_write(struct logw *w, const char *buf, size_t len)
{
	struct stat sb;

	if (len == 0)
		return;
	if (w->fd < 0 || brig_write_all(w->fd, buf, len) == 0)
		w->size += (long long)len;
	else if (fstat(w->fd, &sb) == 0)
		w->size = sb.st_size;
}

/* One read chunk -> CRI lines: each complete line F, a trailing piece P.
 * With rotation, the file is switched between records, never inside one,
 * and no file grows past max_size: a line that would not fit in a whole
 * file is cut into P pieces that do. */
static void emit(struct logw *w, const char *stream, const char *data, size_t n,
		 char *out)
{
	cleanup_free char *ts = timestamp_now();
	size_t tl = strlen(ts), sl = strlen(stream), o = 0;
	size_t hdr = tl + sl + 4; /* TS ' ' STREAM ' ' TAG ' ' ... '\n' */

	while (n > 0) {
		const char *nl = memchr(data, '\n', n);
		size_t len = nl ? (size_t)(nl - data) : n;
		bool whole = nl != NULL;
		if (w->max_size > (long long)(hdr + 1) && (long long)(hdr + len + 1) > w->max_size) {
			len = (size_t)w->max_size - hdr - 1;
			whole = false;
		}
		size_t rec = hdr + len + 1;
		if (o + rec > MON_OUT) {
			log_write(w, out, o);
			o = 0;
		}
		if (w->max_size > 0 && w->size + (long long)o > 0 &&
		    w->size + (long long)(o + rec) > w->max_size) {
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
		out[o++] = whole ? 'F' : 'P';
		out[o++] = ' ';
		memcpy(out + o, data, len);
		o += len;
		out[o++] = '\n';
		data += len + (whole ? 1 : 0);
		n -= len + (whole ? 1 : 0);
	}
	log_write(w, out, o);
}

static void record_exit(const struct brig_globals *g, const char *id, int code)
{
	brig_error_t *e = NULL;
	struct container *ct = container_open(g, id, true, &e);

	if (!ct) { /* deleted meanwhile */
		brig_err_free(&e);
		return;
	}
	ct->state->status = SPEC_STATUS_STOPPED;
	ct->state->has_exit = true;
	ct->state->exit_code = code;
	free(ct->state->finished);
	ct->state->finished = timestamp_now();
	container_save(ct, &e);
	brig_err_free(&e);
	container_free(ct);
}

/* Log the run's output until its init exits; record and return its exit
 * code.  The log stays open for the next run. */
static int monitor_loop(const struct brig_globals *g, const char *id, pid_t pid,
			int fds[2], struct logw *w)
{
	static const char *names[2] = {"stdout", "stderr"};
	char *buf = xmalloc(MON_BUF);
	char *out = xmalloc(MON_OUT);
	int pfd = brig_pidfd_open(pid);
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
	/* what is still in the pipes, and no more: a background process that
	 * keeps them open (the container shares our pid namespace) does not
	 * hold us, neither by staying silent (stop at the first empty read)
	 * nor by writing on and on (read only what the pipe held now; else
	 * the exit is never recorded and `brig start` finds us running) */
	for (int i = 0; i < 2; i++) {
		int left = 0;
		if (fds[i] < 0)
			continue;
		fcntl(fds[i], F_SETFL, O_NONBLOCK);
		(void)ioctl(fds[i], FIONREAD, &left);
		while (left > 0) {
			ssize_t n = read(fds[i], buf, left < MON_BUF ? (size_t)left : MON_BUF);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			emit(w, names[i], buf, (size_t)n, out);
			left -= (int)n;
		}
		close(fds[i]);
	}
	if (pfd >= 0)
		close(pfd);
	int code = brig_wait_code(status);
	record_exit(g, id, code);
	free(buf);
	free(out);
	return code;
}

/* A line of ours in the log, where the container's output goes. */
static void log_note(struct logw *w, const char *msg)
{
	cleanup_free char *line = xasprintf("brig: %s\n", msg);
	cleanup_free char *out = xmalloc(MON_OUT);

	emit(w, "stderr", line, strlen(line), out);
}

/* Our stdout/stderr become the write ends of two new pipes, which the
 * init inherits; fds gets their read ends. */
static int pipes_to_stdio(int fds[2])
{
	int out[2], errp[2];

	if (pipe2(out, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(errp, O_CLOEXEC) < 0) {
		close(out[0]);
		close(out[1]);
		return -1;
	}
	fcntl(out[0], F_SETPIPE_SZ, 1 << 20);
	fcntl(errp[0], F_SETPIPE_SZ, 1 << 20);
	int r = dup2(out[1], 1) < 0 || dup2(errp[1], 2) < 0 ? -1 : 0;
	close(out[1]);
	close(errp[1]);
	fds[0] = out[0];
	fds[1] = errp[0];
	if (r < 0) {
		close(out[0]);
		close(errp[0]);
	}
	return r;
}

/* The container has its copies of the pipes; ours go, so EOF means it is
 * done. */
static void stdio_to_null(int null)
{
	dup2(null, 1);
	dup2(null, 2);
}

/* --restart: run after run while the policy asks (restart.c); each run
 * goes through create and start again. */
static void restart_loop(const struct brig_globals *g, const char *id,
			 const struct create_opts *o, pid_t pid, int fds[2], struct logw *w,
			 int null)
{
	struct restarter rs = {.policy = o->restart};
	struct stat a, b;
	/* the log is in the state directory (--log-path ''): keep it there */
	bool here = fstat(w->dirfd, &a) == 0 && fstat(w->state_fd, &b) == 0 &&
		    a.st_dev == b.st_dev && a.st_ino == b.st_ino;

	restart_begin_run(&rs);
	for (;;) {
		int code = monitor_loop(g, id, pid, fds, w);
		if (!restart_wait(&rs, code, w->state_fd))
			return;
		struct created cr;
		brig_error_t *e = NULL;
		if (pipes_to_stdio(fds) < 0) {
			log_note(w, "restart: pipe failed");
			return;
		}
		int r = restart_run(g, id, o, &rs, here ? w->name : NULL, NULL, &cr, &e);
		stdio_to_null(null);
		if (r < 0) {
			close(fds[0]);
			close(fds[1]);
			if (e) {
				cleanup_free char *msg = xasprintf("restart: %s", e->msg);
				log_note(w, msg);
			}
			brig_err_free(&e);
			return;
		}
		pid = cr.pid;
		created_free(&cr); /* drops the lock */
	}
}

/* log.info, read by `brig logs`: the log's path, our pid, and the
 * identity of its directory. */
static void write_log_info(struct container *ct, const struct logw *w)
{
	struct stat d;
	cleanup_free char *info = fstat(w->dirfd, &d) < 0 ?
		xasprintf("%s\n%d\n", w->path, (int)getpid()) :
		xasprintf("%s\n%d\n%llu %llu %u\n", w->path, (int)getpid(),
			  (unsigned long long)d.st_dev, (unsigned long long)d.st_ino,
			  (unsigned)w->uid);
	int fd = openat(ct->dir_fd, "log.info", O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
			O_CLOEXEC, 0600);
	if (fd >= 0) {
		(void)brig_write_all(fd, info, strlen(info));
		close(fd);
	}
}

struct open_log_arg {
	const struct brig_globals *g;
	int *lock_fd; /* MONITOR_LOCK, held for the monitor's life */
	struct logw *w;
	struct create_opts *o; /* the monitor's, which reruns use too */
	char **path;
};

/* At the first run, the directories of the log and the pid file, for the
 * reruns to check (log_open, write_pid_file) and for service.json. */
static int note_dirs(struct create_opts *o, const struct logw *w, brig_error_t **err)
{
	dir_ident_get(w->dirfd, &o->log_dir);
	if (o->pid_file && !o->pid_dir.set) {
		cleanup_free char *name = NULL;
		cleanup_close int dfd = dir_open_parent(o->pid_file, &name, err);
		if (dfd < 0)
			return brig_err_prefix(err, "--pid-file");
		dir_ident_get(dfd, &o->pid_dir);
	}
	return 0;
}

/* Between create and start (container_run): the log is opened now, not
 * before: the init, already forked, holds no descriptor of it or of its
 * directory while it waits for start, and the container has not run yet. */
static int open_log_step(struct created *cr, void *arg, brig_error_t **err)
{
	struct open_log_arg *a = arg;
	struct logw *w = a->w;
	struct create_opts *o = a->o;

	if (o->log_path && o->log_path[0])
		*a->path = xstrdup(o->log_path);
	else
		*a->path = xasprintf("%s/container.log", cr->ct->dir);
	w->path = *a->path;
	/* its own open file: a dup would share the flock */
	w->state_fd = openat(cr->ct->dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (log_open(w, &o->log_dir, err) < 0) {
		if (o->log_path && o->log_path[0])
			brig_err_prefix(err, "--log-path");
		return -1;
	}
	if (note_dirs(o, w, err) < 0)
		return -1;
	write_log_info(cr->ct, w);
	/* what `brig start` runs it with again once it has stopped */
	return service_record(a->g, cr->ct, o, a->lock_fd, err);
}

/* The one word to the command that launched us, over the channel
 * (channel.c): READY (e NULL), or ERROR with e's errno, kind and text, as
 * the init sends its own; then our end is closed. */
static void report(int fd, const brig_error_t *e)
{
	if (e)
		(void)chan_send_error(fd, e);
	else
		(void)chan_send(fd, CHAN_READY, NULL, -1);
	close(fd);
}

static void report_failure(int fd, const char *msg)
{
	cleanup_err brig_error_t *e = NULL;

	brig_err(&e, 0, "%s", msg);
	report(fd, e);
}

/* In the monitor: create (and start), report, then log until the end. */
static void monitor_main(const struct brig_globals *g, const char *id,
			 const struct create_opts *o, bool start, int rep)
{
	struct create_opts o2 = *o;
	struct created cr;
	brig_error_t *e = NULL;
	struct logw w = {.fd = -1, .dirfd = -1, .state_fd = -1, .max_size = o->log_max_size,
			 .max_files = o->log_max_files > 0 ? o->log_max_files : 5};
	int fds[2], null;
	cleanup_free char *path = NULL;

	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0 || dup2(null, 0) < 0 || pipes_to_stdio(fds) < 0) {
		report_failure(rep, "log monitor: redirect stdio to pipes failed");
		_exit(1);
	}
	o2.detach = true; /* no terminal without --console-socket */
	o2.foreground = false;
	int lock_fd = -1; /* never closed: the lock lasts as long as we do */
	struct open_log_arg la = {.g = g, .lock_fd = &lock_fd, .w = &w, .o = &o2, .path = &path};
	const struct run_step open_log = {open_log_step, &la};
	cleanup_free char *bundle = NULL;
	if (o->again) {
		/* brig start of the stopped service (service.c) */
		o2.reuse = service_take(g, id, o, &lock_fd, &bundle, &e);
		close(o->again_dir_fd); /* compared: not needed any more */
		if (!o2.reuse)
			goto fail;
		o2.bundle = bundle;
	}
	if (container_run(g, id, &o2, start, &open_log, &cr, &e) < 0)
		goto fail;
	stdio_to_null(null);
	pid_t pid = cr.pid;
	created_free(&cr); /* drops the lock */
	report(rep, NULL);
	malloc_trim(0); /* what create used is not needed any more */
	if (chdir("/") < 0) {
		/* not fatal: only keeps a directory busy */
	}
	restart_loop(g, id, &o2, pid, fds, &w, null);
	_exit(0);
fail: {
	if (e)
		report(rep, e);
	else
		report_failure(rep, "create failed");
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
		return brig_err(err, 0, "run: %s needs --detach (-d)",
				o->restart.mode != RESTART_NO ? "--restart" : "--log-path");
	/* the monitor outlives the caller's cwd assumptions: absolute paths */
	if (g->root[0] != '/') {
		cleanup_free char *cwd = getcwd(NULL, 0);
		root = xasprintf("%s/%s", cwd ? cwd : "", g->root);
		g2.root = root;
	}
	/* a restart reads the networks again, from / */
	cleanup_free char *net_dir = NULL;
	if (g->network_dir && g->network_dir[0] != '/') {
		cleanup_free char *cwd = getcwd(NULL, 0);
		net_dir = xasprintf("%s/%s", cwd ? cwd : "", g->network_dir);
		g2.network_dir = net_dir;
	}
	if (o->log_path && o->log_path[0] && o->log_path[0] != '/') {
		cleanup_free char *cwd = getcwd(NULL, 0);
		log_path = xasprintf("%s/%s", cwd ? cwd : "", o->log_path);
		o2.log_path = log_path;
	}
	/* a restart writes the pid file again, from / */
	cleanup_free char *pid_file = NULL;
	if (o->pid_file && o->pid_file[0] != '/') {
		cleanup_free char *cwd = getcwd(NULL, 0);
		pid_file = xasprintf("%s/%s", cwd ? cwd : "", o->pid_file);
		o2.pid_file = pid_file;
	}
	/* its word comes back over the channel the init uses (channel.c) */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, rep) < 0)
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
			report_failure(rep[1], "log monitor: fork failed");
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
	/* one message: read it once, not to EOF (a created init may still
	 * hold a copy of the monitor's end) */
	cleanup_free char *msg = NULL;
	int t = chan_recv(rep[0], &msg, NULL);
	close(rep[0]);
	if (t != CHAN_READY && t != CHAN_ERROR)
		return brig_err(err, 0, "the log monitor died before the container was %s",
				start ? "started" : "created");
	if (t == CHAN_ERROR) {
		chan_error(msg, "", err);
		/* the cap of the pipe this replaced: one write of 4000 bytes */
		if (strlen((*err)->msg) > 3999)
			(*err)->msg[3999] = '\0';
		return -1;
	}
	return 0;
}
