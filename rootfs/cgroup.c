/* brig — rootfs/: the "cgroup" mount entry.  The host's layout decides
 * what the container sees, read from /proc/self/mountinfo:
 *  - unified (cgroup2 on /sys/fs/cgroup): one new cgroup2 mount;
 *  - v1 or hybrid (a tmpfs with one hierarchy per directory, "unified"
 *    being cgroup2 on a hybrid host): a tmpfs with one mount per
 *    hierarchy, plus the "cpu" -> "cpu,cpuacct" symlinks of co-mounted
 *    controllers.  A v1 hierarchy is a bind of the container's own cgroup
 *    directory (as runc) without a cgroup namespace, and in a new one too,
 *    where a new mount would show that same directory as its root: but
 *    mounting a v1 hierarchy takes the global cgroup mutex and first
 *    waits until every dying cgroup of the whole unified tree has gone
 *    offline (the kernel's cgroup1_get_tree), which a bind does not, and
 *    a host with many containers always has some.  The directory must be
 *    named as seen from outside the new namespace, so mountinfo and
 *    /proc/self/cgroup are read before the init enters it
 *    (rootfs_cgroup_snapshot).  In a joined cgroup namespace (a path),
 *    or when the two do not line up, a v1 hierarchy is mounted anew, as
 *    cgroup2 is in any cgroup namespace: the kernel then shows only the
 *    namespace's part.  Never is the host's whole hierarchy bound into a
 *    cgroup namespace. */
#include "rootfs/rootfs_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "base/proc.h"

#define CG_ROOT "/sys/fs/cgroup"

struct hierarchy {
	char *mountpoint, *root, *fstype, *super;
};

struct cg_line {
	char *controllers, *path; /* "cpu,cpuacct", "/a/b"; "" for cgroup2 */
};

struct rootfs_cgroups {
	struct hierarchy *h;
	struct cg_line *l;
	size_t nh, nl;
};

static size_t read_hierarchies(struct hierarchy **out)
{
	cleanup_fclose FILE *f = fopen("/proc/self/mountinfo", "re");
	cleanup_free char *line = NULL;
	size_t cap = 0, n = 0;
	struct hierarchy *v = NULL;

	*out = NULL;
	if (f == NULL)
		return 0;
	while (getline(&line, &cap, f) > 0) {
		struct brig_mountinfo mi;

		if (brig_mountinfo_parse(line, &mi) < 0 ||
		    (strcmp(mi.fstype, "cgroup") && strcmp(mi.fstype, "cgroup2")))
			continue;
		if (strcmp(mi.mountpoint, CG_ROOT) != 0 &&
		    strncmp(mi.mountpoint, CG_ROOT "/", strlen(CG_ROOT) + 1) != 0)
			continue;
		/* a later mount on the same point hides the earlier one */
		size_t j;
		for (j = 0; j < n; j++)
			if (strcmp(v[j].mountpoint, mi.mountpoint) == 0)
				break;
		if (j == n)
			v = xrealloc(v, sizeof(*v) * ++n);
		else
			free(v[j].mountpoint), free(v[j].root), free(v[j].fstype),
				free(v[j].super);
		v[j] = (struct hierarchy){ xstrdup(mi.mountpoint), xstrdup(mi.root),
					   xstrdup(mi.fstype), xstrdup(mi.super ? mi.super : "") };
	}
	*out = v;
	return n;
}

static size_t read_own_cgroups(struct cg_line **out)
{
	cleanup_fclose FILE *f = fopen("/proc/self/cgroup", "re");
	cleanup_free char *line = NULL;
	size_t cap = 0, n = 0;
	struct cg_line *v = NULL;

	*out = NULL;
	if (f == NULL)
		return 0;
	while (getline(&line, &cap, f) > 0) {
		struct brig_cgroup_line cl;

		if (brig_cgroup_line_parse(line, &cl) < 0)
			continue;
		v = xrealloc(v, sizeof(*v) * ++n);
		v[n - 1] = (struct cg_line){ xstrdup(cl.controllers), xstrdup(cl.path) };
	}
	*out = v;
	return n;
}

static bool has_token(const char *list, const char *tok, size_t len)
{
	for (const char *p = list; p && *p;) {
		size_t l = strcspn(p, ",");
		if (l == len && strncmp(p, tok, len) == 0)
			return true;
		p += l + (p[l] == ',');
	}
	return false;
}

