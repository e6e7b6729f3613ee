/* brig — rootfs/: device nodes and the /dev symlinks.  The default devices
 * of config-linux.md plus linux.devices; mknod as root of the namespace, or
 * a bind of the host's node on an empty file in a user namespace (where
 * mknod is refused).  Each node's parent is resolved inside the root. */
#include "rootfs/rootfs_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static const struct spec_device default_devices[] = {
	{ .type = 'c', .path = "/dev/null", .major = 1, .minor = 3 },
	{ .type = 'c', .path = "/dev/zero", .major = 1, .minor = 5 },
	{ .type = 'c', .path = "/dev/full", .major = 1, .minor = 7 },
	{ .type = 'c', .path = "/dev/random", .major = 1, .minor = 8 },
	{ .type = 'c', .path = "/dev/urandom", .major = 1, .minor = 9 },
	{ .type = 'c', .path = "/dev/tty", .major = 5, .minor = 0 },
};

static mode_t type_bits(char t)
{
	switch (t) {
	case 'c':
	case 'u':
		return S_IFCHR;
	case 'b':
		return S_IFBLK;
	case 'p':
		return S_IFIFO;
	}
	return 0;
}

static bool same_device(const struct stat *st, const struct spec_device *d)
{
	mode_t t = type_bits(d->type);

	if ((st->st_mode & S_IFMT) != t)
		return false;
	return t == S_IFIFO ||
	       st->st_rdev == makedev((unsigned)d->major, (unsigned)d->minor);
}

/* In a user namespace: an empty file with the host's node bound on it. */
static int bind_device(int parent, const char *base, const struct spec_device *d,
		       brig_error_t **err)
{
	struct rootfs_bind b = { .src_fd = -1, .src = d->path };
	cleanup_close int fd = -1;

	fd = openat(parent, base, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return brig_err(err, errno, "create %s", d->path);
	close(fd);
	fd = openat(parent, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return brig_err(err, errno, "open %s", d->path);
	return rootfs_bind_tree(&b, fd, d->path, err);
}

static int create_device(int rootfd, const struct spec_device *d, bool in_userns,
			 bool is_default, brig_error_t **err)
{
	mode_t t = type_bits(d->type);
	mode_t mode = d->file_mode.set ? (mode_t)(d->file_mode.v & 07777) : 0666;
	cleanup_free char *base = NULL;
	cleanup_close int parent = -1;
	struct stat st;

	if (t == 0)
		return brig_err(err, EINVAL, "device %s: unknown type '%c'", d->path,
				d->type ? d->type : '?');
	if (t != S_IFIFO && (d->major < 0 || d->minor < 0))
		return brig_err(err, EINVAL, "device %s: major and minor are required",
				d->path);
	parent = rootfs_open_parent_in_root(rootfd, d->path, &base, err);
	if (parent < 0)
		return -1;

	if (fstatat(parent, base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (is_default)
			return 0; /* the image or a /dev mount provides it */
		if (same_device(&st, d)) {
			if (in_userns)
				return 0; /* most likely the host's, bound */
			goto owner;
		}
		if (!(in_userns && S_ISREG(st.st_mode) && st.st_size == 0))
			return brig_err(err, EEXIST, "device %s: a different file exists there",
					d->path);
	} else if (errno != ENOENT) {
		return brig_err(err, errno, "stat %s", d->path);
	}

	if (in_userns && t != S_IFIFO)
		return bind_device(parent, base, d, err);
	if (mknodat(parent, base, t | mode,
		    t == S_IFIFO ? 0 : makedev((unsigned)d->major, (unsigned)d->minor)) < 0)
		return brig_err(err, errno, "mknod %s", d->path);
owner:
	if (fchownat(parent, base, d->uid.set ? (uid_t)d->uid.v : 0,
		     d->gid.set ? (gid_t)d->gid.v : 0, AT_SYMLINK_NOFOLLOW) < 0)
		return brig_err(err, errno, "chown %s", d->path);
	return 0;
}

/* A path is the same as /dev/<name> once doubled slashes are ignored. */
static bool path_is(const char *p, const char *want)
{
	while (*p || *want) {
		if (*p == '/' && *want == '/') {
			while (*p == '/')
				p++;
			want++;
			continue;
		}
		if (*p != *want)
			return false;
		p++, want++;
	}
	return true;
}

static bool listed(const struct spec_config *c, const char *path)
{
	if (c->linux == NULL)
		return false;
	for (size_t i = 0; i < c->linux->n_devices; i++)
		if (c->linux->devices[i].path && path_is(c->linux->devices[i].path, path))
			return true;
	return false;
}

/* runc leaves /dev alone when it is a bind mount of the caller's. */
static bool dev_is_bind(const struct spec_config *c)
{
	for (size_t i = 0; i < c->n_mounts; i++) {
		const struct spec_mount *m = &c->mounts[i];
		bool bind = m->type && (strcmp(m->type, "bind") == 0 ||
					strcmp(m->type, "rbind") == 0);

		for (size_t j = 0; j < m->options.n && !bind; j++)
			bind = strcmp(m->options.v[j], "bind") == 0 ||
			       strcmp(m->options.v[j], "rbind") == 0;
		if (bind && m->destination &&
		    (path_is(m->destination, "/dev") || path_is(m->destination, "/dev/")))
			return true;
	}
	return false;
}

static int dev_symlinks(int rootfd, brig_error_t **err)
{
	static const char *const links[][2] = {
		{ "/proc/self/fd", "fd" },
		{ "/proc/self/fd/0", "stdin" },
		{ "/proc/self/fd/1", "stdout" },
		{ "/proc/self/fd/2", "stderr" },
		{ "/proc/kcore", "core" },
	};
	cleanup_close int dev = rootfs_mkpath_in_root(rootfd, "/dev", true, err);

	if (dev < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(links); i++) {
		if (i == 4 && access("/proc/kcore", F_OK) < 0)
			continue; /* as runc: only where the kernel has one */
		if (symlinkat(links[i][0], dev, links[i][1]) < 0 && errno != EEXIST)
			return brig_err(err, errno, "symlink /dev/%s", links[i][1]);
	}
	/* /dev/ptmx is the devpts instance's, as runc makes it: also when the
	 * config lists the device (privileged configs list every host node):
	 * the host's ptmx would open the host's pts instance. */
	if (unlinkat(dev, "ptmx", 0) < 0 && errno != ENOENT)
		return brig_err(err, errno, "remove /dev/ptmx");
	if (symlinkat("pts/ptmx", dev, "ptmx") < 0)
		return brig_err(err, errno, "symlink /dev/ptmx");
	return 0;
}

int rootfs_create_devices(const struct spec_config *c, const struct rootfs_opts *o,
			  int rootfd, brig_error_t **err)
{
	bool setup_dev = !dev_is_bind(c);
	mode_t old = umask(0);
	int ret = -1;

	if (setup_dev)
		for (size_t i = 0; i < ARRAY_SIZE(default_devices); i++)
			if (!listed(c, default_devices[i].path) &&
			    create_device(rootfd, &default_devices[i], o->in_userns, true,
					  err) < 0)
				goto out;
	if (c->linux)
		for (size_t i = 0; i < c->linux->n_devices; i++)
			if (create_device(rootfd, &c->linux->devices[i], o->in_userns,
					  false, err) < 0)
				goto out;
	if (setup_dev && dev_symlinks(rootfd, err) < 0)
		goto out;
	ret = 0;
out:
	umask(old);
	return ret;
}
