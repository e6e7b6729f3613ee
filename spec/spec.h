/* brig — spec/: config.json in, typed C structs out; state and default
 * config JSON out.  The only module that includes yajl.
 *
 * Conventions:
 *  - strings are NUL-terminated heap strings, NULL when absent;
 *  - string lists are struct spec_strv (NULL-terminated v, n entries);
 *  - optional numbers are spec_opt_* with .set telling presence;
 *  - arrays of structs are (pointer, n_*) pairs.
 * Everything hangs off struct spec_config and is freed by spec_free().
 */
#ifndef BRIG_SPEC_H
#define BRIG_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/error.h"

/* GNU C predefines `linux` as 1; the config has a member of that name. */
#undef linux

#define BRIG_OCI_VERSION "1.3.0"

struct spec_strv {
	char **v; /* NULL-terminated, may be NULL when n == 0 */
	size_t n;
};

typedef struct { bool set; int64_t v; } spec_opt_i64;
typedef struct { bool set; uint64_t v; } spec_opt_u64;
typedef struct { bool set; bool v; } spec_opt_bool;

/* ---- process ---------------------------------------------------------- */

struct spec_rlimit {
	char *type;    /* "RLIMIT_NOFILE" */
	int resource;  /* RLIMIT_NOFILE, resolved at parse time */
	uint64_t soft, hard;
};

struct spec_user {
	uint32_t uid, gid;
	spec_opt_u64 umask;
	uint32_t *additional_gids;
	size_t n_additional_gids;
	char *username; /* ignored on Linux */
};

struct spec_capabilities {
	struct spec_strv bounding, effective, inheritable, permitted, ambient;
	/* which lists were present in the document */
	bool has_bounding, has_effective, has_inheritable, has_permitted, has_ambient;
};

struct spec_scheduler {
	char *policy; /* SCHED_OTHER ... */
	int policy_num;
	spec_opt_i64 nice, priority, runtime, deadline, period;
	struct spec_strv flags;
};

struct spec_io_priority {
	char *class; /* IOPRIO_CLASS_RT|BE|IDLE */
	int class_num;
	int64_t priority;
};

struct spec_exec_cpu_affinity {
	char *initial; /* cpu list like "0-3,7" or NULL */
	char *final;
};

struct spec_process {
	bool terminal;
	bool has_console_size;
	uint32_t console_height, console_width;
	struct spec_user user;
	struct spec_strv args;
	char *command_line; /* Windows only, parsed and ignored */
	struct spec_strv env;
	char *cwd;
	struct spec_capabilities *capabilities; /* NULL when absent */
	struct spec_rlimit *rlimits;
	size_t n_rlimits;
	bool no_new_privileges;
	char *apparmor_profile;
	spec_opt_i64 oom_score_adj;
	struct spec_scheduler *scheduler;     /* NULL when absent */
	struct spec_io_priority *io_priority; /* NULL when absent */
	struct spec_exec_cpu_affinity *exec_cpu_affinity;
	char *selinux_label;
};

/* ---- root, mounts, hooks ----------------------------------------------- */

struct spec_root {
	char *path;
	bool readonly;
};

struct spec_idmap {
	uint32_t container_id, host_id, size;
};

struct spec_mount {
	char *destination;
	char *type;   /* may be NULL (bind mounts) */
	char *source; /* may be NULL */
	struct spec_strv options;
	struct spec_idmap *uid_mappings, *gid_mappings;
	size_t n_uid_mappings, n_gid_mappings;
};

struct spec_hook {
	char *path;
	struct spec_strv args;
	struct spec_strv env;
	spec_opt_i64 timeout; /* seconds, > 0 */
};

struct spec_hook_list {
	struct spec_hook *v;
	size_t n;
};

struct spec_hooks {
	struct spec_hook_list prestart, create_runtime, create_container,
		start_container, poststart, poststop;
};

/* ---- linux ------------------------------------------------------------- */

