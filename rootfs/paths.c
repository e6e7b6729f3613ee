/* brig — rootfs/: rootfs_finalize, after pivot_root: masked and readonly
 * paths, a read-only root and rootfsPropagation.  Uses only fds and the
 * new mount API, so it does not depend on the container having /proc. */
#include "rootfs/rootfs_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static int move_onto(int tree, int target, const char *what, brig_error_t **err)
{
	if (move_mount(tree, "", target, "",
		       MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return brig_err(err, errno, "mask %s: move_mount", what);
	return 0;
}

/* An empty read-only tmpfs, as a detached mount; or, once one is
 * mounted (empty >= 0: that mount), a copy of it: every masked directory
 * of a container shows the same empty superblock.  A superblock is not
 * free: each costs the kernel memory charged to the container and a
 * step in walks over all superblocks (a memory cgroup's removal visits
 * every superblock's LRU lists).  A process allowed to remount one of
 * them read-write could write to all: masked paths do not hold against
 * CAP_SYS_ADMIN anyway (it can unmount them). */
static int empty_tmpfs(const char *what, int empty, brig_error_t **err)
{
	cleanup_close int fs = -1;
	int m;

	if (empty >= 0) {
		/* private: not a peer of the first, whatever that became */
		struct mount_attr a = { .propagation = MS_PRIVATE };

		m = open_tree(empty, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
		if (m < 0)
			return brig_err(err, errno, "mask %s: open_tree", what);
		if (mount_setattr(m, "", AT_EMPTY_PATH, &a, sizeof(a)) < 0) {
			brig_err(err, errno, "mask %s: make the copy private", what);
			close(m);
			return -1;
		}
		return m;
	}
	fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
	if (fs < 0)
		return brig_err(err, errno, "mask %s: fsopen tmpfs", what);
	if (fsconfig(fs, FSCONFIG_SET_STRING, "mode", "0755", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_SET_FLAG, "ro", NULL, 0) < 0 ||
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return brig_err(err, errno, "mask %s: create tmpfs", what);
	m = fsmount(fs, FSMOUNT_CLOEXEC,
		    MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
			    MOUNT_ATTR_NOEXEC);
	if (m < 0)
		return brig_err(err, errno, "mask %s: fsmount tmpfs", what);
	return m;
}

int rootfs_mask_path(int rootfd, const char *path, int *empty, brig_error_t **err)
{
	cleanup_close int target = rootfs_open_in_root(rootfd, path, O_PATH);
	cleanup_close int tree = -1, null = -1;
	struct stat st, ns;

	if (target < 0) {
		if (errno == ENOENT)
			return 0; /* nothing to hide */
		return brig_err(err, errno, "mask %s", path);
	}
	if (fstat(target, &st) < 0)
		return brig_err(err, errno, "mask %s: stat", path);
	if (S_ISDIR(st.st_mode)) {
		tree = empty_tmpfs(path, *empty, err);
		if (tree < 0)
			return -1;
		if (move_onto(tree, target, path, err) < 0)
			return -1;
		if (*empty < 0) /* the fd names the mount where it now is */
			*empty = steal_fd(tree);
		return 0;
	}
	null = rootfs_open_in_root(rootfd, "/dev/null", O_PATH);
	if (null < 0 || fstat(null, &ns) < 0)
		return brig_err(err, errno, "mask %s: open /dev/null", path);
	if (!S_ISCHR(ns.st_mode) || ns.st_rdev != makedev(1, 3))
		return brig_err(err, EINVAL, "mask %s: /dev/null is not the null device", path);
	tree = open_tree(null, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	if (tree < 0)
		return brig_err(err, errno, "mask %s: open_tree /dev/null", path);
	return move_onto(tree, target, path, err);
}

int rootfs_readonly_path(int rootfd, const char *path, brig_error_t **err)
{
	struct rootfs_bind b = {
		/* read-only, the mounts below too (runc 1.1 leaves those
		 * writable); nosuid, nodev, noexec as they were, as runc */
		.src_fd = -1, .recursive = true, .rec_set = MOUNT_ATTR_RDONLY,
	};
	cleanup_close int target = rootfs_open_in_root(rootfd, path, O_PATH);

	if (target < 0) {
		if (errno == ENOENT)
			return 0;
		return brig_err(err, errno, "readonly %s", path);
	}
	b.src_fd = target;
	if (rootfs_bind_tree(&b, target, path, err) < 0)
		return brig_err_prefix(err, "readonly %s", path);
	return 0;
}

int rootfs_finalize(const struct spec_config *c, const struct rootfs_opts *o,
		    brig_error_t **err)
{
	const struct spec_linux *l = c->linux;
	const char *pv = l ? l->rootfs_propagation : NULL;
	cleanup_close int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	cleanup_close int empty = -1;
	long prop;

	(void)o;
	if (rootfd < 0)
		return brig_err(err, errno, "open /");
	if (l) {
		for (size_t i = 0; i < l->masked_paths.n; i++)
			if (rootfs_mask_path(rootfd, l->masked_paths.v[i], &empty, err) < 0)
				return -1;
		for (size_t i = 0; i < l->readonly_paths.n; i++)
			if (rootfs_readonly_path(rootfd, l->readonly_paths.v[i], err) < 0)
				return -1;
	}
	if (c->root && c->root->readonly) {
		/* only the rdonly bit changes: locked flags stay as they are */
		struct mount_attr a = { .attr_set = MOUNT_ATTR_RDONLY };

		if (mount_setattr(rootfd, "", AT_EMPTY_PATH, &a, sizeof(a)) < 0)
			return brig_err(err, errno, "remount / read-only");
	}
	prop = rootfs_propagation_flags(pv);
	if (prop < 0)
		return brig_err(err, EINVAL, "rootfsPropagation: unknown value \"%s\"", pv);
	/* On / alone, as runc since its fix of rootfsPropagation shared
	 * (runc#1755, 1.2): the container's own mounts stay private, as
	 * made under the private rootfs (runc 1.1 left / private too). */
	if (prop > 0 && mount(NULL, "/", NULL, (unsigned long)prop & ~(unsigned long)MS_REC,
			      NULL) < 0)
		return brig_err(err, errno, "set rootfsPropagation %s on /", pv);
	return 0;
}
