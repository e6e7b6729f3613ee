/* brig — runtime/jail_dir.c: DIR of `jail build` / `jail run` and the
 * paths below it, through directory fds and never through a symlink
 * (see jail_dir.h). */
#include "jail_dir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_SYMLINK_HOPS 40

bool jail_dir_force_fallback;

/* "alice (uid 1000)", or "uid 4242" without a passwd entry (fgetpwent:
 * no NSS modules in a static binary). */
static char *who(uid_t uid)
{
	cleanup_fclose FILE *f = fopen("/etc/passwd", "re");
	struct passwd *pw;

	while (f && (pw = fgetpwent(f)) != NULL)
		if (pw->pw_uid == uid)
			return xasprintf("%s (uid %u)", pw->pw_name, (unsigned)uid);
	return xasprintf("uid %u", (unsigned)uid);
}

static bool plain_name(const char *name)
{
	return *name && !strchr(name, '/') && strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

int jail_dir_openat(int dirfd, const char *name, int flags, mode_t mode)
{
	static bool no_openat2;

	if (!plain_name(name)) {
		errno = EINVAL;
		return -1;
	}
	if (!jail_dir_force_fallback && !no_openat2) {
		struct open_how how = {
			.flags = (uint64_t)(flags | O_NOFOLLOW | O_CLOEXEC),
			.mode = (flags & O_CREAT) ? mode : 0,
			.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
		};
		int fd = (int)syscall(SYS_openat2, dirfd, name, &how, sizeof(how));
		if (fd >= 0 || errno != ENOSYS)
			return fd;
		no_openat2 = true;
	}
	/* one name, no '/', not "..": O_NOFOLLOW is all a symlink could use */
	return openat(dirfd, name, flags | O_NOFOLLOW | O_CLOEXEC, mode);
}

int jail_dir_open(const char *path, bool create, bool *made, brig_error_t **err)
{
	cleanup_free char *todo = xstrdup(path);
	cleanup_free char *at = xstrdup(path[0] == '/' ? "" : ".");
	char *p = todo;
	uid_t me = geteuid();
	int hops = 0, fd, r;
	cleanup_close int cur = open(path[0] == '/' ? "/" : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (made)
		*made = false;
	if (!*path)
		return brig_err(err, ENOENT, "\"\"");
	if (cur < 0)
		return brig_err(err, errno, "%s", path);
	for (;;) {
		struct stat st;
		char *comp, *rest, *parent_at;
		bool last;

		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		comp = p;
		rest = p + strcspn(p, "/");
		if (*rest)
			*rest++ = '\0';
		last = rest[strspn(rest, "/")] == '\0';
		p = rest;
		if (strcmp(comp, ".") == 0)
			continue;
		parent_at = steal_ptr(at);
		at = xasprintf("%s/%s", parent_at ? parent_at : "", comp);
		fd = openat(cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT && create && strcmp(comp, "..") != 0) {
			if (mkdirat(cur, comp, 0755) == 0) {
				if (last && made)
					*made = true;
			} else if (errno != EEXIST) {
				free(parent_at);
				return brig_err(err, errno, "%s: mkdir %s", path, at);
			}
			fd = openat(cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		}
		if (fd < 0 || fstat(fd, &st) < 0) {
			int e = errno;
			free(parent_at);
			if (fd >= 0)
				close(fd);
			return brig_err(err, e, "%s", path);
		}
		if (S_ISLNK(st.st_mode)) {
			char target[4096];
			ssize_t n;
			if (st.st_uid != 0 && st.st_uid != me) {
				cleanup_free char *owner = who(st.st_uid);
				const char *link = at[0] == '.' ? at + 2 : at;
				bool self = strcmp(link, path) == 0;
				close(fd);
				r = brig_err(err, 0, "%s%s%s is a symlink owned by %s; refused: only "
					     "yours or root's are followed on the way to DIR",
					     self ? "" : path, self ? "" : ": on its way, ", link, owner);
				free(parent_at);
				return r;
			}
			n = readlinkat(fd, "", target, sizeof(target) - 1);
			close(fd);
			if (n < 0 || ++hops > MAX_SYMLINK_HOPS) {
				free(parent_at);
				return brig_err(err, n < 0 ? errno : ELOOP, "%s", path);
			}
			target[n] = '\0';
			free(at);
			if (target[0] == '/') {
				close(cur);
				cur = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
				at = xstrdup("");
				free(parent_at);
			} else {
				at = parent_at;
			}
			char *next = xasprintf("%s/%s", target, rest);
			free(todo);
			todo = p = next;
			if (cur < 0)
				return brig_err(err, errno, "open /");
			continue;
		}
		free(parent_at);
		if (!S_ISDIR(st.st_mode)) {
			close(fd);
			return brig_err(err, ENOTDIR, "%s", path);
		}
		close(cur);
		cur = fd;
	}
	fd = openat(cur, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return brig_err(err, errno, "%s", path);
	return fd;
}

/* A directory below DIR (or DIR itself: top) that nobody else may change:
 * the caller's, and not writable by its group or others (below DIR a
 * sticky one is, like DIR/tmp: others cannot move what is ours in it). */
static int trusted(int fd, bool top, const char *shown, brig_error_t **err)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return brig_err(err, errno, "stat %s", shown);
	if (st.st_uid != geteuid()) {
		cleanup_free char *owner = who(st.st_uid);
		return brig_err(err, 0, "%s is owned by %s, not by you (uid %u); refused: its owner "
				"could plant symlinks in it (chown it, or use a new DIR)",
				shown, owner, (unsigned)geteuid());
	}
	if ((st.st_mode & 022) && (top || !(st.st_mode & S_ISVTX)))
		return brig_err(err, 0, "%s is writable by its group or others (mode %04o); "
				"refused (chmod go-w it, or use a new DIR)",
				shown, (unsigned)(st.st_mode & 07777));
	return 0;
}

/* Nothing in it but "." and ".."? */
static bool empty_dir(int fd)
{
	int dup_fd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
	struct dirent *de;
	bool empty = d != NULL;

	if (!d && dup_fd >= 0)
		close(dup_fd);
	while (d && (de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			empty = false;
	if (d)
		closedir(d);
	return empty;
}

int jail_dir_check_top(int fd, bool made, const char *shown, brig_error_t **err)
{
	struct stat st, root;

	if (fstat(fd, &st) < 0)
		return brig_err(err, errno, "stat %s", shown);
	if (stat("/", &root) == 0 && st.st_dev == root.st_dev && st.st_ino == root.st_ino)
		return brig_err(err, 0, "%s is the host's root directory; refused", shown);
	/* made here, unless swapped in since (then it is judged as it is) */
	if (made && st.st_uid == geteuid() && empty_dir(fd) &&
	    fchmod(fd, 0755) < 0)
		return brig_err(err, errno, "chmod %s", shown);
	return trusted(fd, true, shown, err);
}

const char *jail_dir_bad_path(const char *path)
{
	cleanup_free char *copy = xstrdup(path);
	char *save = NULL, *comp, *lastc = NULL;
	size_t depth = 0, len = strlen(path);

	for (comp = strtok_r(copy, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
		lastc = comp;
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			if (depth == 0)
				return "its \"..\" climbs above the jail's root";
			depth--;
		} else {
			depth++;
		}
	}
	if (!lastc || path[len - 1] == '/' || !plain_name(lastc))
		return "it does not end in a file name";
	return NULL;
}

/* Is name in dirfd a symlink? (for a clearer error than ELOOP) */
static bool is_symlink(int dirfd, const char *name)
{
	struct stat st;
	return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
}

int jail_dir_mkpath(int dirfd, const char *path, const char *shown, brig_error_t **err)
{
	cleanup_free char *copy = xstrdup(path);
	cleanup_free char *at = xstrdup(shown);
	size_t n = strlen(path) / 2 + 2, d = 0;
	int *stack = xcalloc(n, sizeof(int));
	char *save = NULL;
	int ret = -1;

	stack[0] = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (stack[0] < 0) {
		brig_err(err, errno, "open %s", shown);
		free(stack);
		return -1;
	}
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		char *next = xasprintf("%s/%s", at, c);
		bool made = false;
		int fd;

		free(at);
		at = next;
		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") == 0) {
			if (d == 0) {
				brig_err(err, 0, "%s: climbs above %s; refused", at, shown);
				goto out;
			}
			close(stack[d--]);
			continue;
		}
		fd = jail_dir_openat(stack[d], c, O_RDONLY | O_DIRECTORY, 0);
		if (fd < 0 && errno == ENOENT) {
			if (mkdirat(stack[d], c, 0755) == 0)
				made = true;
			else if (errno != EEXIST) {
				brig_err(err, errno, "mkdir %s", at);
				goto out;
			}
			fd = jail_dir_openat(stack[d], c, O_RDONLY | O_DIRECTORY, 0);
		}
		if (fd < 0) {
			if (is_symlink(stack[d], c))
				brig_err(err, 0, "%s is a symlink; refused: nothing inside DIR is "
					 "reached through a symlink", at);
			else
				brig_err(err, errno, "open %s", at);
			goto out;
		}
		stack[++d] = fd;
		/* made here: ours, 0755 whatever the umask */
		if (made && fchmod(fd, 0755) < 0) {
			brig_err(err, errno, "chmod %s", at);
			goto out;
		}
		if (trusted(fd, false, at, err) < 0)
			goto out;
	}
	ret = steal_fd(stack[d]);
out:
	for (size_t i = 0; i <= d; i++)
		if (stack[i] >= 0)
			close(stack[i]);
	free(stack);
	return ret;
}

int jail_dir_parent(int dirfd, const char *path, const char *shown, char **base,
		    brig_error_t **err)
{
	cleanup_free char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	const char *b = slash ? slash + 1 : dir;
	int fd;

	if (!plain_name(b))
		return brig_err(err, EINVAL, "%s%s%s: not a file name", shown,
				path[0] == '/' ? "" : "/", path);
	*base = xstrdup(b);
	if (slash)
		*slash = '\0';
	else
		*dir = '\0';
	fd = jail_dir_mkpath(dirfd, dir, shown, err);
	if (fd < 0) {
		free(*base);
		*base = NULL;
	}
	return fd;
}
