/* Unit tests for spec/'s output side: state.json, spec_json_quote and the
 * default config.json (`brig spec`). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <yajl/yajl_tree.h>

#include "spec/spec.h"

/* ---- helpers ------------------------------------------------------------ */

static yajl_val parse_json(const char *text)
{
	char errbuf[256] = "";
	yajl_val v = yajl_tree_parse(text, errbuf, sizeof(errbuf));
	if (!v)
		fail_msg("invalid JSON: %s\n%s", errbuf, text);
	return v;
}

static yajl_val get(yajl_val obj, const char *dotted)
{
	char buf[256];
	const char *path[16];
	size_t n = 0;

	snprintf(buf, sizeof(buf), "%s", dotted);
	for (char *save, *t = strtok_r(buf, ".", &save); t; t = strtok_r(NULL, ".", &save))
		path[n++] = t;
	path[n] = NULL;
	return yajl_tree_get(obj, path, yajl_t_any);
}

static const char *get_s(yajl_val obj, const char *dotted)
{
	yajl_val v = get(obj, dotted);
	assert_true(YAJL_IS_STRING(v));
	return v->u.string;
}

static long long get_i(yajl_val obj, const char *dotted)
{
	yajl_val v = get(obj, dotted);
	assert_true(YAJL_IS_INTEGER(v));
	return v->u.number.i;
}

/* Is s one of the strings of array arr? */
static bool array_has(yajl_val arr, const char *s)
{
	assert_true(YAJL_IS_ARRAY(arr));
	for (size_t i = 0; i < arr->u.array.len; i++)
		if (YAJL_IS_STRING(arr->u.array.values[i]) &&
		    strcmp(arr->u.array.values[i]->u.string, s) == 0)
			return true;
	return false;
}

static const char *find_mount_type(yajl_val cfg, const char *dest, yajl_val *opts)
{
	yajl_val mounts = get(cfg, "mounts");
	assert_true(YAJL_IS_ARRAY(mounts));
	for (size_t i = 0; i < mounts->u.array.len; i++) {
		yajl_val m = mounts->u.array.values[i];
		if (strcmp(get_s(m, "destination"), dest) == 0) {
			if (opts)
				*opts = get(m, "options");
			return get_s(m, "type");
		}
	}
	return NULL;
}

static bool has_namespace(yajl_val cfg, const char *type)
{
	yajl_val ns = get(cfg, "linux.namespaces");
	assert_true(YAJL_IS_ARRAY(ns));
	for (size_t i = 0; i < ns->u.array.len; i++)
		if (strcmp(get_s(ns->u.array.values[i], "type"), type) == 0)
			return true;
	return false;
}

static struct spec_kv kvs[] = {
	{ "org.example.key", "value" },
	{ "quote\"d", "line\nbreak" },
};

/* A state with every field set. */
static struct spec_state *full_state(void)
{
	struct spec_state *s = xcalloc(1, sizeof(*s));
	s->oci_version = xstrdup("1.3.0");
	s->id = xstrdup("c1");
	s->status = SPEC_STATUS_RUNNING;
	s->pid = 4242;
	s->bundle = xstrdup("/srv/bundles/c1");
	s->rootfs = xstrdup("/srv/bundles/c1/rootfs");
	s->created = xstrdup("2024-05-01T12:00:00.123456789Z");
	s->owner = xstrdup("root");
	s->annotations.n = ARRAY_SIZE(kvs);
	s->annotations.v = xcalloc(ARRAY_SIZE(kvs), sizeof(struct spec_kv));
	for (size_t i = 0; i < ARRAY_SIZE(kvs); i++) {
		s->annotations.v[i].key = xstrdup(kvs[i].key);
		s->annotations.v[i].value = xstrdup(kvs[i].value);
	}
	s->start_time = UINT64_MAX - 7; /* beyond int64: must stay exact */
	s->cgroup_path = xstrdup("/brig/c1");
	s->use_systemd = true;
	s->detached = true;
	s->has_exit = true;
	s->exit_code = 137;
	s->finished = xstrdup("2024-05-01T12:00:05Z");
	s->config_path = xstrdup("/run/brig/c1/config.json");
	return s;
}

