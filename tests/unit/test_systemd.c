/* brig — unit tests for the systemd cgroup driver's translations
 * (cgroups/cg_sd_props.c, cg_sd_annot.c): cgroupsPath -> unit and path,
 * linux.resources -> unit properties, annotations -> properties (runc's
 * cases), device rules -> DevicePolicy/DeviceAllow.  No systemd needed:
 * the driver's talking is tested against a mock in
 * tests/integration/systemd.bats and against systemd in tests/vm-systemd. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroups/cg_systemd.h"

/* ---- paths ---------------------------------------------------------------- */

static void path_ok(const char *in, bool user, const char *unit, const char *rel,
		    const char *slice)
{
	struct cg_sd_unit u;
	brig_error_t *err = NULL;

	if (cg_sd_parse_path(in, "id1", user, &u, &err) < 0)
		fail_msg("%s: %s", in ? in : "(null)", err->msg);
	assert_string_equal(u.unit, unit);
	assert_string_equal(u.rel, rel);
	assert_string_equal(u.slice, slice);
	cg_sd_unit_free(&u);
}

static void path_bad(const char *in, const char *msg)
{
	struct cg_sd_unit u;
	brig_error_t *err = NULL;

	assert_int_equal(cg_sd_parse_path(in, "id1", false, &u, &err), -1);
	assert_non_null(err);
	if (strstr(err->msg, msg) == NULL)
		fail_msg("%s: \"%s\" lacks \"%s\"", in, err->msg, msg);
	assert_non_null(strstr(err->msg, "linux.cgroupsPath"));
	brig_err_free(&err);
}

static void test_paths(void **state)
{
	(void)state;
	path_ok("system.slice:docker:abc", false, "docker-abc.scope",
		"/system.slice/docker-abc.scope", "system.slice");
	path_ok("machine.slice:libpod:abc", false, "libpod-abc.scope",
		"/machine.slice/libpod-abc.scope", "machine.slice");
	path_ok("kubepods-burstable-pod1234.slice:cri-containerd:c1", false,
		"cri-containerd-c1.scope",
		"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234.slice"
		"/cri-containerd-c1.scope", "kubepods-burstable-pod1234.slice");
	/* defaults: runc's ":runc:<id>", ours named brig */
	path_ok(NULL, false, "brig-id1.scope", "/system.slice/brig-id1.scope", "system.slice");
	path_ok("", true, "brig-id1.scope", "/user.slice/brig-id1.scope", "user.slice");
	path_ok(":p:n", false, "p-n.scope", "/system.slice/p-n.scope", "system.slice");
	path_ok(":p:n", true, "p-n.scope", "/user.slice/p-n.scope", "user.slice");
	/* the root slice */
	path_ok("-.slice:p:n", false, "p-n.scope", "/p-n.scope", "-.slice");
	/* a slice unit: prefix ignored, its own path */
	path_ok("a.slice:ignored:a-b.slice", false, "a-b.slice", "/a.slice/a-b.slice", "a.slice");

	path_bad("a:b", "slice:prefix:name");
	path_bad("a:b:c:d", "slice:prefix:name");
	path_bad("system.slice", "slice:prefix:name");
	path_bad("x.service:p:n", "invalid slice name");
	path_bad("a--b.slice:p:n", "invalid slice name");
	path_bad("-a.slice:p:n", "invalid slice name");
	path_bad("a-.slice:p:n", "invalid slice name");
	path_bad(".slice:p:n", "invalid slice name");
	path_bad("a/b.slice:p:n", "invalid slice name");
	path_bad("system.slice:p:../../etc", "invalid unit name");
	path_bad("system.slice:p/q:n", "invalid unit name");
	/* names systemd's cg_escape() prefixes with '_' in the cgroup path:
	 * brig would limit a cgroup beside the container's */
	path_bad("system.slice:_foo:bar", "escaped");
	path_bad("system.slice:bpf:firewall", "escaped");
	path_bad("system.slice:bpf-socket:bind", "escaped");
	path_bad("cpu.slice:p:n", "escaped");
	path_bad("bpf-devices.slice:p:n", "escaped");
	path_bad("_a.slice:p:n", "escaped");
	path_bad("system.slice:ignored:_x.slice", "escaped");
	path_ok("bpf.slice:p:n", false, "p-n.scope", "/bpf.slice/p-n.scope", "bpf.slice");
	path_ok("system.slice:cpu:x", false, "cpu-x.scope", "/system.slice/cpu-x.scope",
		"system.slice");
	path_bad("system.slice:p:", "invalid unit name");
	path_bad("system.slice:p:n n", "invalid unit name");

	/* what a state file may name for delete to stop */
	assert_true(cg_sd_unit_name_ok("docker-abc.scope"));
	assert_true(cg_sd_unit_name_ok("kubepods-pod1.slice"));
	assert_false(cg_sd_unit_name_ok("ssh.service"));
	assert_false(cg_sd_unit_name_ok("../x.scope"));
	assert_false(cg_sd_unit_name_ok(".scope"));
}

