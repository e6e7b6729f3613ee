/* brig — cgroups/cg_spawn.c: the container's cgroups made for its init
 * (create), and a process born in them (create's init, exec's helper).
 *
 * Who pays.  What a fork makes in the kernel for the child (task, kernel
 * stack, page tables, new pid and user namespaces) is charged to the
 * memory cgroup of the task that forks, and the child starts in that
 * cgroup, so the pages it copies until it moves are charged there too.
 * With a v1 memory hierarchy, cg_create makes the container's memory
 * cgroup first and the calling thread steps into it at once (the
 * "borrow"): the kernel memory of the other cgroup directories, of the
 * limits written next and of the init's fork is then the container's,
 * not the caller's.  cg_spawn_end steps back, to our own cgroup, else to
 * the hierarchy's root: anywhere but the container's, whose removal we
 * would block.  On v2, where a move takes the threadgroup lock and an RCU
 * grace period, nothing is borrowed: the child is cloned straight into
 * its cgroup.
 *
 * Joining.  v2: clone3's CLONE_INTO_CGROUP with the cgroup's directory
 * (cg_spawn_begin's clone_fd).  v1: the child moves itself, writing "0"
 * to each hierarchy's "tasks" (cg_spawn_join): for a single-threaded
 * process moving itself the thread is the whole process, and the kernel
 * then skips the global threadgroup lock whose RCU grace period makes
 * each cgroup.procs write cost 1-14 ms.  A child that cannot write the
 * host's cgroupfs (in a user namespace) is moved by the parent instead,
 * by pid (cg_spawn_end).  The memory hierarchy a child was born in is
 * skipped. */
#include "cgroups/cg_internal.h"
#include "cgroups/cg_systemd.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

/* ---- the borrow ------------------------------------------------------------ */

/* Not under a tight memory limit: should the fork not fit, the OOM
 * killer there would find brig itself, the only task in it then, which
 * would leave the container half made.  The init then pays for itself as
 * before, joining the cgroup right after. */
#define BORROW_MIN_LIMIT (4 << 20)
static bool borrow_ok(const struct spec_resources *r)
{
	const struct spec_memory *m = r ? r->memory : NULL;

	if (m == NULL)
		return true;
	return !(m->limit.set && m->limit.v >= 0 && m->limit.v < BORROW_MIN_LIMIT) &&
	       !(m->swap.set && m->swap.v >= 0 && m->swap.v < BORROW_MIN_LIMIT);
}

/* The v1 memory hierarchy, or NULL (v2: memory is in the unified one). */
static struct cg_hier *v1_memory(struct cg_manager *m)
{
	for (size_t i = 0; i < m->n; i++)
		if (!m->h[i].v2 && cg_word_in(m->h[i].name, "memory"))
			return &m->h[i];
	return NULL;
}

/* Into h, the container's memory cgroup, made already. */
static int borrow_memory(struct cg_manager *m, struct cg_hier *h, brig_error_t **err)
{
	cleanup_free char *own = cg_own_cgroup(m, h);
	/* the way back is opened before the move: a return that had to open
	 * a file could fail (out of fds) and leave us in the container's
	 * cgroup, which could then not be removed */
	cleanup_free char *tasks = xasprintf("%s%s/tasks", h->mnt, own);

	m->borrow_fd = open(tasks, O_WRONLY | O_CLOEXEC);
	if (m->borrow_fd < 0)
		return brig_err(err, errno, "join cgroup %s: open %s", h->rel, tasks);
	if (cg_write(h->dir, "tasks", "0", err) < 0) {
		close(m->borrow_fd);
		m->borrow_fd = -1;
		return brig_err_prefix(err, "join cgroup %s", h->rel);
	}
	m->borrow_root = h->mnt;
	h->born_in = true;
	return 0;
}

/* Back to our own cgroup, else the hierarchy's root; with nothing
 * borrowed a no-op.  One write to a file opened before: it allocates
 * nothing while we are still charged to the container. */
static int return_memory(struct cg_manager *m, brig_error_t **err)
{
	ssize_t w;
	int r = 0;

	if (m->borrow_fd < 0)
		return 0;
	do
		w = write(m->borrow_fd, "0", 1);
	while (w < 0 && errno == EINTR);
	if (w != 1)
		r = cg_write(m->borrow_root, "tasks", "0", err);
	close(m->borrow_fd);
	m->borrow_fd = -1;
	m->borrow_root = NULL;
	return r < 0 ? brig_err_prefix(err, "leave the container's memory cgroup") : 0;
}

/* ---- create ---------------------------------------------------------------- */

static int create(struct cg_manager *m, bool borrow, brig_error_t **err)
{
	struct cg_hier *mem = borrow ? v1_memory(m) : NULL;

	/* the memory cgroup first, joined at once: the kernel memory of the
	 * other cgroup directories is then charged to it */
	if (mem && (cg_v1_mkdir(mem, err) < 0 || borrow_memory(m, mem, err) < 0))
		goto undo;
	if (m->ops->create(m, err) < 0)
		goto undo;
	return 0;
undo:
	{
		brig_error_t *e2 = NULL;
		if (return_memory(m, &e2) < 0)
			brig_err_free(&e2);
	}
	/* Leave nothing half made, but only what this call made: the
	 * path may name a cgroup that existed before. */
	for (size_t i = 0; i < m->n; i++) {
		brig_error_t *e2 = NULL;
		int budget = 0;

		if (!m->h[i].created)
			continue;
		cg_rmdir_tree(m->h[i].dir, &budget, &e2);
		brig_err_free(&e2);
		cg_rmdir_default_parent(m->h[i].mnt, m->h[i].rel);
	}
	return brig_err_prefix(err, "create cgroup %s", m->h[0].rel);
}

