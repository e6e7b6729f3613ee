/* brig — runtime/criu_conf.c: what checkpoint and restore let CRIU read
 * and write besides the container: its options file (the annotation
 * org.criu.config, which can name an action-script CRIU runs as root)
 * and the image, work and parent directories (restore runs what the
 * images say as root).  None may be where the container writes: its
 * rootfs, its bind mounts' sources, through a symlink it planted there,
 * or through /proc. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <unistd.h>

#include "base/proc.h"
#include "criu.h"

/* CRIU's options from a file, as runc: the annotation org.criu.config
 * names it (empty: none), else /etc/criu/runc.conf (a file that is not
 * there is no options).  The annotation's value, or NULL. */
const char *criu_conf_annotation(const struct spec_config *c)
{
	const char *conf = NULL;

	for (size_t i = 0; i < c->annotations.n; i++)
		if (strcmp(c->annotations.v[i].key, CRIU_CONF_ANNOTATION) == 0)
			conf = c->annotations.v[i].value;
	return conf;
}

/* Is path at or under dir (both real paths)? */
static bool path_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (n == 1)
		return true; /* "/" */
	return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* Is mount mnt_id one of our mount namespace's? */
static bool own_mount(int fd)
{
	cleanup_free char *fdinfo = xasprintf("/proc/self/fdinfo/%d", fd);
	cleanup_free char *info = brig_read_file(fdinfo, NULL);
	cleanup_free char *mounts = brig_read_file("/proc/self/mountinfo", NULL);
	const char *m = info ? strstr(info, "mnt_id:") : NULL;
	char key[32];

	if (!m || !mounts)
		return false;
	snprintf(key, sizeof(key), "%d ", atoi(m + 7));
	for (const char *l = mounts; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (strncmp(l, key, strlen(key)) == 0)
			return true;
	return false;
}

/* Is real in the upper directory of an overlay mounted at mnt (the
 * container writes there what it writes in the overlay)? */
static bool in_overlay_upper(const char *real, const char *mnt)
{
	cleanup_free char *text = brig_read_file("/proc/self/mountinfo", NULL);
	char *save = NULL;

	for (char *l = text ? strtok_r(text, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save)) {
		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT ... - TYPE SOURCE OPTIONS */
		char mp[4096];
		const char *sep = strstr(l, " - overlay ");
		const char *up = sep ? strstr(sep, "upperdir=") : NULL;
		if (!up || sscanf(l, "%*s %*s %*s %*s %4095s", mp) != 1 || strcmp(mp, mnt) != 0)
			continue;
		cleanup_free char *dir = strndup(up + 9, strcspn(up + 9, ", "));
		cleanup_free char *rd = dir ? realpath(dir, NULL) : NULL;
		if (rd && path_under(real, rd))
			return true;
	}
	return false;
}

/* What in conf's real path the container may write: its rootfs, its
 * bind mounts' sources (and, either an overlay, its upper directory),
 * an overlay mount's upper directory; NULL: none. */
static const char *container_writes(const struct spec_config *c, const char *bundle,
				    const char *real)
{
	if (c->root && c->root->path) {
		cleanup_free char *root = c->root->path[0] == '/'
						  ? xstrdup(c->root->path)
						  : xasprintf("%s/%s", bundle, c->root->path);
		cleanup_free char *r = realpath(root, NULL);
		if (r && (path_under(real, r) || in_overlay_upper(real, r)))
			return "the container's rootfs";
	}
	for (size_t i = 0; i < c->n_mounts; i++) {
		const struct spec_mount *m = &c->mounts[i];
		for (size_t k = 0; m->type && strcmp(m->type, "overlay") == 0 && k < m->options.n; k++) {
			if (strncmp(m->options.v[k], "upperdir=", 9) != 0)
				continue;
			cleanup_free char *ru = realpath(m->options.v[k] + 9, NULL);
			if (ru && path_under(real, ru))
				return "an overlay mount's upper directory";
		}
		if (!spec_mount_is_bind(m) || !m->source)
			continue;
		cleanup_free char *src = m->source[0] == '/' ? xstrdup(m->source)
							      : xasprintf("%s/%s", bundle, m->source);
		cleanup_free char *rs = realpath(src, NULL);
		if (rs && (path_under(real, rs) || in_overlay_upper(real, rs)))
			return "a bind mount's source";
	}
	return NULL;
}

/* Is why container_writes's? */
static bool container_why(const char *why)
{
	return strcmp(why, "the container's rootfs") == 0 || strcmp(why, "a bind mount's source") == 0 ||
	       strcmp(why, "an overlay mount's upper directory") == 0;
}

/* The real path of fd, in real (empty if none). */
static bool fd_path(int fd, char real[4096])
{
	char link[64];

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, real, 4095);
	real[n > 0 ? n : 0] = '\0';
	return n > 0;
}

/* Open path as O_PATH, following its symlinks by hand: each directory it
 * passes through (where a symlink it follows lives) must be outside what
 * the container may write, or the container points the rest anywhere
 * on the host (its rootfs's /etc a symlink to a host file it fills).
 * NULL, or why not, in *why. */
