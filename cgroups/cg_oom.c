/* brig — cgroups/: OOM notifications for `events`.
 *
 * v1: an eventfd registered with cgroup.event_control on
 *     memory.oom_control; the kernel counts one event per OOM in the
 *     cgroup (and signals it once more when the cgroup is removed, which
 *     is how "gone" is told: cgroup.event_control no longer exists).
 * v2: inotify on memory.events; a rise of its oom_kill counter is the
 *     number of new OOM kills. */
#include "cgroups/cg_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

struct cg_oom {
	bool v2;
	int fd;   /* eventfd or inotify */
	int ctl;  /* v1: memory.oom_control, kept open while registered */
	char *dir;
	uint64_t last; /* v2: oom_kill seen so far */
};

static uint64_t oom_kills(const char *dir, bool *ok)
{
	cleanup_free char *ev = cg_read(dir, "memory.events");
	const char *p;

	*ok = ev != NULL;
	if (ev == NULL)
		return 0;
	for (p = ev; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, "oom_kill ", 9) == 0)
			return strtoull(p + 9, NULL, 10);
	return 0;
}

struct cg_oom *cg_oom_open(struct cg_manager *m, brig_error_t **err)
{
	struct cg_hier *h = cg_ctrl(m, "memory");
	struct cg_oom *o;
	bool ok;

	if (h == NULL) {
		brig_err(err, 0, "no memory cgroup controller on this host");
		return NULL;
	}
	o = xcalloc(1, sizeof(*o));
	o->v2 = h->v2;
	o->dir = xstrdup(h->dir);
	o->ctl = -1;
	if (o->v2) {
		cleanup_free char *p = xasprintf("%s/memory.events", h->dir);

		o->fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
		if (o->fd < 0 || inotify_add_watch(o->fd, p, IN_MODIFY) < 0) {
			brig_err(err, errno, "watch %s", p);
			goto fail;
		}
		o->last = oom_kills(h->dir, &ok);
		return o;
	}
	{
		cleanup_free char *p = xasprintf("%s/memory.oom_control", h->dir);

		o->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		o->ctl = open(p, O_RDONLY | O_CLOEXEC);
		if (o->fd < 0 || o->ctl < 0) {
			brig_err(err, errno, "open %s", p);
			goto fail;
		}
		if (cg_writef(h->dir, "cgroup.event_control", err, "%d %d",
			      o->fd, o->ctl) < 0)
			goto fail;
	}
	return o;
fail:
	cg_oom_close(o);
	return NULL;
}

int cg_oom_fd(const struct cg_oom *o)
{
	return o->fd;
}

int cg_oom_read(struct cg_oom *o)
{
	uint64_t n = 0;
	bool ok;

	if (o->v2) {
		char buf[4096];
		uint64_t now;

		while (read(o->fd, buf, sizeof(buf)) > 0)
			;
		now = oom_kills(o->dir, &ok);
		if (!ok)
			return -1;
		n = now > o->last ? now - o->last : 0;
		o->last = now;
		return (int)n;
	}
	if (read(o->fd, &n, sizeof(n)) != sizeof(n))
		n = 0;
	if (!cg_file_exists(o->dir, "cgroup.event_control"))
		return -1;
	return (int)n;
}

void cg_oom_close(struct cg_oom *o)
{
	if (o == NULL)
		return;
	if (o->fd >= 0)
		close(o->fd);
	if (o->ctl >= 0)
		close(o->ctl);
	free(o->dir);
	free(o);
}
