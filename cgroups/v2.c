/* brig — cgroups/: the cgroup v2 backend (also the unified half of hybrid).
 *
 * One tree.  A controller is usable in a cgroup only when every ancestor
 * lists it in cgroup.subtree_control, so cg_create enables, in each
 * ancestor, every controller that ancestor offers (cgroup.controllers), as
 * runc does.  A controller that cannot be enabled (an ancestor with
 * processes of its own, say) is left off silently: writing one of its
 * files then fails with ENOENT, and that error names the file.  Freezing
 * is cgroup.freeze, done when cgroup.events reads "frozen 1". */
#include "cgroups/cg_internal.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

static void enable_controllers(const char *dir)
{
	cleanup_free char *avail = cg_read(dir, "cgroup.controllers");
	char *save = NULL, *tok;

	if (avail == NULL)
		return;
	for (tok = strtok_r(avail, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		brig_error_t *e = NULL;

		/* one at a time: one refusal must not cost the others; one
		 * already enabled is a no-op for the kernel */
		cg_writef(dir, "cgroup.subtree_control", &e, "+%s", tok);
		brig_err_free(&e);
	}
}

void cg_v2_enable_ancestors(const struct cg_hier *h)
{
	cleanup_free char *rel = xstrdup(h->rel), *dir = xstrdup(h->mnt);
	char *save = NULL, *tok = strtok_r(rel, "/", &save), *next;

	for (; tok; tok = next) {
		char *sub;

		next = strtok_r(NULL, "/", &save);
		enable_controllers(dir);
		if (next == NULL)
			break;
		sub = xasprintf("%s/%s", dir, tok);
		free(dir);
		dir = sub;
	}
}

int cg_v2_create(struct cg_manager *m, brig_error_t **err)
{
	struct cg_hier *h = cg_unified(m);
	cleanup_free char *rel = NULL, *dir = NULL;
	char *save = NULL, *tok, *next;

	if (h == NULL)
		return 0;
	rel = xstrdup(h->rel);
	dir = xstrdup(h->mnt);
	tok = strtok_r(rel, "/", &save);
	while (tok) {
		char *sub;

		enable_controllers(dir);
		next = strtok_r(NULL, "/", &save);
		sub = xasprintf("%s/%s", dir, tok);
		free(dir);
		dir = sub;
		if (next == NULL && h->joined) /* there already, found empty */
			break;
		if (mkdir(dir, 0755) == 0) {
			h->created = next == NULL;
		} else if (errno != EEXIST) {
			return brig_err(err, errno, "mkdir %s", dir);
		} else if (next == NULL) {
			/* missing when cg_new looked: someone else's */
			return brig_err(err, EEXIST, "mkdir %s: made by someone else "
					"meanwhile", dir);
		}
		tok = next;
	}
	return 0;
}

int cg_v2_enter(struct cg_manager *m, pid_t pid, brig_error_t **err)
{
	struct cg_hier *h = cg_unified(m);

	return h ? cg_write_pid(h->dir, pid, err) : 0;
}

int cg_v2_destroy(struct cg_manager *m, brig_error_t **err)
{
	struct cg_hier *h = cg_unified(m);

	if (h == NULL)
		return 0;
	if (h->joined)
		return cg_empty_joined(h->dir, &m->rmdir_budget_ms, err);
	if (cg_rmdir_tree(h->dir, &m->rmdir_budget_ms, err) < 0)
		return -1;
	cg_rmdir_default_parent(h->mnt, h->rel);
	return 0;
}

/* "frozen 1" in cgroup.events: 1, "frozen 0": 0, unreadable: -1. */
static int events_frozen(const char *dir)
{
	cleanup_free char *ev = cg_read(dir, "cgroup.events");
	char *p;

	if (ev == NULL)
		return -1;
	for (p = ev; p; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, "frozen ", 7) == 0)
			return p[7] == '1';
	}
	return -1;
}

static int set_frozen(struct cg_manager *m, bool want, brig_error_t **err)
{
	struct cg_hier *h = cg_unified(m);

	if (cg_write(h->dir, "cgroup.freeze", want ? "1" : "0", err) < 0)
		return -1;
	/* about 2 s; an empty cgroup is frozen at once */
	for (int i = 0; i < 1000; i++) {
		int f = events_frozen(h->dir);

		if (f < 0)
			return brig_err(err, errno, "read %s/cgroup.events", h->dir);
		if (f == want)
			return 0;
		cg_sleep_ms(i < 10 ? 1 : 2);
	}
	return brig_err(err, ETIMEDOUT, "%s %s", want ? "freeze" : "thaw", h->dir);
}

static int v2_freeze(struct cg_manager *m, brig_error_t **err)
{
	brig_error_t *e2 = NULL;

	if (set_frozen(m, true, err) < 0) {
		set_frozen(m, false, &e2);
		brig_err_free(&e2);
		return -1;
	}
	return 0;
}

static int v2_thaw(struct cg_manager *m, brig_error_t **err)
{
	return set_frozen(m, false, err);
}

static bool v2_is_frozen(struct cg_manager *m)
{
	struct cg_hier *h = cg_unified(m);
	cleanup_free char *f = cg_read(h->dir, "cgroup.freeze");

	/* frozen, or on its way: the container is paused either way */
	return events_frozen(h->dir) == 1 || (f && strcmp(f, "1") == 0);
}

static int v2_pids(struct cg_manager *m, pid_t **pids, size_t *n,
		   brig_error_t **err)
{
	return cg_read_procs(cg_unified(m)->dir, pids, n, err);
}

const struct cg_ops cg_v2_ops = {
	.name = "v2",
	.create = cg_v2_create,
	.enter = cg_v2_enter,
	.apply = cg_apply_resources,
	.freeze = v2_freeze,
	.thaw = v2_thaw,
	.is_frozen = v2_is_frozen,
	.pids = v2_pids,
	.destroy = cg_v2_destroy,
};