enum spec_ns_type {
	SPEC_NS_PID,
	SPEC_NS_NETWORK,
	SPEC_NS_MOUNT,
	SPEC_NS_IPC,
	SPEC_NS_UTS,
	SPEC_NS_USER,
	SPEC_NS_CGROUP,
	SPEC_NS_TIME,
	SPEC_NS_COUNT
};

struct spec_namespace {
	enum spec_ns_type type;
	char *path; /* NULL: create a new one */
};

struct spec_time_offset {
	bool set;
	int64_t secs;
	uint32_t nanosecs;
};

struct spec_device {
	char type; /* 'c', 'b', 'u', 'p' */
	char *path;
	int64_t major, minor; /* -1 when absent (only allowed for 'p') */
	spec_opt_u64 file_mode;
	spec_opt_u64 uid, gid;
};

struct spec_net_device {
	char *host_name; /* the key of linux.netDevices */
	char *name;      /* new name inside the container, or NULL */
};

struct spec_device_cgroup {
	bool allow;
	char type; /* 'a', 'c', 'b' or 0 when absent (= all) */
	int64_t major, minor; /* -1 = wildcard */
	char *access; /* "rwm" subset, NULL = all */
};

struct spec_memory {
	spec_opt_i64 limit, reservation, swap, kernel, kernel_tcp;
	spec_opt_u64 swappiness;
	spec_opt_bool disable_oom_killer, use_hierarchy, check_before_update;
};

struct spec_cpu {
	spec_opt_u64 shares, period, realtime_period, burst;
	spec_opt_i64 quota, realtime_runtime, idle;
	char *cpus, *mems;
};

struct spec_blkio_weight_device {
	int64_t major, minor;
	spec_opt_u64 weight, leaf_weight;
};

struct spec_blkio_throttle {
	int64_t major, minor;
	uint64_t rate;
};

struct spec_blkio {
	spec_opt_u64 weight, leaf_weight;
	struct spec_blkio_weight_device *weight_device;
	size_t n_weight_device;
	struct spec_blkio_throttle *throttle_read_bps, *throttle_write_bps,
		*throttle_read_iops, *throttle_write_iops;
	size_t n_throttle_read_bps, n_throttle_write_bps, n_throttle_read_iops,
		n_throttle_write_iops;
};

struct spec_hugepage_limit {
	char *page_size; /* "2MB" */
	uint64_t limit;
};

struct spec_net_priority {
	char *name;
	uint32_t priority;
};

struct spec_rdma {
	char *device;
	spec_opt_u64 hca_handles, hca_objects;
};

struct spec_kv {
	char *key, *value;
};

struct spec_kv_list {
	struct spec_kv *v;
	size_t n;
};

struct spec_resources {
	struct spec_device_cgroup *devices;
	size_t n_devices;
	struct spec_memory *memory;
	struct spec_cpu *cpu;
	struct spec_blkio *block_io;
	struct spec_hugepage_limit *hugepage_limits;
	size_t n_hugepage_limits;
	bool has_network;
	spec_opt_u64 net_class_id;
	struct spec_net_priority *net_priorities;
	size_t n_net_priorities;
	spec_opt_i64 pids_limit;
	struct spec_rdma *rdma;
	size_t n_rdma;
	struct spec_kv_list unified;
};

/* What runc reads as "not set" though present: a 0 for memory limit,
 * reservation, swap, kernel, kernelTCP, cpu shares, quota, period,
 * realtime runtime and period, blkio weight and leafWeight, pids limit.
 * Docker writes "shares": 0 and "weight": 0 into every config.json and
 * every field it was not asked to change as 0 into an update.  Called by
 * the parser; callers that fill a spec_resources themselves call it too. */
void spec_resources_zero_unset(struct spec_resources *r);

struct spec_intel_rdt {
	char *clos_id, *l3_cache_schema, *mem_bw_schema;
	struct spec_strv schemata;
	spec_opt_bool enable_cmt, enable_mbm;
	spec_opt_bool enable_monitoring; /* runtime-spec 1.3 enableMonitoring */
};

