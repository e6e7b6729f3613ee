/* brig — runtime/init.c: the container's init, from clone to execve.
 *
 * The order follows the spec and DESIGN.md, top to bottom:
 *   join the v1 cgroups and unshare the new namespaces -> wait for GO ->
 *   (in a new user namespace: the parent has moved us and written the id
 *   maps; unshare now) -> user/time/uts set-up ->
 *   mounts and devices -> prestart/createRuntime hooks (parent) ->
 *   createContainer hooks -> pivot_root -> masked/readonly paths -> sysctl
 *   -> terminal -> cwd -> rlimits, oom_score_adj -> capabilities around the
 *   switch to process.user -> AppArmor -> no_new_privs -> READY -> wait on
 *   exec.fifo for `start` -> startContainer hooks -> seccomp -> execve.
 * A failure before READY goes back to the parent as a message with its
 * full text. */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <linux/keyctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroups/cgroups.h"
#include "namespaces/namespaces.h"
#include "rootfs/rootfs.h"
#include "security/security.h"

static int fail(struct init_ctx *x, brig_error_t *err)
{
	chan_send(x->sock, CHAN_ERROR, err ? err->msg : "unknown error", -1);
	return 1;
}

/* Block until the parent says go; EOF means the parent died: give up. */
static int wait_go(struct init_ctx *x, char **data, brig_error_t **err)
{
	int fd;
	cleanup_free char *d = NULL;
	int t = chan_recv(x->sock, &d, &fd);

	if (fd >= 0)
		close(fd);
	if (t != CHAN_GO)
		return brig_err(err, 0, "the runtime went away during set-up");
	if (data)
		*data = steal_ptr(d);
	return 0;
}

/* Open exec.fifo for writing: blocks until `start` opens it to read.  The
 * startContainer hooks run in between, before the byte that lets `start`
 * go on to the poststart hooks: a failing hook fails `start`. */
static int wait_for_start(struct init_ctx *x, const char *state_json)
{
	brig_error_t *err = NULL;
	int fd = openat(x->state_dir_fd, "exec.fifo", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (x->config->hooks.start_container.n &&
	    hooks_run(&x->config->hooks.start_container, "startContainer", state_json, &err) < 0) {
		dprintf(2, "brig: %s\n", err->msg);
		_exit(1);
	}
	if (write(fd, "0", 1) != 1) {
		close(fd);
		return -1;
	}
	close(fd);
	close(x->state_dir_fd);
	return 0;
}

/* Load the filter during set-up, while the runtime still listens: a
 * notify fd (SCMP_ACT_NOTIFY) goes up to `create`, which hands it to the
 * agent at listenerPath, and set-up goes on once it has. */
static int load_seccomp_now(struct init_ctx *x, brig_error_t **err)
{
	int nfd = -1;

	if (sec_seccomp_load(x->seccomp, &nfd, err) < 0)
		return brig_err_prefix(err, "linux.seccomp");
	x->seccomp_loaded = true;
	if (nfd < 0)
		return 0;
	int r = chan_send(x->sock, CHAN_SECCOMP, NULL, nfd);
	close(nfd);
	if (r < 0)
		return brig_err(err, errno, "send the seccomp notify fd to the runtime");
	return wait_go(x, NULL, err);
}

/* After READY the init still opens exec.fifo (the socket is closed by
 * then), where a failure reaches nobody: a RLIMIT_NOFILE that leaves no
 * descriptor free below it is refused now, with a message. */
static int check_nofile(const struct init_ctx *x, brig_error_t **err)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur > 64)
		return 0;
	for (int fd = 0; fd < (int)rl.rlim_cur; fd++)
		if (fd == x->sock || fcntl(fd, F_GETFD) < 0)
			return 0;
	return brig_err(err, 0, "process.rlimits: RLIMIT_NOFILE %d is too low: the "
			"runtime needs one file descriptor above stdio to wait for start",
			(int)rl.rlim_cur);
}

/* The filter, from the cache or compiled: here rather than in the parent,
 * so that its memory (the profile's canonical text, the program) is the
 * container's, in the memory cgroup the init was born in. */
