/* brig — cgroups/: one interface over v1, v2 and hybrid hosts.
 * A struct cg_ops table per backend; callers use only the cg_* functions
 * below, and never see a layout's tactics (the v1 memory borrow,
 * CLONE_INTO_CGROUP, moving one thread instead of a process).
 * Sees only spec/ structs. */
#ifndef BRIG_CGROUPS_H
#define BRIG_CGROUPS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "spec/spec.h"

enum cg_layout { CG_LAYOUT_V1, CG_LAYOUT_HYBRID, CG_LAYOUT_V2 };

struct cg_manager;

/* Is cgroups_path (NULL: none) a form brig takes?  Checked by cg_new too;
 * create asks before it makes anything. */
int cg_check_path(const char *cgroups_path, bool systemd, brig_error_t **err);
/* Detect the host layout under root ("/sys/fs/cgroup" normally; tests pass
 * a fake tree) and resolve the container's cgroup path:
 * cgroups_path from the spec (absolute, or relative to brig's own cgroup),
 * or a default "/brig/<id>" when NULL.  The systemd form (a:b:c) is refused.
 * Nothing is created yet. */
struct cg_manager *cg_new(const char *root, const char *cgroups_path,
			  const char *id, brig_error_t **err);
/* The same with --systemd-cgroup (cg_systemd.h): cgroups_path is
 * "slice:prefix:name" (NULL or "": ":brig:<id>"), the cgroup a transient
 * unit systemd makes at cg_spawn_end; annotations may hold
 * org.systemd.property.* entries.  Connects to systemd (the user's when
 * not root): an error here when it cannot. */
struct cg_manager *cg_new_systemd(const char *root, const char *cgroups_path,
				  const char *id, const struct spec_kv_list *annotations,
				  brig_error_t **err);
/* Start connecting to systemd now (it answers while brig reads the
 * bundle); cg_new_systemd takes the connection.  Errors wait for it. */
void cg_systemd_connect_early(void);
/* After cg_spawn_end: systemd's device program holds the device rules
 * (--systemd-cgroup on v2, the rules said exactly), brig loaded none. */
bool cg_devices_by_systemd(const struct cg_manager *m);
/* Same, for a path recorded in state.json by a previous cg_new. */
struct cg_manager *cg_load(const char *root, const char *path,
			   brig_error_t **err);
void cg_free(struct cg_manager *m);

enum cg_layout cg_layout(const struct cg_manager *m);
const char *cg_path(const struct cg_manager *m); /* to store in state, for cg_load */
/* The directory whose freezer stops the container's processes (v1: the
 * freezer hierarchy's, v2: the cgroup's), for CRIU; NULL: none. */
const char *cg_freezer_dir(struct cg_manager *m);

/* ---- create and exec: the cgroups made, a process born in them
 * (cg_spawn.c) ----
 *
 *   create:  cg_new -> cg_create -> cg_apply -> cg_spawn_begin -> clone3
 *            -> cg_spawn_end       (cg_spawn_undo on any failure)
 *   exec:    cg_load -> cg_spawn_begin -> clone3 -> cg_spawn_end
 *   child:   cg_spawn_join, before anything else
 *
 * so that the kernel memory of the container's cgroups and of its init's
 * fork is charged to the container, not to brig's caller, and the child
 * joins its cgroups in the cheapest way the host allows. */

/* Make the container's cgroup in every hierarchy brig uses, for an init
 * the caller is about to spawn.  With a v1 memory hierarchy the calling
 * thread also moves into the container's memory cgroup, made first, so
 * that what is made next (the other directories, the limits, the init)
 * is charged there; cg_spawn_end takes it back.  Not when r (the
 * resources about to be applied, may be NULL) limits memory, or
 * memory+swap, under 4 MiB.  On failure nothing is left made or moved. */
int cg_create(struct cg_manager *m, const struct spec_resources *r, brig_error_t **err);
/* Rootless, after cg_create failed with *err for lack of permission (the
 * host will not let us make the cgroup: cgroup v1 or hybrid, or a v2
 * tree not delegated to us): can the container do without one, as
 * runc's does?  0: yes; what was made is removed, *err freed, and *why
 * (to free) is its text.  -1: no, r asks for limits only a cgroup can
 * give; *err says so, naming the layout. */
int cg_rootless_fallback(struct cg_manager *m, const struct spec_resources *r,
			 char **why, brig_error_t **err);

