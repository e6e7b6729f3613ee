/* brig — runtime/commands.c: create, run, start, state, kill, delete, spec.
 * (list is in list.c.) */
#include "runtime.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
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

static int one_id(int argc, char **argv, const char *cmd, const char **id,
		  brig_error_t **err)
{
	if (optind >= argc)
		return brig_err(err, 0, "%s: missing container id (usage: brig %s [options] ID)",
				cmd, cmd);
	*id = argv[optind];
	return 0;
}

/* ---- create / run ------------------------------------------------------- */

enum { OPT_PID_FILE = 256, OPT_CONSOLE, OPT_NO_PIVOT, OPT_NO_KEYRING,
       OPT_PRESERVE, OPT_KEEP, OPT_NO_SUBREAPER, OPT_LOG_PATH, OPT_LOG_MAX_SIZE,
       OPT_LOG_MAX_FILES };

static int parse_create_opts(int argc, char **argv, bool is_run,
			     struct create_opts *o, brig_error_t **err)
{
	static const struct option opts[] = {
		{"bundle", required_argument, NULL, 'b'},
		{"pid-file", required_argument, NULL, OPT_PID_FILE},
		{"console-socket", required_argument, NULL, OPT_CONSOLE},
		{"no-pivot", no_argument, NULL, OPT_NO_PIVOT},
		{"no-new-keyring", no_argument, NULL, OPT_NO_KEYRING},
		{"preserve-fds", required_argument, NULL, OPT_PRESERVE},
		{"detach", no_argument, NULL, 'd'},
		{"keep", no_argument, NULL, OPT_KEEP},
		{"no-subreaper", no_argument, NULL, OPT_NO_SUBREAPER},
		{"log-path", required_argument, NULL, OPT_LOG_PATH},
		{"log-max-size", required_argument, NULL, OPT_LOG_MAX_SIZE},
		{"log-max-files", required_argument, NULL, OPT_LOG_MAX_FILES},
		{NULL, 0, NULL, 0},
	};
	int c;

	memset(o, 0, sizeof(*o));
	while ((c = getopt_long(argc, argv, is_run ? "+b:d" : "+b:", opts, NULL)) != -1) {
		switch (c) {
		case 'b': o->bundle = optarg; break;
		case OPT_PID_FILE: o->pid_file = optarg; break;
		case OPT_CONSOLE: o->console_socket = optarg; break;
		case OPT_NO_PIVOT: o->no_pivot = true; break;
		case OPT_NO_KEYRING: o->no_new_keyring = true; break;
		case OPT_NO_SUBREAPER: break;
		case OPT_LOG_PATH: o->logged = true; o->log_path = optarg; break;
		case OPT_LOG_MAX_SIZE: {
			int64_t n;
			o->logged = true;
			if (parse_ram_size(optarg, &n) < 0 || n <= 0)
				return brig_err(err, 0, "--log-max-size: invalid size \"%s\"", optarg);
			/* room for a record's timestamp and tags and some text */
			if (n < 1024)
				return brig_err(err, 0, "--log-max-size: at least 1k, got \"%s\"", optarg);
			o->log_max_size = n;
			break;
		}
		case OPT_LOG_MAX_FILES: {
			char *end;
			long n = strtol(optarg, &end, 10);
			o->logged = true;
			if (*end || n < 1 || n > 1000)
				return brig_err(err, 0, "--log-max-files: invalid number \"%s\"", optarg);
			o->log_max_files = (int)n;
			break;
		}
		case OPT_PRESERVE:
			if (parse_preserve_fds(optarg, &o->preserve_fds) < 0)
				return brig_err(err, 0, "--preserve-fds: invalid number \"%s\"", optarg);
			break;
		case 'd':
			if (!is_run)
				goto bad;
			o->detach = true;
			break;
		case OPT_KEEP:
			if (!is_run)
				goto bad;
			o->keep = true;
			break;
		default:
		bad:
			return brig_err(err, 0, "%s: invalid option (see brig --help)",
					is_run ? "run" : "create");
		}
	}
	return 0;
}