static void assert_public_equal(const struct spec_state *a, const struct spec_state *b)
{
	assert_string_equal(a->oci_version, b->oci_version);
	assert_string_equal(a->id, b->id);
	assert_int_equal(a->status, b->status);
	assert_int_equal(a->pid, b->pid);
	assert_string_equal(a->bundle, b->bundle);
	assert_string_equal(a->rootfs, b->rootfs);
	assert_string_equal(a->created, b->created);
	assert_string_equal(a->owner, b->owner);
	assert_int_equal(a->annotations.n, b->annotations.n);
	for (size_t i = 0; i < a->annotations.n; i++) {
		assert_string_equal(a->annotations.v[i].key, b->annotations.v[i].key);
		assert_string_equal(a->annotations.v[i].value, b->annotations.v[i].value);
	}
}

/* ---- state ------------------------------------------------------------------ */

static void test_state_roundtrip_internal(void **st)
{
	(void)st;
	struct spec_state *s = full_state();
	cleanup_free char *json = spec_state_to_json(s, true);
	cleanup_err brig_error_t *err = NULL;
	struct spec_state *b = spec_state_parse(json, strlen(json), &err);

	assert_non_null(b);
	assert_null(err);
	assert_public_equal(s, b);
	assert_true(b->start_time == s->start_time);
	assert_string_equal(b->cgroup_path, s->cgroup_path);
	assert_true(b->use_systemd);
	assert_true(b->detached);
	assert_true(b->has_exit);
	assert_int_equal(b->exit_code, 137);
	assert_string_equal(b->finished, s->finished);
	assert_string_equal(b->config_path, s->config_path);

	/* and the result serialises to the same text */
	cleanup_free char *again = spec_state_to_json(b, true);
	assert_string_equal(json, again);
	spec_state_free(b);
	spec_state_free(s);
}

static void test_state_roundtrip_internal_minimal(void **st)
{
	(void)st;
	struct spec_state s = {
		.oci_version = "1.3.0", .id = "m", .status = SPEC_STATUS_CREATING,
		.bundle = "/b", .rootfs = "/b/rootfs", .created = "x", .owner = "",
		.exit_code = 5, /* ignored: has_exit is false */
	};
	cleanup_free char *json = spec_state_to_json(&s, true);
	cleanup_err brig_error_t *err = NULL;
	struct spec_state *b = spec_state_parse(json, strlen(json), &err);

	assert_non_null(b);
	assert_null(strstr(json, "exitCode"));
	assert_null(strstr(json, "annotations"));
	assert_public_equal(&s, b);
	assert_false(b->has_exit);
	assert_int_equal(b->exit_code, 0);
	assert_false(b->use_systemd);
	assert_false(b->detached);
	assert_null(b->cgroup_path);
	assert_null(b->finished);
	assert_null(b->config_path);
	assert_true(b->start_time == 0);
	spec_state_free(b);
}

/* restartCount: in both forms once there was a restart, else absent */
static void test_state_restart_count(void **st)
{
	(void)st;
	struct spec_state *s = full_state();
	cleanup_free char *none = spec_state_to_json(s, false);

	assert_null(strstr(none, "restartCount"));
	s->restart_count = 4;
	for (int internal = 0; internal < 2; internal++) {
		cleanup_free char *json = spec_state_to_json(s, internal);
		cleanup_err brig_error_t *err = NULL;
		struct spec_state *b = spec_state_parse(json, strlen(json), &err);
		assert_non_null(b);
		assert_int_equal(b->restart_count, 4);
		spec_state_free(b);
	}
	spec_state_free(s);
}

