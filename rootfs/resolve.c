/* brig — rootfs/: resolving and creating paths inside the container's
 * root.  Every lookup goes through openat2(RESOLVE_IN_ROOT), so "..",
 * absolute symlinks and symlinks to "../../.." stay inside the root fd;
 * without openat2, through a component-by-component walk that does the
 * same (walk_in_root). */
#include "rootfs/rootfs_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/strv.h"

#define MAX_SYMLINK_HOPS 40

const char *rootfs_fd_path(int fd, char buf[ROOTFS_FD_PATH_MAX])
{
	snprintf(buf, ROOTFS_FD_PATH_MAX, "/proc/self/fd/%d", fd);
	return buf;
}

bool rootfs_force_walk;

static bool same_file(int a, int b)
{
	struct stat sa, sb;
	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* The same lookup without openat2 (ENOSYS: a kernel before 5.6, or
 * valgrind): one component at a time from rootfd with O_NOFOLLOW, so the
 * kernel never follows a link; a symlink's target is read and walked from
 * the root (absolute) or from where it was (relative), ".." at the root
 * stays there, and a magic link is just text.  Not atomic against renames
 * racing in the tree, which nothing does while a container is set up. */
static int walk_in_root(int rootfd, const char *path, int flags)
{
	char *todo = xstrdup(path), *p = todo;
	int cur = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int hops = 0, fd = -1, e = 0;

	while (cur >= 0) {
		char *comp, *rest;
		struct stat st;
		bool last;

		while (*p == '/')
			p++;
		if (*p == '\0') {
			fd = openat(cur, ".", flags | O_CLOEXEC);
			e = errno;
			break;
		}
		comp = p;
		rest = p + strcspn(p, "/");
		if (*rest)
			*rest++ = '\0';
		last = rest[strspn(rest, "/")] == '\0';
		p = rest;
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			if (same_file(cur, rootfd))
				continue;
			fd = openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		} else {
			fd = openat(cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		}
		if (fd < 0 || fstat(fd, &st) < 0) {
			e = errno;
			break;
		}
		if (S_ISLNK(st.st_mode)) {
			char target[4096];
			ssize_t n = readlinkat(fd, "", target, sizeof(target) - 1);
			char *next;
			close(fd);
			fd = -1;
			if (++hops > MAX_SYMLINK_HOPS || n < 0) {
				e = n < 0 ? errno : ELOOP;
				break;
			}
			target[n] = '\0';
			if (target[0] == '/') {
				close(cur);
				cur = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
			}
			next = xasprintf("%s/%s", target, rest);
			free(todo);
			todo = p = next;
			continue;
		}
		if (last && strcmp(comp, "..") != 0) {
			close(fd);
			fd = openat(cur, comp, flags | O_NOFOLLOW | O_CLOEXEC);
			e = errno;
			break;
		}
		if (!S_ISDIR(st.st_mode)) {
			close(fd);
			fd = -1;
			e = ENOTDIR;
			break;
		}
		close(cur);
		cur = steal_fd(fd);
	}
	if (cur < 0)
		e = errno;
	else
		close(cur);
	free(todo);
	if (fd < 0)
		errno = e;
	return fd;
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
		if (rootfs_force_walk) {
			fd = -1;
			errno = ENOSYS;
		} else {
			fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
		}
		/* EAGAIN: a concurrent rename raced with "..": retry */
		if (fd >= 0 || errno != EAGAIN)
			break;
	}
	if (fd < 0 && errno == ENOSYS)
		return walk_in_root(rootfd, path, flags);
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
	brig_strv_free(comp);
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
