/* brig — cgroups/: kill everything in a cgroup and remove it (delete
 * --force).
 *
 * Every hierarchy is searched, sub-cgroups included: a process put into
 * only one of them (by hand, or by another tool) keeps that one busy.  A
 * frozen cgroup is thawed first: a SIGKILL to a frozen task does not take
 * effect until it is thawed.  Then kill and rmdir are retried until the
 * deadline; what is still there then is named in the error, with its
 * state from /proc ("1234 (D)": stuck in uninterruptible sleep), and the
 * cgroup is left for a later try. */
#include "cgroups/cg_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

struct pidset {
	pid_t *v;
	size_t n, cap;
};

static void pidset_add(struct pidset *s, pid_t p)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i] == p)
			return;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->v = xrealloc(s->v, s->cap * sizeof(pid_t));
	}
	s->v[s->n++] = p;
}

/* The pids in dir and its sub-cgroups (a vanished directory adds none). */
static void collect(const char *dir, struct pidset *s, int depth)
{
	cleanup_free pid_t *pids = NULL;
	brig_error_t *e = NULL;
	struct dirent *d;
	size_t n = 0;
	DIR *dd;

	if (cg_read_procs(dir, &pids, &n, &e) == 0)
		for (size_t i = 0; i < n; i++)
			pidset_add(s, pids[i]);
	brig_err_free(&e);
	if (depth > 32 || (dd = opendir(dir)) == NULL)
		return;
	while ((d = readdir(dd)) != NULL) {
		cleanup_free char *sub = NULL;

		if (d->d_type != DT_DIR || d->d_name[0] == '.')
			continue;
		sub = xasprintf("%s/%s", dir, d->d_name);
		collect(sub, s, depth + 1);
	}
	closedir(dd);
}

/* Every pid left in any hierarchy; returns the first (in m's order)
 * whose cgroup still holds one. */
static const char *collect_all(struct cg_manager *m, struct pidset *s)
{
	const char *busy = NULL;

	for (size_t i = 0; i < m->n; i++) {
		struct pidset one = {0};

		collect(m->h[i].dir, &one, 0);
		if (busy == NULL && one.n > 0)
			busy = m->h[i].dir;
		for (size_t j = 0; j < one.n; j++)
			pidset_add(s, one.v[j]);
		free(one.v);
	}
	return busy;
}

/* The one-letter state of pid from /proc/<pid>/stat, '?' when gone. */
static char proc_state(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t r;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return '?';
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (r <= 0)
		return '?';
	buf[r] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] ? p[2] : '?';
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void kill_round(struct cg_manager *m)
{
	struct pidset s = {0};
	struct cg_hier *u = cg_unified(m);
	brig_error_t *e = NULL;

	if (u && cg_file_exists(u->dir, "cgroup.kill")) {
		cg_write(u->dir, "cgroup.kill", "1", &e);
		brig_err_free(&e);
	}
	collect_all(m, &s);
	for (size_t i = 0; i < s.n; i++)
		kill(s.v[i], SIGKILL);
	free(s.v);
}

int cg_kill_destroy(struct cg_manager *m, int timeout_ms, brig_error_t **err)
{
	long deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	brig_error_t *last = NULL;
	struct pidset s = {0};
	const char *busy;

	struct cg_hier *u = cg_unified(m);
	brig_error_t *e = NULL;

	if (m->ops->is_frozen(m))
		m->ops->thaw(m, &e);
	brig_err_free(&e);
	/* hybrid: the unified cgroup has a cgroup.freeze of its own */
	if (m->layout == CG_LAYOUT_HYBRID && u && cg_file_exists(u->dir, "cgroup.freeze"))
		cg_write(u->dir, "cgroup.freeze", "0", &e);
	brig_err_free(&e);
	for (;;) {
		kill_round(m);
		brig_err_free(&last);
		m->rmdir_budget_ms = 0; /* the retrying is done here */
		if (m->ops->destroy(m, &last) == 0)
			return 0;
		if (now_ms() >= deadline)
			break;
		cg_sleep_ms(20);
	}
	busy = collect_all(m, &s);
	if (s.n == 0) {
		/* empty, yet the kernel would not let it go */
		*err = last;
		return brig_err_prefix(err, "remove cgroup %s", m->h[0].rel);
	}
	brig_err_free(&last);

	char list[512];
	size_t o = 0;

	list[0] = '\0';
	for (size_t i = 0; i < s.n && o < sizeof(list) - 64; i++)
		o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%d (%c)",
				      i ? ", " : "", (int)s.v[i], proc_state(s.v[i]));
	if (o >= sizeof(list) - 64 && s.n > 1)
		snprintf(list + o, sizeof(list) - o, ", ...");
	brig_err(err, 0, "cgroup %s still has processes after SIGKILL: %s",
		 busy ? busy : m->h[0].dir, list);
	free(s.v);
	return -1;
}