/* ---- resources ------------------------------------------------------------ */

static const struct sdb_prop *find(const struct sdb_props *l, const char *name)
{
	const struct sdb_prop *p = sdb_props_find(l, name);

	if (p == NULL)
		fail_msg("no property %s", name);
	return p;
}

static void test_resources_v2(void **state)
{
	struct spec_memory mem = { .limit = { true, 256 << 20 }, .reservation = { true, 64 << 20 },
				   .swap = { true, 512 << 20 } };
	struct spec_cpu cpu = { .shares = { true, 1024 }, .quota = { true, 12345 },
				.period = { true, 100000 }, .cpus = "0-2,9", .mems = "0" };
	struct spec_blkio bio = { .weight = { true, 500 } };
	struct spec_kv kv[] = { { "memory.high", "max" }, { "pids.max", "0" },
				{ "io.max", "8:0 rbps=1" } };
	struct spec_resources r = { .memory = &mem, .cpu = &cpu, .block_io = &bio,
				    .pids_limit = { true, 0 }, .unified = { kv, 3 } };
	struct sdb_props l = {0};
	brig_error_t *err = NULL;
	const struct sdb_prop *p;

	(void)state;
	cg_sd_round_quota(&cpu);
	assert_int_equal(cpu.quota.v, 13000); /* 123450 us/s up to 130000 */
	assert_int_equal(cg_sd_resource_props(&r, true, 252, &l, &err), 0);
	assert_int_equal(find(&l, "MemoryMax")->u, 256 << 20);
	assert_int_equal(find(&l, "MemoryLow")->u, 64 << 20);
	assert_int_equal(find(&l, "MemorySwapMax")->u, 256 << 20);
	assert_int_equal(find(&l, "CPUWeight")->u, cg_shares_to_weight(1024));
	assert_int_equal(find(&l, "CPUQuotaPerSecUSec")->u, 130000);
	assert_int_equal(find(&l, "CPUQuotaPeriodUSec")->u, 100000);
	p = find(&l, "AllowedCPUs");
	assert_int_equal(p->type, SDB_T_BYTES);
	assert_int_equal(p->n_bytes, 2);
	assert_int_equal(p->bytes[0], 0x07);
	assert_int_equal(p->bytes[1], 0x02);
	assert_int_equal(find(&l, "AllowedMemoryNodes")->bytes[0], 0x01);
	/* unified pids.max 0 replaces the limit; systemd refuses 0 */
	assert_int_equal(find(&l, "TasksMax")->u, 1);
	assert_int_equal(find(&l, "IOWeight")->u, cg_blkio_to_io_weight(500));
	assert_true(find(&l, "MemoryHigh")->u == UINT64_MAX);
	sdb_props_free(&l);

	/* an older systemd: no period, no cpusets */
	assert_int_equal(cg_sd_resource_props(&r, true, 241, &l, &err), 0);
	assert_null(sdb_props_find(&l, "CPUQuotaPeriodUSec"));
	assert_null(sdb_props_find(&l, "AllowedCPUs"));
	sdb_props_free(&l);
}

static void test_resources_v1_and_limits(void **state)
{
	struct spec_memory mem = { .limit = { true, -1 } };
	struct spec_cpu cpu = { .shares = { true, 512 }, .quota = { true, -1 } };
	struct spec_resources r = { .memory = &mem, .cpu = &cpu, .pids_limit = { true, -1 } };
	struct spec_cpu bad = { .cpus = "3-1" };
	struct spec_resources rb = { .cpu = &bad };
	struct sdb_props l = {0};
	brig_error_t *err = NULL;

	(void)state;
	assert_int_equal(cg_sd_resource_props(&r, false, 252, &l, &err), 0);
	assert_true(find(&l, "MemoryLimit")->u == UINT64_MAX);
	assert_null(sdb_props_find(&l, "MemoryMax"));
	assert_int_equal(find(&l, "CPUShares")->u, 512);
	assert_true(find(&l, "CPUQuotaPerSecUSec")->u == UINT64_MAX);
	assert_true(find(&l, "TasksMax")->u == UINT64_MAX);
	sdb_props_free(&l);

	assert_int_equal(cg_sd_resource_props(&rb, true, 252, &l, &err), -1);
	assert_non_null(strstr(err->msg, "linux.resources.cpu.cpus"));
	brig_err_free(&err);
	sdb_props_free(&l);
}

