/* brig — namespaces/join.c: start a process for `exec` inside the
 * namespaces of a running container.
 *
 * A pid namespace can only be entered by the children of a process that
 * has called setns on it.  The process that becomes visible there must
 * already be in the container's user and mount namespaces and root: a
 * process of the container (with CAP_SYS_PTRACE, say) could otherwise
 * reach the host through its /proc/<pid>/root, cwd or fds.  So `exec`
 * clones a helper, outside the pid namespace and straight into the
 * container's v2 cgroup when it can (ns_exec_spawn); the helper joins
 * every namespace (ns_join_process: the pid one for its children), the
 * root, and finishes the process's set-up; then it forks the process
 * itself into the pid namespace as the caller's child (ns_fork_sibling),
 * so that `exec` can wait for it, and exits. */
#include "namespaces.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
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

pid_t ns_exec_spawn(int cgroup_fd, ns_child_fn fn, void *arg, brig_error_t **err)
{
	struct clone_args args;
	pid_t pid;

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
	if (pid < 0)
		return brig_err(err, errno, "clone3");
	return pid;
}

static bool in_ns(pid_t pid, const struct stat *ns)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)pid);
	return stat(path, &st) == 0 && st.st_ino == ns->st_ino && st.st_dev == ns->st_dev;
}

pid_t ns_pid_in(const char *path, int ns_fd)
{
	struct stat ns;
	struct dirent *e;
	DIR *d;
	pid_t found = 0;
	int n = 0;

	if (fstat(ns_fd, &ns) < 0)
		return 0;
	if (sscanf(path, "/proc/%d/ns/pid%n", &found, &n) == 1 && path[n] == '\0' &&
	    in_ns(found, &ns))
		return found;
	found = 0;
	d = opendir("/proc");
	while (d && !found && (e = readdir(d)) != NULL) {
		pid_t p = (pid_t)atoi(e->d_name);
		if (p > 0 && in_ns(p, &ns))
			found = p;
	}
	if (d)
		closedir(d);
	return found;
}

pid_t ns_fork_sibling(void)
{
	/* clone(2), not clone3: a seccomp profile that answers clone3 with
	 * ENOSYS (Docker's) lets this one through.  With CLONE_PARENT the
	 * exit signal is our own, SIGCHLD. */
	return (pid_t)syscall(SYS_clone, (unsigned long)CLONE_PARENT, NULL, NULL, NULL, 0UL);
}
