/* brig — network/netns.c: a network namespace that outlives its maker,
 * bind-mounted on a file (as `ip netns add` does), so that the plugins
 * can configure it before the container's init exists, the init joins it
 * by path, and the plugins find it again at delete. */
#include "network/network.h"
#include "base/netif.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

/* The child: a namespace of its own, bound on path; 0, else the step
 * that failed (1 unshare, 2 loopback, 3 mount) as its exit status, with
 * errno in the pipe. */
static int make(const char *path, int report)
{
	brig_error_t *err = NULL;
	int step = 0, e = 0;

	if (unshare(CLONE_NEWNET) < 0)
		step = 1;
	else if (brig_loopback_up(&err) < 0)
		step = 2, errno = err->code;
	else if (mount("/proc/self/ns/net", path, NULL, MS_BIND, NULL) < 0)
		step = 3;
	if (step) {
		e = errno;
		(void)!write(report, &e, sizeof(e));
	}
	return step;
}

int net_netns_create(const char *path, brig_error_t **err)
{
	static const char *const what[] = {"", "unshare", "bring lo up", "bind-mount it"};
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0444);
	int p[2], status = 0, e = 0;
	pid_t pid;

	if (fd < 0)
		return brig_err(err, errno, "network namespace: create %s", path);
	close(fd);
	if (pipe2(p, O_CLOEXEC) < 0) {
		unlink(path);
		return brig_err(err, errno, "network namespace: pipe");
	}
	pid = fork();
	if (pid == 0)
		_exit(make(path, p[1]));
	close(p[1]);
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	if (pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		int step = pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) < 4
				   ? WEXITSTATUS(status) : 0;
		if (pid < 0 || read(p[0], &e, sizeof(e)) != sizeof(e))
			e = errno;
		close(p[0]);
		umount2(path, MNT_DETACH);
		unlink(path);
		return brig_err(err, e, "network namespace: %s", step ? what[step] : "fork");
	}
	close(p[0]);
	return 0;
}

int net_netns_remove(const char *path, brig_error_t **err)
{
	if (umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL && errno != ENOENT)
		return brig_err(err, errno, "network namespace: unmount %s", path);
	if (unlink(path) < 0 && errno != ENOENT)
		return brig_err(err, errno, "network namespace: remove %s", path);
	return 0;
}