/* ---- annotations (runc's cases) ------------------------------------------ */

static void annot(const char *key, const char *value, const char *name,
		  enum sdb_type t, uint64_t u, const char *s)
{
	struct spec_kv kv = { (char *)key, (char *)value };
	struct spec_kv_list a = { &kv, 1 };
	struct sdb_props l = {0};
	brig_error_t *err = NULL;
	int rc = cg_sd_annotation_props(&a, &l, &err);

	if (name == NULL) {
		if (rc == 0)
			fail_msg("%s=%s accepted", key, value);
		assert_non_null(strstr(err->msg, key));
		brig_err_free(&err);
		sdb_props_free(&l);
		return;
	}
	if (rc < 0)
		fail_msg("%s=%s: %s", key, value, err->msg);
	if (*name == '\0') {
		assert_int_equal(l.n, 0);
		return;
	}
	assert_int_equal(l.n, 1);
	assert_string_equal(l.p[0].name, name);
	assert_int_equal(l.p[0].type, t);
	if (t == SDB_T_STRING)
		assert_string_equal(l.p[0].str, s);
	else if (t == SDB_T_INT32)
		assert_int_equal(l.p[0].i, (int64_t)u);
	else if (t == SDB_T_BOOL)
		assert_int_equal(l.p[0].b, u);
	else
		assert_int_equal(l.p[0].u, u);
	sdb_props_free(&l);
}

#define K "org.systemd.property."

static void test_annotations(void **state)
{
	(void)state;
	annot(K "TimeoutStopUSec", "uint64 123456789", "TimeoutStopUSec", SDB_T_UINT64, 123456789, NULL);
	annot(K "TimeoutStopSec", "456", "TimeoutStopUSec", SDB_T_UINT64, 456000000, NULL);
	annot(K "TimeoutStopSec", "byte 234", "TimeoutStopUSec", SDB_T_UINT64, 234000000, NULL);
	annot(K "TimeoutStopSec", "int16 234", "TimeoutStopUSec", SDB_T_UINT64, 234000000, NULL);
	annot(K "TimeoutStopSec", "uint16 234", "TimeoutStopUSec", SDB_T_UINT64, 234000000, NULL);
	annot(K "TimeoutStopSec", "int32 234", "TimeoutStopUSec", SDB_T_UINT64, 234000000, NULL);
	annot(K "TimeoutStopSec", "uint32 234", "TimeoutStopUSec", SDB_T_UINT64, 234000000, NULL);
	annot(K "TimeoutStopSec", "int64 234", "TimeoutStopUSec", SDB_T_UINT64, 234000000, NULL);
	annot(K "TimeoutStopSec", "uint64 234", "TimeoutStopUSec", SDB_T_UINT64, 234000000, NULL);
	annot(K "TimeoutStopSec", "234.789", "TimeoutStopUSec", SDB_T_UINT64, 234789000, NULL);
	annot(K "TimeoutStopSec", "false", NULL, 0, 0, NULL);
	annot(K "TimeoutStopSec", "'covfefe'", NULL, 0, 0, NULL);
	annot(K "TimeoutStopSec", "-5", NULL, 0, 0, NULL);
	/* ATTACK: 2^64 / 1e6 seconds is 2^64 us, past uint64 (the cast
	 * gave 0 or 2^63): refused, as one more second is */
	annot(K "RuntimeMaxSec", "18446744073709.551616", NULL, 0, 0, NULL);
	annot(K "RuntimeMaxSec", "18446744073710.0", NULL, 0, 0, NULL);
	annot(K "RuntimeMaxSec", "uint64 18446744073710", NULL, 0, 0, NULL);
	/* ATTACK: the unit elsewhere than cgroupsPath says: on v2 the init
	 * would run in systemd's cgroup, the limits written to brig's */
	annot(K "Slice", "'other.slice'", NULL, 0, 0, NULL);
	/* ATTACK (fuzz_gvariant): "@a" at the end read past the string */
	annot(K "ValidName", "@a", NULL, 0, 0, NULL);
	annot(K "FOOSec", "123", "FOOSec", SDB_T_INT32, 123, NULL);
	annot(K "Sec", "123", "Sec", SDB_T_INT32, 123, NULL);
	annot(K "CollectMode", "'inactive-or-failed'", "CollectMode", SDB_T_STRING, 0, "inactive-or-failed");
	annot(K "CollectMode", "\"inactive-or-failed\"", "CollectMode", SDB_T_STRING, 0, "inactive-or-failed");
	annot(K "Delegate", "true", "Delegate", SDB_T_BOOL, 1, NULL);
	annot(K "Delegate", "boolean false", "Delegate", SDB_T_BOOL, 0, NULL);
	annot(K "TasksMax", "@t 40", "TasksMax", SDB_T_UINT64, 40, NULL);
	annot("some.other.annotation", "0", "", 0, 0, NULL);
	annot(K "Xo", "1", NULL, 0, 0, NULL);
	annot(K "Number1", "1", NULL, 0, 0, NULL);
	annot(K "ValidName", "invalid-value", NULL, 0, 0, NULL);
	annot(K "ValidName", "'unterminated", NULL, 0, 0, NULL);
	annot(K "ValidName", "byte 256", NULL, 0, 0, NULL);
	annot(K "ValidName", "uint64 -1", NULL, 0, 0, NULL);
	annot(K "ValidName", "1 2", NULL, 0, 0, NULL);
	annot(K "ValidName", "", NULL, 0, 0, NULL);
}

