/* brig — cgroups/: the cgroup v1 backend, and the hybrid one built on it.
 *
 * One directory per controller hierarchy.  A new cpuset cgroup starts
 * with empty cpuset.cpus/mems and refuses processes, so cg_create copies
 * them down from the parent, level by level.  Writing cpuset.cpus costs
 * the kernel a walk over the cgroup's siblings and, with load balancing
 * on, over every cpuset of the host (rebuilding the scheduler domains'
 * accounting), so brig's own default parent "/brig" gets
 * cgroup.clone_children: the kernel then copies the parent's cpus and
 * mems into each new container's cpuset at mkdir, the same values brig
 * would write (an explicit cgroupsPath "/brig/<name>" counts as the
 * default).  The kernel skips that copy while a sibling is cpu- or
 * mem-exclusive: brig then writes them as before.  A new cgroup inherits
 * the flag, so a container's own cpuset reads cgroup.clone_children 1
 * (runc's read 0): cpusets made inside it start filled, not empty.
 * Freezing uses the freezer hierarchy (freezer.state, waiting until it
 * reads FROZEN). */
#include "cgroups/cg_internal.h"

#include <errno.h>
#include <string.h>

/* 1 if it wrote the file, 0 if it was set already, -1 on error. */
static int cpuset_copy(const char *parent, const char *dir, const char *file,
		       brig_error_t **err)
{
	cleanup_free char *cur = cg_read(dir, file), *v = NULL;

	if (cur && *cur)
		return 0;
	v = cg_read(parent, file);
	if (v == NULL)
		return brig_err(err, errno, "read %s/%s", parent, file);
	return cg_write(dir, file, v, err) < 0 ? -1 : 1;
}

