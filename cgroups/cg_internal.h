/* brig — cgroups/: private to the folder.
 *
 * A manager holds one struct cg_hier per hierarchy brig uses: every v1
 * controller hierarchy (named ones like name=systemd are skipped) and, on
 * hybrid and v2 hosts, the unified one.  The backend (v1, v2, hybrid) is a
 * struct cg_ops table; the rendering of linux.resources is per controller
 * (cg_memory.c, cg_cpu.c, cg_blkio.c, cg_devices.c, cg_misc.c), each with
 * a v1 and a v2 form picked by the hierarchy the controller lives in. */
#ifndef BRIG_CG_INTERNAL_H
#define BRIG_CG_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroups/cgroups.h"
#include "base/error.h"

#define CG_ROOT "/sys/fs/cgroup"

struct cg_hier {
	char *name; /* v1: controllers as mounted ("cpu,cpuacct"); v2: "" */
	char *mnt;  /* absolute mount directory */
	char *rel;  /* the container's cgroup inside it ("/brig/x") */
	char *dir;  /* mnt + rel */
	char *mroot; /* the mount's root inside the hierarchy (mountinfo) */
	bool v2;
	bool created; /* cg_create made the leaf */
	bool joined;  /* the leaf existed, empty, before the container: it is
		       * joined, never removed (recorded in state, see
		       * cg_path()) */
	bool born_in; /* v1 memory: borrowed by cg_create, so a child forked
		       * before cg_spawn_end is born here (cg_spawn.c) */
};

struct cg_ops {
	const char *name;
	int (*create)(struct cg_manager *m, brig_error_t **err);
	int (*enter)(struct cg_manager *m, pid_t pid, brig_error_t **err);
	int (*apply)(struct cg_manager *m, const struct spec_resources *r,
		     brig_error_t **err);
	int (*freeze)(struct cg_manager *m, brig_error_t **err);
	int (*thaw)(struct cg_manager *m, brig_error_t **err);
	bool (*is_frozen)(struct cg_manager *m);
	int (*pids)(struct cg_manager *m, pid_t **pids, size_t *n,
		    brig_error_t **err);
	int (*destroy)(struct cg_manager *m, brig_error_t **err);
	/* Only the systemd driver's table (cg_systemd.c), which wraps the
	 * layout's: the init exists (create) or a process is to join
	 * (exec): put it in; and update, properties with the files.  NULL
	 * elsewhere: cg_spawn_* and cg_update do it themselves. */
	int (*start)(struct cg_manager *m, pid_t pid, brig_error_t **err);
	int (*update)(struct cg_manager *m, const struct spec_resources *r,
		      brig_error_t **err);
};

struct cg_manager {
	enum cg_layout layout;
	const struct cg_ops *ops;
	char *root;
	char *path;          /* encoded for state.json, see cg_path() */
	struct cg_hier *h;   /* v1 hierarchies, then the unified one */
	size_t n;
	char *v2_controllers; /* root cgroup.controllers of the unified tree */
	int rmdir_budget_ms;  /* EBUSY retries left in this cg_destroy */
	/* While cg_create has the caller in the container's v1 memory cgroup
	 * (the borrow, cg_spawn.c): our own cgroup's "tasks", opened before
	 * leaving it, and the hierarchy's root, where we go if that fails.
	 * -1: nothing borrowed. */
	int borrow_fd;
	const char *borrow_root;
	/* --systemd-cgroup: the unit (cg_systemd.h), else NULL; ops is then
	 * cg_systemd_ops, which wraps sd->fs, the layout's */
	struct cg_systemd *sd;
};

extern const struct cg_ops cg_v1_ops, cg_v2_ops, cg_hybrid_ops, cg_systemd_ops;

/* ---- cg_util.c ---------------------------------------------------------- */

/* Write value to dir/file (O_WRONLY|O_TRUNC, never O_CREAT: cgroupfs files
 * exist or the controller is missing).  On failure *err reads
 * "write <dir>/<file>: <strerror>"; callers prefix the JSON path. */
/* An update writes all or nothing: between begin and commit, every
 * cg_write/cg_write_at first keeps the file's value; rollback writes them
 * back, newest first. */
void cg_journal_begin(void);
void cg_journal_commit(void);
void cg_journal_rollback(void);
int cg_write(const char *dir, const char *file, const char *value,
	     brig_error_t **err);