static void test_annotation_arrays(void **state)
{
	struct spec_kv kv[] = { { K "Wants", "['a.service', 'b.service']" },
				{ K "Description", "'first'" },
				{ K "Description", "'second'" } };
	struct spec_kv_list a = { kv, 3 };
	struct sdb_props l = {0};
	brig_error_t *err = NULL;
	const struct sdb_prop *p;

	(void)state;
	assert_int_equal(cg_sd_annotation_props(&a, &l, &err), 0);
	p = find(&l, "Wants");
	assert_int_equal(p->type, SDB_T_STRINGS);
	assert_int_equal(p->n_strs, 2);
	assert_string_equal(p->strs[1], "b.service");
	assert_string_equal(find(&l, "Description")->str, "second"); /* the last wins */
	assert_int_equal(l.n, 2);
	sdb_props_free(&l);
}

/* ---- devices -------------------------------------------------------------- */

static void test_devices(void **state)
{
	/* what Docker sends: deny all, then its allow list */
	struct spec_device_cgroup docker[] = {
		{ false, 'a', -1, -1, "rwm" },
		{ true, 'c', 1, 3, "rwm" },
		{ true, 'c', 136, -1, "rwm" },
		{ true, 'c', 10, 229, "rwm" },
		{ false, 'c', 10, 229, "w" },
	};
	struct spec_device_cgroup privileged[] = { { true, 'a', -1, -1, "rwm" } };
	struct spec_device_cgroup denylist[] = { { false, 'c', 1, 3, "w" } };
	struct sdb_props l = {0};
	const struct sdb_prop *p;
	bool fuse = false, pts = false, null = false, anychar = false;

	(void)state;
	assert_true(cg_sd_device_props(docker, 5, true, &l)); /* exact */
	assert_string_equal(find(&l, "DevicePolicy")->str, "strict");
	p = find(&l, "DeviceAllow");
	assert_int_equal(p->type, SDB_T_PAIRS);
	for (size_t i = 0; i < p->n_strs; i++) {
		const char *path = p->strs[2 * i], *perms = p->strs[2 * i + 1];

		if (strcmp(path, "/dev/char/10:229") == 0) {
			fuse = true;
			assert_string_equal(perms, "rm");
		}
		if (strcmp(path, "char-136") == 0)
			pts = true;
		if (strcmp(path, "/dev/char/1:3") == 0)
			null = strcmp(perms, "rwm") == 0;
		if (strcmp(path, "char-*") == 0) /* brig's default mknod rule */
			anychar = strcmp(perms, "m") == 0;
	}
	assert_true(fuse && pts && null && anychar);
	sdb_props_free(&l);

	assert_false(cg_sd_device_props(privileged, 1, true, &l));
	assert_string_equal(find(&l, "DevicePolicy")->str, "auto");
	assert_null(sdb_props_find(&l, "DeviceAllow"));
	sdb_props_free(&l);

	/* ATTACK (of the rules' own grants): an allow systemd has no word
	 * for ("c *:5") is left out of its list, which is then narrower
	 * than the rules: not exact, brig's own program holds them */
	struct spec_device_cgroup anymajor[] = {
		{ false, 'a', -1, -1, "rwm" },
		{ true, 'c', -1, 5, "rwm" },
	};
	assert_false(cg_sd_device_props(anymajor, 2, true, &l));
	assert_string_equal(find(&l, "DevicePolicy")->str, "strict");
	sdb_props_free(&l);
	/* v1 is never left to systemd's program: there is none */
	assert_false(cg_sd_device_props(docker, 5, false, &l));
	sdb_props_free(&l);

	/* a deny list systemd cannot say: left to brig's own rules */
	cg_sd_device_props(denylist, 1, true, &l);
	assert_string_equal(find(&l, "DevicePolicy")->str, "auto");
	sdb_props_free(&l);
}