/* The /proc/self/cgroup line of a hierarchy: every controller it names
 * is among the hierarchy's super options (cgroup2: the "0::" line). */
static const struct cg_line *own_line(const struct hierarchy *h,
				      const struct cg_line *v, size_t n)
{
	bool v2 = strcmp(h->fstype, "cgroup2") == 0;

	for (size_t i = 0; i < n; i++) {
		const char *p = v[i].controllers;
		bool all = true;

		if (v2 != (*p == '\0'))
			continue;
		if (v2)
			return &v[i];
		while (*p) {
			size_t l = strcspn(p, ",");
			if (!has_token(h->super, p, l))
				all = false;
			p += l + (p[l] == ',');
		}
		if (all)
			return &v[i];
	}
	return NULL;
}

/* The container's own cgroup directory of hierarchy h, or NULL when
 * mountinfo and /proc/self/cgroup do not line it up (a mount whose root
 * lies outside the cgroup namespace they were read in, a cgroup not under
 * the mount's root, a directory that is not there). */
static char *own_dir(const struct hierarchy *h, const struct cg_line *l)
{
	const char *rel = l ? l->path : "/";
	size_t rl = strlen(h->root);
	char *src;

	if (strstr(h->root, "/..") || strstr(rel, "/.."))
		return NULL;
	if (strcmp(h->root, "/") != 0) {
		if (strncmp(rel, h->root, rl) != 0 || (rel[rl] != '/' && rel[rl] != '\0'))
			return NULL;
		rel += rl;
	}
	src = xasprintf("%s%s", h->mountpoint, rel);
	if (access(src, F_OK) < 0) {
		free(src);
		return NULL;
	}
	return src;
}

static int bind_dir(const char *src, int fd, const char *dest, unsigned long flags,
		    brig_error_t **err)
{
	struct rootfs_bind b = { .src = src, .src_fd = -1, .recursive = true };

	rootfs_flags_to_attr(flags, 0, &b.rec_set, &b.rec_clr);
	return rootfs_bind_tree(&b, fd, dest, err);
}

/* in_ns: in a cgroup namespace (new or joined); host_view: mountinfo and
 * /proc/self/cgroup were read outside it (rootfs_cgroup_snapshot), so a
 * bind of our directory shows what the namespace would. */
static int mount_hierarchy(int rootfd, const struct hierarchy *h,
			   const struct cg_line *l, const char *dest,
			   unsigned long flags, bool in_ns, bool host_view,
			   brig_error_t **err)
{
	char fdp[ROOTFS_FD_PATH_MAX];
	cleanup_close int fd = rootfs_mkpath_in_root(rootfd, dest, true, err);
	bool v2 = strcmp(h->fstype, "cgroup2") == 0;
	cleanup_free char *src = NULL;

	if (fd < 0)
		return -1;
	/* v1: a bind when the directory is known (see the top comment) */
	if (!v2 && (host_view || !in_ns) && (src = own_dir(h, l)) != NULL)
		return bind_dir(src, fd, dest, flags, err);
	if (in_ns) {
		const char *data = v2 ? NULL : (l ? l->controllers : NULL);

		/* a named hierarchy's source is its name, as runc mounts it */
		const char *source = data && strncmp(data, "name=", 5) == 0 ? data + 5 : h->fstype;

		if ((v2 || data) && mount(source, rootfs_fd_path(fd, fdp), h->fstype,
					  flags, data) == 0)
			return 0;
		if (errno != EPERM && errno != EBUSY && errno != EINVAL)
			return brig_err(err, errno, "mount %s on %s", h->fstype, dest);
		/* refused (a user namespace): a bind, of a directory known
		 * from outside the namespace only, never the hierarchy's root */
		if (!host_view || (src = own_dir(h, l)) == NULL)
			return brig_err(err, errno, "mount %s on %s", h->fstype, dest);
		return bind_dir(src, fd, dest, flags, err);
	}
	/* no cgroup namespace: our directory, else the mount's root */
	src = own_dir(h, l);
	return bind_dir(src ? src : h->mountpoint, fd, dest, flags, err);
}

struct rootfs_cgroups *rootfs_cgroup_snapshot(void)
{
	struct rootfs_cgroups *s = xcalloc(1, sizeof(*s));

