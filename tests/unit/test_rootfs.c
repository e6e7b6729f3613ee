/* brig — unit tests of rootfs/: mount option parsing, in-root path
 * resolution, and (as root, in a private mount namespace) masked and
 * readonly paths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rootfs/rootfs.h"
#include "rootfs/rootfs_internal.h"

/* ---- helpers ------------------------------------------------------------ */

static struct rootfs_mount_opts parse_v(char **v, size_t n)
{
	struct spec_strv sv = { v, n };
	struct rootfs_mount_opts o;
	brig_error_t *err = NULL;

	assert_int_equal(rootfs_parse_mount_options(&sv, &o, &err), 0);
	assert_null(err);
	return o;
}

#define PARSE(...)                                                             \
	parse_v((char *[]){ __VA_ARGS__, NULL },                               \
		ARRAY_SIZE(((char *[]){ __VA_ARGS__ })))

static struct rootfs_mount_opts parse1(const char *s)
{
	char *v[] = { (char *)s, NULL };
	return parse_v(v, 1);
}

/* ---- option parsing ------------------------------------------------------ */

static void test_empty(void **state)
{
	struct spec_strv none = { NULL, 0 };
	struct rootfs_mount_opts o;
	brig_error_t *err = NULL;

	(void)state;
	assert_int_equal(rootfs_parse_mount_options(&none, &o, &err), 0);
	assert_int_equal(o.flags, 0);
	assert_int_equal(o.clear, 0);
	assert_int_equal(o.propagation, 0);
	assert_false(o.bind || o.rbind || o.idmap || o.ridmap);
	assert_int_equal(o.attr_set, 0);
	assert_int_equal(o.attr_clr, 0);
	assert_null(o.data);
	rootfs_mount_opts_free(&o);

	assert_int_equal(rootfs_parse_mount_options(NULL, &o, &err), 0);
	assert_null(o.data);

	o = PARSE("", "defaults");
	assert_int_equal(o.flags, 0);
	assert_int_equal(o.clear, 0);
	assert_null(o.data);
	rootfs_mount_opts_free(&o);
	rootfs_mount_opts_free(NULL);
}

static const struct {
	const char *name;
	unsigned long flag;
	bool clear;
} flag_cases[] = {
	{ "ro", MS_RDONLY, false },          { "rw", MS_RDONLY, true },
	{ "nosuid", MS_NOSUID, false },      { "suid", MS_NOSUID, true },
	{ "nodev", MS_NODEV, false },        { "dev", MS_NODEV, true },
	{ "noexec", MS_NOEXEC, false },      { "exec", MS_NOEXEC, true },
	{ "sync", MS_SYNCHRONOUS, false },   { "async", MS_SYNCHRONOUS, true },
	{ "dirsync", MS_DIRSYNC, false },    { "remount", MS_REMOUNT, false },
	{ "mand", MS_MANDLOCK, false },      { "nomand", MS_MANDLOCK, true },
	{ "noatime", MS_NOATIME, false },    { "atime", MS_NOATIME, true },
	{ "nodiratime", MS_NODIRATIME, false }, { "diratime", MS_NODIRATIME, true },
	{ "relatime", MS_RELATIME, false },  { "norelatime", MS_RELATIME, true },
	{ "strictatime", MS_STRICTATIME, false }, { "nostrictatime", MS_STRICTATIME, true },
	{ "nosymfollow", MS_NOSYMFOLLOW, false }, { "symfollow", MS_NOSYMFOLLOW, true },
	{ "iversion", MS_I_VERSION, false }, { "noiversion", MS_I_VERSION, true },
	{ "lazytime", MS_LAZYTIME, false },  { "nolazytime", MS_LAZYTIME, true },
	{ "silent", MS_SILENT, false },      { "loud", MS_SILENT, true },
};

static void test_flags(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(flag_cases); i++) {
		struct rootfs_mount_opts o = parse1(flag_cases[i].name);

		if (flag_cases[i].clear) {
			assert_int_equal(o.flags, 0);
			assert_int_equal(o.clear, flag_cases[i].flag);
		} else {
			assert_int_equal(o.flags, flag_cases[i].flag);
			assert_int_equal(o.clear, 0);
		}
		assert_int_equal(o.propagation, 0);
		assert_int_equal(o.attr_set, 0);
		assert_int_equal(o.attr_clr, 0);
		assert_null(o.data);
		rootfs_mount_opts_free(&o);
	}
}

