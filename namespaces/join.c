/* brig — namespaces/join.c: start a process for `exec` inside the
 * namespaces of a running container.
 *
 * A pid namespace can only be entered by the children of a process that
 * has called setns on it, so the caller (brig exec) sets its own
 * pid_for_children to the container's, clone3s the new process (straight
 * into the container's v2 cgroup when it can) and puts pid_for_children
 * back.  The new process stays the caller's child, so `exec` can wait for
 * it, and joins the rest itself with ns_join_process(). */
#include "namespaces.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

static bool same_ns(const char *a, const char *b)
{
	char la[64] = "", lb[64] = "";
	return readlink(a, la, sizeof(la) - 1) > 0 && readlink(b, lb, sizeof(lb) - 1) > 0 &&
	       strcmp(la, lb) == 0;
}

pid_t ns_exec_spawn(pid_t target, int cgroup_fd, ns_child_fn fn, void *arg,
		    brig_error_t **err)
{
	char path[64];
	cleanup_close int saved = -1;
	struct clone_args args;
	pid_t pid;

	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)target);
	if (!same_ns(path, "/proc/self/ns/pid_for_children")) {
		cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return brig_err(err, errno, "open %s", path);
		saved = open("/proc/self/ns/pid_for_children", O_RDONLY | O_CLOEXEC);
		if (saved < 0)
			return brig_err(err, errno, "open /proc/self/ns/pid_for_children");
		if (setns(fd, CLONE_NEWPID) < 0)
			return brig_err(err, errno, "join the container's pid namespace");
	}
	memset(&args, 0, sizeof(args));
	args.exit_signal = SIGCHLD;
	if (cgroup_fd >= 0) {
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = (uint64_t)cgroup_fd;
	}
	pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
	if (pid < 0 && errno == ENOSYS && cgroup_fd < 0)
		pid = fork(); /* no clone3 (old kernel, valgrind): same thing here */
	if (pid == 0)
		_exit(fn(arg));
	int e = errno;
	if (saved >= 0 && setns(saved, CLONE_NEWPID) < 0 && pid > 0) {
		/* cannot happen: our own pid namespace is always enterable */
		e = errno;
		kill(pid, SIGKILL);
		return brig_err(err, e, "restore the pid namespace for children");
	}
	if (pid < 0)
		return brig_err(err, e, "clone3");
	return pid;
}
