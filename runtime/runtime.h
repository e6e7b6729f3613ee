/* brig — runtime/: the command line and the container lifecycle.
 * This header is private to runtime/; it composes the other modules. */
#ifndef BRIG_RUNTIME_H
#define BRIG_RUNTIME_H

#include <stdbool.h>
#include <sys/types.h>
#include <unistd.h>

#include "base/io.h"
#include "base/strv.h"
#include "spec/spec.h"
#include "network/network.h"

#define BRIG_DEFAULT_ROOT "/run/brig"
#define BRIG_CGROUP_ROOT "/sys/fs/cgroup"

/* Global options, from the flags before the command. */
struct brig_globals {
	const char *root;
	const char *log;
	bool log_json;
	bool debug;
	bool systemd_cgroup;
	const char *network_dir; /* --network-dir, default NET_DEFAULT_DIR */
};

static inline const char *brig_network_dir(const struct brig_globals *g)
{
	return g->network_dir ? g->network_dir : NET_DEFAULT_DIR;
}

/* ---- diag.c: diagnostics ----------------------------------------------- */
/* The --log file (NULL: none), its format, and whether debug lines print. */
void brig_log_setup(const char *path, bool json, bool debug);
/* `brig: <msg>` on stderr and an error line in the log: main.c only. */
void brig_report_error(const char *msg);
void brig_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void brig_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A failure that does not fail the command: "warning: <context>: <msg>"
 * (fmt NULL: the message alone), then *err is freed. */
