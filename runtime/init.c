/* brig — runtime/init.c: the container's init, from clone to execve.
 *
 * The order follows the spec and DESIGN.md, top to bottom:
 *   join the v1 cgroups and unshare the new namespaces -> wait for GO ->
 *   (in a new user namespace: the parent has moved us and written the id
 *   maps; unshare now) -> user/time/uts set-up ->
 *   mounts and devices -> prestart/createRuntime hooks (parent) ->
 *   createContainer hooks -> pivot_root -> masked/readonly paths -> sysctl
 *   -> finalize_process (finalize.c, shared with exec: terminal, cwd,
 *   rlimits, capabilities around the switch to process.user, AppArmor,
 *   no_new_privs, seccomp) -> close all but stdio, --preserve-fds and
 *   exec.fifo -> READY -> wait on exec.fifo for `start` ->
 *   startContainer hooks -> execve.
 * A failure before READY goes back to the parent as a message with its
 * full text. */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <signal.h>
#include <string.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <linux/keyctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroups/cgroups.h"
#include "namespaces/namespaces.h"
#include "rootfs/rootfs.h"
#include "runtime/stub/stub_format.h"
#include "security/security.h"

static int fail(struct init_ctx *x, brig_error_t *err)
{
	chan_send_error(x->sock, err);
	return 1;
}

/* Block until the parent says go; EOF means the parent died: give up. */
static int wait_go(struct init_ctx *x, char **data, brig_error_t **err)
{
	cleanup_free char *d = NULL;
	int t = chan_recv(x->sock, &d, NULL);

	if (t != CHAN_GO)
		return brig_err(err, 0, "the runtime went away during set-up");
	if (data)
		*data = steal_ptr(d);
	return 0;
}

/* The filter, from the cache or compiled: here rather than in the parent,
 * so that its memory (the profile's canonical text, the program) is the
 * container's, in the memory cgroup the init was born in. */
static int init_seccomp(struct init_ctx *x, brig_error_t **err)
{
	const struct spec_seccomp *s = x->config->linux ? x->config->linux->seccomp : NULL;
	cleanup_free char *text = NULL;
	size_t len = 0;

	if (s == NULL)
		return 0;
	if (s->deferred) {
		/* The parent read only the listener fields; the rest is in the
		 * state's copy of the text it parsed. */
		int fd = openat(x->state_dir_fd, "config.json", O_RDONLY | O_CLOEXEC);

		text = fd >= 0 ? brig_read_fd(fd, &len) : NULL;
		if (fd >= 0)
			close(fd);
		if (!text)
			return brig_err(err, errno, "read the state's config.json");
	}
	/* the cache was opened and checked by the parent, on the host; a
	 * line for the parent's --debug output goes with READY: this
	 * process's stderr is the container's */
	x->seccomp = sec_seccomp_get(s, text, len, "config.json", x->seccomp_cache,
				     &x->ready_note, err);
	if (!x->seccomp)
		return -1;
	if (sec_seccomp_uses_notify(x->seccomp) && (!s->listener_path || !s->listener_path[0]))
		return brig_err(err, 0, "config.json: linux.seccomp.listenerPath: required when SCMP_ACT_NOTIFY is used");
	return 0;
}

/* A "cgroup" mount in a new cgroup namespace binds our cgroup directories
 * as named outside it: read them before it is entered (rootfs/cgroup.c).
 * A namespace given by a path was joined before the clone. */
static void free_snapshot(struct rootfs_cgroups **s)
{
	rootfs_cgroup_free(*s);
}

static struct rootfs_cgroups *cgroup_snapshot(const struct spec_config *c)
{
	const struct spec_namespace *ns = spec_find_ns(c, SPEC_NS_CGROUP);

	if (ns == NULL || ns->path)
		return NULL;
	for (size_t i = 0; i < c->n_mounts; i++)
		if (c->mounts[i].type && strcmp(c->mounts[i].type, "cgroup") == 0)
			return rootfs_cgroup_snapshot();
	return NULL;
}

/* A session keyring of its own, so the container cannot read the host's
 * keys (runc does the same unless --no-new-keyring). */