static void test_state_public(void **st)
{
	(void)st;
	struct spec_state *s = full_state();
	cleanup_free char *json = spec_state_to_json(s, false);
	yajl_val v = parse_json(json);
	static const char *const keys[] = { "ociVersion", "id", "pid", "status", "bundle",
					     "rootfs", "created", "annotations", "owner" };

	/* exactly runc's keys, in runc's order */
	assert_true(YAJL_IS_OBJECT(v));
	assert_int_equal(v->u.object.len, ARRAY_SIZE(keys));
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		assert_string_equal(v->u.object.keys[i], keys[i]);
	assert_null(strstr(json, "brig"));
	assert_null(strstr(json, "startTime"));
	assert_null(strstr(json, "cgroup"));
	assert_int_equal(get_i(v, "pid"), 4242);
	assert_string_equal(get_s(v, "status"), "running");
	assert_string_equal(get_s(v, "bundle"), "/srv/bundles/c1");
	assert_string_equal(get_s(v, "owner"), "root");
	yajl_tree_free(v);

	/* pretty printed with two spaces, like `runc state` */
	assert_non_null(strstr(json, "{\n  \"ociVersion\": \"1.3.0\",\n  \"id\": \"c1\""));

	/* public output still parses (internal fields at defaults) */
	cleanup_err brig_error_t *err = NULL;
	struct spec_state *b = spec_state_parse(json, strlen(json), &err);
	assert_non_null(b);
	assert_public_equal(s, b);
	assert_false(b->has_exit);
	assert_null(b->config_path);
	spec_state_free(b);
	spec_state_free(s);
}

static void test_state_stopped_pid(void **st)
{
	(void)st;
	struct spec_state s = {
		.oci_version = "1.3.0", .id = "c", .status = SPEC_STATUS_STOPPED, .pid = 99,
		.bundle = "/b", .rootfs = "/b/rootfs", .created = "t", .owner = "",
	};
	cleanup_free char *pub = spec_state_to_json(&s, false);
	cleanup_free char *internal = spec_state_to_json(&s, true);
	yajl_val v = parse_json(pub);

	assert_int_equal(get_i(v, "pid"), 0);
	yajl_tree_free(v);
	/* the internal form keeps the pid it had */
	v = parse_json(internal);
	assert_int_equal(get_i(v, "pid"), 99);
	yajl_tree_free(v);

	/* running: pid printed as is */
	s.status = SPEC_STATUS_CREATED;
	cleanup_free char *created = spec_state_to_json(&s, false);
	v = parse_json(created);
	assert_int_equal(get_i(v, "pid"), 99);
	yajl_tree_free(v);
}

static void test_state_annotations(void **st)
{
	(void)st;
	struct spec_state *s = full_state();
	cleanup_free char *json = spec_state_to_json(s, false);
	yajl_val v = parse_json(json);
	yajl_val a = get(v, "annotations");

	assert_true(YAJL_IS_OBJECT(a));
	assert_int_equal(a->u.object.len, 2);
	/* keys hold dots and quotes: look them up without get()'s splitting */
	for (size_t i = 0; i < ARRAY_SIZE(kvs); i++) {
		const char *path[] = { "annotations", kvs[i].key, NULL };
		yajl_val val = yajl_tree_get(v, path, yajl_t_string);
		assert_non_null(val);
		assert_string_equal(val->u.string, kvs[i].value);
	}
	yajl_tree_free(v);
	spec_state_free(s);
}

static void test_state_invalid_utf8(void **st)
{
	(void)st;
	struct spec_state s = {
		.oci_version = "1.3.0", .id = "c", .status = SPEC_STATUS_RUNNING, .pid = 1,
		.bundle = "/b\xff\xfe/x", .rootfs = "/r\xc3\xa9", .created = "t", .owner = "",
	};
	cleanup_free char *json = spec_state_to_json(&s, true);
	cleanup_err brig_error_t *err = NULL;
	struct spec_state *b = spec_state_parse(json, strlen(json), &err);

	assert_non_null(b);
	assert_string_equal(b->bundle, "/b\xef\xbf\xbd\xef\xbf\xbd/x");
	assert_string_equal(b->rootfs, "/r\xc3\xa9");
	spec_state_free(b);
}