void brig_err_warn(brig_error_t **err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Close every descriptor the caller left open above 2 but the first keep
 * (--preserve-fds, LISTEN_FDS), before anything is run: hooks, the log
 * monitor and the container get only what they are meant to. */
int brig_close_inherited_fds(int keep, brig_error_t **err);

/* Are we in a user namespace other than the initial one (rootless Podman
 * runs the runtime as uid 0 in one)? */
bool brig_in_userns(void);
/* Not the host's root: not uid 0, or uid 0 in a user namespace. */
static inline bool brig_rootless(void)
{
	return geteuid() != 0 || brig_in_userns();
}

/* ---- container.c: the state directory ------------------------------------ */
struct container {
	char *id;
	char *dir;  /* <root>/<id> */
	int dir_fd; /* O_DIRECTORY, flock'ed while the command runs */
	struct spec_state *state;
};

int container_validate_id(const char *id, brig_error_t **err);
/* mkdir <root>/<id> (refusing duplicates) and lock it. */
struct container *container_new(const struct brig_globals *g, const char *id,
				brig_error_t **err);
/* Open an existing container and load state.json; with lock, hold its
 * flock (commands that change it). Readers need no lock: state.json is
 * replaced atomically. */
struct container *container_open(const struct brig_globals *g, const char *id,
				 bool lock, brig_error_t **err);
void container_free(struct container *c);
int container_save(struct container *c, brig_error_t **err);
/* Remove the state directory. */
int container_remove_dir(struct container *c);
/* Current status: the recorded one while creating, then what the init,
 * exec.fifo and the freezer say. */
enum spec_status container_status(struct container *c);
/* Is the recorded init still the same live process? */
bool container_alive(const struct container *c);
/* Does its cgroup's freezer say frozen (false without a cgroup)? */
bool container_frozen(const struct container *c);
/* /proc/<pid>/stat starttime, 0 when gone. */
uint64_t proc_start_time(pid_t pid);
/* Container ids under root, sorted (caller frees with brig_strv_free). */
char **container_list_ids(const struct brig_globals *g, size_t *n);
/* RFC 3339 UTC timestamp with nanoseconds; caller frees. */
char *timestamp_now(void);

/* ---- status.c: what each status allows --------------------------------- */
bool status_can_start(enum spec_status s);
bool status_can_kill(enum spec_status s);
bool status_can_delete(enum spec_status s);
bool status_can_exec(enum spec_status s);
bool status_can_pause(enum spec_status s);
bool status_can_resume(enum spec_status s);
bool status_can_update(enum spec_status s);
bool status_has_processes(enum spec_status s); /* ps, events */

/* ---- hooks.c ----------------------------------------------------------- */
/* Run each hook with the state JSON on stdin; fails on the first hook that
 * fails or times out. */
/* fault.c: BRIG_FAULT=<name> SIGKILLs brig at that point (tests) */
void fault_point(const char *name);
/* BRIG_FAULT=<name>:stop: a process that is not brig's stops there */
bool fault_stop(const char *name);
int hooks_run(const struct spec_hook_list *hooks, const char *kind,
	      const char *state_json, brig_error_t **err);

/* ---- channel.c: parent <-> init messages --------------------------------- */
enum chan_type {
	CHAN_GO = 1,    /* parent -> init: continue (data: state JSON) */
	CHAN_HOOKS,     /* init -> parent: run prestart/createRuntime hooks now */
	CHAN_PTY,       /* init -> parent: the terminal's master fd */
	CHAN_READY,     /* init -> parent: set up, waiting for start */
	CHAN_ERROR,     /* init -> parent: failure (data: message) */
	CHAN_SECCOMP,   /* init -> parent: the seccomp notify fd (SCMP_ACT_NOTIFY) */
	CHAN_PID,       /* exec's helper -> parent: the process's pid (data) */
};
int chan_send(int sock, enum chan_type t, const char *data, int fd);
/* CHAN_ERROR with err's errno, kind and text (err NULL: "unknown error"). */
int chan_send_error(int sock, const brig_error_t *err);
/* The error a CHAN_ERROR's data carries, as sent (data NULL: fallback),
 * into *err; returns -1. */
int chan_error(const char *data, const char *fallback, brig_error_t **err);
/* Receives one message; *data is malloc'ed (may be NULL), *fd is -1 or a
 * received descriptor.  Returns the type, 0 on EOF, -1 on error.  fd
 * NULL: no descriptor expected, read(2) is enough (under a seccomp
 * filter that allows no recvmsg). */
int chan_recv(int sock, char **data, int *fd);
/* The same, with the sender's pid (SO_PASSCRED must be set on sock; 0
 * when the kernel sent none).  A process cannot claim the pid of one it
 * cannot see: a container cannot pass for a runtime process outside its
 * pid namespace. */
int chan_recv_from(int sock, char **data, int *fd, pid_t *from);
/* Send fd over a unix socket at path (the --console-socket protocol). */
int send_fd_to_socket(const char *path, int fd, brig_error_t **err);

/* ---- seccomp_listener.c ---------------------------------------------------- */
/* Send the container process state (config-linux.md) with the seccomp
 * notify fd to the agent listening at linux.seccomp.listenerPath. */
int seccomp_listener_send(const struct spec_seccomp *s, const char *state_json,
			  pid_t pid, int notify_fd, brig_error_t **err);

/* ---- restart.c: --restart, kept by the log monitor ------------------------ */
enum restart_mode { RESTART_NO, RESTART_ON_FAILURE, RESTART_ALWAYS };
struct restart_policy {
	enum restart_mode mode;
	int max; /* on-failure:N; 0: no limit */
};
/* "no", "on-failure", "on-failure:N" (N >= 1), "always". */
int restart_parse(const char *s, struct restart_policy *p, brig_error_t **err);
/* The monitor's side: the policy, the restarts so far, the next delay. */
struct restarter {
	struct restart_policy policy;
	int count;
	int delay_ms;
	long long started_ms; /* when the current run started (monotonic) */
};
/* The policy as restart_parse reads it back. */
char *restart_format(const struct restart_policy *p);
/* What a run left in the container's directory goes, but its state,
 * config, service record and the log monitor's files (and the log
 * itself, keep_log, when it lies there): a rerun then finds the
 * directory as a new container's. */
void container_clear_last_run(int dir_fd, const char *keep_log);
/* The container runs from now (its first run). */
void restart_begin_run(struct restarter *r);
/* After an exit with code: does the policy want another run, and is the
 * container still there and not stopped after the delay?  state_fd: its
 * directory. */
bool restart_wait(struct restarter *r, int code, int state_fd);

/* ---- criu.c: checkpoint and restore ------------------------------------- */
/* runc's flags of checkpoint and restore. */
struct criu_opts {
	const char *image_path, *work_path, *parent_path, *page_server;
	const char *manage_cgroups_mode; /* NULL: soft */
	const char *lsm_profile;
	const char *parent_dir; /* --parent-path as CRIU finds it (absolute) */
	bool leave_running, tcp_established, ext_unix_sk, shell_job, file_locks;
	bool pre_dump, lazy_pages, auto_dedup, empty_ns;
	int status_fd; /* -1: none */
};
struct cg_manager;
struct cg_spawn;
/* restore's step instead of the init's clone (create.c): criu restore in
 * the container's cgroups; the restored init's pid, the state saved
 * running, or -1.  A checkpointed terminal comes back as a new one, its
 * master sent to console_socket (NULL: left in *pty_master). */
pid_t criu_restore(const char *g_root, struct container *ct, const struct spec_config *c,
		   const char *bundle, const char *rootfs, struct cg_manager *cg,
		   struct cg_spawn *sp, const struct criu_opts *o, const char *console_socket,
		   int *pty_master, brig_error_t **err);
/* cli_criu.c: an existing image or work directory must be ours and
 * writable by us alone (absent: 0). */
int cli_own_dir(const char *path, const char *flag, brig_error_t **err);
/* checkpoint (its command line parsed): criu dump of a running container. */
int criu_checkpoint(const struct brig_globals *g, const char *id, const struct criu_opts *o,
		    brig_error_t **err);
/* brig run by CRIU as its action script (CRTOOLS_SCRIPT_ACTION set, and
 * the container named by restore): the hooks runc runs there. */
int criu_action_main(void);
bool criu_action_wanted(int argc);

/* ---- create.c / init.c ------------------------------------------------- */
/* A directory's identity (safefile.c), to tell later that a path still
 * leads to the same directory. */
struct dir_ident {
	bool set;
	unsigned long long dev, ino;
};

struct create_opts {
	const char *bundle;
	const char *pid_file;
	const char *console_socket;
	bool no_pivot;
	bool no_new_keyring;
	int preserve_fds; /* --preserve-fds, and LISTEN_FDS before them */
	int listen_fds;   /* LISTEN_FDS of socket activation (3 .. 3+N-1) */
	bool detach; /* run only */
	/* run: start as soon as the init is set up (container_run asks;
	 * create.c decides whether it can: start_at_once) */
	bool start_now;
	bool keep;   /* run only */
	bool foreground; /* run without -d: keep the pty master here */
	/* --log-path/--log-max-size/--log-max-files (monitor.c) */
	bool logged;
	const char *log_path; /* "" or NULL: <root>/<id>/container.log */
	long long log_max_size;
	int log_max_files;
	/* jail run: the config text itself, no <bundle>/config.json */
	const char *config_json;
	/* --network (in order) and -p (network/network.h); none: the
	 * network namespace config.json says, as runc */
	const char **networks;
	size_t n_networks;
	struct spec_cni_port *ports;
	size_t n_ports;
	struct restart_policy restart; /* --restart (monitor.c, restart.c) */
	/* a rerun (a restart, start of a stopped service): the container's
	 * directory, locked, cleared of the last run (container_teardown);
	 * create takes it over, and a failed create or start leaves the
	 * container stopped (container_keep_stopped), its log kept */
	struct container *reuse;
	/* start of a stopped service (service.c): the new log monitor takes
	 * the container over (service_take) before it runs it again */
	bool again;
	/* brig restore: CRIU brings the processes back instead of an init */
	const struct criu_opts *restore;
	struct dir_ident state_dir; /* the one start read service.json in */
	/* with again: the state directory start read service.json in, held
	 * open (O_PATH) until the monitor has taken it over, so that its
	 * inode cannot be reused meanwhile by one of the same id made after
	 * a delete: the monitor compares the two (service_take) */
	int again_dir_fd;
	/* a rerun's: the directories the log and the pid file were in at
	 * the first run (service.json).  The container may write there (a
	 * volume) and swap one for a symlink to a host directory meanwhile:
	 * a directory that is not the same any more is refused, never
	 * written in (dir_ident_check) */
	struct dir_ident log_dir, pid_dir;
};

struct created {
	struct container *ct;
	struct spec_config *config;
	pid_t pid;
	int pty_master; /* foreground run with a terminal, else -1 */
	bool started;   /* create started it too (start_now): it is running */
};

/* Write pid to path atomically (a new file, O_EXCL in a descriptor of
 * path's directory, renamed over path: never written through a symlink).
 * dir (or NULL): the directory it must be in (struct create_opts). */
int write_pid_file(const char *path, pid_t pid, const struct dir_ident *dir,
		   brig_error_t **err);
/* create_state.c: <root>/<id>, locked, with its state in memory
 * ("creating"); then its files: config.json as read, state.json, exec.fifo. */
struct container *container_new_state(const struct brig_globals *g, const char *id,
				      const struct spec_config *c, const char *bundle,
				      const char *rootfs, const struct create_opts *o,
				      brig_error_t **err);
int container_write_state(struct container *ct, const char *text, size_t text_len, bool fifo,
			  brig_error_t **err);
/* netsetup.c: --network and -p (see there); *attached once there is
 * something for netsetup_destroy to undo, even on failure. */
int netsetup_create(const struct brig_globals *g, struct container *ct, struct spec_config *c,
		    const struct create_opts *o, bool *attached, brig_error_t **err);
/* DEL the container's networks and remove its namespace; force: a
 * failure is a warning. */
int netsetup_destroy(struct container *ct, bool force, brig_error_t **err);
/* Its addresses and published ports, for list and port (empty when it
 * was made without --network). */
struct netsetup_info {
	bool host;
	char **ipv4; /* "10.89.0.2" */
	size_t n_ipv4;
	char **ports; /* "127.0.0.1:8080->80/tcp" */
	size_t n_ports;
};
void netsetup_info(struct container *ct, struct netsetup_info *out);
/* Its network.json (read without the lock): 1, 0 none, -1 error. */
int netsetup_state(struct container *ct, struct spec_net_state *s, brig_error_t **err);
void netsetup_info_free(struct netsetup_info *i);
int container_create(const struct brig_globals *g, const char *id,
		     const struct create_opts *o, struct created *out,
		     brig_error_t **err);

/* What the init needs; filled by the parent before the clone. */
struct init_ctx {
	const struct spec_config *config;
	const char *bundle;
	const char *rootfs;
	int sock;        /* the init's end of the socketpair */
	int parent_sock; /* the parent's end, closed in the init */
	int state_dir_fd; /* O_PATH, its own open file: not the locked one */
	int fifo_fd;      /* exec.fifo, read-write, filled (see create.c) */
	int pidns_fd;     /* a pid namespace to enter last (ns_late_pid_path), or -1 */
	pid_t pidns_peer; /* a process in it, whose /proc is the container's */
	int lock_fd;      /* the parent's locked fd, closed in the init */
	const char *id;
	bool no_pivot;
	bool no_new_keyring;
	bool new_userns;
	bool any_userns;
	/* the parent moves the init into its v1 cgroups, by the host's
	 * paths, before go: in a user namespace the init cannot write the
	 * host's cgroupfs; in a mount namespace joined by path those paths
	 * are the joined namespace's, which its container may have made */
	bool cgroup_by_parent;
	int preserve_fds;
	/* run, started at once: no stub, no exec.fifo (handoff_at_once) */
	bool at_once;
	/* the compiled filters' directory, checked by the parent on the host */
	struct sec_seccomp_cache *seccomp_cache;
	struct sec_seccomp *seccomp; /* made by the init from the config */
	char *ready_note; /* in the init: a --debug line for the parent */
	const struct cg_spawn *cgroup; /* for cg_spawn_join */
};
int init_main(void *arg);

/* ---- finalize.c: the last steps of the init and of exec's process ----- */
struct proc_final {
	const struct spec_process *p;
	bool userns;  /* in a user namespace */
	bool init;    /* the init: /dev/console is the terminal */
	bool session; /* setsid (and the terminal) here, not in a process
		       * forked later (exec, an init joining a pid namespace) */
	int sock;     /* to the runtime: CHAN_PTY, CHAN_SECCOMP (then GO) */
	struct sec_seccomp *seccomp; /* or NULL */
	bool seccomp_loaded;
	bool at_once; /* no stub to prepare (handoff_at_once) */
	char *exe;    /* set: args[0] resolved */
	char **env;   /* set: process.env and HOME */
	int stub_fd, desc_fd; /* set: the stub and its instructions (handoff.c) */
	int aa_fd;    /* the AppArmor attribute, opened before (or -1: by path) */
};
/* In the container's namespaces and root: terminal, cwd, rlimits,
 * oom_score_adj, the executable, capabilities around the switch to
 * process.user, umask, AppArmor, no_new_privs and the seccomp filter
 * (before the capabilities are dropped without no_new_privs, after it
 * with). */
int finalize_process(struct proc_final *f, brig_error_t **err);
/* ---- handoff.c: the rest, done by brig's stub (runtime/stub/stub.c) ----- */
struct handoff_opts {
	unsigned int flags;  /* STUB_INIT, STUB_FORK, STUB_SESSION (stub_format.h) */
	int fifo;            /* exec.fifo (the init), else -1 */
	int keep_fds;        /* 3 .. 3+keep_fds-1 go to the process */
	const char *note;    /* a --debug line sent with READY */
	const struct spec_hook_list *hooks; /* startContainer (the init) */
};
/* Execute the stub from a sealed memfd: it loads the seccomp filter (if
 * f has not), forks into the pid namespace, sends READY, waits for GO and
 * `start` as o says, then execs f->exe.  Returns only on failure. */
int handoff(const struct proc_final *f, const struct handoff_opts *o, brig_error_t **err);
/* run, started at once (create.c, start_at_once): READY, GO, then what the
 * stub would do (the filter, signals, descriptors) and execve of f->exe
 * by this process.  Returns only on failure. */
int handoff_at_once(const struct proc_final *f, int keep_fds, const char *note,
		    brig_error_t **err);
/* The stub's two memfds, made by finalize_process before the rlimits
 * (RLIMIT_NOFILE may leave none to open after) and the seccomp filter. */
int handoff_prepare(struct proc_final *f, brig_error_t **err);
/* Close every descriptor from `from` up but those in keep[] (-1 ignored). */
int close_fds_except(int from, const int *keep, size_t n);

/* ---- process.c: shared by init.c and exec.c ---------------------------- */
/* Append a copy of s to l (NULL-terminated); free all of l. */
void strv_push(struct spec_strv *l, const char *s);
void strv_clear(struct spec_strv *l);
/* KEY=VALUE in env, replacing an existing KEY (the last one wins). */
void process_setenv(struct spec_strv *env, const char *kv);
/* args[0] resolved as execvpe would, with the process's own PATH. */
char *find_executable(const struct spec_process *p, brig_error_t **err);
/* process.env plus HOME from /etc/passwd when unset (NULL-terminated). */
char **build_env(const struct spec_process *p);
int apply_rlimits(const struct spec_process *p, brig_error_t **err);
/* chdir to process.cwd and make sure the result is inside the container's
 * root: a cwd like /proc/self/fd/N must not land on an fd of the runtime
 * that points at the host (CVE-2024-21626). */
int enter_cwd(const char *cwd, brig_error_t **err);
/* process.oomScoreAdj of pid (0: ourselves), written from outside any
 * user namespace of the container, as runc does. */
int write_oom_score_adj(const struct spec_process *p, pid_t pid, brig_error_t **err);
/* setgroups, setresgid, setresuid to process.user. */
int switch_user(const struct spec_process *p, bool userns, brig_error_t **err);
/* Every signal back to SIG_DFL and unblocked. */
void reset_signals(void);
/* Is pid a child of ours (alive or a zombie not reaped)?  A pid a
 * process sent us is used only then. */
bool is_own_child(pid_t pid);
/* In the runtime, when set-up fails: SIGKILL the child (init or exec'd
 * process) and reap it; nothing if it is no longer our child (reaped
 * already: its number may be another process's by now). */
void kill_and_reap(pid_t pid);
/* A child pid that is killed and reaped when its scope is left early
 * (cleanup_pid pid_t child = ...); take it out with steal_pid once it is
 * handed on or reaped. */
static inline void kill_and_reap_pidp(pid_t *pid)
{
	if (*pid > 0)
		kill_and_reap(*pid);
}
#define cleanup_pid __attribute__((cleanup(kill_and_reap_pidp)))
#define steal_pid(p) ({ pid_t _t = (p); (p) = -1; _t; })
/* Scope-based frees for the runtime's own objects. */
static inline void container_freep(struct container **ct) { container_free(*ct); }
static inline void spec_freep(struct spec_config **c) { spec_free(*c); }
static inline void spec_process_freep(struct spec_process **p) { spec_process_free(*p); }
#define cleanup_container __attribute__((cleanup(container_freep)))
#define cleanup_config __attribute__((cleanup(spec_freep)))
#define cleanup_process __attribute__((cleanup(spec_process_freep)))

/* ---- terminal.c -------------------------------------------------------- */
/* Open a pty in the container's /dev/pts and make the slave our stdio;
 * returns the master fd.  console: /dev/console becomes the pty (the
 * init); session: the slave becomes the controlling terminal of a new
 * session, else the process forked to run the container's process does
 * that (terminal_take_control). */
int terminal_open(const struct spec_process *p, bool console, bool session,
		  brig_error_t **err);
/* A new session whose controlling terminal is our stdin. */
int terminal_take_control(brig_error_t **err);
/* The pty master from the init (or an exec'd process): sent on to
 * --console-socket when there is one (and closed here), else kept in
 * *pty_master for a foreground run to proxy. */
int terminal_hand_over(const char *console_socket, int fd, int *pty_master,
		       brig_error_t **err);
/* In a foreground run: copy between our stdio and the master until the
 * process exits, forwarding signals; returns the wait status. */
int terminal_proxy_and_wait(int master, pid_t pid);
/* Without a terminal: forward signals until pid exits; wait status. */
int forward_signals_and_wait(pid_t pid);

/* ---- monitor.c / logs.c: logged stdio ------------------------------------ */
/* Fork the per-container log monitor, which creates (and with start,
 * starts) the container as its own child; returns when it reports. */
int monitor_launch(const struct brig_globals *g, const char *id,
		   const struct create_opts *o, bool start, brig_error_t **err);

/* ---- safefile.c: files written for a container, relative to a directory fd */
struct stat;
/* Open path's directory (O_DIRECTORY, a real fd for openat) and return it;
 * *name gets the last component (malloc'ed). */
int dir_open_parent(const char *path, char **name, brig_error_t **err);
/* dirfd's identity into *id. */
void dir_ident_get(int dirfd, struct dir_ident *id);
/* 0 when want is unset or dirfd is that directory; else an error saying
 * that the directory of path was replaced (what, if not NULL: a prefix). */
int dir_ident_check(int dirfd, const struct dir_ident *want, const char *what,
		    const char *path, brig_error_t **err);
/* Why st is not a file brig may read or write ("is a symbolic link", ...),
 * or NULL for a regular file with one link owned by uid. */
const char *safefile_refusal(const struct stat *st, uid_t uid);
/* Open name in dirfd with flags only if it passes safefile_refusal; never
 * follows a symlink, never opens anything else (a FIFO, a device). A
 * refusal is an error with code 0 ("WHAT is a symbolic link; ..."); a
 * failed call keeps its errno (ENOENT: no such name). */
int safefile_open(int dirfd, const char *name, const char *what, int flags, uid_t uid,
		  brig_error_t **err);
/* A new file of ours, O_WRONLY|O_APPEND|O_CREAT|O_EXCL, under a name nobody
 * can guess (".PREFIX.<16 hex digits>", in *tmp), to rename into place. */
int safefile_tmp(int dirfd, const char *prefix, mode_t mode, char **tmp,
		 brig_error_t **err);

/* ---- commands.c: the lifecycle on structs -------------------------------- */
/* Shared by start and run. */
int container_start(struct container *ct, brig_error_t **err);
/* Shared by delete and run: kill (force), wait, poststop, cgroup, dir. */
int container_destroy(struct container *ct, bool force, brig_error_t **err);
/* All of that but the directory (a restart keeps it). */
int container_teardown(struct container *ct, bool force, brig_error_t **err);
/* stop.c: SIGTERM, up to timeout seconds, then SIGKILL; no more restarts. */
int container_stop(const struct brig_globals *g, const char *id, int timeout,
		   brig_error_t **err);
/* The file whose presence tells the log monitor not to restart (stop.c). */
#define STOP_MARKER "stopped-by-user"
/* The file the monitor keeps while it waits to restart (restart.c). */
#define RESTART_PENDING "restart.pending"
/* ---- service.c: start of a stopped service ------------------------------ */
/* The options a log monitor's container was run with (spec/service.h). */
#define SERVICE_FILE "service.json"
/* Locked (flock) by the container's log monitor for as long as it lives. */
#define MONITOR_LOCK "monitor.lock"
/* In the log monitor, at the container's first run: take MONITOR_LOCK
 * (the descriptor stays open, close-on-exec, for the monitor's life) and
 * write SERVICE_FILE. */
int service_record(const struct brig_globals *g, struct container *ct,
		   const struct create_opts *o, int *lock_fd, brig_error_t **err);
/* Was ct run under a log monitor that recorded its options? */
bool service_recorded(struct container *ct);
/* Is a log monitor of ct (locked) alive, holding MONITOR_LOCK? */
bool service_monitor_alive(struct container *ct);
/* Is ct (locked) a service that `brig start` runs again? */
bool service_startable(struct container *ct);
/* `brig start` of a stopped service: a new log monitor runs it again
 * with the recorded options. */
int service_start(const struct brig_globals *g, const char *id, brig_error_t **err);
/* In that new monitor: MONITOR_LOCK taken (no other monitor is alive),
 * then the container, locked, still stopped, taken down and cleared as
 * a restart does; *bundle: its bundle.  The result goes to
 * create_opts.reuse. */
struct container *service_take(const struct brig_globals *g, const char *id,
			       const struct create_opts *o, int *lock_fd, char **bundle,
			       brig_error_t **err);
void created_free(struct created *cr);
/* A rerun that failed (create_opts.reuse): the container stays, stopped
 * (state.json saved so), what the run made already taken down. */
void container_keep_stopped(struct container *ct);
/* create alone (brig create). */
int container_create_only(const struct brig_globals *g, const char *id,
			  const struct create_opts *o, brig_error_t **err);
/* What container_run does between create and start: the log monitor
 * opens its log there, once the init holds nothing of it. */
struct run_step {
	int (*fn)(struct created *cr, void *arg, brig_error_t **err);
	void *arg;
};
/* create, between (may be NULL), then start when start is set: run, run -d,
 * jail run and the log monitor.  A failure after create destroys the
 * container; on success *out is the caller's (created_free). */
int container_run(const struct brig_globals *g, const char *id, const struct create_opts *o,
		  bool start, const struct run_step *between, struct created *out,
		  brig_error_t **err);
/* Wait for a started container (unlocked meanwhile, so kill, state and
 * delete work), then delete it unless keep: its exit code (128+N for
 * signal N), or -1. */
int container_wait_and_delete(struct created *cr, bool keep, brig_error_t **err);
/* brig run without --log-path: container_run, then unless o->detach wait
 * and delete. */
int container_run_foreground(const struct brig_globals *g, const char *id,
			     const struct create_opts *o, brig_error_t **err);
/* restart.c: under the lock, take down the last run and create and start
 * the container again (o as for its first run); -1 when it is gone, was
 * stopped, or could not be created (then it is gone, as after a failed
 * create).  keep_log: the log's name when it is in the state directory. */
int restart_run(const struct brig_globals *g, const char *id, const struct create_opts *o,
		struct restarter *r, const char *keep_log, const struct run_step *between,
		struct created *out, brig_error_t **err);
/* kill: the init, or with all every process of its cgroup. */
struct kill_opts {
	const char *id;
	int sig;  /* SIGTERM when not given */
	bool all; /* every process of its cgroup */
};
int container_kill(const struct brig_globals *g, const struct kill_opts *o, brig_error_t **err);
/* delete: with force, a running container is killed first and one that
 * is gone already is no error. */
struct delete_opts {
	const char *id;
	bool force;
};
int container_delete(const struct brig_globals *g, const struct delete_opts *o,
		     brig_error_t **err);
/* exec.c: a new process in a running container; its exit code (128+N for
 * signal N), 0 with detach, or -1. */
struct exec_opts {
	const char *id;
	char **args; /* the command line after ID (argc - optind), or none */
	int nargs;
	const char *process_file;
	const char *pid_file;
	const char *console_socket;
	const char *cwd;
	const char *user;
	const char *apparmor;
	const char *label;
	struct spec_strv env, gids, caps;
	bool detach, tty, no_new_privs, ignore_paused;
	int preserve_fds;
};
int container_exec(const struct brig_globals *g, const struct exec_opts *o, brig_error_t **err);

/* The commands on the container's cgroup (cgcmds.c): set its limits (all
 * or nothing), freeze or thaw it, list the pids in it. */
int container_update(const struct brig_globals *g, const char *id,
		     const struct spec_resources *r, brig_error_t **err);
int container_pause(const struct brig_globals *g, const char *id, brig_error_t **err);
int container_resume(const struct brig_globals *g, const char *id, brig_error_t **err);
int container_pids(const struct brig_globals *g, const char *id, pid_t **pids,
		   size_t *n, brig_error_t **err);
/* --preserve-fds N (create, run, exec): 0..65536; -1 when invalid. */
int parse_preserve_fds(const char *s, int *n);
/* A signal name (KILL, SIGKILL, RTMIN+1, any case) or number. */
int parse_signal(const char *s, int *sig);

#endif