static int join_session_keyring(const char *id, brig_error_t **err)
{
	cleanup_free char *name = xasprintf("_ses.%s", id);

	if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name) < 0 && errno != ENOSYS)
		return brig_err(err, errno, "join a new session keyring");
	return 0;
}

/* prestart and createRuntime run in the runtime (asked for here, waited
 * for); createContainer here, in the container's namespaces.  Every one
 * of them after the runtime's answer, which comes once the container's
 * cgroup is complete: an init that set up while systemd made its unit
 * (cg_spawn_begin_init) runs none before. */
static int create_hooks(struct init_ctx *x, const char *state_json, brig_error_t **err)
{
	const struct spec_config *c = x->config;

	if (c->hooks.prestart.n || c->hooks.create_runtime.n || c->hooks.create_container.n) {
		if (chan_send(x->sock, CHAN_HOOKS, NULL, -1) < 0)
			return brig_err(err, errno, "ask for hooks");
		if (wait_go(x, NULL, err) < 0)
			return -1;
	}
	return hooks_run(&c->hooks.create_container, "createContainer", state_json, err);
}

/* Into the container's root: pivot_root (or chroot with --no-pivot) and
 * its finishing (masked and readonly paths), sysctl before /proc/sys is
 * read-only; without a mount namespace, a plain chroot jail. */
static int enter_root(struct init_ctx *x, struct rootfs_opts *ro, bool mountns,
		      brig_error_t **err)
{
	const struct spec_config *c = x->config;

	if (!mountns) {
		if (chroot(x->rootfs) < 0 || chdir("/") < 0)
			return brig_err(err, errno, "chroot %s", x->rootfs);
		return ns_apply_sysctl(c, err);
	}
	if (rootfs_pivot(ro, err) < 0)
		return brig_err_prefix(err, "rootfs");
	if (ns_apply_sysctl(c, err) < 0)
		return -1;
	if (rootfs_finalize(c, ro, err) < 0)
		return brig_err_prefix(err, "rootfs");
	return 0;
}

static int setup(struct init_ctx *x, struct proc_final *f, char **state_json, brig_error_t **err)
{
	const struct spec_config *c = x->config;
	bool mountns = spec_find_ns(c, SPEC_NS_MOUNT) != NULL;
	struct rootfs_opts ro = {
		.rootfs = x->rootfs,
		.bundle = x->bundle,
		/* devices bound, not mknod'ed: in a user namespace of the
		 * container's, or one brig runs in (rootless Podman) */
		.in_userns = x->any_userns || brig_in_userns(),
		.no_pivot = x->no_pivot,
	};
	struct rootfs_cgroups *cgs __attribute__((cleanup(free_snapshot))) = NULL;

	/* Into the cgroups, then the new namespaces (charged to the
	 * container's memory cgroup, the cgroup namespace rooted at its
	 * cgroup).  Without a user namespace that happens at once, while the
	 * parent records the pid; in a new one (or a mount namespace joined
	 * by path, whose cgroupfs paths are not the host's) the parent first
	 * moves us (and writes the id maps), so it waits for go. */
	if (!x->cgroup_by_parent) {
		if (cg_spawn_join(x->cgroup, err) < 0)
			return -1;
		ro.cgroups = cgs = cgroup_snapshot(c);
		if (ns_unshare(c, err) < 0)
			return -1;
	}
	if (init_seccomp(x, err) < 0)
		return -1;
	f->seccomp = x->seccomp;
	sec_seccomp_cache_free(x->seccomp_cache); /* its fd, and its key wiped */
	x->seccomp_cache = NULL;
	close(x->state_dir_fd); /* the last use of the host's state directory */
	x->state_dir_fd = -1;
	if (wait_go(x, state_json, err) < 0)
		return -1;
	if (x->cgroup_by_parent) {
		ro.cgroups = cgs = cgroup_snapshot(c);
		if (ns_unshare(c, err) < 0)
			return -1;
	}
	if (ns_setup_child(c, err) < 0)
		return -1;
	if (!x->no_new_keyring && join_session_keyring(x->id, err) < 0)
		return -1;
	/* A pid namespace joined late: its /proc is a copy of the one its
	 * processes see (a new procfs made here, outside it, would show the
	 * host's). */
	cleanup_close int proc_tree = -1;
	if (mountns && x->pidns_fd >= 0) {
		proc_tree = rootfs_proc_of(x->pidns_peer, x->pidns_fd, err);
		if (proc_tree < 0)
			return brig_err_prefix(err, "linux.namespaces: pid");
		ro.proc_tree = proc_tree;
	}
	if (mountns && rootfs_prepare(c, &ro, err) < 0)
		return brig_err_prefix(err, "rootfs");
	if (create_hooks(x, *state_json, err) < 0)
		return -1;
	/* joined late, we will not be in the pid namespace of the /proc we
	 * pivot into: the AppArmor attribute is opened while the host's is
	 * here (after the hooks, which must not inherit the profile) */
	if (x->pidns_fd >= 0 && c->process->apparmor_profile && c->process->apparmor_profile[0]) {
		f->aa_fd = sec_apparmor_open(c->process->apparmor_profile, err);
		if (f->aa_fd < 0)
			return -1;
	}
	if (enter_root(x, &ro, mountns, err) < 0)
		return -1;
	/* the pid namespace joined late, for the process forked at the end
	 * (setns, as the seccomp filter loaded next may refuse it) */
	if (x->pidns_fd >= 0 && setns(x->pidns_fd, CLONE_NEWPID) < 0)
		return brig_err(err, errno, "linux.namespaces: join pid namespace");
	return finalize_process(f, err);
}