static void expect_parse_error(const char *json, const char *needle)
{
	cleanup_err brig_error_t *err = NULL;
	struct spec_state *b = spec_state_parse(json, strlen(json), &err);

	assert_null(b);
	assert_non_null(err);
	assert_non_null(err->msg);
	if (strncmp(err->msg, "state.json: ", 12) != 0 || !strstr(err->msg, needle))
		fail_msg("unexpected error for %s: %s", json, err->msg);
	assert_null(strchr(err->msg, '\n'));
}

/* Every status reads back from its name, and from state.json. */
static void test_status_names(void **st)
{
	static const char *const names[] = { "creating", "created", "running", "paused", "stopped" };
	enum spec_status got;
	(void)st;

	assert_int_equal(ARRAY_SIZE(names), SPEC_STATUS_COUNT);
	for (int i = 0; i < SPEC_STATUS_COUNT; i++) {
		enum spec_status s = (enum spec_status)i;
		assert_string_equal(spec_status_name(s), names[i]);
		assert_int_equal(spec_status_parse(spec_status_name(s), &got), 0);
		assert_int_equal(got, s);

		struct spec_state a = { .oci_version = "1.3.0", .id = "c", .status = s,
					.bundle = "/b" };
		cleanup_free char *json = spec_state_to_json(&a, true);
		brig_error_t *err = NULL;
		struct spec_state *b = spec_state_parse(json, strlen(json), &err);
		assert_non_null(b);
		assert_int_equal(b->status, s);
		spec_state_free(b);
	}
	assert_int_equal(spec_status_parse("", &got), -1);
	assert_int_equal(spec_status_parse("stopped (0)", &got), -1);
	assert_int_equal(spec_status_parse("PAUSED", &got), -1);
	assert_string_equal(spec_status_name((enum spec_status)SPEC_STATUS_COUNT), "unknown");
}

/* A recorded status brig never writes reads as "created" (the live status
 * comes from the process): list shows such a container, delete -f removes it. */
static void test_state_unknown_status(void **st)
{
	(void)st;
	static const char json[] = "{\"ociVersion\":\"1\",\"id\":\"c\",\"status\":\"Running\","
				   "\"bundle\":\"/b\"}";
	brig_error_t *err = NULL;
	struct spec_state *s = spec_state_parse(json, strlen(json), &err);
	assert_non_null(s);
	assert_int_equal(s->status, SPEC_STATUS_CREATED);
	spec_state_free(s);
}

static void test_state_parse_errors(void **st)
{
	(void)st;
	expect_parse_error("", "");
	expect_parse_error("{\"id\": ", "");
	expect_parse_error("[]", "expected a JSON object");
	expect_parse_error("{\"ociVersion\":\"1\",\"status\":\"running\",\"bundle\":\"/b\"}",
			   "id: missing");
	expect_parse_error("{\"ociVersion\":\"1\",\"id\":\"c\",\"status\":\"running\","
			   "\"bundle\":\"/b\",\"pid\":\"12\"}",
			   "pid: expected an integer");
	expect_parse_error("{\"ociVersion\":\"1\",\"id\":\"c\",\"status\":\"running\","
			   "\"bundle\":\"/b\",\"pid\":-1}",
			   "pid: -1 out of range");
	expect_parse_error("{\"ociVersion\":\"1\",\"id\":\"c\",\"status\":\"running\","
			   "\"bundle\":\"/b\",\"brig\":{\"startTime\":-5}}",
			   "brig.startTime: expected an unsigned integer");
	expect_parse_error("{\"ociVersion\":\"1\",\"id\":\"c\",\"status\":\"running\","
			   "\"bundle\":\"/b\",\"brig\":{\"detached\":1}}",
			   "brig.detached: expected a boolean");
	expect_parse_error("{\"ociVersion\":\"1\",\"id\":\"c\",\"status\":\"running\","
			   "\"bundle\":\"/b\",\"annotations\":{\"k\":1}}",
			   "annotations.k: expected a string");
}