static int init_seccomp(struct init_ctx *x, brig_error_t **err)
{
	const struct spec_seccomp *s = x->config->linux ? x->config->linux->seccomp : NULL;
	struct sec_seccomp_cache *cache = x->seccomp_cache; /* checked by the parent */
	bool hit = false;

	if (s == NULL)
		return 0;
	if (s->deferred) {
		/* The parent read only the listener fields; the rest is in the
		 * state's copy of the text it parsed.  Without a listener the
		 * profile's text is the cache key, and it is parsed only on a
		 * miss; with one (a path per container, as a rule) the parsed
		 * profile is, as for exec: one entry, not one per container. */
		size_t len = 0;
		int fd = openat(x->state_dir_fd, "config.json", O_RDONLY | O_CLOEXEC);
		cleanup_free char *text = fd >= 0 ? brig_read_fd(fd, &len) : NULL;
		struct spec_seccomp *full = NULL;
		const char *json;

		if (fd >= 0)
			close(fd);
		if (!text)
			return brig_err(err, errno, "read the state's config.json");
		if (s->json_len == 0 || s->json_off + s->json_len > len)
			return brig_err(err, 0, "the state's config.json is not the one parsed");
		json = text + s->json_off;
		if (!s->listener_path) {
			x->seccomp = sec_seccomp_cached_json(json, s->json_len, cache);
			hit = x->seccomp != NULL;
		}
		if (!x->seccomp) {
			full = spec_parse_seccomp(text, len, "config.json", err);
			if (!full)
				return *err ? -1 : brig_err(err, 0, "the state's config.json has no linux.seccomp");
			x->seccomp = s->listener_path
					     ? sec_seccomp_prepare_at(full, cache, &hit, err)
					     : sec_seccomp_compile_json(full, json, s->json_len, cache, err);
			spec_seccomp_free(full);
		}
	} else {
		x->seccomp = sec_seccomp_prepare_at(s, cache, &hit, err);
	}
	if (!x->seccomp)
		return brig_err_prefix(err, "config.json");
	/* a line for the parent's --debug output, sent with READY: this
	 * process's stderr is the container's */
	x->ready_note = sec_seccomp_cache_report(cache, hit);
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

static int setup(struct init_ctx *x, char **state_json, char **exe, brig_error_t **err)
{
	const struct spec_config *c = x->config;
	const struct spec_process *p = c->process;
	bool mountns = spec_find_ns(c, SPEC_NS_MOUNT) != NULL;
	struct rootfs_opts ro = {
		.rootfs = x->rootfs,
		.bundle = x->bundle,
		.in_userns = x->any_userns,
		.no_pivot = x->no_pivot,
	};
	struct rootfs_cgroups *cgs __attribute__((cleanup(free_snapshot))) = NULL;

	/* Into the cgroups, then the new namespaces (charged to the
	 * container's memory cgroup, the cgroup namespace rooted at its
	 * cgroup).  Without a user namespace that happens at once, while the
	 * parent records the pid; in a new one the parent first moves us and
	 * writes the id maps, so it waits for go. */
	if (!x->any_userns) {
		if (x->cg_self && cg_enter_v1(x->cg_self, 0, err) < 0)
			return -1;
		ro.cgroups = cgs = cgroup_snapshot(c);
		if (ns_unshare(c, err) < 0)
			return -1;
	}
	if (init_seccomp(x, err) < 0)
		return -1;
	sec_seccomp_cache_free(x->seccomp_cache); /* its fd, and its key wiped */
	x->seccomp_cache = NULL;
	if (wait_go(x, state_json, err) < 0)
		return -1;
	if (x->any_userns) {
		ro.cgroups = cgs = cgroup_snapshot(c);
		if (ns_unshare(c, err) < 0)
			return -1;
	}
	if (ns_setup_child(c, err) < 0)
		return -1;
	/* a session keyring of its own, so the container cannot read the
	 * host's keys (runc does the same unless --no-new-keyring) */
	if (!x->no_new_keyring) {
		cleanup_free char *name = xasprintf("_ses.%s", x->id);
		if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name) < 0 && errno != ENOSYS)
			return brig_err(err, errno, "join a new session keyring");
	}
	if (mountns && rootfs_prepare(c, &ro, err) < 0)
		return brig_err_prefix(err, "rootfs");
	if (c->hooks.prestart.n || c->hooks.create_runtime.n) {
		if (chan_send(x->sock, CHAN_HOOKS, NULL, -1) < 0)
			return brig_err(err, errno, "ask for hooks");
		if (wait_go(x, NULL, err) < 0)
			return -1;
	}
	if (hooks_run(&c->hooks.create_container, "createContainer", *state_json, err) < 0)
		return -1;
	if (mountns) {
		if (rootfs_pivot(&ro, err) < 0)
			return brig_err_prefix(err, "rootfs");
		/* sysctl before /proc/sys becomes read-only */
		if (ns_apply_sysctl(c, err) < 0)
			return -1;
		if (rootfs_finalize(c, &ro, err) < 0)
			return brig_err_prefix(err, "rootfs");
	} else {
		/* no mount namespace: a plain chroot jail */
		if (chroot(x->rootfs) < 0 || chdir("/") < 0)
			return brig_err(err, errno, "chroot %s", x->rootfs);
		if (ns_apply_sysctl(c, err) < 0)
			return -1;
	}
	if (p->terminal) {
		int master = terminal_setup(p, err);
		if (master < 0)
			return -1;
		if (chan_send(x->sock, CHAN_PTY, NULL, master) < 0)
			return brig_err(err, errno, "send the terminal to the runtime");
		close(master);
	} else if (setsid() < 0) {
		return brig_err(err, errno, "setsid");
	}
	if (enter_cwd(p->cwd, err) < 0)
		return -1;
	if (apply_rlimits(p, err) < 0 || check_nofile(x, err) < 0 ||
	    write_oom_score_adj(p, err) < 0)
		return -1;
	*exe = find_executable(p, err);
	if (!*exe)
		return -1;
	if (x->seccomp && !p->no_new_privileges) {
		/* without no_new_privs the filter needs CAP_SYS_ADMIN: load it
		 * while we still have it, as runc does */
		if (load_seccomp_now(x, err) < 0)
			return -1;
	}
	if (sec_caps_prepare(p->capabilities, err) < 0)
		return -1;
	if (switch_user(p, x->any_userns, err) < 0)
		return -1;
	if (sec_caps_apply(p->capabilities, err) < 0)
		return -1;
	if (p->user.umask.set)
		umask((mode_t)p->user.umask.v);
	else
		umask(022);
	if (sec_apparmor_apply(p->apparmor_profile, err) < 0)
		return -1;
	if (p->no_new_privileges && sec_no_new_privs(err) < 0)
		return -1;
	/* A notify fd needs the runtime, which is gone after READY: such a
	 * filter is loaded here, before the wait for `start` (as runc does
	 * with no_new_privs); any other one just before execve. */
	if (x->seccomp && !x->seccomp_loaded && sec_seccomp_uses_notify(x->seccomp) &&
	    load_seccomp_now(x, err) < 0)
		return -1;
	return 0;
}