static void test_flags_last_wins(void **state)
{
	struct rootfs_mount_opts o;

	(void)state;
	o = PARSE("ro", "rw");
	assert_int_equal(o.flags, 0);
	assert_int_equal(o.clear, MS_RDONLY);
	o = PARSE("rw", "ro");
	assert_int_equal(o.flags, MS_RDONLY);
	assert_int_equal(o.clear, 0);
	o = PARSE("nosuid", "nodev", "noexec", "suid", "ro");
	assert_int_equal(o.flags, MS_NODEV | MS_NOEXEC | MS_RDONLY);
	assert_int_equal(o.clear, MS_NOSUID);
	o = PARSE("nosuid", "strictatime", "mode=755", "size=65536k");
	assert_int_equal(o.flags, MS_NOSUID | MS_STRICTATIME);
	assert_string_equal(o.data, "mode=755,size=65536k");
	rootfs_mount_opts_free(&o);
}

static void test_bind(void **state)
{
	struct rootfs_mount_opts o;

	(void)state;
	o = parse1("bind");
	assert_true(o.bind);
	assert_false(o.rbind);
	assert_int_equal(o.flags, MS_BIND);
	o = parse1("rbind");
	assert_true(o.rbind);
	assert_false(o.bind);
	assert_int_equal(o.flags, MS_BIND | MS_REC);
	o = PARSE("rbind", "ro", "rprivate");
	assert_true(o.rbind);
	assert_int_equal(o.flags, MS_BIND | MS_REC | MS_RDONLY);
	assert_int_equal(o.propagation, MS_PRIVATE | MS_REC);
	assert_null(o.data);
}

static void test_propagation(void **state)
{
	static const struct { const char *name; unsigned long v; } cases[] = {
		{ "shared", MS_SHARED },           { "rshared", MS_SHARED | MS_REC },
		{ "slave", MS_SLAVE },             { "rslave", MS_SLAVE | MS_REC },
		{ "private", MS_PRIVATE },         { "rprivate", MS_PRIVATE | MS_REC },
		{ "unbindable", MS_UNBINDABLE },   { "runbindable", MS_UNBINDABLE | MS_REC },
	};
	struct rootfs_mount_opts o;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		o = parse1(cases[i].name);
		assert_int_equal(o.propagation, cases[i].v);
		assert_int_equal(o.flags, 0);
		assert_null(o.data);
	}
	o = PARSE("rshared", "slave");
	assert_int_equal(o.propagation, MS_SLAVE);
}