static void test_state_unknown_keys_ignored(void **st)
{
	(void)st;
	const char *json = "{\"ociVersion\":\"1.0.2\",\"id\":\"c\",\"status\":\"created\","
			   "\"bundle\":\"/b\",\"pid\":7,\"future\":[1,2,{}],"
			   "\"brig\":{\"alsoFuture\":true,\"exitCode\":0}}";
	cleanup_err brig_error_t *err = NULL;
	struct spec_state *b = spec_state_parse(json, strlen(json), &err);

	assert_non_null(b);
	assert_int_equal(b->pid, 7);
	assert_string_equal(b->oci_version, "1.0.2");
	assert_true(b->has_exit);
	assert_int_equal(b->exit_code, 0);
	assert_null(b->rootfs);
	spec_state_free(b);
}

/* ---- spec_json_quote ---------------------------------------------------------- */

static void check_quote(const char *in, const char *want)
{
	cleanup_free char *q = spec_json_quote(in);
	assert_string_equal(q, want);
	/* and it is a JSON string yajl reads back */
	cleanup_free char *doc = xasprintf("[%s]", q);
	yajl_val v = parse_json(doc);
	assert_true(YAJL_IS_STRING(v->u.array.values[0]));
	yajl_tree_free(v);
}

static void test_json_quote(void **st)
{
	(void)st;
	check_quote("", "\"\"");
	check_quote("plain text", "\"plain text\"");
	check_quote("a\"b\\c", "\"a\\\"b\\\\c\"");
	check_quote("\n\r\t\b\f", "\"\\n\\r\\t\\b\\f\"");
	check_quote("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"");
	check_quote("/path/ok", "\"/path/ok\"");
	check_quote("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3",
		    "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3\"");
	/* invalid UTF-8: stray continuation, bad lead, truncated sequence,
	 * overlong encoding, surrogate */
	check_quote("a\x80z", "\"a\\ufffdz\"");
	check_quote("\xff", "\"\\ufffd\"");
	check_quote("x\xe2\x82", "\"x\\ufffd\\ufffd\"");
	check_quote("\xc0\xaf", "\"\\ufffd\\ufffd\"");
	check_quote("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");

	cleanup_free char *n = spec_json_quote(NULL);
	assert_string_equal(n, "null");
}

/* ---- default config --------------------------------------------------------- */

/* --service: the same file, Docker's default capabilities */
static void test_service_config(void **st)
{
	(void)st;
	static const char *const docker[] = {
		"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
		"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
		"CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
	};
	static const char *const sets[] = { "process.capabilities.bounding",
					    "process.capabilities.effective",
					    "process.capabilities.permitted" };
	for (int rootless = 0; rootless < 2; rootless++) {
		cleanup_free char *plain = spec_default_config(rootless, 1000, 1000);
		cleanup_free char *svc = spec_service_config(rootless, 1000, 1000);
		yajl_val c = parse_json(svc);
		for (size_t i = 0; i < ARRAY_SIZE(sets); i++) {
			yajl_val caps = get(c, sets[i]);
			assert_int_equal(caps->u.array.len, ARRAY_SIZE(docker));
			for (size_t j = 0; j < ARRAY_SIZE(docker); j++)
				assert_true(array_has(caps, docker[j]));
		}
		assert_null(get(c, "process.capabilities.inheritable"));
		assert_null(get(c, "process.capabilities.ambient"));
		/* and only that differs: the rest is the plain file */
		assert_int_equal(strlen(svc) > strlen(plain), 1);
		assert_non_null(strstr(svc, "\"rlimits\""));
		assert_string_equal(strstr(svc, "\"rlimits\""), strstr(plain, "\"rlimits\""));
		yajl_tree_free(c);
	}
}

static void test_default_config(void **st)
{
	(void)st;
	cleanup_free char *text = spec_default_config(false, 1000, 1000);
	yajl_val c = parse_json(text);
	yajl_val opts = NULL;

	assert_string_equal(get_s(c, "ociVersion"), "1.3.0");
	assert_true(YAJL_IS_FALSE(get(c, "process.terminal")));
	assert_int_equal(get_i(c, "process.user.uid"), 0);
	assert_int_equal(get_i(c, "process.user.gid"), 0);
	assert_int_equal(get(c, "process.args")->u.array.len, 1);
	assert_true(array_has(get(c, "process.args"), "sh"));
	assert_true(array_has(get(c, "process.env"),
			      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
	assert_true(array_has(get(c, "process.env"), "TERM=xterm"));
	assert_string_equal(get_s(c, "process.cwd"), "/");
	static const char *const sets[] = { "process.capabilities.bounding",
					    "process.capabilities.effective",
					    "process.capabilities.permitted" };
	for (size_t i = 0; i < ARRAY_SIZE(sets); i++) {
		yajl_val caps = get(c, sets[i]);
		assert_int_equal(caps->u.array.len, 3);
		assert_true(array_has(caps, "CAP_AUDIT_WRITE"));
		assert_true(array_has(caps, "CAP_KILL"));
		assert_true(array_has(caps, "CAP_NET_BIND_SERVICE"));
	}
	assert_null(get(c, "process.capabilities.inheritable"));
	yajl_val rl = get(c, "process.rlimits");
	assert_int_equal(rl->u.array.len, 1);
	assert_string_equal(get_s(rl->u.array.values[0], "type"), "RLIMIT_NOFILE");
	assert_int_equal(get_i(rl->u.array.values[0], "soft"), 1024);
	assert_int_equal(get_i(rl->u.array.values[0], "hard"), 1024);
	assert_true(YAJL_IS_TRUE(get(c, "process.noNewPrivileges")));
	assert_string_equal(get_s(c, "root.path"), "rootfs");
	assert_true(YAJL_IS_TRUE(get(c, "root.readonly")));
	assert_string_equal(get_s(c, "hostname"), "brig");

	/* mounts */
	assert_int_equal(get(c, "mounts")->u.array.len, 7);
	assert_string_equal(find_mount_type(c, "/proc", &opts), "proc");
	assert_null(opts);
	assert_string_equal(find_mount_type(c, "/dev", &opts), "tmpfs");
	assert_true(array_has(opts, "size=65536k"));
	assert_string_equal(find_mount_type(c, "/dev/pts", &opts), "devpts");
	assert_true(array_has(opts, "gid=5"));
	assert_true(array_has(opts, "ptmxmode=0666"));
	assert_string_equal(find_mount_type(c, "/dev/shm", &opts), "tmpfs");
	assert_true(array_has(opts, "mode=1777"));
	assert_string_equal(find_mount_type(c, "/dev/mqueue", NULL), "mqueue");
	assert_string_equal(find_mount_type(c, "/sys", &opts), "sysfs");
	assert_true(array_has(opts, "ro"));
	assert_string_equal(find_mount_type(c, "/sys/fs/cgroup", &opts), "cgroup");
	assert_true(array_has(opts, "relatime"));

	/* linux */
	yajl_val dev = get(c, "linux.resources.devices");
	assert_int_equal(dev->u.array.len, 1);
	assert_true(YAJL_IS_FALSE(get(dev->u.array.values[0], "allow")));
	assert_string_equal(get_s(dev->u.array.values[0], "access"), "rwm");
	static const char *const ns[] = { "pid", "network", "ipc", "uts", "mount", "cgroup" };
	assert_int_equal(get(c, "linux.namespaces")->u.array.len, ARRAY_SIZE(ns));
	for (size_t i = 0; i < ARRAY_SIZE(ns); i++)
		assert_true(has_namespace(c, ns[i]));
	assert_false(has_namespace(c, "user"));
	assert_null(get(c, "linux.uidMappings"));
	assert_null(get(c, "linux.gidMappings"));
	assert_int_equal(get(c, "linux.maskedPaths")->u.array.len, 11);
	assert_true(array_has(get(c, "linux.maskedPaths"), "/proc/kcore"));
	assert_true(array_has(get(c, "linux.maskedPaths"), "/sys/devices/virtual/powercap"));
	assert_int_equal(get(c, "linux.readonlyPaths")->u.array.len, 5);
	assert_true(array_has(get(c, "linux.readonlyPaths"), "/proc/sysrq-trigger"));
	/* the default seccomp profile (spec/seccomp-default.profile), an
	 * allowlist refusing keyctl among others */
	assert_string_equal(YAJL_GET_STRING(get(c, "linux.seccomp.defaultAction")), "SCMP_ACT_ERRNO");
	assert_int_equal(YAJL_GET_INTEGER(get(c, "linux.seccomp.defaultErrnoRet")), 1);
	yajl_val scs = get(c, "linux.seccomp.syscalls");
	assert_true(scs && YAJL_IS_ARRAY(scs) && scs->u.array.len > 0);
	bool has_read = false;
	for (size_t i = 0; i < scs->u.array.len; i++) {
		const char *np[] = { "names", NULL };
		yajl_val names = yajl_tree_get(scs->u.array.values[i], np, yajl_t_array);
		assert_non_null(names);
		assert_false(array_has(names, "keyctl"));
		assert_false(array_has(names, "mount"));
		has_read |= array_has(names, "read");
	}
	assert_true(has_read);
	yajl_tree_free(c);

	/* runc spec indents with tabs */
	assert_non_null(strstr(text, "{\n\t\"ociVersion\": \"1.3.0\",\n\t\"process\": {"));
}

static void check_idmap(yajl_val c, const char *k, long long host)
{
	yajl_val m = get(c, k);
	assert_true(YAJL_IS_ARRAY(m));
	assert_int_equal(m->u.array.len, 1);
	assert_int_equal(get_i(m->u.array.values[0], "containerID"), 0);
	assert_int_equal(get_i(m->u.array.values[0], "hostID"), host);
	assert_int_equal(get_i(m->u.array.values[0], "size"), 1);
}

static void test_default_config_rootless(void **st)
{
	(void)st;
	cleanup_free char *text = spec_default_config(true, 1234, 5678);
	yajl_val c = parse_json(text);
	yajl_val opts = NULL;

	assert_true(has_namespace(c, "user"));
	assert_false(has_namespace(c, "network"));
	assert_true(has_namespace(c, "cgroup"));
	assert_true(has_namespace(c, "pid"));
	assert_true(has_namespace(c, "mount"));
	check_idmap(c, "linux.uidMappings", 1234);
	check_idmap(c, "linux.gidMappings", 5678);
	assert_null(get(c, "linux.resources"));

	assert_string_equal(find_mount_type(c, "/sys", &opts), "none");
	assert_true(array_has(opts, "rbind"));
	assert_true(array_has(opts, "ro"));
	yajl_val m = get(c, "mounts");
	for (size_t i = 0; i < m->u.array.len; i++)
		if (strcmp(get_s(m->u.array.values[i], "destination"), "/sys") == 0)
			assert_string_equal(get_s(m->u.array.values[i], "source"), "/sys");
	assert_string_equal(find_mount_type(c, "/dev/pts", &opts), "devpts");
	assert_false(array_has(opts, "gid=5"));
	assert_true(array_has(opts, "newinstance"));
	/* the rest is the same as the default */
	assert_int_equal(get_i(c, "process.user.uid"), 0);
	assert_true(YAJL_IS_TRUE(get(c, "root.readonly")));
	assert_int_equal(get(c, "linux.maskedPaths")->u.array.len, 11);
	yajl_tree_free(c);
}

/* The default config (both variants) must also pass brig's own parser. */
static void test_default_config_parses(void **st)
{
	(void)st;
	for (int rootless = 0; rootless <= 1; rootless++) {
		cleanup_free char *text = spec_default_config(rootless, 1000, 1001);
		cleanup_err brig_error_t *err = NULL;
		struct spec_config *c = spec_parse_config(text, strlen(text), "config.json", &err);

		if (!c)
			fail_msg("default config (rootless=%d) rejected: %s", rootless,
				 err ? err->msg : "(no error)");
		assert_string_equal(c->oci_version, "1.3.0");
		assert_non_null(c->process);
		assert_false(c->process->terminal);
		assert_int_equal(c->process->args.n, 1);
		assert_string_equal(c->process->args.v[0], "sh");
		assert_string_equal(spec_getenv(&c->process->env, "TERM"), "xterm");
		assert_non_null(c->process->capabilities);
		assert_int_equal(c->process->capabilities->bounding.n, 3);
		assert_int_equal(c->process->n_rlimits, 1);
		assert_true(c->process->no_new_privileges);
		assert_non_null(c->root);
		assert_string_equal(c->root->path, "rootfs");
		assert_true(c->root->readonly);
		assert_string_equal(c->hostname, "brig");
		assert_int_equal(c->n_mounts, 7);
		assert_non_null(c->linux);
		assert_non_null(spec_find_ns(c, SPEC_NS_PID));
		assert_non_null(spec_find_ns(c, SPEC_NS_CGROUP));
		assert_int_equal(c->linux->masked_paths.n, 11);
		assert_int_equal(c->linux->readonly_paths.n, 5);
		if (rootless) {
			assert_non_null(spec_find_ns(c, SPEC_NS_USER));
			assert_null(spec_find_ns(c, SPEC_NS_NETWORK));
			assert_int_equal(c->linux->n_uid_mappings, 1);
			assert_int_equal(c->linux->uid_mappings[0].host_id, 1000);
			assert_int_equal(c->linux->n_gid_mappings, 1);
			assert_int_equal(c->linux->gid_mappings[0].host_id, 1001);
			assert_null(c->linux->resources);
		} else {
			assert_null(spec_find_ns(c, SPEC_NS_USER));
			assert_non_null(spec_find_ns(c, SPEC_NS_NETWORK));
			assert_non_null(c->linux->resources);
			assert_int_equal(c->linux->resources->n_devices, 1);
			assert_false(c->linux->resources->devices[0].allow);
		}
		spec_free(c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_roundtrip_internal),
		cmocka_unit_test(test_state_roundtrip_internal_minimal),
		cmocka_unit_test(test_state_public),
		cmocka_unit_test(test_state_stopped_pid),
		cmocka_unit_test(test_state_annotations),
		cmocka_unit_test(test_state_invalid_utf8),
		cmocka_unit_test(test_state_parse_errors),
		cmocka_unit_test(test_state_unknown_status),
		cmocka_unit_test(test_state_unknown_keys_ignored),
		cmocka_unit_test(test_status_names),
		cmocka_unit_test(test_json_quote),
		cmocka_unit_test(test_default_config),
		cmocka_unit_test(test_service_config),
		cmocka_unit_test(test_state_restart_count),
		cmocka_unit_test(test_default_config_rootless),
		cmocka_unit_test(test_default_config_parses),
	};
	return cmocka_run_group_tests(tests, 0, NULL);
}