/* A pair "path perms" of DeviceAllow, or NULL. */
static const char *allowed(const struct sdb_props *l, const char *path)
{
	const struct sdb_prop *p = sdb_props_find(l, "DeviceAllow");

	for (size_t i = 0; p && i < p->n_strs; i++)
		if (strcmp(p->strs[2 * i], path) == 0)
			return p->strs[2 * i + 1];
	return NULL;
}

/* ATTACK: on v1 (legacy and hybrid hosts), DevicePolicy=auto without
 * DeviceAllow is systemd writing "a" to devices.allow at the next
 * daemon-reload: every deny of the config undone, /dev/sda open to a
 * container with CAP_MKNOD.  Rules systemd cannot say exactly must give
 * it an allow list no larger than the rules (strict), never "auto". */
static void test_devices_v1_never_looser(void **state)
{
	/* an allow list with a deny narrower than an allow */
	struct spec_device_cgroup narrower[] = {
		{ false, 'a', -1, -1, "rwm" },
		{ true, 'c', 10, -1, "rwm" },
		{ false, 'c', 10, 229, "rwm" },
	};
	/* a deny list: everything but /dev/mem */
	struct spec_device_cgroup denylist[] = { { false, 'c', 1, 1, "rwm" } };
	/* a rule of type 'a' with a number */
	struct spec_device_cgroup anynum[] = {
		{ false, 'a', -1, -1, "rwm" },
		{ true, 'a', 8, -1, "rwm" },
	};
	struct spec_device_cgroup privileged[] = { { true, 'a', -1, -1, "rwm" } };
	struct sdb_props l = {0};

	(void)state;
	cg_sd_device_props(narrower, 3, false, &l);
	assert_string_equal(find(&l, "DevicePolicy")->str, "strict");
	assert_null(allowed(&l, "char-10"));
	assert_null(allowed(&l, "/dev/char/10:229"));
	assert_string_equal(allowed(&l, "/dev/char/1:3"), "rwm"); /* the defaults stay */
	sdb_props_free(&l);

	cg_sd_device_props(denylist, 1, false, &l);
	assert_string_equal(find(&l, "DevicePolicy")->str, "strict");
	assert_null(allowed(&l, "/dev/char/1:1"));
	assert_null(allowed(&l, "char-1"));
	sdb_props_free(&l);

	cg_sd_device_props(anynum, 2, false, &l);
	assert_string_equal(find(&l, "DevicePolicy")->str, "strict");
	assert_null(allowed(&l, "block-8"));
	sdb_props_free(&l);

	/* everything allowed: auto is exact there */
	cg_sd_device_props(privileged, 1, false, &l);
	assert_string_equal(find(&l, "DevicePolicy")->str, "auto");
	sdb_props_free(&l);

	/* v2 keeps "auto" for what systemd cannot say: a reload there
	 * attaches no program and leaves brig's alone */
	cg_sd_device_props(narrower, 3, true, &l);
	assert_string_equal(find(&l, "DevicePolicy")->str, "auto");
	sdb_props_free(&l);
}

/* ATTACK (found by the review of the device program's skip): a deny with
 * an empty access string is "rwm" to brig's own program and to v1's
 * files; were it no permission to the list systemd gets, that list would
 * stay "exact", brig would load no program of its own on v2, and
 * systemd's would let the container open fuse, which the config denies. */
static void test_devices_empty_access_deny(void **state)
{
	struct spec_device_cgroup rules[] = {
		{ false, 'a', -1, -1, "rwm" },
		{ true, 'c', 10, 229, "rwm" },
		{ false, 'c', 10, 229, "" },
	};
	struct sdb_props l = {0};
	bool exact;

	(void)state;
	exact = cg_sd_device_props(rules, 3, true, &l);
	/* either brig keeps its own program, or systemd is not told fuse */
	assert_true(!exact || allowed(&l, "/dev/char/10:229") == NULL);
	sdb_props_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_resources_v2),
		cmocka_unit_test(test_resources_v1_and_limits),
		cmocka_unit_test(test_annotations),
		cmocka_unit_test(test_annotation_arrays),
		cmocka_unit_test(test_devices),
		cmocka_unit_test(test_devices_v1_never_looser),
		cmocka_unit_test(test_devices_empty_access_deny),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
