/* brig — rootfs/: rootfs_prepare: the container's root and every entry of
 * config.json "mounts", in order, each destination resolved inside the
 * root.  Bind mounts use the new mount API (open_tree + mount_setattr +
 * move_mount) so flags are set on the detached tree before it appears and
 * locked flags of the source are kept; filesystem mounts use mount(2) on
 * the /proc/self/fd/N of the resolved destination. */
#include "rootfs/rootfs_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/strv.h"

struct mount_ctx {
	const struct spec_config *c;
	const struct rootfs_opts *o;
	int rootfd;
	int *proc_copy;  /* the first joined procfs mounted here, or -1 */
	char *root_real; /* the rootfs as the kernel names it */
	bool new_cgroupns;
};

long rootfs_propagation_flags(const char *v)
{
	static const struct { const char *name; long flags; } map[] = {
		{ "shared", MS_SHARED }, { "rshared", MS_SHARED },
		{ "slave", MS_SLAVE }, { "rslave", MS_SLAVE },
		{ "private", MS_PRIVATE }, { "rprivate", MS_PRIVATE },
		{ "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE },
	};

	if (v == NULL || *v == '\0')
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (strcmp(map[i].name, v) == 0)
			return map[i].flags | MS_REC;
	return -1;
}

void rootfs_flags_to_attr(unsigned long set, unsigned long clear,
			  uint64_t *attr_set, uint64_t *attr_clr)
{
	static const struct { unsigned long ms; uint64_t attr; } map[] = {
		{ MS_RDONLY, MOUNT_ATTR_RDONLY },
		{ MS_NOSUID, MOUNT_ATTR_NOSUID },
		{ MS_NODEV, MOUNT_ATTR_NODEV },
		{ MS_NOEXEC, MOUNT_ATTR_NOEXEC },
		{ MS_NODIRATIME, MOUNT_ATTR_NODIRATIME },
		{ MS_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW },
	};
	const unsigned long atime = MS_NOATIME | MS_STRICTATIME | MS_RELATIME;

	*attr_set = *attr_clr = 0;
	for (size_t i = 0; i < ARRAY_SIZE(map); i++) {
		if (set & map[i].ms)
			*attr_set |= map[i].attr;
		else if (clear & map[i].ms)
			*attr_clr |= map[i].attr;
	}
	if ((set | clear) & atime) {
		*attr_clr |= MOUNT_ATTR__ATIME;
		if (set & MS_STRICTATIME)
			*attr_set |= MOUNT_ATTR_STRICTATIME;
		else if (set & MS_NOATIME)
			*attr_set |= MOUNT_ATTR_NOATIME;
		/* else relatime, the kernel's default: 0 */
	}
}

static int setattr(int fd, unsigned int flags, uint64_t set, uint64_t clr,
		   uint64_t prop)
{
	struct mount_attr a = { .attr_set = set, .attr_clr = clr, .propagation = prop };

	return mount_setattr(fd, "", AT_EMPTY_PATH | flags, &a, sizeof(a));
}

/* In a user namespace the flags of a mount from the parent namespace are
 * locked: a request to clear one fails with EPERM.  As runc does, keep
 * the source's locked flags (statvfs) and try once more. */
static int setattr_keep_locked(int fd, unsigned int flags, uint64_t set, uint64_t clr)
{
	struct statvfs sv;

	if (setattr(fd, flags, set, clr, 0) == 0)
		return 0;
	if (errno != EPERM)
		return -1;
	if (fstatvfs(fd, &sv) < 0) {
		errno = EPERM;
		return -1;
	}
	if (sv.f_flag & ST_RDONLY)
		clr &= ~(uint64_t)MOUNT_ATTR_RDONLY;
	if (sv.f_flag & ST_NOSUID)
		clr &= ~(uint64_t)MOUNT_ATTR_NOSUID;
	if (sv.f_flag & ST_NODEV)
		clr &= ~(uint64_t)MOUNT_ATTR_NODEV;
	if (sv.f_flag & ST_NOEXEC)
		clr &= ~(uint64_t)MOUNT_ATTR_NOEXEC;
	if (sv.f_flag & ST_NODIRATIME)
		clr &= ~(uint64_t)MOUNT_ATTR_NODIRATIME;
	/* the atime mode may be locked too: leave it as it is */
	clr &= ~(uint64_t)MOUNT_ATTR__ATIME;
	set &= ~(uint64_t)MOUNT_ATTR__ATIME;
	if (set == 0 && clr == 0)
		return 0;
	return setattr(fd, flags, set, clr, 0);
}

static int set_propagation(int fd, unsigned long prop)
{
	if (prop == 0)
		return 0;
	return setattr(fd, (prop & MS_REC) ? AT_RECURSIVE : 0, 0, 0, prop & ~MS_REC);
}

int rootfs_bind_tree(const struct rootfs_bind *b, int target_fd,
		     const char *what, brig_error_t **err)
{
	unsigned int flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC;
	cleanup_close int tree = -1;

	if (b->recursive)
		flags |= AT_RECURSIVE;
	if (b->src_fd >= 0)
		tree = open_tree(b->src_fd, "", flags | AT_EMPTY_PATH);
	else
		tree = open_tree(AT_FDCWD, b->src, flags);
	if (tree < 0)
		return brig_err(err, errno, "bind %s: open_tree", what);
	if ((b->attr_set || b->attr_clr) &&
	    setattr_keep_locked(tree, 0, b->attr_set, b->attr_clr) < 0)
		return brig_err(err, errno, "bind %s: set mount attributes", what);
	if ((b->rec_set || b->rec_clr) &&
	    setattr_keep_locked(tree, AT_RECURSIVE, b->rec_set, b->rec_clr) < 0)
		return brig_err(err, errno, "bind %s: set recursive mount attributes", what);
	if (move_mount(tree, "", target_fd, "",
		       MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return brig_err(err, errno, "bind %s: move_mount", what);
	if (set_propagation(tree, b->propagation) < 0)
		return brig_err(err, errno, "bind %s: set propagation", what);
	return 0;
}

/* Mounting over anything inside the container's procfs could hide its
 * LSM or security files (CVE-2019-16884, CVE-2019-19921): allow only the
 * files lxcfs-style setups replace, as runc does. */
static int check_proc_target(const struct mount_ctx *x, int fd, const char *dest,
			     brig_error_t **err)
{
	static const char *const allowed[] = {
		"/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo", "/proc/stat",
		"/proc/swaps", "/proc/uptime", "/proc/loadavg", "/proc/slabinfo",
		"/proc/net/dev", "/proc/sys/kernel/ns_last_pid",
	};
	char fdp[ROOTFS_FD_PATH_MAX], real[4096];
	struct statfs sf;
	size_t rl = strlen(x->root_real);
	ssize_t n;

	if (fstatfs(fd, &sf) < 0)
		return brig_err(err, errno, "statfs %s", dest);
	if (sf.f_type != PROC_SUPER_MAGIC)
		return 0;
	n = readlink(rootfs_fd_path(fd, fdp), real, sizeof(real) - 1);
	if (n > 0) {
		real[n] = '\0';
		if (strncmp(real, x->root_real, rl) == 0)
			for (size_t i = 0; i < ARRAY_SIZE(allowed); i++)
				if (strcmp(real + rl, allowed[i]) == 0)
					return 0;
	}
	return brig_err(err, EPERM, "%s cannot be mounted because it is inside /proc",
			dest);
}

/* The pid PID has in the pid namespace it is in (the last NSpid field of
 * the host's /proc/PID/status), or 0. */
static pid_t pid_in_own_ns(pid_t pid)
{
	char path[64], buf[4096];
	cleanup_close int fd = -1;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || (n = read(fd, buf, sizeof(buf) - 1)) <= 0)
		return 0;
	buf[n] = '\0';
	char *l = strstr(buf, "\nNSpid:");
	if (!l)
		return 0;
	char *end = strchr(l + 1, '\n');
	if (end)
		*end = '\0';
	char *last = strrchr(l, '\t');
	long v = last ? strtol(last + 1, NULL, 10) : 0;
	return v > 0 ? (pid_t)v : 0;
}

/* Does the entry NAME of the procfs TREE belong to the pid namespace of
 * PIDNS_FD?  No symlink is followed on the way but the magic "pid" link;
 * GOT: what it reads, for the message. */
static bool tree_entry_in_ns(int tree, const char *name, int pidns_fd, char *got,
			     size_t gotsz)
{
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
			   RESOLVE_NO_XDEV,
	};
	char rel[32];
	struct stat a, b;
	cleanup_close int ns = -1;
	ssize_t n;

	snprintf(rel, sizeof(rel), "%s/ns", name);
	ns = (int)syscall(SYS_openat2, tree, rel, &how, sizeof(how));
	if (ns >= 0 && gotsz > 1 && (n = readlinkat(ns, "pid", got, gotsz - 1)) > 0)
		got[n] = '\0';
	/* "pid" in a real procfs is the namespace's magic link */
	return ns >= 0 && fstatat(ns, "pid", &a, 0) == 0 && fstat(pidns_fd, &b) == 0 &&
	       a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

int rootfs_proc_of(pid_t pid, int pidns_fd, brig_error_t **err)
{
	char path[64], want[64] = "", got[64] = "";
	cleanup_close int target = -1, own = -1, root = -1, cwd = -1;
	cleanup_close int tree = -1;
	struct stat a;

	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)pid);
	target = open(path, O_RDONLY | O_CLOEXEC);
	own = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (target < 0 || own < 0 || root < 0 || cwd < 0)
		return brig_err(err, errno, "open %s", path);
	/* a mount of another mount namespace cannot be copied from here:
	 * step into it, copy, step back (root and cwd restored after) */
	if (setns(target, CLONE_NEWNS) < 0)
		return brig_err(err, errno, "join the mount namespace of pid %d", (int)pid);
	tree = open_tree(AT_FDCWD, "/proc", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	int e = errno;
	if (setns(own, CLONE_NEWNS) < 0 || fchdir(root) < 0 || chroot(".") < 0 || fchdir(cwd) < 0)
		return brig_err(err, errno, "return to our mount namespace");
	if (tree < 0)
		return brig_err(err, e, "copy /proc of pid %d", (int)pid);
	/* What is there must be a procfs, its root, and the procfs of that
	 * very pid namespace.  The process whose /proc it is may be hostile:
	 * a tmpfs with a symlink 1/ns/pid -> /proc/self/fd/<ours> passed a
	 * check that followed symlinks (found by the review of issue 17).
	 * Its pid 1 is the namespace's init; where that one cannot be read
	 * (a host's init more privileged than root here: the host's pid
	 * namespace of a hostPID pod), PID itself under its number there. */
	struct statfs sf;
	if (fstatfs(tree, &sf) < 0 || sf.f_type != PROC_SUPER_MAGIC ||
	    fstat(tree, &a) < 0 || a.st_ino != 1)
		return brig_err(err, 0, "/proc of pid %d is not a procfs of its own", (int)pid);
	if (!tree_entry_in_ns(tree, "1", pidns_fd, got, sizeof(got))) {
		pid_t own_pid = pid_in_own_ns(pid);
		char name[16];

		snprintf(name, sizeof(name), "%d", (int)own_pid);
		if (got[0] || own_pid <= 1 ||
		    !tree_entry_in_ns(tree, name, pidns_fd, got, sizeof(got))) {
			snprintf(path, sizeof(path), "/proc/self/fd/%d", pidns_fd);
			if (readlink(path, want, sizeof(want) - 1) < 0)
				want[0] = '\0';
			return brig_err(err, 0,
					"/proc of pid %d is not the procfs of pid namespace %s "
					"(its pid 1 is in %s)",
					(int)pid, want, got[0] ? got : "none");
		}
	}
	return steal_fd(tree);
}

/* Recursive attributes and propagation of a filesystem mount, on the new
 * mount found again at its destination. */
int rootfs_after_mount(int rootfd, const char *dest,
		       const struct rootfs_mount_opts *mo, brig_error_t **err)
{
	cleanup_close int fd = -1;

	if (!mo->attr_set && !mo->attr_clr && !mo->propagation)
		return 0;
	fd = rootfs_open_in_root(rootfd, dest, O_PATH);
	if (fd < 0)
		return brig_err(err, errno, "open %s in the container", dest);
	if ((mo->attr_set || mo->attr_clr) &&
	    setattr(fd, AT_RECURSIVE, mo->attr_set, mo->attr_clr, 0) < 0)
		return brig_err(err, errno, "set recursive mount attributes on %s", dest);
	if (set_propagation(fd, mo->propagation) < 0)
		return brig_err(err, errno, "set propagation of %s", dest);
	return 0;
}

/* A "proc" mount in a pid namespace joined by path: a copy of that
 * namespace's procfs (rootfs_proc_of), with the mount's flags.  The copy
 * came from the other mount namespace and cannot be copied again from
 * here: the first proc mount is that copy, a later one a copy of it. */
static int mount_joined_proc(const struct mount_ctx *x, int fd, const char *dest,
			     const struct rootfs_mount_opts *mo, brig_error_t **err)
{
	cleanup_close int tree = -1;
	uint64_t s, c;

	if (*x->proc_copy < 0)
		tree = fcntl(x->o->proc_tree, F_DUPFD_CLOEXEC, 3);
	else
		tree = open_tree(*x->proc_copy, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	if (tree < 0)
		return brig_err(err, errno, "copy the joined pid namespace's procfs for %s", dest);
	rootfs_flags_to_attr(mo->flags, mo->clear, &s, &c);
	if ((s || c) && setattr(tree, 0, s, c, 0) < 0)
		return brig_err(err, errno, "mount proc on %s: set its flags", dest);
	if (move_mount(tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return brig_err(err, errno, "mount proc on %s", dest);
	if (*x->proc_copy < 0)
		*x->proc_copy = steal_fd(tree); /* now attached here */
	return rootfs_after_mount(x->rootfd, dest, mo, err);
}

static int mount_fs(const struct mount_ctx *x, const struct spec_mount *m,
		    const struct rootfs_mount_opts *mo, bool copyup,
		    brig_error_t **err)
{
	const char *dest = m->destination;
	const char *src = m->source ? m->source : m->type;
	char fdp[ROOTFS_FD_PATH_MAX];
	cleanup_close int fd = -1;
	cleanup_close int under = -1;
	cleanup_close int top = -1;

	fd = rootfs_mkpath_in_root(x->rootfd, dest, true, err);
	if (fd < 0)
		return -1;
	if (check_proc_target(x, fd, dest, err) < 0)
		return -1;
	if (x->o->proc_tree > 0 && m->type && strcmp(m->type, "proc") == 0)
		return mount_joined_proc(x, fd, dest, mo, err);
	if (copyup) {
		under = rootfs_open_in_root(x->rootfd, dest, O_RDONLY | O_DIRECTORY);
		if (under < 0)
			return brig_err(err, errno, "tmpcopyup: open %s", dest);
	}
	if (mount(src, rootfs_fd_path(fd, fdp), m->type,
		  mo->flags & ~(unsigned long)(MS_BIND | MS_REC), mo->data) < 0)
		return brig_err(err, errno, "mount %s on %s", m->type ? m->type : src,
				dest);
	if (copyup) {
		top = rootfs_open_in_root(x->rootfd, dest, O_RDONLY | O_DIRECTORY);
		if (top < 0)
			return brig_err(err, errno, "tmpcopyup: open %s", dest);
		if (rootfs_copy_tree(under, top, err) < 0)
			return brig_err_prefix(err, "mount %s", dest);
	}
	return rootfs_after_mount(x->rootfd, dest, mo, err);
}

/* Bind a host path (absolute) onto dest, creating dest like the source. */
static int bind_host(const struct mount_ctx *x, const char *src, const char *dest,
		     const struct rootfs_mount_opts *mo, bool recursive,
		     bool attrs_recursive, brig_error_t **err)
{
	struct rootfs_bind b = { .src_fd = -1, .src = src, .recursive = recursive,
				 .rec_set = mo->attr_set, .rec_clr = mo->attr_clr,
				 .propagation = mo->propagation };
	cleanup_close int fd = -1;
	cleanup_free char *what = NULL;
	struct stat st;
	uint64_t s, c;

	if (stat(src, &st) < 0)
		return brig_err(err, errno, "bind %s on %s", src, dest);
	fd = rootfs_mkpath_in_root(x->rootfd, dest, S_ISDIR(st.st_mode), err);
	if (fd < 0)
		return -1;
	if (check_proc_target(x, fd, dest, err) < 0)
		return -1;
	rootfs_flags_to_attr(mo->flags, mo->clear, &s, &c);
	if (attrs_recursive) {
		b.rec_set |= s;
		b.rec_clr |= c;
	} else {
		b.attr_set = s;
		b.attr_clr = c;
	}
	what = xasprintf("%s on %s", src, dest);
	return rootfs_bind_tree(&b, fd, what, err);
}

static int remount(const struct mount_ctx *x, const struct spec_mount *m,
		   const struct rootfs_mount_opts *mo, bool bind, brig_error_t **err)
{
	char fdp[ROOTFS_FD_PATH_MAX];
	cleanup_close int fd = rootfs_open_in_root(x->rootfd, m->destination, O_PATH);
	uint64_t s, c;

	if (fd < 0)
		return brig_err(err, errno, "remount %s", m->destination);
	if (bind) {
		rootfs_flags_to_attr(mo->flags, mo->clear, &s, &c);
		if ((s || c) && setattr_keep_locked(fd, 0, s, c) < 0)
			return brig_err(err, errno, "remount %s", m->destination);
	} else if (mount(m->source, rootfs_fd_path(fd, fdp), m->type,
			 mo->flags, mo->data) < 0) {
		return brig_err(err, errno, "remount %s", m->destination);
	}
	return rootfs_after_mount(x->rootfd, m->destination, mo, err);
}

static int mount_one(const struct mount_ctx *x, const struct spec_mount *m,
		     brig_error_t **err)
{
	struct rootfs_mount_opts mo;
	const char *type = m->type ? m->type : "";
	bool bind, copyup;
	int ret = -1;

	if (m->destination == NULL || *m->destination == '\0')
		return brig_err(err, EINVAL, "mount without a destination");
	if (rootfs_parse_mount_options(&m->options, &mo, err) < 0)
		return -1;
	bind = mo.bind || mo.rbind || strcmp(type, "bind") == 0 ||
	       strcmp(type, "rbind") == 0;
	if (mo.idmap || mo.ridmap || m->n_uid_mappings || m->n_gid_mappings) {
		brig_err(err, EOPNOTSUPP, "mount %s: idmapped mounts are not supported",
			 m->destination);
		goto out;
	}
	copyup = brig_strv_contains(m->options.v, "tmpcopyup");
	if (copyup && (bind || strcmp(type, "tmpfs") != 0)) {
		brig_err(err, EINVAL, "mount %s: tmpcopyup is only for tmpfs mounts",
			 m->destination);
		goto out;
	}

	if (mo.flags & MS_REMOUNT) {
		ret = remount(x, m, &mo, bind, err);
	} else if (bind) {
		cleanup_free char *src = NULL;

		if (m->source == NULL || *m->source == '\0') {
			brig_err(err, EINVAL, "bind mount on %s without a source",
				 m->destination);
			goto out;
		}
		src = m->source[0] == '/' || x->o->bundle == NULL
			      ? xstrdup(m->source)
			      : xasprintf("%s/%s", x->o->bundle, m->source);
		ret = bind_host(x, src, m->destination, &mo,
				mo.rbind || strcmp(type, "rbind") == 0, false, err);
	} else if (strcmp(type, "cgroup") == 0) {
		ret = rootfs_mount_cgroup(x->rootfd, m->destination, &mo,
					  x->new_cgroupns, x->o->cgroups, err);
	} else {
		ret = mount_fs(x, m, &mo, copyup, err);
		/* sysfs needs a network namespace owned by our user namespace,
		 * mqueue an IPC one: fall back to the host's, as runc does */
		if (ret < 0 && (*err)->code == EPERM && strcmp(type, "sysfs") == 0) {
			brig_err_free(err);
			ret = bind_host(x, "/sys", m->destination, &mo, true, true, err);
		} else if (ret < 0 && (*err)->code == EPERM &&
			   strcmp(type, "mqueue") == 0 && access("/dev/mqueue", F_OK) == 0) {
			brig_err_free(err);
			ret = bind_host(x, "/dev/mqueue", m->destination, &mo, true, false, err);
		}
	}
out:
	rootfs_mount_opts_free(&mo);
	return ret;
}

static bool has_new_ns(const struct spec_config *c, enum spec_ns_type t)
{
	if (c->linux == NULL)
		return false;
	for (size_t i = 0; i < c->linux->n_namespaces; i++)
		if (c->linux->namespaces[i].type == t)
			return true;
	return false;
}

/* The mount that holds path (the last directory up from it with its
 * mount id), made private in our mount namespace. */
static int make_parent_private(const char *path, brig_error_t **err)
{
	cleanup_free char *p = xstrdup(path), *mp = xstrdup(path);
	struct statx sx;
	uint64_t id;

	if (statx(AT_FDCWD, p, 0, STATX_MNT_ID, &sx) < 0)
		return brig_err(err, errno, "statx %s", p);
	id = sx.stx_mnt_id;
	for (;;) {
		char *slash = strrchr(p, '/');
		if (!slash || slash == p) {
			if (statx(AT_FDCWD, "/", 0, STATX_MNT_ID, &sx) == 0 && sx.stx_mnt_id == id) {
				free(mp);
				mp = xstrdup("/");
			}
			break;
		}
		*slash = '\0';
		if (statx(AT_FDCWD, p, 0, STATX_MNT_ID, &sx) < 0 || sx.stx_mnt_id != id)
			break;
		free(mp);
		mp = xstrdup(p);
	}
	if (mount(NULL, mp, NULL, MS_PRIVATE, NULL) < 0)
		return brig_err(err, errno, "make %s private", mp);
	return 0;
}

int rootfs_prepare(const struct spec_config *c, const struct rootfs_opts *o,
		   brig_error_t **err)
{
	struct mount_ctx x = { .c = c, .o = o, .rootfd = -1 };
	int proc_copy = -1;
	const char *prop_s = c->linux ? c->linux->rootfs_propagation : NULL;
	long prop = rootfs_propagation_flags(prop_s);
	char fdp[ROOTFS_FD_PATH_MAX], real[4096];
	ssize_t n;
	int ret = -1;

	if (prop < 0)
		return brig_err(err, EINVAL, "rootfsPropagation: unknown value \"%s\"",
				prop_s);
	/* Nothing done from here on may reach the host unless asked: slave
	 * (private when asked); rootfsPropagation proper is applied after
	 * pivot_root.  Shared (Docker's bind-propagation=rshared) keeps / a
	 * peer of the host's, so that a bind asked to be rshared propagates
	 * back, as with runc; the rootfs's own mount is made private, so that
	 * the container's mounts do not. */
	if (prop & MS_SHARED) {
		/* "shared" on / alone, "rshared" on all, as runc: the host's
		 * mounts below keep the propagation they have there */
		unsigned long rec = prop_s[0] == 'r' ? MS_REC : 0;

		if (mount(NULL, "/", NULL, MS_SHARED | rec, NULL) < 0)
			return brig_err(err, errno, "make / %s", prop_s);
		if (make_parent_private(o->rootfs, err) < 0)
			return -1;
	} else if (mount(NULL, "/", NULL, ((prop & MS_PRIVATE) ? MS_PRIVATE : MS_SLAVE) | MS_REC,
			 NULL) < 0) {
		return brig_err(err, errno, "make / %s",
				(prop & MS_PRIVATE) ? "rprivate" : "rslave");
	}
	/* pivot_root needs the new root to be a mount point */
	if (mount(o->rootfs, o->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return brig_err(err, errno, "bind %s on itself", o->rootfs);

	x.rootfd = open(o->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (x.rootfd < 0)
		return brig_err(err, errno, "open %s", o->rootfs);
	n = readlink(rootfs_fd_path(x.rootfd, fdp), real, sizeof(real) - 1);
	if (n < 0) {
		brig_err(err, errno, "readlink %s", fdp);
		goto out;
	}
	real[n] = '\0';
	x.root_real = xstrdup(strcmp(real, "/") == 0 ? "" : real);
	x.new_cgroupns = has_new_ns(c, SPEC_NS_CGROUP);
	x.proc_copy = &proc_copy;

	for (size_t i = 0; i < c->n_mounts; i++)
		if (mount_one(&x, &c->mounts[i], err) < 0)
			goto out;
	if (rootfs_create_devices(c, o, x.rootfd, err) < 0)
		goto out;
	/* A missing process.cwd is made (root's, 0755), inside the root and
	 * before it may become read-only, as runc does: kubelet relies on it
	 * for an image without the pod's workingDir. */
	if (c->process && c->process->cwd && c->process->cwd[0] == '/') {
		int fd = rootfs_mkpath_in_root(x.rootfd, c->process->cwd, true, err);
		if (fd < 0) {
			brig_err_prefix(err, "process.cwd");
			goto out;
		}
		close(fd);
	}
	ret = 0;
out:
	free(x.root_real);
	close(x.rootfd);
	if (proc_copy >= 0)
		close(proc_copy);
	return ret;
}