struct spec_memory_policy {
	char *mode; /* MPOL_* */
	int mode_num;
	char *nodes;
	struct spec_strv flags;
};

struct spec_seccomp_arg {
	uint32_t index;
	uint64_t value, value_two;
	char *op; /* SCMP_CMP_* */
};

struct spec_seccomp_syscall {
	struct spec_strv names;
	char *action; /* SCMP_ACT_* */
	spec_opt_u64 errno_ret;
	struct spec_seccomp_arg *args;
	size_t n_args;
};

struct spec_seccomp {
	char *default_action;
	spec_opt_u64 default_errno_ret;
	struct spec_strv architectures;
	struct spec_strv flags;
	char *listener_path;
	char *listener_metadata;
	struct spec_seccomp_syscall *syscalls;
	size_t n_syscalls;
	/* only listenerPath and listenerMetadata were read (see
	 * spec_parse_config_deferred); the object's bytes in the text */
	bool deferred;
	size_t json_off, json_len;
};

struct spec_personality {
	char *domain; /* LINUX | LINUX32 */
	struct spec_strv flags;
};

struct spec_linux {
	struct spec_namespace *namespaces;
	size_t n_namespaces;
	struct spec_idmap *uid_mappings, *gid_mappings;
	size_t n_uid_mappings, n_gid_mappings;
	struct spec_time_offset time_monotonic, time_boottime;
	struct spec_device *devices;
	size_t n_devices;
	struct spec_net_device *net_devices;
	size_t n_net_devices;
	char *cgroups_path;
	struct spec_resources *resources; /* NULL when absent */
	struct spec_intel_rdt *intel_rdt;
	struct spec_memory_policy *memory_policy;
	struct spec_kv_list sysctl;
	struct spec_seccomp *seccomp; /* NULL when absent */
	char *rootfs_propagation;     /* shared|slave|private|unbindable... */
	struct spec_strv masked_paths;
	struct spec_strv readonly_paths;
	char *mount_label;
	struct spec_personality *personality;
};

struct spec_config {
	char *oci_version;
	struct spec_root *root; /* NULL when absent */
	struct spec_mount *mounts;
	size_t n_mounts;
	struct spec_process *process; /* NULL when absent */
	char *hostname, *domainname;
	struct spec_hooks hooks;
	struct spec_kv_list annotations;
	struct spec_linux *linux; /* NULL when absent */
};

/* ---- parsing ------------------------------------------------------------ */

/* Parse a config.json document.  `name` is used in error messages
 * ("config.json: linux.resources.memory.limit: expected an integer"). */
struct spec_config *spec_parse_config(const char *json, size_t len,
				      const char *name, brig_error_t **err);
/* The same, but of linux.seccomp only listenerPath and listenerMetadata
 * are read (and checked), and where its text lies (json_off, json_len);
 * the rest, most of a typical config, is left to spec_parse_seccomp.  For `create`, whose parent needs no more of it:
 * the init reads the rest, in the container's memory cgroup. */
struct spec_config *spec_parse_config_deferred(const char *json, size_t len,
					       const char *name, brig_error_t **err);
/* linux.seccomp of a config.json document, in full: NULL on error, and
 * NULL with *err unset when the document has none. */
struct spec_seccomp *spec_parse_seccomp(const char *json, size_t len,
					const char *name, brig_error_t **err);
void spec_seccomp_free(struct spec_seccomp *s);
/* Read and parse <bundle>/config.json. */
struct spec_config *spec_load_bundle(const char *bundle, brig_error_t **err);
void spec_free(struct spec_config *c);

/* A process.json for `exec --process`. */
struct spec_process *spec_parse_process(const char *json, size_t len,
					const char *name, brig_error_t **err);
void spec_process_free(struct spec_process *p);

/* A resources JSON for `update -r`. */
struct spec_resources *spec_parse_resources(const char *json, size_t len,
					    const char *name, brig_error_t **err);
void spec_resources_free(struct spec_resources *r);

