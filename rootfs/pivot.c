/* brig — rootfs/: entering the root, with pivot_root(".", ".") (the old
 * root is stacked under the new one and detached at once, so no directory
 * is needed for it) or, with --no-pivot, a move of the rootfs onto "/" and
 * chroot; then standard input, output or error that is the host's
 * /dev/null becomes the container's. */
#include "rootfs/rootfs_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Descriptors 0-2 on a /dev/null (what conmon and containerd's shim hand
 * a container without a terminal: the host's) reopened on the container's
 * /dev/null, read-write, as runc does: CRIU cannot dump a file on a mount
 * the container does not have, and `podman container checkpoint` failed
 * on it.  A root without a usable /dev/null leaves them as they are. */
static void reopen_dev_null(void)
{
	struct stat null_st, st;
	int fd = open("/dev/null", O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd >= 0 && fd < 3) { /* a closed 0-2: keep that slot free */
		int high = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		close(fd);
		fd = high;
	}
	if (fd < 0)
		return;
	if (fstat(fd, &null_st) == 0 && S_ISCHR(null_st.st_mode))
		for (int i = 0; i < 3; i++)
			if (fstat(i, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == null_st.st_rdev)
				(void)dup3(fd, i, 0);
	close(fd);
}

static int no_pivot(const struct rootfs_opts *o, brig_error_t **err)
{
	if (chdir(o->rootfs) < 0)
		return brig_err(err, errno, "chdir %s", o->rootfs);
	if (mount(o->rootfs, "/", NULL, MS_MOVE, NULL) < 0)
		return brig_err(err, errno, "move %s to /", o->rootfs);
	if (chroot(".") < 0)
		return brig_err(err, errno, "chroot %s", o->rootfs);
	if (chdir("/") < 0)
		return brig_err(err, errno, "chdir /");
	return 0;
}

static int pivot(const struct rootfs_opts *o, brig_error_t **err)
{
	cleanup_close int oldroot = -1;
	cleanup_close int newroot = -1;

	oldroot = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (oldroot < 0)
		return brig_err(err, errno, "pivot_root: open /");
	newroot = open(o->rootfs, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (newroot < 0)
		return brig_err(err, errno, "pivot_root: open %s", o->rootfs);
	if (fchdir(newroot) < 0)
		return brig_err(err, errno, "pivot_root: chdir %s", o->rootfs);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return brig_err(err, errno, "pivot_root %s", o->rootfs);
	/* the old root is now mounted on top of the new one, at "." */
	if (fchdir(oldroot) < 0)
		return brig_err(err, errno, "pivot_root: chdir to the old root");
	/* slave first so the detach does not propagate to the host */
	if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return brig_err(err, errno, "pivot_root: make the old root rslave");
	if (umount2(".", MNT_DETACH) < 0)
		return brig_err(err, errno, "pivot_root: detach the old root");
	if (chdir("/") < 0)
		return brig_err(err, errno, "pivot_root: chdir /");
	return 0;
}

int rootfs_pivot(const struct rootfs_opts *o, brig_error_t **err)
{
	if ((o->no_pivot ? no_pivot(o, err) : pivot(o, err)) < 0)
		return -1;
	reopen_dev_null();
	return 0;
}