static int conf_walk(const struct spec_config *c, const char *bundle, const char *path,
		     const char **why)
{
	cleanup_free char *rest = xstrdup(path);
	cleanup_close int dfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int links = 0;
	char real[4096];
	struct statfs sf;

	*why = NULL;
	for (char *p = rest; dfd >= 0;) {
		while (*p == '/')
			p++;
		if (!*p)
			return steal_fd(dfd);
		char *end = p + strcspn(p, "/");
		char save = *end;
		*end = '\0';
		if (fstatfs(dfd, &sf) < 0 || !fd_path(dfd, real))
			return *why = "cannot be looked at", -1;
		if (sf.f_type == PROC_SUPER_MAGIC)
			return *why = "is reached through another mount namespace (/proc)", -1;
		if ((*why = container_writes(c, bundle, real)) != NULL)
			return -1;
		int fd = openat(dfd, p, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		struct stat sb;
		if (fd < 0 || fstat(fd, &sb) < 0) {
			int e = errno;
			if (fd >= 0)
				close(fd);
			errno = e;
			return -1;
		}
		*end = save;
		if (S_ISLNK(sb.st_mode)) {
			char target[4096];
			ssize_t n = readlinkat(fd, "", target, sizeof(target) - 1);
			close(fd);
			if (n <= 0 || ++links > 40)
				return *why = "has too many symlinks", -1;
			target[n] = '\0';
			char *next = xasprintf("%s/%s", target, end);
			free(rest);
			rest = p = next;
			if (target[0] == '/') {
				close(dfd);
				dfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
			}
			continue;
		}
		close(dfd);
		dfd = fd;
		p = end;
	}
	return -1;
}

int criu_dir_check(const struct spec_config *c, const char *bundle, const char *path,
		   const char *flag, brig_error_t **err)
{
	const char *why = NULL;
	char real[4096];

	if (!path)
		return 0;
	cleanup_close int fd = conf_walk(c, bundle, path, &why);
	if (fd >= 0 && fd_path(fd, real))
		why = container_writes(c, bundle, real);
	if (why && !container_why(why))
		return brig_err(err, 0, "%s %s %s", flag, path, why);
	if (why)
		return brig_err(err, 0, "%s %s is in %s, which the container may write: it could "
				"change the images restore runs as root", flag, path, why);
	return 0; /* there, or made later (CRIU says when it is missing) */
}

int criu_conf_open(const struct spec_config *c, const char *bundle, int *fd, brig_error_t **err)
{
	const char *conf = criu_conf_annotation(c);
	struct stat sb;
	struct statfs sf;
	char real[4096];
	const char *why = NULL;

	*fd = -1;
	if (!conf || !conf[0])
		return 0;
	if (conf[0] != '/')
		return brig_err(err, 0, "annotations[\"%s\"]: \"%s\": not an absolute path",
				CRIU_CONF_ANNOTATION, conf);
	/* looked at before it is opened (a device's open does something: a
	 * watchdog starts), then opened through the descriptor: CRIU reads
	 * this one (criu_child_main), none swapped in */
	cleanup_close int path = conf_walk(c, bundle, conf, &why);
	if (path < 0 && !why)
		return errno == ENOENT ? 0 /* none, as CRIU takes it */
				       : brig_err(err, errno, "annotations[\"%s\"]: %s",
						  CRIU_CONF_ANNOTATION, conf);
	cleanup_close int f = -1;
	/* CRIU runs an action-script it names as root: not a file the
	 * container, or another user, may write */
	if (why)
		; /* said below */
	else if (fstat(path, &sb) < 0 || fstatfs(path, &sf) < 0 || !fd_path(path, real))
		why = "cannot be looked at";
	else if (!S_ISREG(sb.st_mode))
		why = "is not a regular file";
	else if ((sb.st_uid != 0 && sb.st_uid != geteuid()) || (sb.st_mode & 022))
		why = "may be written by another user";
	else if (sf.f_type == PROC_SUPER_MAGIC || !own_mount(path))
		why = "is reached through another mount namespace (/proc)";
	else if ((why = container_writes(c, bundle, real)) == NULL) {
		char link[64];
		snprintf(link, sizeof(link), "/proc/self/fd/%d", path);
		f = open(link, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (f < 0)
			return brig_err(err, errno, "annotations[\"%s\"]: %s", CRIU_CONF_ANNOTATION,
					conf);
	}
	if (why && container_why(why))
		return brig_err(err, 0, "annotations[\"%s\"]: %s is in %s, which the container may "
				"write: CRIU would run what it says as root", CRIU_CONF_ANNOTATION, conf,
				why);
	if (why)
		return brig_err(err, 0, "annotations[\"%s\"]: %s %s: CRIU would run what it says "
				"as root", CRIU_CONF_ANNOTATION, conf, why);
	*fd = steal_fd(f);
	return 0;
}

/* The images a restore reads back besides these: their pre-dumps',
 * through CRIU's "parent" link (--parent-path at checkpoint, often
 * "../pre" beside them), each one's own parent after.  Each must pass as
 * the image directory does; one missing is refused too, or another user
 * (in a shared /tmp) may make it, with pages of their own, before CRIU
 * follows the link. */
int criu_parents_check(const struct spec_config *c, const char *bundle, const char *image,
		       brig_error_t **err)
{
	cleanup_free char *dir = xstrdup(image);
	struct stat sb;

	for (int depth = 0; depth < 64; depth++) {
		cleanup_free char *link = xasprintf("%s/parent", dir);
		if (lstat(link, &sb) < 0)
			return 0; /* none: these images are whole */
		char *real = realpath(link, NULL);
		if (!real)
			return brig_err(err, errno, "--image-path %s: its parent images %s", image, link);
		free(dir);
		dir = real;
		if (cli_own_dir(dir, "--image-path's parent images", err) < 0 ||
		    criu_dir_check(c, bundle, dir, "--image-path's parent images", err) < 0)
			return -1;
		if (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode))
			return brig_err(err, ENOTDIR, "--image-path %s: its parent images %s", image,
					dir);
	}
	return brig_err(err, ELOOP, "--image-path %s: its parent images", image);
}
