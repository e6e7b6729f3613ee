/* brig — runtime/stop.c: `brig stop [-t SECONDS] ID`, as `docker stop`:
 * SIGTERM to the container's init, up to SECONDS (default 10) for it to
 * exit, then SIGKILL.  The container stays, stopped, for inspection and
 * `delete`; a log monitor keeping a --restart policy
 * (restart.c) is told not to restart it, now or later. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "base/proc.h"

#define STOP_DEFAULT_TIMEOUT 10
/* After SIGKILL: an init of a pid namespace ends once its other processes
 * are reaped, which can take a moment. */
#define STOP_KILL_WAIT_MS 10000

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait up to ms for the process behind pfd to exit (a zombie counts: its
 * parent, the monitor or whoever adopted it, reaps it). */
static bool wait_exit(int pfd, long long ms)
{
	long long end = now_ms() + ms;

	for (;;) {
		long long left = end - now_ms();
		struct pollfd p = {.fd = pfd, .events = POLLIN};
		int n = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)(left < 0 ? 0 : left));
		if (n > 0)
			return true;
		if (n == 0 || (n < 0 && errno != EINTR))
			return false;
	}
}

/* The marker the log monitor reads before each restart (restart.c). */
static int mark_stopped(struct container *ct, brig_error_t **err)
{
	int fd = openat(ct->dir_fd, STOP_MARKER, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
			0600);

	if (fd < 0)
		return brig_err(err, errno, "stop container \"%s\": write %s/%s", ct->id,
				ct->dir, STOP_MARKER);
	close(fd);
	return 0;
}

static bool restart_pending(struct container *ct)
{
	return faccessat(ct->dir_fd, RESTART_PENDING, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

/* Is status one stop can end?  A stopped container waiting to be
 * restarted is: stop cancels the restart.  So is one whose monitor is
 * still alive: its process has just exited, and the monitor may not have
 * decided on a restart yet (no RESTART_PENDING); the marker stops that
 * one too, where an error would let a crash-looping service run on. */
static int check_stoppable(struct container *ct, enum spec_status st, brig_error_t **err)
{
	if (st == SPEC_STATUS_RUNNING || st == SPEC_STATUS_CREATED)
		return 0;
	if (st == SPEC_STATUS_STOPPED && (restart_pending(ct) || service_monitor_alive(ct)))
		return 0;
	if (st == SPEC_STATUS_PAUSED)
		return brig_err(err, 0, "cannot stop container \"%s\": it is paused "
				"(brig resume it first)", ct->id);
	return brig_err(err, 0, "cannot stop container \"%s\": it is %s, not running",
			ct->id, spec_status_name(st));
}

/* TERM, the grace period, KILL.  The lock is held throughout: the monitor
 * records the exit once we are done, and cannot restart meanwhile. */
static int terminate(struct container *ct, int timeout, brig_error_t **err)
{
	cleanup_close int pfd = brig_pidfd_open(ct->state->pid);

	if (pfd < 0 || !container_alive(ct))
		return 0; /* gone meanwhile: stopped all the same */
	if (syscall(SYS_pidfd_send_signal, pfd, SIGTERM, NULL, 0) < 0 && errno != ESRCH)
		return brig_err(err, errno, "stop container \"%s\": SIGTERM", ct->id);
	if (wait_exit(pfd, (long long)timeout * 1000))
		return 0;
	brig_debug("stop %s: no exit %d s after SIGTERM, SIGKILL", ct->id, timeout);
	if (syscall(SYS_pidfd_send_signal, pfd, SIGKILL, NULL, 0) < 0 && errno != ESRCH)
		return brig_err(err, errno, "stop container \"%s\": SIGKILL", ct->id);
	if (!wait_exit(pfd, STOP_KILL_WAIT_MS))
		return brig_err(err, 0, "stop container \"%s\": process %d did not exit "
				"after SIGKILL", ct->id, (int)ct->state->pid);
	return 0;
}

int container_stop(const struct brig_globals *g, const char *id, int timeout,
		   brig_error_t **err)
{
	struct container *ct = container_open(g, id, true, err);
	int r = -1;

	if (!ct)
		return -1;
	enum spec_status st = container_status(ct);
	if (check_stoppable(ct, st, err) == 0 && mark_stopped(ct, err) == 0)
		r = st == SPEC_STATUS_STOPPED ? 0 : terminate(ct, timeout, err);
	container_free(ct);
	return r;
}

/* ---- the command line ------------------------------------------------------ */

static const struct option stop_longopts[] = {
	{"time", required_argument, NULL, 't'},
	{"timeout", required_argument, NULL, 't'},
	{NULL, 0, NULL, 0},
};
const struct cli_options cli_opts_stop = {"+t:", stop_longopts};

int cli_parse_stop(int argc, char **argv, int *timeout, const char **id, brig_error_t **err)
{
	int c;

	*timeout = STOP_DEFAULT_TIMEOUT;
	while ((c = getopt_long(argc, argv, cli_opts_stop.shortopts, cli_opts_stop.longopts,
				NULL)) != -1) {
		if (c != 't')
			return brig_err(err, 0, "stop: invalid option \"%s\" (see brig stop --help)",
					cli_refused(argv));
		char *end;
		long n = strtol(optarg, &end, 10);
		/* a day is more than any service needs to shut down */
		if (!*optarg || *end || n < 0 || n > 86400)
			return brig_err(err, 0, "stop: -t: invalid number of seconds \"%s\" "
					"(0 to 86400)", optarg);
		*timeout = (int)n;
	}
	if (optind >= argc)
		return brig_err(err, 0, "stop: missing container id (usage: brig stop [-t SECONDS] ID)");
	if (argc - optind > 1)
		return brig_err(err, 0, "stop: one container id, got %d", argc - optind);
	*id = argv[optind];
	return 0;
}

int cmd_stop(const struct brig_globals *g, int argc, char **argv, brig_error_t **err)
{
	const char *id = NULL;
	int timeout;

	if (cli_parse_stop(argc, argv, &timeout, &id, err) < 0)
		return -1;
	return container_stop(g, id, timeout, err);
}
