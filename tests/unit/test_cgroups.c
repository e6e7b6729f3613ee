/* brig — unit tests for cgroups/: layout detection, paths and the exact
 * files and values written, against fake cgroupfs trees (plain files and
 * directories in a temp dir).  brig never creates cgroup files (it writes
 * with O_TRUNC and no O_CREAT, as cgroupfs needs), so each tree holds the
 * files the kernel would offer.  Files written several times in a row
 * (devices.allow, cgroup.subtree_control) are FIFOs the test keeps open,
 * so it sees every write in order. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroups/cgroups.h"
#include "cgroups/cg_internal.h" /* the eBPF program generator */

#include <linux/bpf.h>
#include <poll.h>

static char root[PATH_MAX];

/* ---- fake tree helpers -------------------------------------------------- */

static char *pathf(const char *fmt, va_list ap)
{
	char *rel = NULL, *p;

	assert_true(vasprintf(&rel, fmt, ap) >= 0);
	assert_true(asprintf(&p, "%s/%s", root, rel) >= 0);
	free(rel);
	return p;
}

/* root + "/" + formatted path; caller frees. */
static char *P(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = pathf(fmt, ap);
	va_end(ap);
	return p;
}

static void mkdir_p(char *p)
{
	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			mkdir(p, 0755);
			*s = '/';
		}
	mkdir(p, 0755);
}

static void mk(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = pathf(fmt, ap);
	va_end(ap);
	mkdir_p(p);
	free(p);
}

/* Create the file (and its directories) holding content. */
static void put(const char *content, const char *fmt, ...)
{
	va_list ap;
	char *p, *slash;
	FILE *f;

	va_start(ap, fmt);
	p = pathf(fmt, ap);
	va_end(ap);
	slash = strrchr(p, '/');
	*slash = '\0';
	mkdir_p(p);
	*slash = '/';
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
	free(p);
}