/* Socket activation, as runc does it: descriptors 3 .. 3+LISTEN_FDS-1
 * meant for us (LISTEN_PID) go to the container, before --preserve-fds,
 * with LISTEN_FDS and LISTEN_PID=1 in its environment. */
static int listen_fds(void)
{
	const char *pid = getenv("LISTEN_PID"), *n = getenv("LISTEN_FDS");
	char *end;
	long v;

	if (!pid || !n || strtol(pid, &end, 10) != (long)getpid() || *end)
		return 0;
	v = strtol(n, &end, 10);
	return *end || v < 0 || v > 65536 ? 0 : (int)v;
}

/* After the options: which inherited descriptors go to the container. */
static int keep_fds(struct create_opts *o, brig_error_t **err)
{
	o->listen_fds = listen_fds();
	return brig_close_inherited_fds(o->listen_fds + o->preserve_fds, err);
}

int cmd_create(const struct brig_globals *g, int argc, char **argv, brig_error_t **err)
{
	struct create_opts o;
	struct created cr;
	const char *id = NULL;

	if (parse_create_opts(argc, argv, false, &o, err) < 0 ||
	    one_id(argc, argv, "create", &id, err) < 0 || keep_fds(&o, err) < 0)
		return -1;
	if (o.logged)
		return monitor_launch(g, id, &o, false, err);
	if (container_create(g, id, &o, &cr, err) < 0)
		return -1;
	container_free(cr.ct);
	spec_free(cr.config);
	return 0;
}

int cmd_run(const struct brig_globals *g, int argc, char **argv, brig_error_t **err)
{
	struct create_opts o;
	struct created cr;
	const char *id = NULL;
	int status, code;

	if (parse_create_opts(argc, argv, true, &o, err) < 0 ||
	    one_id(argc, argv, "run", &id, err) < 0 || keep_fds(&o, err) < 0)
		return -1;
	o.foreground = !o.detach;
	if (o.logged)
		return monitor_launch(g, id, &o, true, err);
	if (container_create(g, id, &o, &cr, err) < 0)
		return -1;
	if (container_start(cr.ct, err) < 0) {
		brig_error_t *e2 = NULL;
		container_destroy(cr.ct, true, &e2);
		brig_err_free(&e2);
		container_free(cr.ct);
		spec_free(cr.config);
		return -1;
	}
	if (o.detach) {
		container_free(cr.ct);
		spec_free(cr.config);
		return 0;
	}
	/* let kill, state and delete work on it while we wait */
	flock(cr.ct->dir_fd, LOCK_UN);
	if (cr.pty_master >= 0) {
		status = terminal_proxy_and_wait(cr.pty_master, cr.pid);
		close(cr.pty_master);
	} else {
		status = forward_signals_and_wait(cr.pid);
	}
	code = brig_wait_code(status);
	flock(cr.ct->dir_fd, LOCK_EX);
	if (!o.keep && container_destroy(cr.ct, true, err) < 0)
		code = -1;
	container_free(cr.ct);
	spec_free(cr.config);
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

	/* poststart: a failure is a warning, the container keeps running */
	cleanup_free char *cfg_json = brig_read_file(ct->state->config_path, NULL);
	if (cfg_json && strstr(cfg_json, "\"poststart\"")) {
		brig_error_t *e2 = NULL;
		struct spec_config *c = spec_parse_config(cfg_json, strlen(cfg_json), "config.json", &e2);
		if (c) {
			cleanup_free char *st = spec_state_to_json(ct->state, false);
			if (hooks_run(&c->hooks.poststart, "poststart", st, &e2) < 0)
				brig_err_warn(&e2, NULL);
			spec_free(c);
		}
		brig_err_free(&e2);
	}
	return 0;
}

int cmd_start(const struct brig_globals *g, int argc, char **argv, brig_error_t **err)
{
	const char *id = NULL;
	struct container *ct;
	int r;

	if (getopt_long(argc, argv, "+", (struct option[]){{0}}, NULL) != -1)
		return brig_err(err, 0, "start: invalid option");
	if (one_id(argc, argv, "start", &id, err) < 0)
		return -1;
	ct = container_open(g, id, true, err);
	if (!ct)
		return -1;
	r = container_start(ct, err);
	container_free(ct);
	return r;
}

