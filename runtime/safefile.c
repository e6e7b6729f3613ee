/* brig — runtime/safefile.c: files brig writes (and reads back) for a
 * container in a directory the container may be able to write: the log of
 * `--log-path` and its rotated names, the `--pid-file`.
 *
 * Every access goes through one descriptor of the directory; a name in it
 * is never followed when it is a symlink, and nothing but a regular file
 * with one link, owned by the expected uid, is ever opened: the name is
 * first opened O_PATH (which opens nothing: not a FIFO, not a device),
 * checked with fstat, and only then reopened through /proc/self/fd, which
 * gives that very inode. New files are created O_EXCL under a name nobody
 * can guess and renamed into place, so a name planted meanwhile is
 * replaced, never written through. */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int dir_open_parent(const char *path, char **name, brig_error_t **err)
{
	cleanup_free char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	const char *base = slash ? slash + 1 : dir;
	const char *dpath = ".";
	int fd;

	if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return brig_err(err, 0, "%s: not a file name", path);
	if (slash) {
		*slash = '\0';
		dpath = slash == dir ? "/" : dir;
	}
	fd = open(dpath, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return brig_err(err, errno, "%s: open its directory %s", path, dpath);
	*name = xstrdup(slash ? slash + 1 : path);
	return fd;
}

void dir_ident_get(int dirfd, struct dir_ident *id)
{
	struct stat st;

	id->set = fstat(dirfd, &st) == 0;
	id->dev = id->set ? (unsigned long long)st.st_dev : 0;
	id->ino = id->set ? (unsigned long long)st.st_ino : 0;
}

int dir_ident_check(int dirfd, const struct dir_ident *want, const char *what,
		    const char *path, brig_error_t **err)
{
	struct dir_ident now;

	if (!want || !want->set)
		return 0;
	dir_ident_get(dirfd, &now);
	if (now.set && now.dev == want->dev && now.ino == want->ino)
		return 0;
	return brig_err(err, 0, "%s%sthe directory of %s is not the one of the first run "
			"(it was replaced); refusing to write in it", what ? what : "",
			what ? ": " : "", path);
}

const char *safefile_refusal(const struct stat *st, uid_t uid)
{
	switch (st->st_mode & S_IFMT) {
	case S_IFREG: break;
	case S_IFLNK: return "is a symbolic link";
	case S_IFDIR: return "is a directory";
	case S_IFIFO: return "is a FIFO";
	case S_IFSOCK: return "is a socket";
	case S_IFCHR: case S_IFBLK: return "is a device";
	default: return "is not a regular file";
	}
	if (st->st_nlink != 1)
		return "has more than one link (a hard link to another file)";
	if (st->st_uid != uid)
		return "is owned by another user";
	return NULL;
}

int safefile_open(int dirfd, const char *name, const char *what, int flags, uid_t uid,
		  brig_error_t **err)
{
	cleanup_close int p = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	char proc[40];
	struct stat st;
	const char *why;
	int fd;

	if (p < 0 || fstat(p, &st) < 0)
		return brig_err(err, errno, "open %s", what);
	if ((why = safefile_refusal(&st, uid)) != NULL)
		return brig_err(err, 0, "%s %s; refusing it", what, why);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", p);
	fd = open(proc, flags | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return brig_err(err, errno, "open %s (through %s)", what, proc);
	return fd;
}

int safefile_tmp(int dirfd, const char *prefix, mode_t mode, char **tmp,
		 brig_error_t **err)
{
	for (int tries = 0; tries < 16; tries++) {
		unsigned long long r;
		if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
			struct timespec ts;
			clock_gettime(CLOCK_MONOTONIC, &ts);
			r = ((unsigned long long)ts.tv_nsec << 20) ^ (unsigned long long)ts.tv_sec ^
			    ((unsigned long long)getpid() << 40) ^ (unsigned long long)tries;
		}
		char *name = xasprintf(".%s.%016llx", prefix, r);
		int fd = openat(dirfd, name, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW |
				O_NOCTTY | O_CLOEXEC, mode);
		if (fd >= 0) {
			*tmp = name;
			return fd;
		}
		int e = errno;
		free(name);
		if (e != EEXIST)
			return brig_err(err, e, "create a file in the directory");
	}
	return brig_err(err, EEXIST, "create a file in the directory");
}
