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
	mk("systemd"); /* name=systemd: never used */
	if (files) {
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
	/* ".." never climbs out of the hierarchy */
	m = must_new("/a/../../b/./c//", "t1");
	assert_string_equal(cg_path(m), "/b/c");
	cg_free(m);

	assert_null(cg_new(root, "system.slice:docker:abc", "t1", &err));
	assert_string_equal(err->msg, "linux.cgroupsPath: systemd cgroup paths "
			    "(slice:prefix:name) are not supported yet");
	brig_err_free(&err);
	assert_null(cg_new(root, "/..", "t1", &err));
	assert_non_null(strstr(err->msg, "root cgroup"));
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
	ok(cg_create(m, &err), &err);
	assert_string_equal(get("cpuset/brig/cpuset.cpus"), "0-3");
	assert_string_equal(get("cpuset/brig/t1/cpuset.cpus"), "0-3");
	assert_string_equal(get("cpuset/brig/t1/cpuset.mems"), "0");
	ok(cg_enter(m, 1234, &err), &err);
	for (size_t i = 0; i < sizeof(v1_files) / sizeof(v1_files[0]); i++)
		assert_string_equal(get("%s/brig/t1/cgroup.procs", v1_files[i][0]),
				    "1234");
	assert_string_equal(get("cpuset/brig/t1/cgroup.procs"), "1234");
	assert_false(exists("systemd/brig"));
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
	ok(cg_create(m, &err), &err);
	ok(cg_create(m2, &err), &err);
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
	mk("pids/brig/t1"); /* there before: must survive the rollback */
	m = must_new(NULL, "t1");
	assert_int_equal(cg_create(m, &err), -1);
	assert_true(asprintf(&want, "create cgroup /brig/t1: write %s/cpuset/brig/"
			     "cpuset.cpus: No such file or directory", root) > 0);
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
	ok(cg_create(m, &err), &err);
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
			     "%s/memory/brig/t1/memory.limit_in_bytes: No such "
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
	ok(cg_create(m, &err), &err);
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
			    "c 136:* rwm");

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
	assert_non_null(strstr(err->msg, "linux.resources.unified.rdma.max"));
	brig_err_free(&err);
	struct spec_kv evil[] = { { "../../etc/passwd", "x" } };
	u.unified.v = evil;
	assert_int_equal(cg_apply(m, &u, &err), -1);
	assert_non_null(strstr(err->msg, "invalid key"));
	brig_err_free(&err);

	struct spec_hugepage_limit bad_size = { "2M/../x", 1 };
	struct spec_resources h = { .hugepage_limits = &bad_size, .n_hugepage_limits = 1 };
	assert_int_equal(cg_apply(m, &h, &err), -1);
	assert_non_null(strstr(err->msg, "pageSize: invalid page size"));
	brig_err_free(&err);

	/* devices: no eBPF yet, the rules are skipped without error */
	struct spec_device_cgroup d = { false, 'a', -1, -1, "rwm" };
	struct spec_resources dr = { .devices = &d, .n_devices = 1 };
	ok(cg_apply(m, &dr, &err), &err);
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
	ok(cg_create(m, &err), &err);
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
	assert_non_null(strstr(err->msg, "linux.resources.unified.memory.high: the "
			       "memory controller is not available in"));
	brig_err_free(&err);
	/* freezing is the v1 freezer's */
	ok(cg_freeze(m, &err), &err);
	assert_string_equal(get("freezer/brig/t1/freezer.state"), "FROZEN");
	ok(cg_thaw(m, &err), &err);
	close(sub);
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