	s->nh = read_hierarchies(&s->h);
	s->nl = read_own_cgroups(&s->l);
	return s;
}

void rootfs_cgroup_free(struct rootfs_cgroups *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nh; i++)
		free(s->h[i].mountpoint), free(s->h[i].root), free(s->h[i].fstype),
			free(s->h[i].super);
	for (size_t i = 0; i < s->nl; i++)
		free(s->l[i].controllers), free(s->l[i].path);
	free(s->h);
	free(s->l);
	free(s);
}

static void comount_links(int rootfd, const char *dest, const char *name)
{
	cleanup_close int dfd = -1;
	const char *p = name;

	if (strchr(name, ',') == NULL)
		return;
	dfd = rootfs_open_in_root(rootfd, dest, O_PATH | O_DIRECTORY);
	if (dfd < 0)
		return;
	while (*p) {
		size_t l = strcspn(p, ",");
		cleanup_free char *link = xasprintf("%.*s", (int)l, p);

		if (*link && symlinkat(name, dfd, link) < 0 && errno != EEXIST) {
			/* best effort, as the names are only a convenience */
		}
		p += l + (p[l] == ',');
	}
}

int rootfs_mount_cgroup(int rootfd, const char *dest,
			const struct rootfs_mount_opts *mo, bool new_cgroupns,
			const struct rootfs_cgroups *snap, brig_error_t **err)
{
	unsigned long flags = mo->flags & ~(unsigned long)(MS_BIND | MS_REC | MS_REMOUNT);
	struct rootfs_cgroups *own = snap ? NULL : rootfs_cgroup_snapshot();
	const struct rootfs_cgroups *s = snap ? snap : own;
	const struct hierarchy *h = s->h;
	const struct cg_line *l = s->l;
	size_t nh = s->nh, nl = s->nl;
	/* paths read outside any cgroup namespace we are in */
	bool host_view = snap != NULL || !new_cgroupns;
	char fdp[ROOTFS_FD_PATH_MAX];
	int ret = -1;

	if (nh == 1 && strcmp(h[0].mountpoint, CG_ROOT) == 0) {
		ret = mount_hierarchy(rootfd, &h[0], own_line(&h[0], l, nl), dest, flags,
				      true, host_view, err);
		goto done;
	}
	if (nh == 0) { /* no cgroupfs visible: a cgroup2 of our namespace */
		struct hierarchy v2 = { CG_ROOT, "/", "cgroup2", "" };
		ret = mount_hierarchy(rootfd, &v2, NULL, dest, flags, true, host_view, err);
		goto done;
	}
	{
		cleanup_close int fd = rootfs_mkpath_in_root(rootfd, dest, true, err);
		cleanup_close int top = -1;

		if (fd < 0)
			goto out;
		if (mount("tmpfs", rootfs_fd_path(fd, fdp), "tmpfs", flags & ~MS_RDONLY,
			  "mode=755") < 0) {
			brig_err(err, errno, "mount tmpfs on %s", dest);
			goto out;
		}
		for (size_t i = 0; i < nh; i++) {
			const char *name = h[i].mountpoint + strlen(CG_ROOT);
			cleanup_free char *sub = NULL;

			if (*name++ == '\0')
				continue; /* cgroup2 on the root of a hybrid: skip */
			/* nor the unified half of a hybrid host, as runc */
			if (strcmp(h[i].fstype, "cgroup2") == 0)
				continue;
			sub = xasprintf("%s/%s", dest, name);
			if (mount_hierarchy(rootfd, &h[i], own_line(&h[i], l, nl), sub,
					    flags, new_cgroupns, host_view, err) < 0)
				goto out;
			comount_links(rootfd, dest, name);
		}
		if (flags & MS_RDONLY) {
			struct mount_attr a = { .attr_set = MOUNT_ATTR_RDONLY };

			top = rootfs_open_in_root(rootfd, dest, O_PATH);
			if (top < 0 || mount_setattr(top, "", AT_EMPTY_PATH, &a, sizeof(a)) < 0) {
				brig_err(err, errno, "make %s read-only", dest);
				goto out;
			}
		}
		ret = 0;
	}
done:
	if (ret == 0)
		ret = rootfs_after_mount(rootfd, dest, mo, err);
out:
	rootfs_cgroup_free(own);
	return ret;
}