int cg_writef(const char *dir, const char *file, brig_error_t **err,
	      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Read dir/file (NUL-terminated, trailing newline stripped), or NULL. */
char *cg_read(const char *dir, const char *file);
/* Parse an unsigned decimal (with "max" → UINT64_MAX); -1 when unparsable. */
int cg_read_u64(const char *dir, const char *file, uint64_t *v);
bool cg_file_exists(const char *dir, const char *file);
/* mkdir -p; *made true when the last component was created. */
int cg_mkdir_p(const char *path, bool *made, brig_error_t **err);
/* rel is brig's default, "/brig/<id>": the parent is brig's own. */
bool cg_is_default_path(const char *rel);
/* Remove the default parent ("/brig") of rel under mnt when it is empty. */
void cg_rmdir_default_parent(const char *mnt, const char *rel);
/* Remove dir and any sub-cgroups, retrying EBUSY while *budget_ms lasts
 * (shared by all the hierarchies of one destroy).  ENOENT is success. */
#define CG_RMDIR_BUDGET_MS 1000
int cg_rmdir_tree(const char *dir, int *budget_ms, brig_error_t **err);
/* A joined cgroup at delete: remove its sub-cgroups (it had none when
 * joined), keep it, and wait while *budget_ms lasts for it to hold no
 * process; EBUSY when one is left. */
int cg_empty_joined(const char *dir, int *budget_ms, brig_error_t **err);
/* Before create: 0 when dir does not exist, 1 when it exists with no
 * process and no sub-cgroup, -2 when it has some (*err saying which:
 * "already has processes (DIR: 1 2)"), -1 when it cannot be read. */
int cg_probe(const char *dir, brig_error_t **err);
/* Parse a cgroup.procs file. */
int cg_read_procs(const char *dir, pid_t **pids, size_t *n, brig_error_t **err);
int cg_write_pid(const char *dir, pid_t pid, brig_error_t **err);
/* Is word in a list separated by spaces or commas? */
bool cg_word_in(const char *list, const char *word);
void cg_sleep_ms(unsigned ms);
/* Move *e into *err unless *err already holds an error (the first wins). */
void cg_err_keep(brig_error_t **err, brig_error_t **e);

/* "/a/./b//../c" → "/a/c"; ".." stops at "/".  Caller frees. */
char *cg_clean_path(const char *p);
/* base + "/" + p made clean, or NULL when a ".." climbs above "/". */
char *cg_resolve_path(const char *base, const char *p);
/* Write value to file in the directory dfd (dir names it in errors),
 * never through a symlink. */
int cg_write_at(int dfd, const char *dir, const char *file, const char *value,
		brig_error_t **err);

/* ---- cg_detect.c -------------------------------------------------------- */

/* Fill m->h, m->layout, m->ops and m->v2_controllers from m->root. */
int cg_detect(struct cg_manager *m, brig_error_t **err);
/* brig's own cgroup in hierarchy h ("/" under a fake root).  Caller frees. */
char *cg_own_cgroup(const struct cg_manager *m, const struct cg_hier *h);

/* ---- cg_spawn.c --------------------------------------------------------- */

/* cg_create without the borrow: mkdir in every hierarchy, nothing of the
 * caller moved (the unit tests' fake trees). */
int cg_create_dirs(struct cg_manager *m, brig_error_t **err);
/* An O_DIRECTORY fd of the cgroup in the v2 hierarchy (pure v2, or the
 * unified one of a hybrid host) for CLONE_INTO_CGROUP, or -1. */
int cg_v2_fd(struct cg_manager *m);
/* Move into the cgroup in the v1 hierarchies only (none on pure v2), but
 * the one a child was born in: pid through cgroup.procs, or with pid 0
 * the calling thread through the "tasks" files (no threadgroup lock). */
int cg_enter_v1(struct cg_manager *m, pid_t pid, brig_error_t **err);

/* ---- cgroups.c ---------------------------------------------------------- */

/* The container's cgroup in h is rel (made clean). */
void cg_set_rel(struct cg_hier *h, const char *rel);

/* Move pid into the cgroup in every hierarchy (the backend's enter; the
 * runtime's processes join through cg_spawn_*). */
int cg_enter(struct cg_manager *m, pid_t pid, brig_error_t **err);

/* The hierarchy holding controller ctrl ("memory"), or NULL. */
struct cg_hier *cg_ctrl(struct cg_manager *m, const char *ctrl);
struct cg_hier *cg_unified(struct cg_manager *m);
/* Write every linux.resources entry through the per-controller renderers;
 * the same for all layouts. */
int cg_apply_resources(struct cg_manager *m, const struct spec_resources *r,
		       brig_error_t **err);

/* ---- per-controller renderers (h->v2 picks the form) ------------------- */

int cg_apply_memory(struct cg_hier *h, const struct spec_memory *mem,
		    brig_error_t **err);
int cg_apply_cpu(struct cg_hier *h, const struct spec_cpu *cpu,
		 brig_error_t **err);
int cg_apply_cpuset(struct cg_hier *h, const struct spec_cpu *cpu,
		    brig_error_t **err);
int cg_apply_blkio(struct cg_hier *h, const struct spec_blkio *b,
		   brig_error_t **err);
int cg_apply_devices(struct cg_hier *h, const struct spec_resources *r,
		     brig_error_t **err);
/* v1 rules after the spec's: mknod anything, null, zero, full, random,
 * urandom, tty, ptmx, pts (cg_devices.c). */
extern const struct spec_device_cgroup cg_device_defaults[];
extern const size_t cg_n_device_defaults;
/* cg_bpf_devices.c: the rules (then the defaults) as an eBPF program of
 * type BPF_PROG_TYPE_CGROUP_DEVICE; caller frees *out. */
struct bpf_insn;
int cg_bpf_devices_build(const struct spec_device_cgroup *rules, size_t n,
			 struct bpf_insn **out, size_t *count,
			 brig_error_t **err);
/* How many device programs are attached to the cgroup dir (v2). */
size_t cg_bpf_devices_attached(const char *dir);
/* Load it and attach it to h (v2), replacing the ones attached before. */
int cg_apply_devices_bpf(struct cg_hier *h, const struct spec_resources *r,
			 brig_error_t **err);
int cg_apply_pids(struct cg_hier *h, int64_t limit, brig_error_t **err);
int cg_apply_hugetlb(struct cg_hier *h, const struct spec_hugepage_limit *l,
		     size_t n, brig_error_t **err);
int cg_apply_net_cls(struct cg_hier *h, uint64_t classid, brig_error_t **err);
int cg_apply_net_prio(struct cg_hier *h, const struct spec_net_priority *p,
		      size_t n, brig_error_t **err);
int cg_apply_rdma(struct cg_hier *h, const struct spec_rdma *r, size_t n,
		  brig_error_t **err);
/* cg_unified.c: check every key (a file of a controller the cgroup has,
 * never cgroup.*), then write them. */
int cg_check_unified(struct cg_hier *h, const struct spec_kv_list *kv,
		     brig_error_t **err);
int cg_apply_unified(struct cg_hier *h, const struct spec_kv_list *kv,
		     brig_error_t **err);

/* Conversions shared with the tests (through the v2 files they write). */
uint64_t cg_shares_to_weight(uint64_t shares);
uint64_t cg_blkio_to_io_weight(uint64_t w);

/* ---- v1.c / v2.c, reused by the hybrid table ------------------------- */

/* mkdir one v1 hierarchy's cgroup (one retry on ENOENT), cpuset filled */
int cg_v1_mkdir(struct cg_hier *h, brig_error_t **err);
int cg_v1_create(struct cg_manager *m, brig_error_t **err); /* skips the borrowed one */
int cg_v1_enter(struct cg_manager *m, pid_t pid, brig_error_t **err);
int cg_v1_destroy(struct cg_manager *m, brig_error_t **err);
int cg_v1_freeze(struct cg_manager *m, brig_error_t **err);
int cg_v1_thaw(struct cg_manager *m, brig_error_t **err);
bool cg_v1_is_frozen(struct cg_manager *m);
int cg_v1_pids(struct cg_manager *m, pid_t **pids, size_t *n,
	       brig_error_t **err);
int cg_v2_create(struct cg_manager *m, brig_error_t **err);
/* Enable in every ancestor of h's cgroup the controllers it offers. */
void cg_v2_enable_ancestors(const struct cg_hier *h);
int cg_v2_enter(struct cg_manager *m, pid_t pid, brig_error_t **err);
int cg_v2_destroy(struct cg_manager *m, brig_error_t **err);

#endif
