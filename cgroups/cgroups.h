/* brig — cgroups/: one interface over v1, v2 and hybrid hosts.
 * A struct cg_ops table per backend; callers use only the cg_* functions.
 * Sees only spec/ structs. */
#ifndef BRIG_CGROUPS_H
#define BRIG_CGROUPS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "spec/spec.h"

enum cg_layout { CG_LAYOUT_V1, CG_LAYOUT_HYBRID, CG_LAYOUT_V2 };

struct cg_manager;

/* Detect the host layout under root ("/sys/fs/cgroup" normally; tests pass
 * a fake tree) and resolve the container's cgroup path:
 * cgroups_path from the spec (absolute, or relative to brig's own cgroup),
 * or a default "/brig/<id>" when NULL.  The systemd form (a:b:c) is refused.
 * Nothing is created yet. */
struct cg_manager *cg_new(const char *root, const char *cgroups_path,
			  const char *id, brig_error_t **err);
/* Same, for a path recorded in state.json by a previous cg_new. */
struct cg_manager *cg_load(const char *root, const char *path,
			   brig_error_t **err);
void cg_free(struct cg_manager *m);

enum cg_layout cg_layout(const struct cg_manager *m);
const char *cg_path(const struct cg_manager *m); /* to store in state */

/* mkdir the cgroup in every hierarchy brig uses. */
int cg_create(struct cg_manager *m, brig_error_t **err);
/* An O_DIRECTORY fd of the cgroup in the v2 hierarchy (pure v2, or the
 * unified one of a hybrid host) for CLONE_INTO_CGROUP, or -1. */
int cg_v2_fd(struct cg_manager *m);
/* Move pid into the cgroup in every hierarchy. */
int cg_enter(struct cg_manager *m, pid_t pid, brig_error_t **err);
/* Move into the cgroup in the v1 hierarchies only (none on pure v2): pid
 * through cgroup.procs, or with pid 0 the calling thread through the
 * "tasks" files.  For a single-threaded process moving itself the thread
 * is the whole process, and the kernel then skips the global threadgroup
 * lock whose RCU grace period makes each cgroup.procs write cost 1-14 ms. */
int cg_enter_v1(struct cg_manager *m, pid_t pid, brig_error_t **err);
/* What a fork makes in the kernel for the child (task, kernel stack, page
 * tables, new pid and user namespaces) is charged to the memory cgroup of
 * the task that forks, and the child starts in that cgroup, so the pages
 * it copies until it moves are charged there too.  With a v1 memory
 * hierarchy the calling thread steps into the container's memory cgroup
 * for the clone (borrow) and back to its own after it (return): the
 * container pays for its init, not the caller.  Writing "0" to tasks
 * moves one thread, cheaply (see cg_enter_v1); on v2, where a move takes
 * the threadgroup lock and an RCU grace period, nothing is done.
 * cg_enter_v1 then skips the memory cgroup. */
struct cg_borrow {
	int own_fd;       /* our own memory cgroup's tasks file, opened before
			   * leaving it; -1: nothing borrowed */
	const char *root; /* the hierarchy's root, where we go if own fails */
};
/* Back to our own cgroup, else the hierarchy's root; with nothing
 * borrowed a no-op.  err may be NULL. */
int cg_return_memory(struct cg_borrow *b, brig_error_t **err);
/* cg_create that makes the v1 memory cgroup first and borrows it (b)
 * before making the others, so the kernel memory of those directories and
 * of the limits written next is the container's too.  b NULL: plain
 * cg_create.  On failure nothing is borrowed and nothing made is left. */
int cg_create_borrowing(struct cg_manager *m, struct cg_borrow *b, brig_error_t **err);
/* Write linux.resources (r may be NULL). */
int cg_apply(struct cg_manager *m, const struct spec_resources *r,
	     brig_error_t **err);
int cg_freeze(struct cg_manager *m, brig_error_t **err);
int cg_thaw(struct cg_manager *m, brig_error_t **err);
bool cg_is_frozen(struct cg_manager *m);
/* pids in the cgroup (caller frees *pids). */
int cg_pids(struct cg_manager *m, pid_t **pids, size_t *n, brig_error_t **err);
/* Send sig to every process in the cgroup. */
int cg_kill_all(struct cg_manager *m, int sig, brig_error_t **err);
/* Change the resources of a running container: the same rendering as
 * cg_apply, for the fields set in r. */
int cg_update(struct cg_manager *m, const struct spec_resources *r,
	      brig_error_t **err);

/* ---- stats (cg_stats.c): what `events` reports; -1 in a u64 limit field
 * read "max".  Zero where the host has no such file. ---- */
struct cg_mem_usage { uint64_t usage, max, limit, failcnt; };
struct cg_io_entry { uint64_t major, minor; const char *op; uint64_t value; };
struct cg_hugetlb_stat { char *page_size; uint64_t usage, max, failcnt; };
struct cg_raw_stat { char *key; uint64_t value; };
struct cg_stats {
	bool has_cpu, has_memory, has_pids;
	uint64_t cpu_total, cpu_user, cpu_kernel; /* ns */
	uint64_t *percpu; size_t n_percpu;
	uint64_t throttle_periods, throttled_periods, throttled_time;
	uint64_t mem_cache;
	struct cg_mem_usage mem, swap, kernel, kernel_tcp;
	struct cg_raw_stat *mem_raw; size_t n_mem_raw;
	uint64_t pids_current, pids_limit; /* limit 0: none */
	struct cg_io_entry *io_bytes, *io_ops; size_t n_io_bytes, n_io_ops;
	struct cg_hugetlb_stat *hugetlb; size_t n_hugetlb;
};
int cg_stats(struct cg_manager *m, struct cg_stats *s, brig_error_t **err);
void cg_stats_free(struct cg_stats *s);

/* ---- OOM notifications (cg_oom.c): v1 an eventfd registered on
 * memory.oom_control, v2 inotify on memory.events (oom_kill). ---- */
struct cg_oom;
struct cg_oom *cg_oom_open(struct cg_manager *m, brig_error_t **err);
/* poll it for POLLIN */
int cg_oom_fd(const struct cg_oom *o);
/* After POLLIN: the number of new OOM kills (maybe 0), -1 once the
 * cgroup is gone. */
int cg_oom_read(struct cg_oom *o);
void cg_oom_close(struct cg_oom *o);

/* rmdir everywhere (retrying briefly while processes exit). */
int cg_destroy(struct cg_manager *m, brig_error_t **err);
/* delete --force (cg_kill.c): thaw, SIGKILL every process in every
 * hierarchy (sub-cgroups too) and rmdir, retrying for up to timeout_ms.
 * When processes remain, *err names them with their state
 * ("cgroup DIR still has processes after SIGKILL: 1234 (D)") and the
 * cgroup is left for a later try. */
int cg_kill_destroy(struct cg_manager *m, int timeout_ms, brig_error_t **err);

#endif