int init_main(void *arg)
{
	struct init_ctx *x = arg;
	struct proc_final f = {
		.p = x->config->process,
		.userns = x->any_userns || brig_in_userns(),
		.init = true,
		.session = x->pidns_fd < 0,
		.sock = x->sock,
		.stub_fd = -1,
		.desc_fd = -1,
		.at_once = x->at_once,
		.aa_fd = -1,
	};
	cleanup_free char *state_json = NULL;
	brig_error_t *err = NULL;

	close(x->parent_sock);
	close(x->lock_fd); /* the state directory's flock stays with the parent */
	cg_spawn_child_close(x->cgroup); /* the parent's connection to systemd */
	/* Until execve this process is brig: a process of the container that
	 * could ptrace it or open its /proc files would act as the runtime.
	 * Non-dumpable, they need CAP_SYS_PTRACE on the host (a container
	 * that has it is kept out by what follows: by the time anything of
	 * the container runs, this process holds nothing of the host).  In a
	 * user namespace our own /proc files would then belong to the host's
	 * root, which set-up needs to write: finalize_process does it there. */
	if (!x->any_userns && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		brig_err(&err, errno, "prctl(PR_SET_DUMPABLE)");
		return fail(x, err);
	}
	if (setup(x, &f, &state_json, &err) < 0)
		return fail(x, err);
	/* From READY on, processes may join the container (exec) and see
	 * this one as its pid 1: keep stdio, --preserve-fds, LISTEN_FDS, the
	 * channel until GO, exec.fifo and the stub's memfds; nothing else
	 * (the state directory, cgroup directories, the caller's memory
	 * cgroup). */
	if (x->pidns_fd >= 0) {
		close(x->pidns_fd);
		x->pidns_fd = -1;
	}
	{
		int keep[4] = {x->sock, x->fifo_fd, f.stub_fd, f.desc_fd};
		if (close_fds_except(3 + x->preserve_fds, keep, 4) < 0) {
			brig_err(&err, errno, "close the runtime's descriptors");
			return fail(x, err);
		}
	}
	/* `run` with nothing between set-up and the process (create.c,
	 * start_at_once): this process execs it, as the stub would. */
	if (x->at_once) {
		handoff_at_once(&f, x->preserve_fds, x->ready_note, &err);
		return fail(x, err);
	}
	/* The stub takes over (handoff.c): with no_new_privs it loads the
	 * filter; joined late, it forks the process that stays into the pid
	 * namespace (create learns its pid) and that one takes a session;
	 * then READY, GO, the wait for start, the startContainer hooks,
	 * execve. */
	struct handoff_opts ho = {
		.flags = STUB_INIT | (f.session ? 0 : STUB_FORK | STUB_SESSION),
		.fifo = x->fifo_fd,
		.keep_fds = x->preserve_fds,
		.note = x->ready_note,
		.hooks = &x->config->hooks.start_container,
	};
	handoff(&f, &ho, &err);
	return fail(x, err);
}