static const struct {
	const char *name;
	uint64_t set, clr;
} rec_cases[] = {
	{ "rro", MOUNT_ATTR_RDONLY, 0 },
	{ "rrw", 0, MOUNT_ATTR_RDONLY },
	{ "rnosuid", MOUNT_ATTR_NOSUID, 0 },
	{ "rsuid", 0, MOUNT_ATTR_NOSUID },
	{ "rnodev", MOUNT_ATTR_NODEV, 0 },
	{ "rdev", 0, MOUNT_ATTR_NODEV },
	{ "rnoexec", MOUNT_ATTR_NOEXEC, 0 },
	{ "rexec", 0, MOUNT_ATTR_NOEXEC },
	{ "rnodiratime", MOUNT_ATTR_NODIRATIME, 0 },
	{ "rdiratime", 0, MOUNT_ATTR_NODIRATIME },
	{ "rnosymfollow", MOUNT_ATTR_NOSYMFOLLOW, 0 },
	{ "rsymfollow", 0, MOUNT_ATTR_NOSYMFOLLOW },
	/* atime is a field: setting a mode clears the whole field first,
	 * clearing one falls back to relatime (0) */
	{ "rnoatime", MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME },
	{ "ratime", 0, MOUNT_ATTR__ATIME },
	{ "rstrictatime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME },
	{ "rnostrictatime", 0, MOUNT_ATTR__ATIME },
	{ "rrelatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME },
	{ "rnorelatime", 0, MOUNT_ATTR__ATIME },
};

static void test_recursive_attrs(void **state)
{
	struct rootfs_mount_opts o;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(rec_cases); i++) {
		o = parse1(rec_cases[i].name);
		assert_int_equal(o.attr_set, rec_cases[i].set);
		assert_int_equal(o.attr_clr, rec_cases[i].clr);
		assert_int_equal(o.flags, 0);
		assert_int_equal(o.clear, 0);
		assert_null(o.data);
	}
	o = PARSE("rro", "rnosuid", "rrw");
	assert_int_equal(o.attr_set, MOUNT_ATTR_NOSUID);
	assert_int_equal(o.attr_clr, MOUNT_ATTR_RDONLY);
	o = PARSE("rnoatime", "rstrictatime");
	assert_int_equal(o.attr_set, MOUNT_ATTR_STRICTATIME);
	assert_int_equal(o.attr_clr, MOUNT_ATTR__ATIME);
	o = PARSE("rnoatime", "ratime", "rnodiratime");
	assert_int_equal(o.attr_set, MOUNT_ATTR_NODIRATIME);
	assert_int_equal(o.attr_clr, MOUNT_ATTR__ATIME);
	/* a mix with per-mount flags keeps both apart */
	o = PARSE("rbind", "ro", "rro", "nosuid");
	assert_int_equal(o.flags, MS_BIND | MS_REC | MS_RDONLY | MS_NOSUID);
	assert_int_equal(o.attr_set, MOUNT_ATTR_RDONLY);
}

static void test_idmap_tmpcopyup(void **state)
{
	struct rootfs_mount_opts o;

	(void)state;
	o = parse1("idmap");
	assert_true(o.idmap);
	assert_false(o.ridmap);
	assert_null(o.data);
	o = PARSE("rbind", "ridmap");
	assert_true(o.ridmap);
	assert_true(o.rbind);
	assert_null(o.data);
	o = PARSE("tmpcopyup", "mode=755");
	assert_int_equal(o.flags, 0);
	assert_string_equal(o.data, "mode=755");
	rootfs_mount_opts_free(&o);
}

static void test_data(void **state)
{
	struct rootfs_mount_opts o;

	(void)state;
	o = PARSE("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620",
		  "gid=5");
	assert_int_equal(o.flags, MS_NOSUID | MS_NOEXEC);
	assert_string_equal(o.data, "newinstance,ptmxmode=0666,mode=0620,gid=5");
	rootfs_mount_opts_free(&o);
	assert_null(o.data);

	o = parse1("size=65536k");
	assert_string_equal(o.data, "size=65536k");
	rootfs_mount_opts_free(&o);

	/* unknown options are fs data, even odd ones; nothing is refused */
	o = PARSE("foo", "ro", "bar=baz", "x-systemd.automount", "", "RO");
	assert_int_equal(o.flags, MS_RDONLY);
	assert_string_equal(o.data, "foo,bar=baz,x-systemd.automount,RO");
	rootfs_mount_opts_free(&o);

	o = PARSE("context=\"system_u:object_r:svirt_sandbox_file_t:s0:c1,c2\"");
	assert_string_equal(o.data,
			    "context=\"system_u:object_r:svirt_sandbox_file_t:s0:c1,c2\"");
	rootfs_mount_opts_free(&o);
}

/* Every option of the spec's table (config.md, Linux mount options) is
 * known, none of them ends up in data, and the list has no strays. */
static void test_known_options(void **state)
{
	static const char *const spec_opts[] = {
		"async", "atime", "bind", "defaults", "dev", "diratime", "dirsync",
		"exec", "iversion", "lazytime", "loud", "mand", "noatime", "nodev",
		"nodiratime", "noexec", "noiversion", "nolazytime", "nomand",
		"norelatime", "nostrictatime", "nosuid", "nosymfollow", "private",
		"ratime", "rbind", "rdev", "rdiratime", "relatime", "remount",
		"rexec", "rnoatime", "rnodiratime", "rnoexec", "rnorelatime",
		"rnostrictatime", "rnosuid", "rnosymfollow", "ro", "rprivate",
		"rrelatime", "rro", "rrw", "rshared", "rslave", "rstrictatime",
		"rsuid", "rsymfollow", "runbindable", "rw", "shared", "silent",
		"slave", "strictatime", "suid", "symfollow", "sync", "tmpcopyup",
		"unbindable", "idmap", "ridmap",
	};
	size_t n = 0;

	(void)state;
	for (const char *const *p = rootfs_known_mount_options; *p; p++, n++) {
		struct rootfs_mount_opts o = parse1(*p);
		assert_null(o.data);
		for (const char *const *q = p + 1; *q; q++)
			assert_string_not_equal(*p, *q);
	}
	for (size_t i = 0; i < ARRAY_SIZE(spec_opts); i++) {
		bool found = false;
		for (const char *const *p = rootfs_known_mount_options; *p; p++)
			found |= strcmp(*p, spec_opts[i]) == 0;
		if (!found)
			fail_msg("spec option %s is not known", spec_opts[i]);
	}
	assert_true(n >= ARRAY_SIZE(spec_opts));
}

static void test_propagation_value(void **state)
{
	(void)state;
	assert_int_equal(rootfs_propagation_flags(NULL), 0);
	assert_int_equal(rootfs_propagation_flags(""), 0);
	assert_int_equal(rootfs_propagation_flags("shared"), MS_SHARED | MS_REC);
	assert_int_equal(rootfs_propagation_flags("rslave"), MS_SLAVE | MS_REC);
	assert_int_equal(rootfs_propagation_flags("private"), MS_PRIVATE | MS_REC);
	assert_int_equal(rootfs_propagation_flags("unbindable"), MS_UNBINDABLE | MS_REC);
	assert_int_equal(rootfs_propagation_flags("bogus"), -1);
}

static void test_flags_to_attr(void **state)
{
	uint64_t s, c;

	(void)state;
	rootfs_flags_to_attr(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_BIND, 0,
			     &s, &c);
	assert_int_equal(s, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
				    MOUNT_ATTR_NOEXEC);
	assert_int_equal(c, 0);
	rootfs_flags_to_attr(0, MS_RDONLY | MS_NOSYMFOLLOW, &s, &c);
	assert_int_equal(s, 0);
	assert_int_equal(c, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSYMFOLLOW);
	rootfs_flags_to_attr(MS_NOATIME | MS_NODIRATIME, 0, &s, &c);
	assert_int_equal(s, MOUNT_ATTR_NOATIME | MOUNT_ATTR_NODIRATIME);
	assert_int_equal(c, MOUNT_ATTR__ATIME);
	rootfs_flags_to_attr(MS_STRICTATIME | MS_NOATIME, 0, &s, &c);
	assert_int_equal(s, MOUNT_ATTR_STRICTATIME);
	rootfs_flags_to_attr(MS_RELATIME, 0, &s, &c);
	assert_int_equal(s, 0);
	assert_int_equal(c, MOUNT_ATTR__ATIME);
	/* flags mount_setattr has nothing for are left alone */
	rootfs_flags_to_attr(MS_SYNCHRONOUS | MS_REMOUNT, 0, &s, &c);
	assert_int_equal(s, 0);
	assert_int_equal(c, 0);
}

/* ---- in-root resolution ------------------------------------------------- */

struct tree {
	char top[PATH_MAX];  /* temp dir holding root/ and outside/ */
	char root[PATH_MAX + 16];
	int rootfd;
};

static void xsymlink(const char *target, const char *top, const char *rel)
{
	char p[PATH_MAX + 64];
	snprintf(p, sizeof(p), "%s/%s", top, rel);
	assert_int_equal(symlink(target, p), 0);
}

static void xmkdir(const char *top, const char *rel)
{
	char p[PATH_MAX + 64];
	snprintf(p, sizeof(p), "%s/%s", top, rel);
	assert_int_equal(mkdir(p, 0755), 0);
}

static bool exists(const char *top, const char *rel)
{
	char p[PATH_MAX + 64];
	struct stat st;
	snprintf(p, sizeof(p), "%s/%s", top, rel);
	return lstat(p, &st) == 0;
}

static int tree_setup(void **state)
{
	struct tree *t = xcalloc(1, sizeof(*t));

	strcpy(t->top, "/tmp/brig-test-rootfs.XXXXXX");
	assert_non_null(mkdtemp(t->top));
	snprintf(t->root, sizeof(t->root), "%s/root", t->top);
	xmkdir(t->top, "root");
	xmkdir(t->top, "outside");
	xmkdir(t->top, "root/x");
	xmkdir(t->top, "root/etc");
	xsymlink("/etc", t->top, "root/x/abs");          /* absolute */
	xsymlink("../../../../../..", t->top, "root/x/up"); /* climbing */
	xsymlink("../../outside", t->top, "root/x/out"); /* to the sibling */
	xsymlink("/nowhere/deep", t->top, "root/dangle"); /* dangling, abs */
	xsymlink("../rel/sub", t->top, "root/x/rdangle"); /* dangling, rel */
	xsymlink("loop2", t->top, "root/loop1");
	xsymlink("loop1", t->top, "root/loop2");
	t->rootfd = open(t->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(t->rootfd >= 0);
	*state = t;
	return 0;
}

static int rm_cb(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st, (void)flag, (void)f;
	return remove(p);
}

static int tree_teardown(void **state)
{
	struct tree *t = *state;

	close(t->rootfd);
	nftw(t->top, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	free(t);
	return 0;
}

/* The fd really is what `rel` names under the root. */
static void assert_fd_is(const struct tree *t, int fd, const char *rel)
{
	char p[PATH_MAX + 64];
	struct stat a, b;

	snprintf(p, sizeof(p), "%s/%s", t->root, rel);
	assert_int_equal(fstat(fd, &a), 0);
	assert_int_equal(lstat(p, &b), 0);
	assert_int_equal(a.st_dev, b.st_dev);
	assert_int_equal(a.st_ino, b.st_ino);
}

/* The same resolve tests again with openat2 pretended missing: the
 * component-by-component fallback must give the same answers. */
static int walk_setup(void **state)
{
	rootfs_force_walk = true;
	return tree_setup(state);
}

static int walk_teardown(void **state)
{
	rootfs_force_walk = false;
	return tree_teardown(state);
}

#define WALK_TEST(f) { #f " (no openat2)", f, walk_setup, walk_teardown, NULL }

static void test_resolve_absolute_symlink(void **state)
{
	struct tree *t = *state;
	brig_error_t *err = NULL;
	char name[64], rel[128];
	int fd;

	/* a name no real /etc has, so the host cannot be touched unnoticed */
	snprintf(name, sizeof(name), "brig-unit-%d", (int)getpid());
	snprintf(rel, sizeof(rel), "/x/abs/%s", name);
	fd = rootfs_mkpath_in_root(t->rootfd, rel, false, &err);
	assert_true(fd >= 0);
	assert_null(err);
	snprintf(rel, sizeof(rel), "etc/%s", name);
	assert_fd_is(t, fd, rel);
	close(fd);
	snprintf(rel, sizeof(rel), "/etc/%s", name);
	assert_int_equal(access(rel, F_OK), -1);

	/* and opening it again through the link finds the same file */
	snprintf(rel, sizeof(rel), "x/abs/%s", name);
	fd = rootfs_open_in_root(t->rootfd, rel, O_PATH);
	assert_true(fd >= 0);
	snprintf(rel, sizeof(rel), "etc/%s", name);
	assert_fd_is(t, fd, rel);
	close(fd);
}

static void test_resolve_climbing_symlink(void **state)
{
	struct tree *t = *state;
	brig_error_t *err = NULL;
	int fd;

	fd = rootfs_mkpath_in_root(t->rootfd, "/x/up/evil/file", false, &err);
	assert_true(fd >= 0);
	assert_fd_is(t, fd, "evil/file");
	close(fd);
	assert_false(exists(t->top, "evil"));

	fd = rootfs_mkpath_in_root(t->rootfd, "/x/out/newdir", true, &err);
	assert_true(fd >= 0);
	assert_fd_is(t, fd, "outside/newdir"); /* root/outside, not ../outside */
	close(fd);
	assert_true(exists(t->root, "outside/newdir"));
	assert_false(exists(t->top, "outside/newdir"));

	/* plain ".." cannot climb either */
	fd = rootfs_mkpath_in_root(t->rootfd, "/../../../dotdot", true, &err);
	assert_true(fd >= 0);
	assert_fd_is(t, fd, "dotdot");
	close(fd);
	fd = rootfs_open_in_root(t->rootfd, "/x/up/..", O_PATH);
	assert_true(fd >= 0);
	assert_fd_is(t, fd, ".");
	close(fd);
}

static void test_resolve_dangling(void **state)
{
	struct tree *t = *state;
	brig_error_t *err = NULL;
	int fd;

	fd = rootfs_mkpath_in_root(t->rootfd, "/dangle/a/b", true, &err);
	assert_true(fd >= 0);
	assert_fd_is(t, fd, "nowhere/deep/a/b");
	close(fd);
	assert_int_equal(access("/nowhere", F_OK), -1);

	fd = rootfs_mkpath_in_root(t->rootfd, "x/rdangle/f", false, &err);
	assert_true(fd >= 0);
	assert_fd_is(t, fd, "rel/sub/f");
	close(fd);

	/* the last component itself dangling */
	xsymlink("/made/by/link", t->top, "root/lastlink");
	fd = rootfs_mkpath_in_root(t->rootfd, "/lastlink", false, &err);
	assert_true(fd >= 0);
	assert_fd_is(t, fd, "made/by/link");
	assert_true(exists(t->root, "made/by/link"));
	close(fd);
}

static void test_resolve_existing_and_errors(void **state)
{
	struct tree *t = *state;
	brig_error_t *err = NULL;
	char *base = NULL;
	int fd;

	fd = rootfs_mkpath_in_root(t->rootfd, "/", true, &err);
	assert_true(fd >= 0);
	assert_fd_is(t, fd, ".");
	close(fd);
	fd = rootfs_mkpath_in_root(t->rootfd, "//x//./", true, &err);
	assert_true(fd >= 0);
	assert_fd_is(t, fd, "x");
	close(fd);

	fd = rootfs_mkpath_in_root(t->rootfd, "/loop1/f", false, &err);
	assert_int_equal(fd, -1);
	assert_non_null(err);
	assert_int_equal(err->code, ELOOP);
	brig_err_free(&err);

	/* a file in the way of a directory */
	fd = rootfs_mkpath_in_root(t->rootfd, "/afile", false, &err);
	assert_true(fd >= 0);
	close(fd);
	fd = rootfs_mkpath_in_root(t->rootfd, "/afile/sub", true, &err);
	assert_int_equal(fd, -1);
	assert_int_equal(err->code, ENOTDIR);
	brig_err_free(&err);

	fd = rootfs_open_in_root(t->rootfd, "/does/not/exist", O_PATH);
	assert_int_equal(fd, -1);
	assert_int_equal(errno, ENOENT);

	fd = rootfs_open_parent_in_root(t->rootfd, "/x/abs/dev/null", &base, &err);
	assert_true(fd >= 0);
	assert_string_equal(base, "null");
	assert_fd_is(t, fd, "etc/dev");
	free(base);
	close(fd);
	fd = rootfs_open_parent_in_root(t->rootfd, "top", &base, &err);
	assert_true(fd >= 0);
	assert_string_equal(base, "top");
	assert_fd_is(t, fd, ".");
	free(base);
	close(fd);
	for (const char *bad = "/"; bad; bad = strcmp(bad, "/") == 0 ? "/dev/.." : NULL) {
		base = NULL;
		fd = rootfs_open_parent_in_root(t->rootfd, bad, &base, &err);
		assert_int_equal(fd, -1);
		assert_null(base);
		assert_int_equal(err->code, EINVAL);
		brig_err_free(&err);
	}
}

static void test_copy_tree(void **state)
{
	struct tree *t = *state;
	brig_error_t *err = NULL;
	char p[PATH_MAX + 64], buf[16];
	struct stat st;
	int src, dst, fd;
	ssize_t n;

	xmkdir(t->root, "src");
	xmkdir(t->root, "src/sub");
	xmkdir(t->root, "dst");
	xsymlink("/etc/passwd", t->root, "src/link");
	snprintf(p, sizeof(p), "%s/src/sub/file", t->root);
	fd = open(p, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "content", 7), 7);
	assert_int_equal(fchmod(fd, 0640), 0);
	close(fd);

	snprintf(p, sizeof(p), "%s/src", t->root);
	src = open(p, O_RDONLY | O_DIRECTORY);
	snprintf(p, sizeof(p), "%s/dst", t->root);
	dst = open(p, O_RDONLY | O_DIRECTORY);
	assert_true(src >= 0 && dst >= 0);
	assert_int_equal(rootfs_copy_tree(src, dst, &err), 0);
	close(src);
	close(dst);

	snprintf(p, sizeof(p), "%s/dst/sub/file", t->root);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	fd = open(p, O_RDONLY);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	assert_int_equal(n, 7);
	assert_memory_equal(buf, "content", 7);
	snprintf(p, sizeof(p), "%s/dst/link", t->root);
	n = readlink(p, buf, sizeof(buf) - 1);
	assert_int_equal(n, 11);
	buf[n] = '\0';
	assert_string_equal(buf, "/etc/passwd");
}

/* ---- mounts, as root in a private mount namespace ------------------------ */

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: %s (errno %d)\n", __FILE__,    \
				__LINE__, #cond, errno);                       \
			_exit(1);                                              \
		}                                                              \
	} while (0)

/* The shared:N peer group of the mount at root+sub (0: none, -1: no mount). */
static long mask_peer_group(const char *root, const char *sub)
{
	char want[PATH_MAX + 64], line[4096];
	FILE *f = fopen("/proc/self/mountinfo", "re");
	long group = -1;

	snprintf(want, sizeof(want), "%s%s", root, sub);
	while (f && fgets(line, sizeof(line), f)) {
		char mnt[PATH_MAX], *sh;

		if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1 || strcmp(mnt, want) != 0)
			continue;
		sh = strstr(line, " shared:");
		group = sh ? strtol(sh + 8, NULL, 10) : 0; /* the last (top) mount wins */
	}
	if (f)
		fclose(f);
	return group;
}

static void in_mount_ns(struct tree *t)
{
	brig_error_t *err = NULL;
	char p[PATH_MAX + 64], buf[8];
	int fd, empty = -1;
	struct stat st0, st1, st2;

	CHECK(unshare(CLONE_NEWNS) == 0);
	CHECK(mount(NULL, "/", NULL, MS_PRIVATE | MS_REC, NULL) == 0);
	/* an fd opened before unshare names a mount of the old namespace */
	close(t->rootfd);
	CHECK((t->rootfd = open(t->root, O_PATH | O_DIRECTORY | O_CLOEXEC)) >= 0);
	/* root/dev/null, a secret file and a secret dir, a dir to make ro */
	snprintf(p, sizeof(p), "%s/dev", t->root);
	CHECK(mkdir(p, 0755) == 0);
	snprintf(p, sizeof(p), "%s/dev/null", t->root);
	CHECK(mknod(p, S_IFCHR | 0666, makedev(1, 3)) == 0);
	snprintf(p, sizeof(p), "%s/secret", t->root);
	CHECK(mkdir(p, 0755) == 0);
	snprintf(p, sizeof(p), "%s/secret/key", t->root);
	CHECK((fd = open(p, O_CREAT | O_WRONLY, 0644)) >= 0 && write(fd, "k", 1) == 1);
	close(fd);
	snprintf(p, sizeof(p), "%s/secretfile", t->root);
	CHECK((fd = open(p, O_CREAT | O_WRONLY, 0644)) >= 0 && write(fd, "s", 1) == 1);
	close(fd);
	snprintf(p, sizeof(p), "%s/rodir", t->root);
	CHECK(mkdir(p, 0755) == 0);
	snprintf(p, sizeof(p), "%s/secret2", t->root);
	CHECK(mkdir(p, 0700) == 0);
	snprintf(p, sizeof(p), "%s/secret2/key2", t->root);
	CHECK((fd = open(p, O_CREAT | O_WRONLY, 0644)) >= 0);
	close(fd);

	/* a shared parent: each mask gets a peer group of its own */
	CHECK(mount(t->root, t->root, NULL, MS_BIND, NULL) == 0);
	CHECK(mount(NULL, t->root, NULL, MS_SHARED, NULL) == 0);
	close(t->rootfd);
	CHECK((t->rootfd = open(t->root, O_PATH | O_DIRECTORY | O_CLOEXEC)) >= 0);

	CHECK(rootfs_mask_path(t->rootfd, "/secret", &empty, &err) == 0);
	CHECK(empty >= 0);
	CHECK(rootfs_mask_path(t->rootfd, "/x/abs/../secretfile", &empty, &err) == 0);
	CHECK(rootfs_mask_path(t->rootfd, "/not/there", &empty, &err) == 0);
	CHECK(rootfs_mask_path(t->rootfd, "/secret2", &empty, &err) == 0);
	/* both masked directories: one empty, read-only tmpfs (one superblock) */
	snprintf(p, sizeof(p), "%s/secret", t->root);
	CHECK(stat(p, &st1) == 0 && stat(t->root, &st0) == 0 && st1.st_dev != st0.st_dev);
	snprintf(p, sizeof(p), "%s/secret2", t->root);
	CHECK(stat(p, &st2) == 0 && st2.st_dev == st1.st_dev && (st2.st_mode & 07777) == 0755);
	snprintf(p, sizeof(p), "%s/secret2/key2", t->root);
	CHECK(access(p, F_OK) < 0 && errno == ENOENT);
	CHECK(open(p, O_CREAT | O_WRONLY, 0644) < 0 && errno == EROFS);
	CHECK(mask_peer_group(t->root, "/secret") > 0);
	CHECK(mask_peer_group(t->root, "/secret2") > 0);
	CHECK(mask_peer_group(t->root, "/secret") != mask_peer_group(t->root, "/secret2"));
	close(empty);
	empty = -1;
	CHECK(rootfs_readonly_path(t->rootfd, "/rodir", &err) == 0);
	CHECK(rootfs_readonly_path(t->rootfd, "/not/there", &err) == 0);

	snprintf(p, sizeof(p), "%s/secret/key", t->root);
	CHECK(access(p, F_OK) < 0 && errno == ENOENT);
	snprintf(p, sizeof(p), "%s/secret/new", t->root);
	CHECK(open(p, O_CREAT | O_WRONLY, 0644) < 0 && errno == EROFS);
	snprintf(p, sizeof(p), "%s/secretfile", t->root);
	CHECK((fd = open(p, O_RDONLY)) >= 0 && read(fd, buf, sizeof(buf)) == 0);
	close(fd);
	snprintf(p, sizeof(p), "%s/rodir/f", t->root);
	CHECK(open(p, O_CREAT | O_WRONLY, 0644) < 0 && errno == EROFS);

	/* /dev/null that is not the null device is refused */
	snprintf(p, sizeof(p), "%s/dev/null", t->root);
	CHECK(unlink(p) == 0);
	CHECK((fd = open(p, O_CREAT | O_WRONLY, 0644)) >= 0);
	close(fd);
	CHECK(rootfs_mask_path(t->rootfd, "/rodir", &empty, &err) == 0); /* dir: tmpfs */
	CHECK(rootfs_mask_path(t->rootfd, "/afile2", &empty, &err) == 0); /* missing */
	snprintf(p, sizeof(p), "%s/afile2", t->root);
	CHECK((fd = open(p, O_CREAT | O_WRONLY, 0644)) >= 0);
	close(fd);
	CHECK(rootfs_mask_path(t->rootfd, "/afile2", &empty, &err) < 0 && err->code == EINVAL);
	brig_err_free(&err);
	_exit(0);
}

static void test_masked_readonly(void **state)
{
	struct tree *t = *state;
	pid_t pid;
	int st;

	if (geteuid() != 0)
		skip();
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		in_mount_ns(t);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_flags_last_wins),
		cmocka_unit_test(test_bind),
		cmocka_unit_test(test_propagation),
		cmocka_unit_test(test_recursive_attrs),
		cmocka_unit_test(test_idmap_tmpcopyup),
		cmocka_unit_test(test_data),
		cmocka_unit_test(test_known_options),
		cmocka_unit_test(test_propagation_value),
		cmocka_unit_test(test_flags_to_attr),
		cmocka_unit_test_setup_teardown(test_resolve_absolute_symlink, tree_setup,
						tree_teardown),
		cmocka_unit_test_setup_teardown(test_resolve_climbing_symlink, tree_setup,
						tree_teardown),
		cmocka_unit_test_setup_teardown(test_resolve_dangling, tree_setup,
						tree_teardown),
		cmocka_unit_test_setup_teardown(test_resolve_existing_and_errors,
						tree_setup, tree_teardown),
		WALK_TEST(test_resolve_absolute_symlink),
		WALK_TEST(test_resolve_climbing_symlink),
		WALK_TEST(test_resolve_dangling),
		WALK_TEST(test_resolve_existing_and_errors),
		cmocka_unit_test_setup_teardown(test_copy_tree, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_masked_readonly, tree_setup,
						tree_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
