/* brig — runtime/restart.c: --restart no|on-failure[:N]|always, kept by
 * the log monitor (monitor.c), the one brig process that outlives the
 * command.
 *
 * When the container's process exits and the policy says so, the monitor
 * waits (100 ms, doubling at each restart up to a minute, back to 100 ms
 * after a run of 10 s or more, as Docker does), then, holding the
 * container's lock: takes down what is left of the last run as delete
 * would (container_teardown: leftover processes, the cgroup, poststop
 * hooks, the networks) but keeps the state directory, and creates and
 * starts the container again through the ordinary create path with the
 * same id and options (create_opts.reuse): what create sets up (cgroups,
 * namespaces, networks and ports), a restart sets up again.
 *
 * A restart does not happen when the container was stopped (`brig stop`
 * leaves STOP_MARKER in its directory) or deleted; while the monitor
 * waits it keeps RESTART_PENDING there, so that `brig stop` of the
 * stopped container means "cancel", and it looks every 50 ms whether the
 * directory is still there. */
#include "runtime.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/proc.h"

#define RESTART_FIRST_DELAY_MS 100
#define RESTART_MAX_DELAY_MS (60 * 1000)
/* a run this long counts as healthy: the delay starts over */
#define RESTART_RESET_MS (10 * 1000)
#define RESTART_POLL_MS 50

int restart_parse(const char *s, struct restart_policy *p, brig_error_t **err)
{
	memset(p, 0, sizeof(*p));
	if (strcmp(s, "no") == 0)
		return 0;
	if (strcmp(s, "always") == 0) {
		p->mode = RESTART_ALWAYS;
		return 0;
	}
	if (strncmp(s, "on-failure", 10) == 0 && (s[10] == '\0' || s[10] == ':')) {
		p->mode = RESTART_ON_FAILURE;
		if (s[10] == '\0')
			return 0;
		char *end;
		long n = strtol(s + 11, &end, 10);
		if (s[11] && !*end && n >= 1 && n <= 1000000) {
			p->max = (int)n;
			return 0;
		}
	}
	memset(p, 0, sizeof(*p));
	return brig_err(err, 0, "--restart: invalid policy \"%s\" (no, on-failure[:N] with "
			"N >= 1, always)", s);
}

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void restart_begin_run(struct restarter *r)
{
	r->started_ms = mono_ms();
}

/* Does the policy ask for another run after this exit? */
static bool policy_wants(const struct restarter *r, int code)
{
	switch (r->policy.mode) {
	case RESTART_ALWAYS:
		return true;
	case RESTART_ON_FAILURE:
		return code != 0 && (r->policy.max == 0 || r->count < r->policy.max);
	default:
		return false;
	}
}

/* Still there (not deleted) and not stopped by the user?  state_fd is the
 * directory itself, open: a removed directory has no links. */
static bool still_wanted(int state_fd)
{
	struct stat sb;

	if (fstat(state_fd, &sb) < 0 || sb.st_nlink == 0)
		return false;
	return faccessat(state_fd, STOP_MARKER, F_OK, AT_SYMLINK_NOFOLLOW) < 0;
}

static void set_pending(int state_fd, bool on)
{
	if (!on) {
		(void)unlinkat(state_fd, RESTART_PENDING, 0);
		return;
	}
	int fd = openat(state_fd, RESTART_PENDING, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
			0600);
	if (fd >= 0)
		close(fd);
}

bool restart_wait(struct restarter *r, int code, int state_fd)
{
	/* the exit is recorded, the restart not yet decided: a `brig stop`
	 * now must still prevent it (stop.c) */
	fault_point("restart-decide");
	if (!policy_wants(r, code) || !still_wanted(state_fd))
		return false;
	if (r->delay_ms == 0 || mono_ms() - r->started_ms >= RESTART_RESET_MS)
		r->delay_ms = RESTART_FIRST_DELAY_MS;
	set_pending(state_fd, true);
	for (long long end = mono_ms() + r->delay_ms; mono_ms() < end;) {
		(void)poll(NULL, 0, RESTART_POLL_MS);
		if (!still_wanted(state_fd)) {
			set_pending(state_fd, false);
			return false;
		}
	}
	r->delay_ms = r->delay_ms * 2 > RESTART_MAX_DELAY_MS ? RESTART_MAX_DELAY_MS
							      : r->delay_ms * 2;
	return true;
}

char *restart_format(const struct restart_policy *p)
{
	switch (p->mode) {
	case RESTART_ALWAYS:
		return xstrdup("always");
	case RESTART_ON_FAILURE:
		return p->max ? xasprintf("on-failure:%d", p->max) : xstrdup("on-failure");
	default:
		return xstrdup("no");
	}
}

static bool kept(const char *name, const char *keep_log)
{
	static const char *const keep[] = {"state.json", "config.json", "log.info", "log.error",
					   SERVICE_FILE, MONITOR_LOCK};

	for (size_t i = 0; i < ARRAY_SIZE(keep); i++)
		if (strcmp(name, keep[i]) == 0)
			return true;
	/* the log and its rotated copies (NAME.1, ...) when they are here */
	return keep_log && strncmp(name, keep_log, strlen(keep_log)) == 0;
}

/* What the last run left in the directory goes, so that create finds it
 * as it finds a new one (it makes some files O_EXCL: exec.fifo, the
 * network's hosts and resolv.conf).  Kept: the log monitor's files, and
 * state.json and config.json, which create replaces (a reader meanwhile
 * still finds the container). */
void container_clear_last_run(int dir_fd, const char *keep_log)
{
	int fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	struct dirent *e;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && !kept(e->d_name, keep_log))
			(void)unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
}

struct count_arg {
	const struct run_step *next;
	int count;
};

/* Between create and start: the count goes into the new state (saved by
 * start), then the monitor's own step. */
static int count_step(struct created *cr, void *arg, brig_error_t **err)
{
	struct count_arg *a = arg;

	cr->ct->state->restart_count = a->count;
	if (container_save(cr->ct, err) < 0)
		return -1;
	return a->next ? a->next->fn(cr, a->next->arg, err) : 0;
}

int restart_run(const struct brig_globals *g, const char *id, const struct create_opts *o,
		struct restarter *r, const char *keep_log, const struct run_step *between,
		struct created *out, brig_error_t **err)
{
	struct container *ct = container_open(g, id, true, err);
	struct create_opts o2 = *o;

	if (!ct)
		return -1; /* deleted meanwhile */
	/* checked again under the lock: a stop that came as we woke */
	if (faccessat(ct->dir_fd, STOP_MARKER, F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
		(void)unlinkat(ct->dir_fd, RESTART_PENDING, 0);
		container_free(ct);
		return brig_err(err, 0, "container \"%s\" was stopped", id);
	}
	cleanup_free char *bundle = xstrdup(ct->state->bundle);
	if (container_teardown(ct, true, err) < 0) {
		(void)unlinkat(ct->dir_fd, RESTART_PENDING, 0);
		container_free(ct);
		return -1;
	}
	container_clear_last_run(ct->dir_fd, keep_log);
	/* the bundle as the first run resolved it: the monitor's working
	 * directory is / by now */
	if (!o2.config_json)
		o2.bundle = bundle;
	o2.reuse = ct;
	r->count++;
	struct count_arg ca = {between, r->count};
	const struct run_step step = {count_step, &ca};
	restart_begin_run(r);
	return container_run(g, id, &o2, true, &step, out, err);
}
