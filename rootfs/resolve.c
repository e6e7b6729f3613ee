/* brig — rootfs/: resolving and creating paths inside the container's
 * root.  Every lookup goes through openat2(RESOLVE_IN_ROOT), so "..",
 * absolute symlinks and symlinks to "../../.." stay inside the root fd. */
#include "rootfs/rootfs_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_SYMLINK_HOPS 40

const char *rootfs_fd_path(int fd, char buf[ROOTFS_FD_PATH_MAX])
{
	snprintf(buf, ROOTFS_FD_PATH_MAX, "/proc/self/fd/%d", fd);
	return buf;
}

int rootfs_open_in_root(int rootfd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd;

	/* openat2 wants a relative path to mean "from the root" too */
	while (*path == '/')
		path++;
	if (*path == '\0')
		path = ".";
	for (int tries = 0; tries < 16; tries++) {
		fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
		/* EAGAIN: a concurrent rename raced with "..": retry */
		if (fd >= 0 || errno != EAGAIN)
			break;
	}
	return fd;
}

/* Split path into its components (skipping "" and "."). */
static char **split_path(const char *path, size_t *n)
{
	char *copy = xstrdup(path), *save = NULL, *tok;
	char **v = xcalloc(strlen(path) / 2 + 2, sizeof(char *));

	*n = 0;
	for (tok = strtok_r(copy, "/", &save); tok; tok = strtok_r(NULL, "/", &save))
		if (strcmp(tok, ".") != 0)
			v[(*n)++] = xstrdup(tok);
	free(copy);
	return v;
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* prefix/comp[from..n) joined with '/'. */
static char *join_rest(const char *prefix, char **comp, size_t from, size_t n)
{
	size_t len = strlen(prefix) + 2;
	char *s;

	for (size_t i = from; i < n; i++)
		len += strlen(comp[i]) + 1;
	s = xmalloc(len);
	strcpy(s, prefix);
	for (size_t i = from; i < n; i++) {
		strcat(s, "/");
		strcat(s, comp[i]);
	}
	return s;
}

static int mkpath(int rootfd, const char *path, bool want_dir, int hops,
		  brig_error_t **err)
{
	char **comp;
	size_t n;
	int fd, ret = -1;
	char *prefix;

	fd = rootfs_open_in_root(rootfd, path, O_PATH);
	if (fd >= 0)
		return fd;
	if (errno != ENOENT)
		return brig_err(err, errno, "open %s in the container", path);
	if (hops > MAX_SYMLINK_HOPS)
		return brig_err(err, ELOOP, "create %s in the container", path);

	comp = split_path(path, &n);
	prefix = xstrdup("");
	for (size_t i = 0; i < n; i++) {
		cleanup_close int parent = -1;
		bool last = i + 1 == n;
		char *next = xasprintf("%s/%s", prefix, comp[i]);
		char target[4096];
		ssize_t tl;
		int r, e;

		fd = rootfs_open_in_root(rootfd, next, O_PATH);
		if (fd >= 0) {
			if (last) {
				free(next);
				ret = fd;
				goto out;
			}
			close(fd);
			free(prefix);
			prefix = next;
			continue;
		}
		if (errno != ENOENT) {
			brig_err(err, errno, "open %s in the container", next);
			free(next);
			goto out;
		}
		free(next);
		/* the component is missing (or a dangling symlink) in prefix */
		parent = rootfs_open_in_root(rootfd, prefix, O_PATH | O_DIRECTORY);
		if (parent < 0) {
			brig_err(err, errno, "open %s in the container",
				 *prefix ? prefix : "/");
			goto out;
		}
		if (last && !want_dir) {
			r = openat(parent, comp[i],
				   O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
			if (r >= 0)
				close(r);
		} else {
			r = mkdirat(parent, comp[i], 0755);
		}
		e = r < 0 ? errno : 0;
		if (e == EEXIST &&
		    (tl = readlinkat(parent, comp[i], target, sizeof(target) - 1)) > 0) {
			/* dangling symlink: create what it points to, inside */
			char *rest;

			target[tl] = '\0';
			rest = join_rest("", comp, i + 1, n);
			next = target[0] == '/' ? xasprintf("%s%s", target, rest)
						: xasprintf("%s/%s%s", prefix, target, rest);
			free(rest);
			ret = mkpath(rootfd, next, want_dir, hops + 1, err);
			free(next);
			goto out;
		}
		if (e != 0 && e != EEXIST) {
			brig_err(err, e, "create %s/%s in the container", prefix,
				 comp[i]);
			goto out;
		}
		next = xasprintf("%s/%s", prefix, comp[i]);
		free(prefix);
		prefix = next;
		if (last) {
			ret = rootfs_open_in_root(rootfd, prefix, O_PATH);
			if (ret < 0)
				brig_err(err, errno, "open %s in the container", prefix);
		}
	}
	if (n == 0) /* the root itself, cannot be ENOENT */
		brig_err(err, ENOENT, "open %s in the container", path);
out:
	free(prefix);
	free_strv(comp, n);
	return ret;
}

int rootfs_mkpath_in_root(int rootfd, const char *path, bool want_dir,
			  brig_error_t **err)
{
	return mkpath(rootfd, path, want_dir, 0, err);
}

int rootfs_open_parent_in_root(int rootfd, const char *path, char **base,
			       brig_error_t **err)
{
	cleanup_free char *dir = xstrdup(path);
	char *slash, *b;
	size_t len = strlen(dir);

	while (len > 1 && dir[len - 1] == '/')
		dir[--len] = '\0';
	slash = strrchr(dir, '/');
	b = slash ? slash + 1 : dir;
	if (*b == '\0' || strcmp(b, ".") == 0 || strcmp(b, "..") == 0)
		return brig_err(err, EINVAL, "%s: not a valid file path", path);
	*base = xstrdup(b);
	if (slash)
		*slash = '\0';
	else
		*dir = '\0';
	{
		int fd = rootfs_mkpath_in_root(rootfd, *dir ? dir : "/", true, err);
		if (fd < 0) {
			free(*base);
			*base = NULL;
		}
		return fd;
	}
}