struct cg_spawn {
	int clone_fd; /* for clone3's CLONE_INTO_CGROUP (v2 and hybrid), or -1 */
	/* private */
	struct cg_manager *m;
	bool child_joins;
	bool by_start; /* systemd's driver moves it (cg_systemd.c) */
	/* public: born in the cgroup of a systemd unit not made yet
	 * (cg_spawn_begin_init): the child may set up before cg_spawn_end */
	bool runs_ahead;
};
#define CG_SPAWN_INIT { .clone_fd = -1, .m = NULL, .child_joins = false, .by_start = false, \
			.runs_ahead = false }
/* Parent, before the clone: fill sp (m NULL: no cgroup, nothing to do).
 * child_joins: the child can write the host's cgroupfs (it is in no new
 * user namespace) and joins the v1 hierarchies itself; else the parent
 * moves it in cg_spawn_end. */
int cg_spawn_begin(struct cg_manager *m, bool child_joins, struct cg_spawn *sp,
		   brig_error_t **err);
/* create's init: cg_spawn_begin, but with systemd's driver on cgroup v2
 * the scope's cgroup is made now and the init born in it
 * (sp->runs_ahead): it may then set up while cg_spawn_end has systemd
 * make the unit around it, as long as it runs nothing of the
 * container's before cg_spawn_end has returned.  may_run_ahead false
 * (the init hands over to another process before it is done: a pid
 * namespace joined late): as cg_spawn_begin. */
int cg_spawn_begin_init(struct cg_manager *m, bool child_joins, bool may_run_ahead,
			struct cg_spawn *sp, brig_error_t **err);
/* Child, first thing: join what the clone did not put it in (the v1
 * hierarchies but the memory one it was born in), as its own thread. */
int cg_spawn_join(const struct cg_spawn *sp, brig_error_t **err);
/* Child, first thing, whether it joins or not: close what it inherited
 * and must not hold (the connection to systemd's manager: a process that
 * could ptrace the child before its execve would act as root towards
 * systemd). */
void cg_spawn_child_close(const struct cg_spawn *sp);
/* Parent, after the clone of pid (<= 0: it failed; only clone_fd is
 * closed): back to our own memory cgroup, and pid moved into the v1
 * hierarchies unless it joins them itself. */
int cg_spawn_end(struct cg_spawn *sp, pid_t pid, brig_error_t **err);
/* On failure anywhere after cg_create or cg_spawn_begin (sp may be NULL):
 * close clone_fd, and take the caller out of the container's memory
 * cgroup if it is still there (its removal would fail).  -1 when neither
 * its own cgroup nor the hierarchy's root would take it back (cannot
 * happen as root). */
int cg_spawn_undo(struct cg_manager *m, struct cg_spawn *sp, brig_error_t **err);

/* create, after cg_create: write linux.resources (r may be NULL). */
int cg_apply(struct cg_manager *m, const struct spec_resources *r,
	     brig_error_t **err);
/* pause and resume: freeze or thaw every process in the cgroup, waiting
 * until the kernel says it is done; is it frozen (the state's
 * "paused")? */
int cg_freeze(struct cg_manager *m, brig_error_t **err);
int cg_thaw(struct cg_manager *m, brig_error_t **err);
bool cg_is_frozen(struct cg_manager *m);
/* ps: pids in the cgroup (caller frees *pids). */
int cg_pids(struct cg_manager *m, pid_t **pids, size_t *n, brig_error_t **err);
/* kill --all: send sig to every process in the cgroup. */
int cg_kill_all(struct cg_manager *m, int sig, brig_error_t **err);
/* update: change the resources of a running container, the same
 * rendering as cg_apply for the fields set in r; all or nothing. */
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

/* delete, and a failed create: rmdir everywhere (retrying briefly while
 * processes exit; a joined cgroup is emptied and left). */
int cg_destroy(struct cg_manager *m, brig_error_t **err);
/* delete --force (cg_kill.c): thaw, SIGKILL every process in every
 * hierarchy (sub-cgroups too) and rmdir, retrying for up to timeout_ms.
 * When processes remain, *err names them with their state
 * ("cgroup DIR still has processes after SIGKILL: 1234 (D)") and the
 * cgroup is left for a later try. */
int cg_kill_destroy(struct cg_manager *m, int timeout_ms, brig_error_t **err);

#endif
