/* brig — rootfs/: the mount points a restore needs.  CRIU mounts the
 * checkpointed mounts back on the rootfs but makes no mount point; create
 * made them in the rootfs it ran on, and a rootfs that is another one
 * lacks them (`podman container restore --import`, `ctr containers
 * restore`: a new snapshot; CRIU then fails "Can't stat mountpoint").  As
 * runc: each destination not under a tmpfs of the config (CRIU brings a
 * tmpfs back with what was in it) is made inside the rootfs, an empty
 * file for a bind mount of a file, else a directory. */
#include "rootfs/rootfs_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Is path below dir (a whole component, not dir itself)? */
static bool below(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (n == 1 && dir[0] == '/')
		return path[0] == '/' && path[1] != '\0';
	return strncmp(path, dir, n) == 0 && path[n] == '/' && path[n + 1] != '\0';
}

static bool under_tmpfs(const struct spec_config *c, const char *dest)
{
	for (size_t i = 0; i < c->n_mounts; i++) {
		const struct spec_mount *t = &c->mounts[i];
		if (t->type && strcmp(t->type, "tmpfs") == 0 && t->destination &&
		    below(dest, t->destination))
			return true;
	}
	return false;
}

int rootfs_restore_mountpoints(const struct spec_config *c, const char *rootfs,
			       const char *bundle, brig_error_t **err)
{
	cleanup_close int rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (rootfd < 0)
		return brig_err(err, errno, "open %s", rootfs);
	for (size_t i = 0; i < c->n_mounts; i++) {
		const struct spec_mount *m = &c->mounts[i];
		bool dir = true;
		if (!m->destination || under_tmpfs(c, m->destination))
			continue;
		if (spec_mount_is_bind(m) && m->source) {
			char src[4096];
			struct stat st;
			snprintf(src, sizeof(src), "%s%s%s", m->source[0] == '/' ? "" : bundle,
				 m->source[0] == '/' ? "" : "/", m->source);
			dir = stat(src, &st) < 0 || S_ISDIR(st.st_mode);
		}
		int fd = rootfs_mkpath_in_root(rootfd, m->destination, dir, err);
		if (fd < 0)
			return brig_err_prefix(err, "mount point %s", m->destination);
		close(fd);
	}
	return 0;
}
