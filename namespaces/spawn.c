/* brig — namespaces/spawn.c: start the container's init in its namespaces.
 *
 * The common case (every namespace new) is one clone3 that makes the user
 * and pid namespaces; the init unshares the others (ns_unshare).
 * When the spec names namespaces to join (path), a short-lived helper
 * process enters them first (user namespace first, so the namespaces it
 * then creates are owned by it) and clone3s the init with CLONE_PARENT, so
 * the init is still the caller's child. */
#include "namespaces.h"
#include "base/io.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <linux/nsfs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

static const int ns_clone_flag[SPEC_NS_COUNT] = {
	[SPEC_NS_PID] = CLONE_NEWPID,	[SPEC_NS_NETWORK] = CLONE_NEWNET,
	[SPEC_NS_MOUNT] = CLONE_NEWNS,	[SPEC_NS_IPC] = CLONE_NEWIPC,
	[SPEC_NS_UTS] = CLONE_NEWUTS,	[SPEC_NS_USER] = CLONE_NEWUSER,
	[SPEC_NS_CGROUP] = CLONE_NEWCGROUP, [SPEC_NS_TIME] = CLONE_NEWTIME,
};

int ns_new_flags(const struct spec_config *c)
{
	int flags = 0;
	if (!c->linux)
		return 0;
	for (size_t i = 0; i < c->linux->n_namespaces; i++) {
		const struct spec_namespace *ns = &c->linux->namespaces[i];
		if (ns->path == NULL || ns->path[0] == '\0')
			flags |= ns_clone_flag[ns->type];
	}
	return flags;
}

/* One clone3.  As a sibling (CLONE_PARENT) the new process becomes the
 * caller's parent's child; clone3 then wants exit_signal 0 and the kernel
 * gives it the caller's own exit signal, SIGCHLD (we were forked). */
static pid_t do_clone3(uint64_t flags, int cgroup_fd, bool as_sibling)
{
	struct clone_args args;

	memset(&args, 0, sizeof(args));
	args.flags = flags | (as_sibling ? CLONE_PARENT : 0);
	args.exit_signal = as_sibling ? 0 : SIGCHLD;
	if (cgroup_fd >= 0) {
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = (uint64_t)cgroup_fd;
	}
	pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
	/* No clone3 (a kernel before 5.3, a seccomp profile that answers
	 * ENOSYS as Docker's does, valgrind): clone(2) takes the same flags
	 * as long as none is above 32 bits, which leaves CLONE_INTO_CGROUP
	 * out — and with cgroup_fd < 0 the caller moves the child itself. */
	if (pid < 0 && errno == ENOSYS && cgroup_fd < 0)
		pid = (pid_t)syscall(SYS_clone, (unsigned long)args.flags | args.exit_signal,
				     NULL, NULL, NULL, 0UL);
	return pid;
}

static bool has_joined(const struct spec_config *c)
{
	if (!c->linux)
		return false;
	for (size_t i = 0; i < c->linux->n_namespaces; i++)
		if (c->linux->namespaces[i].path && c->linux->namespaces[i].path[0])
			return true;
	return false;
}

const char *ns_late_pid_path(const struct spec_config *c)
{
	const struct spec_namespace *pid = spec_find_ns(c, SPEC_NS_PID);
	const struct spec_namespace *user = spec_find_ns(c, SPEC_NS_USER);

	if (!pid || !pid->path || !pid->path[0])
		return NULL;
	/* a new user namespace could not enter a pid namespace owned by
	 * another one later: there the helper enters it, as before */
	if (user && (!user->path || !user->path[0]))
		return NULL;
	return pid->path;
}

/* In the helper: open every path first (a joined mount namespace changes
 * what later paths mean), then setns the user namespace before the rest.
 * A pid namespace the init enters last (ns_late_pid_path) is left out. */
static int join_paths(const struct spec_config *c, brig_error_t **err)
{
	int fds[SPEC_NS_COUNT];
	const struct spec_linux *l = c->linux;
	int ret = 0;

	for (int t = 0; t < SPEC_NS_COUNT; t++)
		fds[t] = -1;
	for (size_t i = 0; i < l->n_namespaces; i++) {
		const struct spec_namespace *ns = &l->namespaces[i];
		if (!ns->path || !ns->path[0])
			continue;
		if (ns->type == SPEC_NS_PID && ns_late_pid_path(c))
			continue;
		fds[ns->type] = open(ns->path, O_RDONLY | O_CLOEXEC);
		if (fds[ns->type] < 0) {
			ret = brig_err(err, errno, "open %s namespace %s",
				       spec_ns_name(ns->type), ns->path);
			goto out;
		}
	}
	static const enum spec_ns_type order[] = {
		SPEC_NS_USER, SPEC_NS_IPC, SPEC_NS_UTS, SPEC_NS_NETWORK,
		SPEC_NS_PID, SPEC_NS_CGROUP, SPEC_NS_TIME, SPEC_NS_MOUNT,
	};
	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		enum spec_ns_type t = order[i];
		if (fds[t] < 0)
			continue;
		if (setns(fds[t], ns_clone_flag[t]) < 0) {
			ret = brig_err(err, errno, "join %s namespace", spec_ns_name(t));
			goto out;
		}
	}
