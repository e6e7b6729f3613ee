/* brig — rootfs/: entering the root, with pivot_root(".", ".") (the old
 * root is stacked under the new one and detached at once, so no directory
 * is needed for it) or, with --no-pivot, a move of the rootfs onto "/" and
 * chroot. */
#include "rootfs/rootfs_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

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

int rootfs_pivot(const struct rootfs_opts *o, brig_error_t **err)
{
	cleanup_close int oldroot = -1;
	cleanup_close int newroot = -1;

	if (o->no_pivot)
		return no_pivot(o, err);
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