/* The file's content, trailing newline removed; NULL when missing. */
static char *get(const char *fmt, ...)
{
	static char buf[4096];
	va_list ap;
	char *p;
	FILE *f;
	size_t n;

	va_start(ap, fmt);
	p = pathf(fmt, ap);
	va_end(ap);
	f = fopen(p, "r");
	free(p);
	if (f == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return buf;
}

static bool exists(const char *fmt, ...)
{
	va_list ap;
	char *p;
	bool r;

	va_start(ap, fmt);
	p = pathf(fmt, ap);
	va_end(ap);
	r = access(p, F_OK) == 0;
	free(p);
	return r;
}

/* A FIFO held open read-write by the test: writers never block and every
 * write stays in order.  Separator-less, so read it with drain(). */
static int fifo(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int fd;

	va_start(ap, fmt);
	p = pathf(fmt, ap);
	va_end(ap);
	unlink(p);
	assert_int_equal(mkfifo(p, 0644), 0);
	fd = open(p, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	assert_true(fd >= 0);
	free(p);
	return fd;
}

static char *drain(int fd)
{
	static char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static int rm_cb(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st; (void)flag; (void)f;
	return remove(p);
}

static int setup(void **state)
{
	(void)state;
	strcpy(root, "/tmp/brig-cgtest-XXXXXX");
	assert_non_null(mkdtemp(root));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	nftw(root, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* v1 hierarchies, each with the leaf files brig may write. */
static const char *const v1_files[][12] = {
	{ "memory", "memory.limit_in_bytes", "memory.memsw.limit_in_bytes",
	  "memory.soft_limit_in_bytes", "memory.swappiness", "memory.oom_control",
	  "memory.kmem.tcp.limit_in_bytes", "memory.usage_in_bytes", NULL },
	{ "cpu,cpuacct", "cpu.shares", "cpu.cfs_period_us", "cpu.cfs_quota_us",
	  "cpu.cfs_burst_us", "cpu.rt_period_us", "cpu.rt_runtime_us", "cpu.idle",
	  NULL },
	{ "pids", "pids.max", NULL },
	{ "blkio", "blkio.weight", "blkio.leaf_weight", "blkio.weight_device",
	  "blkio.leaf_weight_device", "blkio.throttle.read_bps_device",
	  "blkio.throttle.write_bps_device", "blkio.throttle.read_iops_device",
	  "blkio.throttle.write_iops_device", NULL },
	{ "devices", "devices.allow", "devices.deny", NULL },
	{ "freezer", "freezer.state", NULL },
};

/* A v1 tree; with files, the leaf "brig/t1" and its files exist already
 * (and a cpuset hierarchy, which needs its files at every level). */
static void build_v1(bool files)
{
	for (size_t i = 0; i < sizeof(v1_files) / sizeof(v1_files[0]); i++) {
		mk("%s", v1_files[i][0]);
		for (size_t j = 1; files && v1_files[i][j]; j++)
			put("", "%s/brig/t1/%s", v1_files[i][0], v1_files[i][j]);
		if (files)
			put("", "%s/brig/t1/cgroup.procs", v1_files[i][0]);
	}
	/* co-mounted controllers appear through symlinks */
	for (int i = 0; i < 2; i++) {
		char *l = P(i ? "cpuacct" : "cpu");
		assert_int_equal(symlink("cpu,cpuacct", l), 0);
		free(l);
	}
	mk("systemd"); /* name=systemd: joined, no controller file written */
	if (files) {
		put("", "systemd/brig/t1/cgroup.procs");
		put("THAWED\n", "freezer/brig/t1/freezer.state");
		put("0-3\n", "cpuset/cpuset.cpus");
		put("0\n", "cpuset/cpuset.mems");
		put("", "cpuset/brig/cpuset.cpus");
		put("", "cpuset/brig/cpuset.mems");
		put("", "cpuset/brig/t1/cpuset.cpus");
		put("", "cpuset/brig/t1/cpuset.mems");
		put("", "cpuset/brig/t1/cgroup.procs");
	}
}

static const char *const v2_files[] = {
	"memory.max", "memory.swap.max", "memory.low", "memory.high",
	"memory.current", "cpu.weight", "cpu.max", "cpu.max.burst", "cpu.idle",
	"io.weight", "io.max", "hugetlb.2MB.max", "hugetlb.2MB.rsvd.max",
	"pids.max", "cpuset.cpus", "cpuset.mems", "cgroup.procs",
	"cgroup.freeze", NULL,
};

static void build_v2(const char *base)
{
	put("cpuset cpu io memory hugetlb pids\n", "%scgroup.controllers", base);
	put("", "%scgroup.subtree_control", base);
	for (size_t i = 0; v2_files[i]; i++)
		put("", "%sbrig/t1/%s", base, v2_files[i]);
	put("populated 0\nfrozen 0\n", "%sbrig/t1/cgroup.events", base);
	put("cpuset cpu io memory hugetlb pids\n", "%sbrig/t1/cgroup.controllers", base);
}

static struct cg_manager *must_new(const char *path, const char *id)
{
	brig_error_t *err = NULL;
	struct cg_manager *m = cg_new(root, path, id, &err);

	if (m == NULL)
		fail_msg("cg_new: %s", err->msg);
	return m;
}

static void ok(int r, brig_error_t **err)
{
	if (r < 0)
		fail_msg("%s", (*err)->msg);
}

/* ---- layout and paths --------------------------------------------------- */

static void test_layout_detection(void **state)
{
	struct cg_manager *m;

	(void)state;
	build_v1(false);
	m = must_new(NULL, "t1");
	assert_int_equal(cg_layout(m), CG_LAYOUT_V1);
	assert_string_equal(cg_path(m), "/brig/t1");
	assert_int_equal(cg_v2_fd(m), -1);
	cg_free(m);

	put("hugetlb\n", "unified/cgroup.controllers");
	m = must_new(NULL, "t1");
	assert_int_equal(cg_layout(m), CG_LAYOUT_HYBRID);
	assert_int_equal(cg_v2_fd(m), -1); /* most controllers are v1 */
	cg_free(m);

	put("memory pids\n", "cgroup.controllers");
	m = must_new(NULL, "t1");
	assert_int_equal(cg_layout(m), CG_LAYOUT_V2);
	cg_free(m);
}

static void test_paths(void **state)
{
	brig_error_t *err = NULL;
	struct cg_manager *m;

	(void)state;
	build_v1(false);
	m = must_new("/docker/abc", "t1");
	assert_string_equal(cg_path(m), "/docker/abc");
	cg_free(m);
	/* relative: under brig's own cgroup, "/" for a fake root */
	m = must_new("pods/x", "t1");
	assert_string_equal(cg_path(m), "/pods/x");
	cg_free(m);
	m = must_new("/a/../b/./c//", "t1");
	assert_string_equal(cg_path(m), "/b/c");
	cg_free(m);
	/* a ".." above the root is refused, not clamped */
	assert_null(cg_new(root, "/a/../../b", "t1", &err));
	assert_non_null(strstr(err->msg, "linux.cgroupsPath: \"/a/../../b\" climbs above "
			       "the root of the "));
	brig_err_free(&err);
	assert_null(cg_new(root, "../x", "t1", &err)); /* own cgroup "/" here */
	assert_non_null(strstr(err->msg, "climbs above the root"));
	assert_non_null(strstr(err->msg, "from brig's own cgroup /"));
	brig_err_free(&err);
	assert_null(cg_new(root, "x/../../../../../etc", "t1", &err));
	assert_non_null(strstr(err->msg, "climbs above the root"));
	brig_err_free(&err);

	assert_null(cg_new(root, "system.slice:docker:abc", "t1", &err));
	assert_string_equal(err->msg, "linux.cgroupsPath: \"system.slice:docker:abc\" is "
			    "a systemd cgroup path (slice:prefix:name): it needs --systemd-cgroup");
	brig_err_free(&err);
	assert_null(cg_new(root, "/..", "t1", &err));
	assert_non_null(strstr(err->msg, "climbs above the root"));
	brig_err_free(&err);
	assert_null(cg_new(root, "/a/..", "t1", &err));
	assert_non_null(strstr(err->msg, "is the root cgroup"));
	brig_err_free(&err);
	assert_null(cg_new(root, ".", "t1", &err)); /* brig's own: "/" here */
	assert_non_null(strstr(err->msg, "is the root cgroup"));
	brig_err_free(&err);
	assert_null(cg_new(root, NULL, "../x", &err));
	brig_err_free(&err);
	/* no tree at all */
	assert_null(cg_new("/nonexistent-brig-root", NULL, "t1", &err));
	brig_err_free(&err);
}

static void test_load(void **state)
{
	brig_error_t *err = NULL;
	struct cg_manager *m;

	(void)state;
	build_v1(true);
	m = cg_load(root, "/brig/t1", &err);
	assert_non_null(m);
	assert_string_equal(cg_path(m), "/brig/t1");
	cg_free(m);
	/* per-hierarchy paths, as a relative cgroupsPath can resolve to */
	mk("memory/other/t1");
	put("", "memory/other/t1/cgroup.procs");
	m = cg_load(root, "/brig/t1;memory=/other/t1", &err);
	assert_non_null(m);
	assert_string_equal(cg_path(m), "/brig/t1;memory=/other/t1");
	ok(cg_enter(m, 42, &err), &err);
	assert_string_equal(get("memory/other/t1/cgroup.procs"), "42");
	assert_string_equal(get("pids/brig/t1/cgroup.procs"), "42");
	cg_free(m);
	assert_null(cg_load(root, "brig/t1", &err));
	brig_err_free(&err);
}

/* ---- create, enter, destroy -------------------------------------------- */

static void test_v1_create_enter(void **state)
{
	brig_error_t *err = NULL;
	struct cg_manager *m;

	(void)state;
	build_v1(true);
	/* the leaf's cpuset is empty: it gets the parent's */
	m = must_new(NULL, "t1");
	ok(cg_create_dirs(m, &err), &err);
	assert_string_equal(get("cpuset/brig/cpuset.cpus"), "0-3");
	assert_string_equal(get("cpuset/brig/t1/cpuset.cpus"), "0-3");
	assert_string_equal(get("cpuset/brig/t1/cpuset.mems"), "0");
	ok(cg_enter(m, 1234, &err), &err);
	for (size_t i = 0; i < sizeof(v1_files) / sizeof(v1_files[0]); i++)
		assert_string_equal(get("%s/brig/t1/cgroup.procs", v1_files[i][0]),
				    "1234");
	assert_string_equal(get("cpuset/brig/t1/cgroup.procs"), "1234");
	/* as runc: the container is in the name=systemd hierarchy too */
	assert_string_equal(get("systemd/brig/t1/cgroup.procs"), "1234");
	cg_free(m);
}

static void test_destroy(void **state)
{
	brig_error_t *err = NULL;
	struct cg_manager *m, *m2;

	(void)state;
	build_v1(false);
	put("hugetlb\n", "unified/cgroup.controllers");
	m = must_new(NULL, "t1");
	m2 = must_new(NULL, "t2");
	ok(cg_create_dirs(m, &err), &err);
	ok(cg_create_dirs(m2, &err), &err);
	assert_true(exists("memory/brig/t1"));
	assert_true(exists("unified/brig/t1"));
	mk("memory/brig/t1/sub/deeper"); /* made inside the container */
	ok(cg_destroy(m, &err), &err);
	assert_false(exists("memory/brig/t1"));
	assert_false(exists("unified/brig/t1"));
	assert_true(exists("memory/brig/t2")); /* "/brig" still in use */
	ok(cg_destroy(m2, &err), &err);
	assert_false(exists("memory/brig"));
	assert_false(exists("pids/brig"));
	assert_false(exists("unified/brig"));
	/* again: nothing there is fine */
	ok(cg_destroy(m2, &err), &err);
	cg_free(m);
	cg_free(m2);
}

static void test_create_rollback(void **state)
{
	brig_error_t *err = NULL;
	struct cg_manager *m;
	char *want;

	(void)state;
	build_v1(false);
	put("0-3\n", "cpuset/cpuset.cpus"); /* but none below: the copy fails */
	put("0\n", "cpuset/cpuset.mems");
	put("", "pids/brig/t1/cgroup.procs"); /* there before, empty: joined, and
						* must survive the rollback */
	m = must_new(NULL, "t1");
	assert_int_equal(cg_create_dirs(m, &err), -1);
	assert_true(asprintf(&want, "create cgroup /brig/t1: write %s/cpuset/brig/"
			     "cpuset.cpus: no such file or directory", root) > 0);
	assert_string_equal(err->msg, want);
	free(want);
	brig_err_free(&err);
	assert_false(exists("memory/brig"));
	assert_false(exists("cpuset/brig"));
	assert_true(exists("pids/brig/t1"));
	cg_free(m);
}

static void test_v2_create_enables_controllers(void **state)
{
	brig_error_t *err = NULL;
	struct cg_manager *m;
	int top, mid;

	(void)state;
	build_v2("");
	put("cpu memory\n", "brig/cgroup.controllers");
	put("memory\n", "brig/cgroup.subtree_control");
	top = fifo("cgroup.subtree_control");
	mid = fifo("brig/cgroup.subtree_control");
	m = must_new(NULL, "t1");
	ok(cg_create_dirs(m, &err), &err);
	assert_string_equal(drain(top), "+cpuset+cpu+io+memory+hugetlb+pids");
	/* every controller offered is enabled, already enabled or not */
	assert_string_equal(drain(mid), "+cpu+memory");
	ok(cg_enter(m, 77, &err), &err);
	assert_string_equal(get("brig/t1/cgroup.procs"), "77");
	close(top);
	close(mid);
	cg_free(m);
}

/* ---- v1 resources ------------------------------------------------------- */

static struct cg_manager *v1_ready(void)
{
	build_v1(true);
	return must_new(NULL, "t1");
}

static void test_v1_memory(void **state)
{
	brig_error_t *err = NULL;
	struct cg_manager *m = v1_ready();
	struct spec_memory mem = {
		.limit = { true, 100 << 20 }, .swap = { true, 200 << 20 },
		.reservation = { true, 50 << 20 }, .swappiness = { true, 10 },
		.disable_oom_killer = { true, true }, .kernel = { true, 1 },
	};
	struct spec_resources r = { .memory = &mem };

	(void)state;
	ok(cg_apply(m, &r, &err), &err);
	assert_string_equal(get("memory/brig/t1/memory.limit_in_bytes"), "104857600");
	/* v1 memsw is memory+swap: the OCI value as is */
	assert_string_equal(get("memory/brig/t1/memory.memsw.limit_in_bytes"), "209715200");
	assert_string_equal(get("memory/brig/t1/memory.soft_limit_in_bytes"), "52428800");
	assert_string_equal(get("memory/brig/t1/memory.swappiness"), "10");
	assert_string_equal(get("memory/brig/t1/memory.oom_control"), "1");
	assert_string_equal(get("memory/brig/t1/memory.kmem.tcp.limit_in_bytes"), "");

	/* unlimited memory, swap unset: memsw unlimited too */
	struct spec_memory unl = { .limit = { true, -1 } };
	r.memory = &unl;
	ok(cg_apply(m, &r, &err), &err);
	assert_string_equal(get("memory/brig/t1/memory.limit_in_bytes"), "-1");
	assert_string_equal(get("memory/brig/t1/memory.memsw.limit_in_bytes"), "-1");

	/* checkBeforeUpdate refuses a limit under the usage */
	put("4096\n", "memory/brig/t1/memory.usage_in_bytes");
	struct spec_memory chk = { .limit = { true, 1024 },
				   .check_before_update = { true, true } };
	r.memory = &chk;
	assert_int_equal(cg_apply(m, &r, &err), -1);
	assert_non_null(strstr(err->msg, "linux.resources.memory.limit: 1024 is "
			       "below the current usage 4096"));
	brig_err_free(&err);
	cg_free(m);
}

static void test_v1_error_names_path_and_file(void **state)
{
	brig_error_t *err = NULL;
	struct cg_manager *m = v1_ready();
	struct spec_memory mem = { .limit = { true, 1 << 20 } };
	struct spec_resources r = { .memory = &mem };
	char *want;

	(void)state;
	want = P("memory/brig/t1/memory.limit_in_bytes");
	unlink(want);
	free(want);
	assert_int_equal(cg_apply(m, &r, &err), -1);
	assert_true(asprintf(&want, "linux.resources.memory.limit: write "
			     "%s/memory/brig/t1/memory.limit_in_bytes: no such "
			     "file or directory", root) > 0);
	assert_string_equal(err->msg, want);
	assert_int_equal(err->code, ENOENT);
	free(want);
	brig_err_free(&err);
	cg_free(m);
}

static void test_v1_cpu_cpuset_pids(void **state)
{
	brig_error_t *err = NULL;
	struct cg_manager *m = v1_ready();
	struct spec_cpu cpu = {
		.shares = { true, 512 }, .quota = { true, 50000 },
		.period = { true, 100000 }, .burst = { true, 1000 },
		.realtime_period = { true, 1000000 },
		.realtime_runtime = { true, 950000 }, .idle = { true, 1 },
		.cpus = "1-2", .mems = "0",
	};
	struct spec_resources r = { .cpu = &cpu, .pids_limit = { true, 100 } };

	(void)state;
	ok(cg_create_dirs(m, &err), &err);
	ok(cg_apply(m, &r, &err), &err);
	assert_string_equal(get("cpu,cpuacct/brig/t1/cpu.shares"), "512");
	assert_string_equal(get("cpu,cpuacct/brig/t1/cpu.cfs_quota_us"), "50000");
	assert_string_equal(get("cpu,cpuacct/brig/t1/cpu.cfs_period_us"), "100000");
	assert_string_equal(get("cpu,cpuacct/brig/t1/cpu.cfs_burst_us"), "1000");
	assert_string_equal(get("cpu,cpuacct/brig/t1/cpu.rt_period_us"), "1000000");
	assert_string_equal(get("cpu,cpuacct/brig/t1/cpu.rt_runtime_us"), "950000");
	assert_string_equal(get("cpu,cpuacct/brig/t1/cpu.idle"), "1");
	assert_string_equal(get("cpuset/brig/t1/cpuset.cpus"), "1-2");
	assert_string_equal(get("cpuset/brig/t1/cpuset.mems"), "0");
	assert_string_equal(get("pids/brig/t1/pids.max"), "100");

	struct spec_resources p = { .pids_limit = { true, -1 } };
	ok(cg_apply(m, &p, &err), &err);
	assert_string_equal(get("pids/brig/t1/pids.max"), "max");
	p.pids_limit.v = 0; /* a real limit, per the spec */
	ok(cg_apply(m, &p, &err), &err);
	assert_string_equal(get("pids/brig/t1/pids.max"), "0");
	ok(cg_apply(m, NULL, &err), &err);
	cg_free(m);
}

static void test_v1_blkio(void **state)
{
	brig_error_t *err = NULL;
	struct cg_manager *m = v1_ready();
	struct spec_blkio_weight_device wd = { 8, 0, { true, 500 }, { true, 300 } };
	struct spec_blkio_throttle rb = { 8, 0, 1048576 }, wi = { 8, 16, 120 };
	struct spec_blkio b = {
		.weight = { true, 200 }, .leaf_weight = { true, 100 },
		.weight_device = &wd, .n_weight_device = 1,
		.throttle_read_bps = &rb, .n_throttle_read_bps = 1,
		.throttle_write_iops = &wi, .n_throttle_write_iops = 1,
	};
	struct spec_resources r = { .block_io = &b };

	(void)state;
	ok(cg_apply(m, &r, &err), &err);
	assert_string_equal(get("blkio/brig/t1/blkio.weight"), "200");
	assert_string_equal(get("blkio/brig/t1/blkio.leaf_weight"), "100");
	assert_string_equal(get("blkio/brig/t1/blkio.weight_device"), "8:0 500");
	assert_string_equal(get("blkio/brig/t1/blkio.leaf_weight_device"), "8:0 300");
	assert_string_equal(get("blkio/brig/t1/blkio.throttle.read_bps_device"), "8:0 1048576");
	assert_string_equal(get("blkio/brig/t1/blkio.throttle.write_iops_device"), "8:16 120");
	assert_string_equal(get("blkio/brig/t1/blkio.throttle.write_bps_device"), "");
	cg_free(m);
}

static void test_v1_devices(void **state)
{
	brig_error_t *err = NULL;
	struct cg_manager *m = v1_ready();
	struct spec_device_cgroup rules[] = {
		{ false, 0, -1, -1, "rwm" },      /* deny all */
		{ true, 'c', 10, 200, "rwm" },    /* /dev/net/tun */
		{ false, 'b', 8, -1, "w" },
		{ true, 'c', 4, 1, NULL },        /* access defaults to rwm */
	};
	struct spec_resources r = { .devices = rules, .n_devices = 4 };
	int allow, deny;

	(void)state;
	allow = fifo("devices/brig/t1/devices.allow");
	deny = fifo("devices/brig/t1/devices.deny");
	ok(cg_apply(m, &r, &err), &err);
	assert_string_equal(drain(deny), "a" "b 8:* w");
	assert_string_equal(drain(allow),
			    "c 10:200 rwm" "c 4:1 rwm"
			    /* runc's defaults follow */
			    "c *:* m" "b *:* m" "c 1:3 rwm" "c 1:5 rwm" "c 1:7 rwm"
			    "c 1:8 rwm" "c 1:9 rwm" "c 5:0 rwm" "c 5:2 rwm"
			    "c 136:* rwm" "c 10:200 rwm");

	struct spec_device_cgroup bad = { true, 'x', 1, 1, "rwm" };
	r.devices = &bad;
	r.n_devices = 1;
	assert_int_equal(cg_apply(m, &r, &err), -1);
	assert_non_null(strstr(err->msg, "linux.resources.devices[0]: invalid rule"));
	brig_err_free(&err);
	close(allow);
	close(deny);
	cg_free(m);
}

static void test_v1_missing_controllers(void **state)
{
	brig_error_t *err = NULL;
	struct cg_manager *m = v1_ready();
	struct spec_hugepage_limit hl = { "2MB", 1 << 21 };
	struct spec_kv kv = { "memory.high", "1000" };
	struct spec_resources r = { .hugepage_limits = &hl, .n_hugepage_limits = 1 };

	(void)state;
	assert_int_equal(cg_apply(m, &r, &err), -1);
	assert_string_equal(err->msg, "linux.resources.hugepageLimits: the hugetlb "
			    "cgroup controller is not available on this host");
	brig_err_free(&err);

	struct spec_resources n = { .has_network = true, .net_class_id = { true, 7 } };
	assert_int_equal(cg_apply(m, &n, &err), -1);
	assert_non_null(strstr(err->msg, "linux.resources.network.classID"));
	brig_err_free(&err);

	struct spec_resources u = { .unified = { &kv, 1 } };
	assert_int_equal(cg_apply(m, &u, &err), -1);
	assert_non_null(strstr(err->msg, "linux.resources.unified: no cgroup v2"));
	brig_err_free(&err);
	cg_free(m);
}

static void test_v1_network(void **state)
{
	brig_error_t *err = NULL;
	struct cg_manager *m;
	struct spec_net_priority prio = { "eth0", 5 };
	struct spec_resources r = { .has_network = true,
				    .net_class_id = { true, 0x100001 },
				    .net_priorities = &prio, .n_net_priorities = 1 };

	(void)state;
	build_v1(true);
	put("", "net_cls,net_prio/brig/t1/net_cls.classid");
	put("", "net_cls,net_prio/brig/t1/net_prio.ifpriomap");
	put("", "net_cls,net_prio/brig/t1/cgroup.procs");
	m = must_new(NULL, "t1");
	ok(cg_apply(m, &r, &err), &err);
	assert_string_equal(get("net_cls,net_prio/brig/t1/net_cls.classid"), "1048577");
	assert_string_equal(get("net_cls,net_prio/brig/t1/net_prio.ifpriomap"), "eth0 5");
	cg_free(m);
}

static void test_v1_freeze(void **state)
{
	brig_error_t *err = NULL;
	struct cg_manager *m = v1_ready();
	pid_t *pids = NULL;
	size_t n = 0;

	(void)state;
	assert_false(cg_is_frozen(m));
	ok(cg_freeze(m, &err), &err);
	assert_string_equal(get("freezer/brig/t1/freezer.state"), "FROZEN");
	assert_true(cg_is_frozen(m));
	ok(cg_thaw(m, &err), &err);
	assert_string_equal(get("freezer/brig/t1/freezer.state"), "THAWED");
	assert_false(cg_is_frozen(m));

	put("12\n34\n", "pids/brig/t1/cgroup.procs");
	ok(cg_pids(m, &pids, &n, &err), &err);
	assert_int_equal(n, 2);
	assert_int_equal(pids[0], 12);
	assert_int_equal(pids[1], 34);
	free(pids);
	put("", "pids/brig/t1/cgroup.procs");
	ok(cg_kill_all(m, SIGKILL, &err), &err); /* nobody to kill */
	assert_string_equal(get("freezer/brig/t1/freezer.state"), "THAWED");
	cg_free(m);
}

/* ---- v2 resources ------------------------------------------------------- */

static struct cg_manager *v2_ready(void)
{
	build_v2("");
	return must_new(NULL, "t1");
}

static void test_v2_memory_swap(void **state)
{
	brig_error_t *err = NULL;
	struct cg_manager *m = v2_ready();
	struct spec_memory mem = { .limit = { true, 100 << 20 },
				   .swap = { true, 300 << 20 },
				   .reservation = { true, 10 << 20 },
				   .swappiness = { true, 60 } };
	struct spec_resources r = { .memory = &mem };
	char *want;

	(void)state;
	ok(cg_apply(m, &r, &err), &err);
	assert_string_equal(get("brig/t1/memory.max"), "104857600");
	/* v2 swap.max is swap only: (memory+swap) - memory, as runc */
	assert_string_equal(get("brig/t1/memory.swap.max"), "209715200");
	assert_string_equal(get("brig/t1/memory.low"), "10485760");

	mem = (struct spec_memory){ .limit = { true, -1 } };
	ok(cg_apply(m, &r, &err), &err);
	assert_string_equal(get("brig/t1/memory.max"), "max");
	assert_string_equal(get("brig/t1/memory.swap.max"), "max");

	mem = (struct spec_memory){ .limit = { true, 100 }, .swap = { true, 100 } };
	ok(cg_apply(m, &r, &err), &err);
	assert_string_equal(get("brig/t1/memory.swap.max"), "0");

	/* without swap accounting, "max" and "0" hold already */
	want = P("brig/t1/memory.swap.max");
	unlink(want);
	free(want);
	ok(cg_apply(m, &r, &err), &err);
	mem = (struct spec_memory){ .limit = { true, -1 } };
	ok(cg_apply(m, &r, &err), &err);
	mem = (struct spec_memory){ .limit = { true, 100 }, .swap = { true, 200 } };
	assert_int_equal(cg_apply(m, &r, &err), -1);
	brig_err_free(&err);
	put("", "brig/t1/memory.swap.max");

	mem = (struct spec_memory){ .limit = { true, 200 }, .swap = { true, 100 } };
	assert_int_equal(cg_apply(m, &r, &err), -1);
	assert_string_equal(err->msg, "linux.resources.memory.swap: memory+swap "
			    "limit 100 is below the memory limit 200");
	brig_err_free(&err);

	mem = (struct spec_memory){ .swap = { true, 100 } };
	assert_int_equal(cg_apply(m, &r, &err), -1);
	assert_non_null(strstr(err->msg, "without a memory limit"));
	brig_err_free(&err);

	put("5000\n", "brig/t1/memory.current");
	mem = (struct spec_memory){ .limit = { true, 4096 },
				    .check_before_update = { true, true } };
	assert_int_equal(cg_apply(m, &r, &err), -1);
	brig_err_free(&err);
	cg_free(m);
}

static void test_v2_cpu(void **state)
{
	brig_error_t *err = NULL;
	struct cg_manager *m = v2_ready();
	struct spec_cpu cpu = { .shares = { true, 1024 }, .quota = { true, 50000 },
				.period = { true, 100000 }, .burst = { true, 500 },
				.idle = { true, 0 }, .cpus = "0", .mems = "0" };
	struct spec_resources r = { .cpu = &cpu };
	static const struct { uint64_t shares; const char *weight; } conv[] = {
		{ 2, "1" }, { 1024, "39" }, { 262144, "10000" }, { 100000, "3815" },
		{ 1, "1" }, { 300000, "10000" },
	};

	(void)state;
	ok(cg_apply(m, &r, &err), &err);
	/* 1 + ((1024 - 2) * 9999) / 262142 */
	assert_string_equal(get("brig/t1/cpu.weight"), "39");
	assert_string_equal(get("brig/t1/cpu.max"), "50000 100000");
	assert_string_equal(get("brig/t1/cpu.max.burst"), "500");
	assert_string_equal(get("brig/t1/cpu.idle"), "0");
	assert_string_equal(get("brig/t1/cpuset.cpus"), "0");
	for (size_t i = 0; i < sizeof(conv) / sizeof(conv[0]); i++) {
		struct spec_cpu c = { .shares = { true, conv[i].shares } };
		struct spec_resources rr = { .cpu = &c };

		ok(cg_apply(m, &rr, &err), &err);
		assert_string_equal(get("brig/t1/cpu.weight"), conv[i].weight);
	}
	/* quota -1: no limit; period alone keeps the quota there */
	cpu = (struct spec_cpu){ .quota = { true, -1 } };
	ok(cg_apply(m, &r, &err), &err);
	assert_string_equal(get("brig/t1/cpu.max"), "max");
	put("20000 100000\n", "brig/t1/cpu.max");
	cpu = (struct spec_cpu){ .period = { true, 50000 } };
	ok(cg_apply(m, &r, &err), &err);
	assert_string_equal(get("brig/t1/cpu.max"), "20000 50000");

	cpu = (struct spec_cpu){ .realtime_runtime = { true, 1000 } };
	assert_int_equal(cg_apply(m, &r, &err), -1);
	assert_non_null(strstr(err->msg, "linux.resources.cpu.realtimeRuntime: "
			       "realtime scheduling is not supported by cgroup v2"));
	brig_err_free(&err);

	/* the cgroup's cgroup.controllers tells what is enabled for it */
	put("memory cpu\n", "brig/t1/cgroup.controllers");
	struct spec_resources p = { .pids_limit = { true, 3 } };
	assert_int_equal(cg_apply(m, &p, &err), -1);
	assert_non_null(strstr(err->msg, "linux.resources.pids: the pids cgroup "
			       "controller is not available in"));
	brig_err_free(&err);
	cg_free(m);
}

static void test_v2_io_hugetlb_pids_unified(void **state)
{
	brig_error_t *err = NULL;
	struct cg_manager *m = v2_ready();
	struct spec_blkio_throttle wb = { 259, 0, 2097152 };
	struct spec_blkio b = { .weight = { true, 500 },
				.throttle_write_bps = &wb, .n_throttle_write_bps = 1 };
	struct spec_hugepage_limit hl = { "2MB", 4194304 };
	struct spec_kv kv[] = { { "memory.high", "1073741824" } };
	struct spec_resources r = { .block_io = &b, .hugepage_limits = &hl,
				    .n_hugepage_limits = 1,
				    .pids_limit = { true, -5 },
				    .unified = { kv, 1 } };

	(void)state;
	ok(cg_apply(m, &r, &err), &err);
	/* 1 + (500 - 10) * 9999 / 990 */
	assert_string_equal(get("brig/t1/io.weight"), "default 4950");
	assert_string_equal(get("brig/t1/io.max"), "259:0 wbps=2097152");
	assert_string_equal(get("brig/t1/hugetlb.2MB.max"), "4194304");
	assert_string_equal(get("brig/t1/hugetlb.2MB.rsvd.max"), "4194304");
	assert_string_equal(get("brig/t1/pids.max"), "max");
	assert_string_equal(get("brig/t1/memory.high"), "1073741824");

	/* an unknown file of a controller the cgroup lacks */
	struct spec_kv bad[] = { { "rdma.max", "x" } };
	struct spec_resources u = { .unified = { bad, 1 } };
	assert_int_equal(cg_apply(m, &u, &err), -1);
	assert_non_null(strstr(err->msg, "linux.resources.unified[\"rdma.max\"]: the "
			       "controller \"rdma\" is not enabled"));
	brig_err_free(&err);
	struct spec_kv evil[] = { { "../../etc/passwd", "x" } };
	u.unified.v = evil;
	assert_int_equal(cg_apply(m, &u, &err), -1);
	assert_non_null(strstr(err->msg, "not a file name (has a '/')"));
	brig_err_free(&err);

	struct spec_hugepage_limit bad_size = { "2M/../x", 1 };
	struct spec_resources h = { .hugepage_limits = &bad_size, .n_hugepage_limits = 1 };
	assert_int_equal(cg_apply(m, &h, &err), -1);
	assert_non_null(strstr(err->msg, "pageSize: invalid page size"));
	brig_err_free(&err);

	/* devices: an eBPF program, never skipped; a plain directory is no
	 * cgroup to attach it to (and loading needs root): an error naming
	 * the JSON path either way (test_bpf_devices_program tests the
	 * program itself) */
	struct spec_device_cgroup d = { false, 'a', -1, -1, "rwm" };
	struct spec_resources dr = { .devices = &d, .n_devices = 1 };
	assert_int_equal(cg_apply(m, &dr, &err), -1);
	assert_non_null(strstr(err->msg, "linux.resources.devices"));
	brig_err_free(&err);
	cg_free(m);
}

static void test_v2_freeze(void **state)
{
	brig_error_t *err = NULL;
	struct cg_manager *m = v2_ready();
	int fd;

	(void)state;
	put("populated 1\nfrozen 1\n", "brig/t1/cgroup.events");
	ok(cg_freeze(m, &err), &err);
	assert_string_equal(get("brig/t1/cgroup.freeze"), "1");
	assert_true(cg_is_frozen(m));
	put("populated 1\nfrozen 0\n", "brig/t1/cgroup.events");
	ok(cg_thaw(m, &err), &err);
	assert_string_equal(get("brig/t1/cgroup.freeze"), "0");
	assert_false(cg_is_frozen(m));
	fd = cg_v2_fd(m);
	assert_true(fd >= 0);
	close(fd);
	put("", "brig/t1/cgroup.kill");
	ok(cg_kill_all(m, SIGKILL, &err), &err);
	assert_string_equal(get("brig/t1/cgroup.kill"), "1");
	cg_free(m);
}

/* ---- hybrid ------------------------------------------------------------- */

static void test_hybrid(void **state)
{
	brig_error_t *err = NULL;
	struct cg_manager *m;
	struct spec_memory mem = { .limit = { true, 1 << 20 } };
	struct spec_hugepage_limit hl = { "2MB", 2097152 };
	struct spec_kv kv[] = { { "hugetlb.2MB.max", "4194304" } };
	struct spec_kv mkv[] = { { "memory.high", "1" } };
	struct spec_resources r = { .memory = &mem, .hugepage_limits = &hl,
				    .n_hugepage_limits = 1 };
	int sub;

	(void)state;
	build_v1(true);
	put("hugetlb\n", "unified/cgroup.controllers");
	sub = fifo("unified/cgroup.subtree_control");
	put("", "unified/brig/t1/hugetlb.2MB.max");
	put("", "unified/brig/t1/cgroup.procs");
	put("hugetlb\n", "unified/brig/t1/cgroup.controllers");
	m = must_new(NULL, "t1");
	assert_int_equal(cg_layout(m), CG_LAYOUT_HYBRID);
	ok(cg_create_dirs(m, &err), &err);
	assert_string_equal(drain(sub), "+hugetlb");
	ok(cg_enter(m, 99, &err), &err);
	assert_string_equal(get("memory/brig/t1/cgroup.procs"), "99");
	assert_string_equal(get("unified/brig/t1/cgroup.procs"), "99");
	/* memory is v1, hugetlb only exists in the unified tree */
	ok(cg_apply(m, &r, &err), &err);
	assert_string_equal(get("memory/brig/t1/memory.limit_in_bytes"), "1048576");
	assert_string_equal(get("unified/brig/t1/hugetlb.2MB.max"), "2097152");
	assert_false(exists("unified/brig/t1/memory.max"));
	/* unified keys go to the unified tree */
	struct spec_resources u = { .unified = { kv, 1 } };
	ok(cg_apply(m, &u, &err), &err);
	assert_string_equal(get("unified/brig/t1/hugetlb.2MB.max"), "4194304");
	u.unified.v = mkv;
	assert_int_equal(cg_apply(m, &u, &err), -1);
	assert_non_null(strstr(err->msg, "linux.resources.unified[\"memory.high\"]: the "
			       "controller \"memory\" is not enabled in the container's "
			       "cgroup"));
	brig_err_free(&err);
	/* freezing is the v1 freezer's */
	ok(cg_freeze(m, &err), &err);
	assert_string_equal(get("freezer/brig/t1/freezer.state"), "FROZEN");
	ok(cg_thaw(m, &err), &err);
	close(sub);
	cg_free(m);
}

/* ---- v2 device filter: the eBPF program, run by a small interpreter ---- */

/* Run prog on (type 'c'/'b', major, minor, access "rwm" subset): 1 allow,
 * 0 deny.  Only the instructions the generator uses are known; anything
 * else fails the test, as does a jump out of the program. */
static int bpf_run(const struct bpf_insn *v, size_t n, char type,
		   uint32_t major, uint32_t minor, const char *access)
{
	uint32_t acc = 0, ctx[3];
	uint64_t r[11] = { 0 };

	for (const char *a = access; *a; a++)
		acc |= *a == 'm' ? BPF_DEVCG_ACC_MKNOD :
		       *a == 'r' ? BPF_DEVCG_ACC_READ : BPF_DEVCG_ACC_WRITE;
	ctx[0] = (acc << 16) | (type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
	ctx[1] = major;
	ctx[2] = minor;
	r[1] = 0xc0ffee; /* the context pointer */
	for (size_t pc = 0; pc < n; pc++) {
		const struct bpf_insn *i = &v[pc];
		uint64_t imm = (uint64_t)(int64_t)i->imm;
		bool jump = false;

		switch (i->code) {
		case BPF_LDX | BPF_MEM | BPF_W:
			assert_true(r[i->src_reg] == 0xc0ffee && i->off % 4 == 0 &&
				    i->off >= 0 && i->off < 12);
			r[i->dst_reg] = ctx[i->off / 4];
			break;
		case BPF_ALU64 | BPF_AND | BPF_K: r[i->dst_reg] &= imm; break;
		case BPF_ALU64 | BPF_RSH | BPF_K: r[i->dst_reg] >>= imm; break;
		case BPF_ALU64 | BPF_MOV | BPF_K: r[i->dst_reg] = imm; break;
		case BPF_ALU64 | BPF_MOV | BPF_X: r[i->dst_reg] = r[i->src_reg]; break;
		case BPF_JMP | BPF_JNE | BPF_K: jump = r[i->dst_reg] != imm; break;
		case BPF_JMP | BPF_JEQ | BPF_K: jump = r[i->dst_reg] == imm; break;
		case BPF_JMP | BPF_JSET | BPF_K: jump = (r[i->dst_reg] & imm) != 0; break;
		case BPF_JMP | BPF_EXIT: return (int)r[0];
		default: fail_msg("unexpected instruction 0x%02x at %zu", i->code, pc);
		}
		if (jump) {
			assert_true(i->off >= 0 && pc + (size_t)i->off + 1 < n);
			pc += (size_t)i->off;
		}
	}
	fail_msg("the program runs off its end");
	return -1;
}

static void test_bpf_devices_program(void **state)
{
	struct spec_device_cgroup rules[] = {
		{ false, 'a', -1, -1, "rwm" },          /* deny everything */
		{ true, 'c', 10, 229, "rwm" },          /* fuse */
		{ true, 'b', 8, -1, "r" },              /* sd*: read only */
		{ false, 'c', 10, 229, "w" },           /* fuse: no write */
		{ true, 'c', 4, -1, NULL },             /* ttys, access absent */
	};
	struct bpf_insn *v = NULL;
	brig_error_t *err = NULL;
	size_t n = 0;

	(void)state;
	ok(cg_bpf_devices_build(rules, 5, &v, &n, &err), &err);
	/* the prologue: type, access, major, minor into r2..r5 */
	assert_true(n > 6);
	assert_int_equal(v[0].code, BPF_LDX | BPF_MEM | BPF_W);
	assert_int_equal(v[3].code, BPF_ALU64 | BPF_RSH | BPF_K);
	assert_int_equal(v[3].imm, 16);
	assert_int_equal(v[n - 1].code, BPF_JMP | BPF_EXIT);
	/* the defaults, after the spec's rules */
	assert_int_equal(bpf_run(v, n, 'c', 1, 3, "rw"), 1);   /* null */
	assert_int_equal(bpf_run(v, n, 'c', 136, 7, "rw"), 1); /* pts/7 */
	assert_int_equal(bpf_run(v, n, 'c', 10, 200, "rw"), 1); /* tun, as runc */
	assert_int_equal(bpf_run(v, n, 'b', 253, 0, "m"), 1);  /* mknod b */
	/* the deny-all */
	assert_int_equal(bpf_run(v, n, 'c', 1, 11, "r"), 0);   /* kmsg */
	assert_int_equal(bpf_run(v, n, 'b', 253, 0, "r"), 0);
	assert_int_equal(bpf_run(v, n, 'c', 10, 201, "r"), 0);
	/* the last matching rule decides */
	assert_int_equal(bpf_run(v, n, 'c', 10, 229, "r"), 1);
	assert_int_equal(bpf_run(v, n, 'c', 10, 229, "rw"), 0);
	assert_int_equal(bpf_run(v, n, 'c', 10, 229, "w"), 0);
	/* partial access: allowed only within it; wildcard minor */
	assert_int_equal(bpf_run(v, n, 'b', 8, 0, "r"), 1);
	assert_int_equal(bpf_run(v, n, 'b', 8, 17, "r"), 1);
	assert_int_equal(bpf_run(v, n, 'b', 8, 0, "rw"), 0);
	assert_int_equal(bpf_run(v, n, 'c', 8, 0, "r"), 0);    /* type matters */
	assert_int_equal(bpf_run(v, n, 'c', 4, 1, "rwm"), 1);
	free(v);

	/* no "a" rule: what no rule denies stays allowed (v1 semantics) */
	struct spec_device_cgroup deny_one[] = { { false, 'c', 1, 11, "rwm" } };
	ok(cg_bpf_devices_build(deny_one, 1, &v, &n, &err), &err);
	assert_int_equal(bpf_run(v, n, 'c', 1, 11, "r"), 0);
	assert_int_equal(bpf_run(v, n, 'c', 1, 12, "r"), 1);
	free(v);

	/* an "a" allow at the end makes the rest unreachable: not emitted */
	struct spec_device_cgroup all[] = { { false, 'c', 1, 11, "rwm" },
					    { true, 'a', -1, -1, "rwm" } };
	ok(cg_bpf_devices_build(all, 2, &v, &n, &err), &err);
	assert_int_equal(bpf_run(v, n, 'c', 1, 11, "r"), 1);
	free(v);
	struct spec_device_cgroup only_a[] = { { true, 'a', -1, -1, NULL } };
	size_t n_all = 0;
	ok(cg_bpf_devices_build(only_a, 1, &v, &n_all, &err), &err);
	free(v);
	ok(cg_bpf_devices_build(NULL, 0, &v, &n, &err), &err);
	assert_int_equal(n, n_all); /* the defaults, then allow vs. "a" allow */
	free(v);

	struct spec_device_cgroup bad[] = { { true, 'c', (int64_t)1 << 40, 1, "r" } };
	assert_int_equal(cg_bpf_devices_build(bad, 1, &v, &n, &err), -1);
	assert_non_null(strstr(err->msg, "linux.resources.devices[0]"));
	brig_err_free(&err);
}

/* ---- existing cgroups: refused when populated, else joined and kept ---- */

static void test_existing_cgroups(void **state)
{
	brig_error_t *err = NULL;
	struct cg_manager *m, *m2;

	(void)state;
	build_v1(false);
	put("hugetlb\n", "unified/cgroup.controllers");
	put("", "unified/cgroup.subtree_control");

	/* a host process in one hierarchy: refused, nothing made */
	put("4242\n4343\n", "pids/victim/cgroup.procs");
	assert_null(cg_new(root, "/victim", "t1", &err));
	assert_non_null(strstr(err->msg, "linux.cgroupsPath: cgroup /victim already "
			       "has processes ("));
	assert_non_null(strstr(err->msg, "pids/victim: 4242 4343): brig runs a "
			       "container only in a new or an empty cgroup"));
	brig_err_free(&err);
	assert_false(exists("memory/victim"));
	/* one in a sub-cgroup: the same */
	put("", "memory/parent/cgroup.procs");
	put("4242\n", "memory/parent/inner/cgroup.procs");
	assert_null(cg_new(root, "/parent", "t1", &err));
	assert_non_null(strstr(err->msg, "cgroup /parent already has sub-cgroups ("));
	assert_non_null(strstr(err->msg, "memory/parent/inner)"));
	brig_err_free(&err);
	/* the default path too (another root's container of that id) */
	put("4242\n", "freezer/brig/t1/cgroup.procs");
	assert_null(cg_new(root, NULL, "t1", &err));
	assert_non_null(strstr(err->msg, "cgroup /brig/t1 already has processes"));
	brig_err_free(&err);

	/* empty ones are joined, recorded in the path, never removed */
	put("", "pids/empty/cgroup.procs");
	put("", "unified/empty/cgroup.procs");
	m = must_new("/empty", "t1");
	assert_non_null(strstr(cg_path(m), ";+pids"));
	assert_non_null(strstr(cg_path(m), ";+unified"));
	assert_null(strstr(cg_path(m), "+memory"));
	assert_int_equal(strncmp(cg_path(m), "/empty;", 7), 0);
	ok(cg_create_dirs(m, &err), &err);
	assert_true(exists("memory/empty"));
	mk("pids/empty/made-inside"); /* by the container, since */
	/* a later command acts on what was recorded */
	m2 = cg_load(root, cg_path(m), &err);
	assert_non_null(m2);
	assert_string_equal(cg_path(m2), cg_path(m));
	ok(cg_destroy(m2, &err), &err);
	assert_false(exists("memory/empty"));
	assert_true(exists("pids/empty"));
	assert_false(exists("pids/empty/made-inside"));
	assert_true(exists("unified/empty"));
	/* a process still there: the joined cgroup is not "gone" */
	put("4242\n", "pids/empty/cgroup.procs");
	assert_int_equal(cg_destroy(m2, &err), -1);
	assert_non_null(strstr(err->msg, "pids/empty still has processes"));
	brig_err_free(&err);
	assert_true(exists("pids/empty"));
	cg_free(m2);
	cg_free(m);

	/* frozen: the init would hang there */
	put("", "freezer/frz/cgroup.procs");
	put("FROZEN\n", "freezer/frz/freezer.state");
	assert_null(cg_new(root, "/frz", "t1", &err));
	assert_non_null(strstr(err->msg, "linux.cgroupsPath: cgroup /frz is frozen ("));
	assert_non_null(strstr(err->msg, "freezer/frz: FROZEN): thaw it first"));
	brig_err_free(&err);
	/* a new one under a frozen parent: the same */
	assert_null(cg_new(root, "/frz/new", "t1", &err));
	assert_non_null(strstr(err->msg, "cgroup /frz/new is frozen"));
	brig_err_free(&err);
	put("THAWED\n", "freezer/frz/freezer.state");
	m = must_new("/frz/new", "t1");
	cg_free(m);

	/* missing when cg_new looked, there at create: someone else's, and
	 * left alone by the rollback */
	m = must_new("/late", "t1");
	put("", "pids/late/cgroup.procs");
	assert_int_equal(cg_create_dirs(m, &err), -1);
	assert_non_null(strstr(err->msg, "made by someone else meanwhile"));
	brig_err_free(&err);
	assert_true(exists("pids/late"));
	assert_false(exists("memory/late"));
	cg_free(m);
}

static void test_v2_frozen_refused(void **state)
{
	brig_error_t *err = NULL;

	(void)state;
	build_v2("");
	put("", "brig/t1/cgroup.procs");
	put("populated 0\nfrozen 1\n", "brig/t1/cgroup.events");
	assert_null(cg_new(root, NULL, "t1", &err));
	assert_non_null(strstr(err->msg, "cgroup /brig/t1 is frozen ("));
	brig_err_free(&err);
	/* the parent frozen: a new cgroup below it would be too */
	put("populated 0\nfrozen 1\n", "brig/cgroup.events");
	assert_null(cg_new(root, NULL, "t2", &err));
	assert_non_null(strstr(err->msg, "cgroup /brig/t2 is frozen ("));
	brig_err_free(&err);
	put("populated 0\nfrozen 0\n", "brig/cgroup.events");
	cg_free(must_new(NULL, "t2"));
}

static void test_unified_keys(void **state)
{
	static const char *const core[] = { "cgroup.procs", "cgroup.threads",
		"cgroup.subtree_control", "cgroup.type", "cgroup.kill",
		"cgroup.freeze", "cgroup.max.depth" };
	static const struct { const char *key, *msg; } bad[] = {
		{ "..", "[\"..\"]: not a file name (starts with '.')" },
		{ ".hidden", "not a file name (starts with '.')" },
		{ "memory/../../x", "not a file name (has a '/')" },
		{ "", "[\"\"]: not a file name" },
		{ "nodot", "[\"nodot\"]: not of the form <controller>.<file>" },
		{ "memory.", "not of the form <controller>.<file>" },
		{ "Memory.max", "not of the form <controller>.<file>" },
		{ "a\"b\n.max", "[\"a\\\"b\\u000a.max\"]: not of the form" },
		{ "rdma.max", "the controller \"rdma\" is not enabled" },
	};
	brig_error_t *err = NULL;
	struct cg_manager *m;
	char *outside, *link;
	FILE *f;

	(void)state;
	build_v2("");
	put("memory pids\n", "brig/t1/cgroup.controllers");
	put("", "brig/t1/cgroup.threads");
	put("", "brig/t1/cgroup.subtree_control");
	put("", "brig/t1/cgroup.kill");
	put("", "brig/t1/cgroup.type");
	put("", "brig/t1/cgroup.max.depth");
	m = must_new(NULL, "t1");
	for (size_t i = 0; i < sizeof(core) / sizeof(core[0]); i++) {
		/* with a good key first: nothing at all is written */
		struct spec_kv kv[] = { { "memory.high", "1" }, { (char *)core[i], "4242" } };
		struct spec_resources r = { .unified = { kv, 2 } };
		char *want;

		assert_int_equal(cg_apply(m, &r, &err), -1);
		assert_true(asprintf(&want, "linux.resources.unified[\"%s\"]: cgroup core "
				     "files (cgroup.*) cannot be written through unified",
				     core[i]) > 0);
		assert_string_equal(err->msg, want);
		free(want);
		brig_err_free(&err);
		assert_string_equal(get("brig/t1/%s", core[i]), "");
		assert_string_equal(get("brig/t1/memory.high"), "");
		/* update: the same check */
		assert_int_equal(cg_update(m, &r, &err), -1);
		assert_non_null(strstr(err->msg, "cgroup core files"));
		brig_err_free(&err);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct spec_kv kv[] = { { (char *)bad[i].key, "1" } };
		struct spec_resources r = { .unified = { kv, 1 } };

		assert_int_equal(cg_apply(m, &r, &err), -1);
		if (strstr(err->msg, bad[i].msg) == NULL)
			fail_msg("key \"%s\": %s", bad[i].key, err->msg);
		assert_int_equal(strncmp(err->msg, "linux.resources.unified[\"", 25), 0);
		brig_err_free(&err);
	}
	/* a planted symlink is not followed */
	outside = P("outside");
	f = fopen(outside, "w");
	assert_non_null(f);
	fclose(f);
	link = P("brig/t1/pids.max");
	unlink(link);
	assert_int_equal(symlink(outside, link), 0);
	{
		struct spec_kv kv[] = { { "pids.max", "7" } };
		struct spec_resources r = { .unified = { kv, 1 } };

		assert_int_equal(cg_apply(m, &r, &err), -1);
		assert_non_null(strstr(err->msg, "linux.resources.unified[\"pids.max\"]: write"));
		assert_int_equal(err->code, ELOOP);
		brig_err_free(&err);
	}
	assert_string_equal(get("outside"), "");
	/* a good one is written */
	{
		struct spec_kv kv[] = { { "memory.high", "1073741824" } };
		struct spec_resources r = { .unified = { kv, 1 } };

		ok(cg_apply(m, &r, &err), &err);
		assert_string_equal(get("brig/t1/memory.high"), "1073741824");
	}
	free(outside);
	free(link);
	cg_free(m);
}

/* ---- update, stats, OOM notifications --------------------------------- */

static void test_update_partial(void **state)
{
	brig_error_t *err = NULL;
	struct cg_manager *m = v1_ready();
	struct spec_memory mem = { .limit = { true, 64 << 20 } };
	struct spec_cpu cpu = { .quota = { true, 20000 } };
	struct spec_resources r = { .memory = &mem, .cpu = &cpu };

	(void)state;
	put("100000\n", "cpu,cpuacct/brig/t1/cpu.cfs_period_us");
	put("max\n", "pids/brig/t1/pids.max");
	ok(cg_update(m, &r, &err), &err);
	assert_string_equal(get("memory/brig/t1/memory.limit_in_bytes"), "67108864");
	assert_string_equal(get("cpu,cpuacct/brig/t1/cpu.cfs_quota_us"), "20000");
	/* what the update did not name is left alone */
	assert_string_equal(get("cpu,cpuacct/brig/t1/cpu.cfs_period_us"), "100000");
	assert_string_equal(get("pids/brig/t1/pids.max"), "max");
	assert_string_equal(get("memory/brig/t1/memory.soft_limit_in_bytes"), "");
	cg_free(m);
}

static void test_v1_stats(void **state)
{
	brig_error_t *err = NULL;
	struct cg_manager *m = v1_ready();
	struct cg_stats s;

	(void)state;
	put("123456789\n", "cpu,cpuacct/brig/t1/cpuacct.usage");
	put("100000000 23456789 \n", "cpu,cpuacct/brig/t1/cpuacct.usage_percpu");
	put("user 5\nsystem 3\n", "cpu,cpuacct/brig/t1/cpuacct.stat");
	put("nr_periods 10\nnr_throttled 4\nthrottled_time 777\n",
	    "cpu,cpuacct/brig/t1/cpu.stat");
	put("4096\n", "memory/brig/t1/memory.usage_in_bytes");
	put("8192\n", "memory/brig/t1/memory.max_usage_in_bytes");
	put("67108864\n", "memory/brig/t1/memory.limit_in_bytes");
	put("2\n", "memory/brig/t1/memory.failcnt");
	put("cache 1024\nrss 2048\n", "memory/brig/t1/memory.stat");
	put("3\n", "pids/brig/t1/pids.current");
	put("max\n", "pids/brig/t1/pids.max");
	put("8:0 Read 4096\n8:0 Write 512\n8:0 Total 4608\nTotal 4608\n",
	    "blkio/brig/t1/blkio.throttle.io_service_bytes_recursive");
	put("8:0 Read 1\n8:0 Write 2\n",
	    "blkio/brig/t1/blkio.throttle.io_serviced_recursive");
	ok(cg_stats(m, &s, &err), &err);
	long hz = sysconf(_SC_CLK_TCK);
	assert_true(s.has_cpu && s.has_memory && s.has_pids);
	assert_int_equal(s.cpu_total, 123456789);
	assert_int_equal(s.n_percpu, 2);
	assert_int_equal(s.percpu[1], 23456789);
	assert_int_equal(s.cpu_user, 5 * (1000000000 / hz));
	assert_int_equal(s.cpu_kernel, 3 * (1000000000 / hz));
	assert_int_equal(s.throttle_periods, 10);
	assert_int_equal(s.throttled_periods, 4);
	assert_int_equal(s.throttled_time, 777);
	assert_int_equal(s.mem.usage, 4096);
	assert_int_equal(s.mem.max, 8192);
	assert_int_equal(s.mem.limit, 67108864);
	assert_int_equal(s.mem.failcnt, 2);
	assert_int_equal(s.mem_cache, 1024);
	assert_int_equal(s.n_mem_raw, 2);
	assert_string_equal(s.mem_raw[1].key, "rss");
	assert_int_equal(s.mem_raw[1].value, 2048);
	assert_int_equal(s.pids_current, 3);
	assert_int_equal(s.pids_limit, 0); /* max: runc's 0 */
	assert_int_equal(s.n_io_bytes, 3);
	assert_string_equal(s.io_bytes[1].op, "Write");
	assert_int_equal(s.io_bytes[1].value, 512);
	assert_int_equal(s.io_bytes[1].major, 8);
	assert_int_equal(s.n_io_ops, 2);
	cg_stats_free(&s);
	cg_free(m);
}

static void test_v2_stats_and_oom(void **state)
{
	brig_error_t *err = NULL;
	struct cg_manager *m = v2_ready();
	struct cg_stats s;
	struct cg_oom *o;

	(void)state;
	put("usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 7\n"
	    "nr_throttled 2\nthrottled_usec 30\n", "brig/t1/cpu.stat");
	put("65536\n", "brig/t1/memory.current");
	put("131072\n", "brig/t1/memory.peak");
	put("max\n", "brig/t1/memory.max");
	put("low 0\nhigh 0\nmax 5\noom 1\noom_kill 1\n", "brig/t1/memory.events");
	put("anon 100\nfile 200\n", "brig/t1/memory.stat");
	put("4\n", "brig/t1/pids.current");
	put("64\n", "brig/t1/pids.max");
	put("8:0 rbytes=100 wbytes=200 rios=3 wios=4 dbytes=0 dios=0\n",
	    "brig/t1/io.stat");
	put("2097152\n", "brig/t1/hugetlb.2MB.current");
	put("max 0\n", "brig/t1/hugetlb.2MB.events");
	put("4194304\n", "brig/t1/hugetlb.2MB.max");
	ok(cg_stats(m, &s, &err), &err);
	assert_int_equal(s.cpu_total, 1500000);
	assert_int_equal(s.cpu_user, 1000000);
	assert_int_equal(s.cpu_kernel, 500000);
	assert_int_equal(s.throttled_periods, 2);
	assert_int_equal(s.throttled_time, 30000);
	assert_int_equal(s.mem.usage, 65536);
	assert_int_equal(s.mem.max, 131072);
	assert_true(s.mem.limit == UINT64_MAX);
	assert_int_equal(s.mem.failcnt, 5);
	assert_int_equal(s.mem_cache, 200);
	assert_int_equal(s.pids_current, 4);
	assert_int_equal(s.pids_limit, 64);
	assert_int_equal(s.n_io_bytes, 2);
	assert_string_equal(s.io_bytes[0].op, "Read");
	assert_int_equal(s.io_bytes[0].value, 100);
	assert_int_equal(s.io_ops[1].value, 4);
	assert_int_equal(s.n_hugetlb, 1); /* rsvd files are not page sizes */
	assert_string_equal(s.hugetlb[0].page_size, "2MB");
	assert_int_equal(s.hugetlb[0].usage, 2097152);
	assert_int_equal(s.hugetlb[0].max, 4194304);
	cg_stats_free(&s);

	/* OOM: a rise of oom_kill in memory.events, seen through inotify */
	o = cg_oom_open(m, &err);
	if (o == NULL)
		fail_msg("%s", err->msg);
	put("low 0\nhigh 0\nmax 9\noom 3\noom_kill 3\n", "brig/t1/memory.events");
	struct pollfd p = { .fd = cg_oom_fd(o), .events = POLLIN };
	assert_int_equal(poll(&p, 1, 2000), 1);
	assert_int_equal(cg_oom_read(o), 2);
	char *ev = P("brig/t1/memory.events");
	unlink(ev);
	free(ev);
	assert_int_equal(cg_oom_read(o), -1); /* the cgroup is gone */
	cg_oom_close(o);

	/* a removed cgroup has no stats */
	teardown(NULL);
	assert_int_equal(cg_stats(m, &s, &err), -1);
	brig_err_free(&err);
	setup(NULL);
	cg_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_layout_detection),
		T(test_paths),
		T(test_load),
		T(test_v1_create_enter),
		T(test_destroy),
		T(test_create_rollback),
		T(test_v2_create_enables_controllers),
		T(test_v1_memory),
		T(test_v1_error_names_path_and_file),
		T(test_v1_cpu_cpuset_pids),
		T(test_v1_blkio),
		T(test_v1_devices),
		T(test_v1_missing_controllers),
		T(test_v1_network),
		T(test_v1_freeze),
		T(test_v2_memory_swap),
		T(test_v2_cpu),
		T(test_v2_io_hugetlb_pids_unified),
		T(test_v2_freeze),
		T(test_hybrid),
		T(test_existing_cgroups),
		T(test_v2_frozen_refused),
		T(test_unified_keys),
		T(test_bpf_devices_program),
		T(test_update_partial),
		T(test_v1_stats),
		T(test_v2_stats_and_oom),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
