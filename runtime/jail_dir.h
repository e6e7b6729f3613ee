/* brig — runtime/jail_dir.h: the directory `jail build` writes and `jail
 * run` reads, and every path below it, reached through directory fds.
 * Private to runtime/ (jail.c and tests/unit/test_jail.c).
 *
 * Below DIR nothing follows a symlink: each path is walked one component
 * at a time from DIR's fd (openat2 RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS, or
 * openat O_NOFOLLOW of a single name without it), ".." goes back to the
 * directory walked before and never above DIR, and every directory walked
 * through must be the caller's and not writable by others (a sticky one
 * excepted, as DIR/tmp). */
#ifndef BRIG_JAIL_DIR_H
#define BRIG_JAIL_DIR_H

#include <stdbool.h>
#include <sys/types.h>

#include "base/error.h"

/* Open the directory `path` (O_RDONLY|O_DIRECTORY). Its own path is the
 * caller's: a symlink on the way (the last component included) is
 * followed only when root or the caller (euid) owns it. With `create`,
 * missing components are made (0755) and *made says whether the last one
 * was. Errors name `path`. */
int jail_dir_open(const char *path, bool create, bool *made, brig_error_t **err);

/* DIR itself, opened by jail_dir_open: owned by the caller (euid) and not
 * writable by its group or others, unless `made` (then set to 0755). The
 * host's root is refused. `shown` names it in errors. */
int jail_dir_check_top(int fd, bool made, const char *shown, brig_error_t **err);

/* Why `path`, walked from a jail's root, is no good as the path of a file
 * in it ("/" and relative alike start at the root): ".." above the root, or
 * no file name at the end. NULL when it is fine. */
const char *jail_dir_bad_path(const char *path);

/* The directory `path` below dirfd, made (0755) where missing; an O_RDONLY
 * O_DIRECTORY fd. `shown` is dirfd's name in errors ("DIR/lib/...") */
int jail_dir_mkpath(int dirfd, const char *path, const char *shown, brig_error_t **err);

/* jail_dir_mkpath of path's directory; *base is a heap copy of its last
 * component, a plain name. */
int jail_dir_parent(int dirfd, const char *path, const char *shown, char **base,
		    brig_error_t **err);

/* One name in dirfd (no '/', not "." or ".."), never through a symlink:
 * openat2 RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS, or openat O_NOFOLLOW
 * without openat2. -1 with errno. */
int jail_dir_openat(int dirfd, const char *name, int flags, mode_t mode);

/* Tests only: behave as if openat2 were missing (ENOSYS). */
extern bool jail_dir_force_fallback;

#endif