/* Fill cpuset.cpus and cpuset.mems from the top of the path down. */
static int cpuset_init(const struct cg_hier *h, brig_error_t **err)
{
	cleanup_free char *dir = xstrdup(h->mnt), *parent = NULL;
	cleanup_free char *rel = xstrdup(h->rel);
	char *save = NULL, *tok;
	int wrote = 0;

	for (tok = strtok_r(rel, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		int c, m;

		free(parent);
		parent = dir;
		dir = xasprintf("%s/%s", parent, tok);
		if ((c = cpuset_copy(parent, dir, "cpuset.cpus", err)) < 0 ||
		    (m = cpuset_copy(parent, dir, "cpuset.mems", err)) < 0)
			return -1;
		wrote = c | m;
	}
	/* The kernel did not copy them into the container's own cgroup:
	 * let it from now on, if the parent is brig's ("/brig").  Best
	 * effort: without it the next container writes them as this one. */
	if (wrote && cg_is_default_path(h->rel)) {
		brig_error_t *e = NULL;

		if (cg_write(parent, "cgroup.clone_children", "1", &e) < 0)
			brig_err_free(&e);
	}
	return 0;
}

/* mkdir -p dir, the last level made by this call (created set): one
 * that appeared since cg_new found it missing is someone else's. */
static int mkdir_leaf(struct cg_hier *h, brig_error_t **err)
{
	bool made = false;

	if (cg_mkdir_p(h->dir, &made, err) < 0)
		return -1;
	if (!made)
		return brig_err(err, EEXIST, "mkdir %s: made by someone else meanwhile",
				h->dir);
	h->created = true;
	return 0;
}

int cg_v1_mkdir(struct cg_hier *h, brig_error_t **err)
{
	/* A concurrent destroy may rmdir a shared parent ("/brig")
	 * between our mkdirs: one retry covers it.  A joined cgroup is
	 * there already. */
	if (!h->joined && mkdir_leaf(h, err) < 0) {
		if ((*err)->code != ENOENT)
			return -1;
		brig_err_free(err);
		if (mkdir_leaf(h, err) < 0)
			return -1;
	}
	if (cg_word_in(h->name, "cpuset") && cpuset_init(h, err) < 0)
		return -1;
	return 0;
}

int cg_v1_create(struct cg_manager *m, brig_error_t **err)
{
	for (size_t i = 0; i < m->n; i++) {
		struct cg_hier *h = &m->h[i];

		if (h->v2 || h->created || h->born_in) /* made first by cg_create (cg_spawn.c) */
			continue;
		if (cg_v1_mkdir(h, err) < 0)
			return -1;
	}
	return 0;
}

int cg_v1_enter(struct cg_manager *m, pid_t pid, brig_error_t **err)
{
	for (size_t i = 0; i < m->n; i++)
		if (!m->h[i].v2 && cg_write_pid(m->h[i].dir, pid, err) < 0)
			return -1;
	return 0;
}

int cg_v1_destroy(struct cg_manager *m, brig_error_t **err)
{
	int ret = 0;

	for (size_t i = 0; i < m->n; i++) {
		brig_error_t *e = NULL;

		if (m->h[i].v2)
			continue;
		/* Go on with the other hierarchies; report the first error. */
		if ((m->h[i].joined ? cg_empty_joined(m->h[i].dir, &m->rmdir_budget_ms, &e)
				    : cg_rmdir_tree(m->h[i].dir, &m->rmdir_budget_ms, &e)) < 0) {
			cg_err_keep(err, &e);
			ret = -1;
			continue;
		}
		if (!m->h[i].joined)
			cg_rmdir_default_parent(m->h[i].mnt, m->h[i].rel);
	}
	return ret;
}

static struct cg_hier *freezer(struct cg_manager *m, brig_error_t **err)
{
	struct cg_hier *h = cg_ctrl(m, "freezer");

	if (h == NULL || h->v2) {
		brig_err(err, 0, "no freezer cgroup hierarchy on this host");
		return NULL;
	}
	return h;
}

/* Write want to freezer.state until it reads back so (FREEZING is the
 * state in between); about 2 s at most. */
static int freezer_set(struct cg_hier *h, const char *want, brig_error_t **err)
{
	for (int i = 0; i < 1000; i++) {
		cleanup_free char *s = NULL;

		/* Write again now and then: a task that was vforking when
		 * the freeze began can keep the cgroup in FREEZING. */
		if (i % 50 == 0 && cg_write(h->dir, "freezer.state", want, err) < 0)
			return -1;
		s = cg_read(h->dir, "freezer.state");
		if (s == NULL)
			return brig_err(err, errno, "read %s/freezer.state", h->dir);
		if (strcmp(s, want) == 0)
			return 0;
		cg_sleep_ms(i < 10 ? 1 : 2);
	}
	return brig_err(err, ETIMEDOUT, "%s %s", strcmp(want, "FROZEN") == 0 ?
			"freeze" : "thaw", h->dir);
}

int cg_v1_freeze(struct cg_manager *m, brig_error_t **err)
{
	struct cg_hier *h = freezer(m, err);
	brig_error_t *e2 = NULL;

	if (h == NULL)
		return -1;
	if (freezer_set(h, "FROZEN", err) < 0) {
		freezer_set(h, "THAWED", &e2); /* never leave it half frozen */
		brig_err_free(&e2);
		return -1;
	}
	return 0;
}

int cg_v1_thaw(struct cg_manager *m, brig_error_t **err)
{
	struct cg_hier *h = freezer(m, err);

	return h ? freezer_set(h, "THAWED", err) : -1;
}

bool cg_v1_is_frozen(struct cg_manager *m)
{
	struct cg_hier *h = cg_ctrl(m, "freezer");
	cleanup_free char *s = NULL;

	if (h == NULL || h->v2)
		return false;
	s = cg_read(h->dir, "freezer.state");
	return s && strcmp(s, "FROZEN") == 0;
}

int cg_v1_pids(struct cg_manager *m, pid_t **pids, size_t *n,
	       brig_error_t **err)
{
	static const char *const pref[] = { "pids", "freezer", "memory", "cpu" };
	struct cg_hier *h = NULL;

	for (size_t i = 0; h == NULL && i < ARRAY_SIZE(pref); i++) {
		h = cg_ctrl(m, pref[i]);
		if (h && h->v2)
			h = NULL;
	}
	for (size_t i = 0; h == NULL && i < m->n; i++)
		if (!m->h[i].v2)
			h = &m->h[i];
	if (h == NULL)
		return brig_err(err, 0, "no cgroup v1 hierarchy");
	return cg_read_procs(h->dir, pids, n, err);
}

const struct cg_ops cg_v1_ops = {
	.name = "v1",
	.create = cg_v1_create,
	.enter = cg_v1_enter,
	.apply = cg_apply_resources,
	.freeze = cg_v1_freeze,
	.thaw = cg_v1_thaw,
	.is_frozen = cg_v1_is_frozen,
	.pids = cg_v1_pids,
	.destroy = cg_v1_destroy,
};

/* Hybrid: the v1 backend, plus the same cgroup in the unified tree, where
 * the controllers the host only offers there (hugetlb here) and the
 * linux.resources.unified keys are written. */
static int hybrid_create(struct cg_manager *m, brig_error_t **err)
{
	return cg_v1_create(m, err) < 0 ? -1 : cg_v2_create(m, err);
}

static int hybrid_enter(struct cg_manager *m, pid_t pid, brig_error_t **err)
{
	return cg_v1_enter(m, pid, err) < 0 ? -1 : cg_v2_enter(m, pid, err);
}

static int hybrid_destroy(struct cg_manager *m, brig_error_t **err)
{
	brig_error_t *e2 = NULL;
	int r1 = cg_v1_destroy(m, err), r2 = cg_v2_destroy(m, &e2);

	cg_err_keep(err, &e2);
	return r1 < 0 || r2 < 0 ? -1 : 0;
}

const struct cg_ops cg_hybrid_ops = {
	.name = "hybrid",
	.create = hybrid_create,
	.enter = hybrid_enter,
	.apply = cg_apply_resources,
	.freeze = cg_v1_freeze,
	.thaw = cg_v1_thaw,
	.is_frozen = cg_v1_is_frozen,
	.pids = cg_v1_pids,
	.destroy = hybrid_destroy,
};