/* ---- state -------------------------------------------------------------- */

int cmd_state(const struct brig_globals *g, int argc, char **argv, brig_error_t **err)
{
	const char *id = NULL;
	struct container *ct;

	if (getopt_long(argc, argv, "+", (struct option[]){{0}}, NULL) != -1)
		return brig_err(err, 0, "state: invalid option");
	if (one_id(argc, argv, "state", &id, err) < 0)
		return -1;
	ct = container_open(g, id, false, err);
	if (!ct)
		return -1;
	ct->state->status = container_status(ct);
	if (ct->state->status == SPEC_STATUS_STOPPED)
		ct->state->pid = 0;
	cleanup_free char *json = spec_state_to_json(ct->state, false);
	puts(json);
	container_free(ct);
	return 0;
}

/* ---- kill --------------------------------------------------------------- */

static const struct { const char *name; int sig; } signames[] = {
	{"HUP", SIGHUP}, {"INT", SIGINT}, {"QUIT", SIGQUIT}, {"ILL", SIGILL},
	{"TRAP", SIGTRAP}, {"ABRT", SIGABRT}, {"IOT", SIGIOT}, {"BUS", SIGBUS},
	{"FPE", SIGFPE}, {"KILL", SIGKILL}, {"USR1", SIGUSR1}, {"SEGV", SIGSEGV},
	{"USR2", SIGUSR2}, {"PIPE", SIGPIPE}, {"ALRM", SIGALRM}, {"TERM", SIGTERM},
	{"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD}, {"CONT", SIGCONT}, {"STOP", SIGSTOP},
	{"TSTP", SIGTSTP}, {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU}, {"URG", SIGURG},
	{"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF},
	{"WINCH", SIGWINCH}, {"IO", SIGIO}, {"POLL", SIGPOLL}, {"PWR", SIGPWR},
	{"SYS", SIGSYS},
};

int parse_preserve_fds(const char *s, int *n)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*end || end == s || v < 0 || v > 65536)
		return -1;
	*n = (int)v;
	return 0;
}

int parse_signal(const char *s, int *sig)
{
	char *end;
	long n = strtol(s, &end, 10);

	if (*s && !*end) {
		if (n <= 0 || n >= NSIG)
			return -1;
		*sig = (int)n;
		return 0;
	}
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (size_t i = 0; i < ARRAY_SIZE(signames); i++)
		if (strcasecmp(s, signames[i].name) == 0) {
			*sig = signames[i].sig;
			return 0;
		}
	if (strncasecmp(s, "RTMIN", 5) == 0 || strncasecmp(s, "RTMAX", 5) == 0) {
		long off = s[5] ? strtol(s + 5, &end, 10) : 0;
		if (s[5] && *end)
			return -1;
		n = (strncasecmp(s, "RTMIN", 5) == 0 ? SIGRTMIN : SIGRTMAX) + off;
		if (n < SIGRTMIN || n > SIGRTMAX)
			return -1;
		*sig = (int)n;
		return 0;
	}
	return -1;
}

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

