/* brig — rootfs/: private helpers shared by the files of the module (and
 * by tests/unit/test_rootfs.c).  Not part of the public interface. */
#ifndef BRIG_ROOTFS_INTERNAL_H
#define BRIG_ROOTFS_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "rootfs/rootfs.h"

/* ---- resolve.c: paths resolved inside a root directory fd ------------- */

/* "/proc/self/fd/N" for fd, in a caller buffer. */
#define ROOTFS_FD_PATH_MAX 32
const char *rootfs_fd_path(int fd, char buf[ROOTFS_FD_PATH_MAX]);

/* openat2(dirfd, path, flags, RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS):
 * `path` is looked up as if dirfd were "/", so absolute symlinks and ".."
 * never leave it.  Returns an fd, or -1 with errno set. */
int rootfs_open_in_root(int rootfd, const char *path, int flags);
/* Tests only: behave as if openat2 were missing (ENOSYS), so the
 * component-by-component fallback does every lookup. */
extern bool rootfs_force_walk;

/* Make sure `path` exists inside the root (creating missing directories
 * with mode 0755, and the last component as a directory when want_dir or
 * as an empty regular file otherwise; dangling symlinks are followed
 * inside the root) and return an O_PATH fd on it. */
int rootfs_mkpath_in_root(int rootfd, const char *path, bool want_dir,
			  brig_error_t **err);

/* Create (inside the root) the parent directory of `path` and return an
 * O_PATH fd on it; *base points to a heap copy of the last component,
 * refused when it is empty, "." or "..". */
int rootfs_open_parent_in_root(int rootfd, const char *path, char **base,
			       brig_error_t **err);

/* ---- mounts.c ---------------------------------------------------------- */

/* MS_* propagation for a rootfsPropagation value, always recursive;
 * 0 for NULL or "", -1 for an unknown value. */
long rootfs_propagation_flags(const char *value);

/* Translate per-mount MS_* flags to mount_setattr attributes. */
void rootfs_flags_to_attr(unsigned long set, unsigned long clear,
			  uint64_t *attr_set, uint64_t *attr_clr);

/* After a filesystem mount on dest: its recursive attributes (rro, ...)
 * and propagation, applied on the new mount found again at dest. */
int rootfs_after_mount(int rootfd, const char *dest,
		       const struct rootfs_mount_opts *mo, brig_error_t **err);

/* Bind `src_fd` (or path `src` when src_fd < 0) onto target_fd using
 * open_tree(OPEN_TREE_CLONE) + mount_setattr + move_mount.  The
 * per-mount attributes apply to the top mount only, rec_* to the whole
 * tree; propagation (MS_* | MS_REC) is applied after the move. */
struct rootfs_bind {
	int src_fd;
	const char *src;
	bool recursive;
	uint64_t attr_set, attr_clr;
	uint64_t rec_set, rec_clr;
	unsigned long propagation;
};
int rootfs_bind_tree(const struct rootfs_bind *b, int target_fd,
		     const char *what, brig_error_t **err);

/* ---- copyup.c ---------------------------------------------------------- */

/* Copy the contents of directory src_dir into dst_dir (tmpcopyup),
 * keeping modes and owners, never following a symlink. */
int rootfs_copy_tree(int src_dir, int dst_dir, brig_error_t **err);

/* ---- cgroup.c ---------------------------------------------------------- */

/* Mount the cgroup filesystem(s) of a "cgroup" mount entry on target.
 * dest is the container path (for messages and sub-paths). */
int rootfs_mount_cgroup(int rootfd, const char *dest,
			const struct rootfs_mount_opts *mo, bool new_cgroupns,
			const struct rootfs_cgroups *snap,
			brig_error_t **err);

/* ---- devices.c ------------------------------------------------------- */

int rootfs_create_devices(const struct spec_config *c,
			  const struct rootfs_opts *o, int rootfd,
			  brig_error_t **err);

/* ---- paths.c ----------------------------------------------------------- */

/* *empty: -1, then the mount of the first masked directory (close it) */
int rootfs_mask_path(int rootfd, const char *path, int *empty, brig_error_t **err);
int rootfs_readonly_path(int rootfd, const char *path, brig_error_t **err);

#endif
