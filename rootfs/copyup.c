/* brig — rootfs/: "tmpcopyup": a tmpfs mounted on a directory of the image
 * starts with a copy of what it hides (as crun does).  Nothing is
 * followed: symlinks are copied as symlinks, every lookup is relative to
 * an fd and O_NOFOLLOW. */
#include "rootfs/rootfs_internal.h"
#include "base/io.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_DEPTH 128

static int copy_data(int in, int out)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (brig_write_all(out, buf, (size_t)n) < 0)
			return -1;
	}
	return 0;
}

static int copy_entry(int src, int dst, const char *name, const struct stat *st,
		      int depth, brig_error_t **err);

static int copy_dir(int src, int dst, int depth, brig_error_t **err)
{
	DIR *d;
	struct dirent *e;
	int ret = 0, dfd = dup(src);

	if (dfd < 0 || (d = fdopendir(dfd)) == NULL) {
		if (dfd >= 0)
			close(dfd);
		return brig_err(err, errno, "tmpcopyup: read directory");
	}
	while (ret == 0 && (errno = 0, e = readdir(d)) != NULL) {
		struct stat st;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (fstatat(src, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			ret = brig_err(err, errno, "tmpcopyup: stat %s", e->d_name);
		else
			ret = copy_entry(src, dst, e->d_name, &st, depth, err);
	}
	if (ret == 0 && errno != 0)
		ret = brig_err(err, errno, "tmpcopyup: read directory");
	closedir(d);
	return ret;
}

static int copy_entry(int src, int dst, const char *name, const struct stat *st,
		      int depth, brig_error_t **err)
{
	mode_t mode = st->st_mode & 07777;

	if (S_ISDIR(st->st_mode)) {
		cleanup_close int in = -1;
		cleanup_close int out = -1;

		if (depth >= MAX_DEPTH)
			return brig_err(err, ELOOP, "tmpcopyup: %s: too deep", name);
		if (mkdirat(dst, name, 0700) < 0)
			return brig_err(err, errno, "tmpcopyup: mkdir %s", name);
		in = openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		out = openat(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (in < 0 || out < 0)
			return brig_err(err, errno, "tmpcopyup: open %s", name);
		if (copy_dir(in, out, depth + 1, err) < 0)
			return -1;
	} else if (S_ISREG(st->st_mode)) {
		cleanup_close int in = openat(src, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		cleanup_close int out = -1;

		if (in < 0)
			return brig_err(err, errno, "tmpcopyup: open %s", name);
		out = openat(dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			     0600);
		if (out < 0 || copy_data(in, out) < 0)
			return brig_err(err, errno, "tmpcopyup: copy %s", name);
	} else if (S_ISLNK(st->st_mode)) {
		char target[4096];
		ssize_t n = readlinkat(src, name, target, sizeof(target) - 1);

		if (n < 0)
			return brig_err(err, errno, "tmpcopyup: readlink %s", name);
		target[n] = '\0';
		if (symlinkat(target, dst, name) < 0)
			return brig_err(err, errno, "tmpcopyup: symlink %s", name);
	} else if (mknodat(dst, name, st->st_mode, st->st_rdev) < 0) {
		if (errno == EPERM)
			return 0; /* a device node in a user namespace: skip it */
		return brig_err(err, errno, "tmpcopyup: mknod %s", name);
	}
	if (fchownat(dst, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0 &&
	    errno != EINVAL && errno != EPERM) /* ids not mapped in a userns */
		return brig_err(err, errno, "tmpcopyup: chown %s", name);
	if (!S_ISLNK(st->st_mode) && fchmodat(dst, name, mode, 0) < 0)
		return brig_err(err, errno, "tmpcopyup: chmod %s", name);
	return 0;
}

int rootfs_copy_tree(int src_dir, int dst_dir, brig_error_t **err)
{
	return copy_dir(src_dir, dst_dir, 0, err);
}