int init_main(void *arg)
{
	struct init_ctx *x = arg;
	const struct spec_process *p = x->config->process;
	cleanup_free char *state_json = NULL;
	cleanup_free char *exe = NULL;
	brig_error_t *err = NULL;

	close(x->parent_sock);
	close(x->lock_fd); /* the state directory's flock stays with the parent */
	if (setup(x, &state_json, &exe, &err) < 0)
		return fail(x, err);
	/* CVE-2019-5736: until execve this process is brig, and its
	 * /proc/<pid>/exe the host's brig binary.  Processes that join the
	 * created container (exec) must not open it, not even to read (a
	 * read-only fd can be reopened for writing once no brig runs):
	 * non-dumpable, /proc/<pid>/exe needs CAP_SYS_PTRACE on the host.
	 * Set here, once nothing in set-up needs its own /proc files; execve
	 * makes the container's process dumpable again. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		brig_err(&err, errno, "prctl(PR_SET_DUMPABLE)");
		return fail(x, err);
	}
	chan_send(x->sock, CHAN_READY, x->ready_note, -1);
	free(state_json);
	state_json = NULL;
	if (wait_go(x, &state_json, &err) < 0)
		_exit(1);
	close(x->sock);

	if (wait_for_start(x, state_json) < 0)
		_exit(1); /* deleted before start */
	char **env = build_env(p);
	if (x->seccomp && !x->seccomp_loaded) {
		int nfd = -1;
		if (sec_seccomp_load(x->seccomp, &nfd, &err) < 0) {
			dprintf(2, "brig: linux.seccomp: %s\n", err->msg);
			_exit(1);
		}
	}
	reset_signals();
	/* nothing of the runtime's reaches the container but stdio and
	 * --preserve-fds */
	for (int fd = 3; fd < 3 + x->preserve_fds; fd++) {
		int fl = fcntl(fd, F_GETFD);
		if (fl >= 0)
			fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC);
	}
	syscall(SYS_close_range, 3 + x->preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC);
	execve(exe, p->args.v, env);
	dprintf(2, "brig: exec %s: %s\n", exe, strerror(errno));
	_exit(127);
}