int cmd_kill(const struct brig_globals *g, int argc, char **argv, brig_error_t **err)
{
	static const struct option opts[] = {{"all", no_argument, NULL, 'a'}, {NULL, 0, NULL, 0}};
	bool all = false;
	const char *id = NULL;
	int sig = SIGTERM, c, r = 0;
	struct container *ct;

	while ((c = getopt_long(argc, argv, "+a", opts, NULL)) != -1) {
		if (c != 'a')
			return brig_err(err, 0, "kill: invalid option");
		all = true;
	}
	if (one_id(argc, argv, "kill", &id, err) < 0)
		return -1;
	if (optind + 1 < argc && parse_signal(argv[optind + 1], &sig) < 0)
		return brig_err(err, 0, "kill: invalid signal \"%s\"", argv[optind + 1]);
	ct = container_open(g, id, true, err);
	if (!ct)
		return -1;
	enum spec_status status = container_status(ct);
	bool stopped = status == SPEC_STATUS_STOPPED;
	if (stopped && all) {
		/* as runc: --all signals what is left in the cgroup, if any, and
		 * succeeds (containerd's `task delete -f` sends it to a stopped
		 * task) */
		struct cg_manager *cg = ct->state->cgroup_path ?
			cg_load(BRIG_CGROUP_ROOT, ct->state->cgroup_path, NULL) : NULL;
		if (cg)
			cg_kill_all(cg, sig, NULL);
		cg_free(cg);
		container_free(ct);
		return 0;
	}
	if (!status_can_kill(status)) {
		/* "container not running" is runc's text, which containerd's
		 * shim reads back to report the process as already gone */
		brig_err(err, 0, "cannot kill container \"%s\": %s", id,
			 stopped ? "container not running" : "it is creating");
		container_free(ct);
		return -1;
	}
	if (all && ct->state->cgroup_path) {
		struct cg_manager *cg = cg_load(BRIG_CGROUP_ROOT, ct->state->cgroup_path, err);
		r = cg ? cg_kill_all(cg, sig, err) : -1;
		cg_free(cg);
	} else {
		r = signal_init(ct, sig, err);
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

int container_destroy(struct container *ct, bool force, brig_error_t **err)
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
	if (container_remove_dir(ct) < 0)
		return brig_err(err, errno, "remove %s", ct->dir);
	return 0;
}

int cmd_delete(const struct brig_globals *g, int argc, char **argv, brig_error_t **err)
{
	static const struct option opts[] = {{"force", no_argument, NULL, 'f'}, {NULL, 0, NULL, 0}};
	bool force = false;
	const char *id = NULL;
	int c, r;
	struct container *ct;

	while ((c = getopt_long(argc, argv, "+f", opts, NULL)) != -1) {
		if (c != 'f')
			return brig_err(err, 0, "delete: invalid option");
		force = true;
	}
	if (one_id(argc, argv, "delete", &id, err) < 0)
		return -1;
	ct = container_open(g, id, true, err);
	if (!ct) {
		/* --force on a container that is already gone is not an error
		 * (runc does the same); remove a half-written directory */
		if (force && brig_err_is(*err, BRIG_E_NOT_FOUND)) {
			cleanup_free char *dir = xasprintf("%s/%s", g->root, id);
			struct container tmp = {.dir = dir, .dir_fd = -1};
			if (container_validate_id(id, NULL) == 0)
				container_remove_dir(&tmp);
			brig_err_free(err);
			return 0;
		}
		return -1;
	}
	r = container_destroy(ct, force, err);
	container_free(ct);
	return r;
}

/* ---- spec --------------------------------------------------------------- */

int cmd_spec(const struct brig_globals *g, int argc, char **argv, brig_error_t **err)
{
	static const struct option opts[] = {
		{"bundle", required_argument, NULL, 'b'},
		{"rootless", no_argument, NULL, 'r'},
		{NULL, 0, NULL, 0},
	};
	const char *bundle = ".";
	bool rootless = false;
	int c;
	(void)g;

	while ((c = getopt_long(argc, argv, "+b:", opts, NULL)) != -1) {
		if (c == 'b')
			bundle = optarg;
		else if (c == 'r')
			rootless = true;
		else
			return brig_err(err, 0, "spec: invalid option");
	}
	cleanup_free char *path = xasprintf("%s/config.json", bundle);
	cleanup_free char *json = spec_default_config(rootless, getuid(), getgid());
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		if (errno == EEXIST)
			return brig_err(err, 0, "spec: %s exists; remove it first", path);
		return brig_err(err, errno, "spec: create %s", path);
	}
	if (brig_write_all(fd, json, strlen(json)) < 0 || brig_write_all(fd, "\n", 1) < 0) {
		int e = errno;
		close(fd);
		unlink(path);
		return brig_err(err, e, "spec: write %s", path);
	}
	close(fd);
	return 0;
}