/* Lookups shared with the modules. */
const char *spec_ns_name(enum spec_ns_type t); /* "pid", "network", ... */
const struct spec_namespace *spec_find_ns(const struct spec_config *c,
					  enum spec_ns_type t);
/* A bind mount: type "bind", or option bind or rbind. */
bool spec_mount_is_bind(const struct spec_mount *m);
/* Value of KEY in env (KEY=VALUE list), or NULL. */
const char *spec_getenv(const struct spec_strv *env, const char *key);
/* Parse an id map line list "0 1000 1" etc. used by tests and CLI. */

/* ---- default config (brig spec) ----------------------------------------- */

/* A config.json text like `runc spec`; with rootless, user namespace
 * mappings for the calling user and no network namespace. Caller frees. */
char *spec_default_config(bool rootless, uid_t uid, gid_t gid);
/* The same with Docker's default capability set (`brig spec --service`). */
char *spec_service_config(bool rootless, uid_t uid, gid_t gid);

/* ---- state (state.json, `brig state`) ------------------------------------ */

/* A container's status: the runtime spec's four and runc's "paused".
 * Which command each one allows is runtime/status.c's. */
enum spec_status {
	SPEC_STATUS_CREATING,
	SPEC_STATUS_CREATED,
	SPEC_STATUS_RUNNING,
	SPEC_STATUS_PAUSED,
	SPEC_STATUS_STOPPED,
};
#define SPEC_STATUS_COUNT 5

/* Its name in state.json and `list` ("created", ...). */
const char *spec_status_name(enum spec_status s);
/* The status named name; -1 for a name that is none of the five. */
int spec_status_parse(const char *name, enum spec_status *s);

struct spec_state {
	char *oci_version;
	char *id;
	enum spec_status status;
	pid_t pid;    /* 0 when stopped */
	char *bundle;
	char *rootfs;
	char *created; /* RFC 3339 with nanoseconds */
	char *owner;
	struct spec_kv_list annotations;
	int restart_count;     /* "restartCount": times the log monitor restarted it */
	/* brig's own fields, kept in state.json but not printed by `state` */
	uint64_t start_time;   /* /proc/<pid>/stat starttime, guards pid reuse */
	char *cgroup_path;     /* relative to each hierarchy's root */
	bool use_systemd;
	bool detached;
	bool has_exit;
	int exit_code;         /* recorded by a log monitor when present */
	char *finished;
	char *config_path;     /* copy of config.json used by later commands */
};

/* Full state.json text (with brig's fields); caller frees. */
char *spec_state_to_json(const struct spec_state *s, bool internal);
struct spec_state *spec_state_parse(const char *json, size_t len,
				    brig_error_t **err);
void spec_state_free(struct spec_state *s);

/* ---- features (`brig features`, features.md) ------------------------------ */

struct spec_features {
	const char *oci_version_min, *oci_version_max;
	const char *const *hooks;         /* NULL-terminated; NULL: omitted */
	const char *const *mount_options;
	struct {
		const char *const *namespaces;
		const char *const *capabilities;
		bool cgroup_v1, cgroup_v2, cgroup_systemd, cgroup_systemd_user, cgroup_rdma;
		bool seccomp_enabled;
		const char *const *seccomp_actions, *const *seccomp_operators,
			*const *seccomp_archs, *const *seccomp_known_flags,
			*const *seccomp_supported_flags;
		bool apparmor, selinux, intel_rdt, intel_rdt_schemata, intel_rdt_monitoring;
		bool idmap, net_devices;
		const char *const *memory_policy_modes, *const *memory_policy_flags;
	} linux;
	const struct spec_kv *annotations; /* n_annotations pairs */
	size_t n_annotations;
	const char *const *unsafe_annotations; /* potentiallyUnsafeConfigAnnotations */
};

/* The features JSON document (indented); caller frees. */
char *spec_features_to_json(const struct spec_features *f);

/* JSON string escaping for the few places that emit JSON by hand
 * (log lines).  Caller frees. */
char *spec_json_quote(const char *s);

#endif