int cg_create(struct cg_manager *m, const struct spec_resources *r, brig_error_t **err)
{
	/* systemd makes the cgroup around the init (ops->start): nothing
	 * to borrow before */
	return create(m, borrow_ok(r) && m->ops->start == NULL, err);
}

int cg_create_dirs(struct cg_manager *m, brig_error_t **err)
{
	return create(m, false, err);
}

/* Limits only a cgroup gives.  The device rules are not counted (a user
 * namespace gets no device nodes to create anyway). */
static bool needs_cgroup(const struct spec_resources *r)
{
	return r && (r->memory || r->cpu || r->block_io || r->n_hugepage_limits ||
		     r->has_network || r->pids_limit.set || r->n_rdma || r->unified.n);
}

int cg_rootless_fallback(struct cg_manager *m, const struct spec_resources *r,
			 char **why, brig_error_t **err)
{
	const char *layout;

	if (needs_cgroup(r)) {
		layout = m->layout == CG_LAYOUT_V2   ? "cgroup v2 not delegated to this user"
			 : m->layout == CG_LAYOUT_V1 ? "cgroup v1"
						     : "hybrid cgroup v1";
		brig_err_free(err);
		return brig_err(err, 0, "linux.resources: cgroup limits need root "
				"on this host (%s)", layout);
	}
	*why = steal_ptr((*err)->msg);
	brig_err_free(err);
	{
		brig_error_t *e2 = NULL;
		if (cg_destroy(m, &e2) < 0) /* anything made before the failure */
			brig_err_free(&e2);
	}
	return 0;
}

/* ---- a process born in the cgroups ----------------------------------------- */

int cg_v2_fd(struct cg_manager *m)
{
	struct cg_hier *u = cg_unified(m);

	if (m->layout == CG_LAYOUT_V1 || u == NULL)
		return -1;
	return open(u->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

int cg_enter_v1(struct cg_manager *m, pid_t pid, brig_error_t **err)
{
	for (size_t i = 0; i < m->n; i++) {
		if (m->h[i].v2 || m->h[i].born_in)
			continue;
		if ((pid ? cg_write_pid(m->h[i].dir, pid, err)
			 : cg_write(m->h[i].dir, "tasks", "0", err)) < 0)
			return brig_err_prefix(err, "join cgroup %s", m->h[i].rel);
	}
	return 0;
}

int cg_spawn_begin(struct cg_manager *m, bool child_joins, struct cg_spawn *sp,
		   brig_error_t **err)
{
	*sp = (struct cg_spawn){ .clone_fd = -1, .m = m, .child_joins = child_joins };
	if (m == NULL)
		return 0;
	if (m->ops->start && cg_sd_moves_child(m)) {
		/* born in our cgroup; moved by cg_spawn_end */
		sp->child_joins = false;
		sp->by_start = true;
		return 0;
	}
	sp->clone_fd = cg_v2_fd(m);
	if (sp->clone_fd < 0 && m->layout != CG_LAYOUT_V1)
		return brig_err(err, errno, "open cgroup %s", m->path);
	return 0;
}

int cg_spawn_begin_init(struct cg_manager *m, bool child_joins, bool may_run_ahead,
			struct cg_spawn *sp, brig_error_t **err)
{
	if (m == NULL || !may_run_ahead || m->ops->start == NULL || !cg_sd_make_scope_cgroup(m))
		return cg_spawn_begin(m, child_joins, sp, err);
	*sp = (struct cg_spawn){ .clone_fd = -1, .m = m, .child_joins = child_joins,
				 .by_start = true, .runs_ahead = true };
	sp->clone_fd = cg_v2_fd(m);
	if (sp->clone_fd < 0)
		return brig_err(err, errno, "open cgroup %s", m->path);
	return 0;
}

int cg_spawn_join(const struct cg_spawn *sp, brig_error_t **err)
{
	if (sp->m == NULL || !sp->child_joins)
		return 0;
	return cg_enter_v1(sp->m, 0, err);
}

void cg_spawn_child_close(const struct cg_spawn *sp)
{
	if (sp && sp->m && sp->m->sd)
		cg_sd_child_close(sp->m);
}

int cg_spawn_end(struct cg_spawn *sp, pid_t pid, brig_error_t **err)
{
	if (sp->clone_fd >= 0) {
		close(sp->clone_fd);
		sp->clone_fd = -1;
	}
	if (sp->m == NULL || pid <= 0)
		return 0;
	if (sp->by_start)
		return sp->m->ops->start(sp->m, pid, err);
	if (return_memory(sp->m, err) < 0)
		return -1;
	if (!sp->child_joins && cg_enter_v1(sp->m, pid, err) < 0)
		return -1;
	return 0;
}

int cg_spawn_undo(struct cg_manager *m, struct cg_spawn *sp, brig_error_t **err)
{
	if (sp && sp->clone_fd >= 0) {
		close(sp->clone_fd);
		sp->clone_fd = -1;
	}
	return m ? return_memory(m, err) : 0;
}