out:
	for (int t = 0; t < SPEC_NS_COUNT; t++)
		if (fds[t] >= 0)
			close(fds[t]);
	return ret;
}

/* A pid namespace joined by path with a new user namespace: the helper
 * enters it before the init is cloned (a new user namespace could not
 * enter it later), so its processes see the init from its birth, with the
 * host's root, directory and descriptors.  One of them with CAP_SYS_PTRACE
 * in brig's own user namespace would ptrace it (not being dumpable does
 * not stop that capability).  Refused, unless the pid namespace belongs
 * to a user namespace below brig's (Docker's userns-remap, a pod's),
 * whose capabilities do not reach the init.  (Found by the review of
 * issue 20's last changes.) */
static int check_pid_join(const struct spec_config *c, brig_error_t **err)
{
	const struct spec_namespace *pid = spec_find_ns(c, SPEC_NS_PID);
	const struct spec_namespace *user = spec_find_ns(c, SPEC_NS_USER);
	struct stat own, st;
	bool below = false;
	int fd, ufd;

	if (!pid || !pid->path || !pid->path[0] || !user || (user->path && user->path[0]))
		return 0;
	fd = open(pid->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0; /* the helper says why */
	/* EPERM: its owner is above ours; another error: not a namespace
	 * (the helper's setns says so) */
	ufd = ioctl(fd, NS_GET_USERNS);
	close(fd);
	if (ufd < 0 && errno != EPERM)
		return 0;
	if (ufd >= 0) {
		below = fstat(ufd, &st) == 0 && stat("/proc/self/ns/user", &own) == 0 &&
			!(st.st_ino == own.st_ino && st.st_dev == own.st_dev);
		close(ufd);
	}
	if (!below)
		return brig_err(err, 0, "linux.namespaces: pid namespace %s: joined with a new "
				"user namespace, only one that has a user namespace of its own "
				"(its processes would see the init before it leaves the host): "
				"join its user namespace too", pid->path);
	return 0;
}

pid_t ns_spawn(const struct spec_config *c, int cgroup_fd, ns_child_fn fn,
	       void *arg, brig_error_t **err)
{
	/* Only the user and pid namespaces are made by clone: a process
	 * cannot enter a pid namespace it unshares, and the user namespace
	 * must own the others.  The init unshares the rest itself
	 * (ns_unshare) once it is in its cgroups, so their kernel memory
	 * is charged to the container's memory cgroup, not to the caller's
	 * (a daemon running many containers would otherwise carry every
	 * container's network namespace); the time namespace also lets it
	 * write the offsets before anything runs inside. */
	uint64_t flags = (uint64_t)(ns_new_flags(c) & (CLONE_NEWUSER | CLONE_NEWPID));
	pid_t pid;

	if (!has_joined(c)) {
		pid = do_clone3(flags, cgroup_fd, false);
		if (pid < 0)
			return brig_err(err, errno, "clone3");
		if (pid == 0)
			_exit(fn(arg));
		return pid;
	}

	if (check_pid_join(c, err) < 0)
		return -1;
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return brig_err(err, errno, "pipe");
	pid_t helper = fork();
	if (helper < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return brig_err(err, errno, "fork");
	}
	if (helper == 0) {
		brig_error_t *e = NULL;
		int32_t msg[2] = {0, 0};
		close(pfd[0]);
		if (join_paths(c, &e) < 0) {
			/* report the errno; the text is rebuilt by the parent */
			msg[0] = -1;
			msg[1] = e->code;
			(void)brig_write_all(pfd[1], msg, sizeof(msg));
			(void)brig_write_all(pfd[1], e->msg, strlen(e->msg));
			_exit(1);
		}
		pid = do_clone3(flags, cgroup_fd, true);
		if (pid == 0) {
			close(pfd[1]);
			_exit(fn(arg));
		}
		msg[0] = pid < 0 ? -1 : pid;
		msg[1] = pid < 0 ? errno : 0;
		(void)brig_write_all(pfd[1], msg, sizeof(msg));
		if (pid < 0)
			(void)brig_write_all(pfd[1], "clone3", 6);
		_exit(0);
	}
	close(pfd[1]);
	int32_t msg[2] = {-1, EPIPE};
	ssize_t r;
	do
		r = read(pfd[0], msg, sizeof(msg));
	while (r < 0 && errno == EINTR);
	cleanup_free char *text = NULL;
	if (r == (ssize_t)sizeof(msg) && msg[0] < 0)
		text = brig_read_fd(pfd[0], NULL);
	close(pfd[0]);
	while (waitpid(helper, NULL, 0) < 0 && errno == EINTR)
		;
	if (r != (ssize_t)sizeof(msg) || msg[0] < 0) {
		/* the helper's text already ends with strerror */
		return brig_err_set(err, msg[1], BRIG_E_OTHER,
				    text && *text ? text : "namespace helper died");
	}
	return msg[0];
}
