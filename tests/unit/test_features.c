/* Unit tests for spec_features_to_json (`brig features`): the document has
 * the shape features.md describes, lists are written as given (empty ones
 * too), absent ones are left out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <yajl/yajl_tree.h>

#include "spec/spec.h"

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

static void assert_bool(yajl_val doc, const char *path, bool want)
{
	yajl_val v = get(doc, path);
	if (!v || !(YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v)))
		fail_msg("%s: not a boolean", path);
	assert_int_equal(YAJL_IS_TRUE(v), want);
}

static void assert_strings(yajl_val doc, const char *path, const char *const *want)
{
	yajl_val v = get(doc, path);
	size_t n = 0;

	if (!v || !YAJL_IS_ARRAY(v))
		fail_msg("%s: not an array", path);
	while (want[n])
		n++;
	assert_int_equal(v->u.array.len, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(YAJL_GET_STRING(v->u.array.values[i]), want[i]);
}

static const char *const hooks[] = {"prestart", "poststop", NULL};
static const char *const none[] = {NULL};
static const char *const ns[] = {"mount", "pid", NULL};
static const char *const caps[] = {"CAP_CHOWN", "CAP_KILL", NULL};
static const char *const acts[] = {"SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", NULL};
static const char *const flags[] = {"SECCOMP_FILTER_FLAG_LOG", NULL};

static void test_full_document(void **state)
{
	(void)state;
	const struct spec_kv ann[] = {{(char *)"io.github.brig.version", (char *)"0.1.0"},
				      {(char *)"a\"b", (char *)"q\\uote"}};
	struct spec_features f = {
		.oci_version_min = "1.0.0",
		.oci_version_max = "1.3.0",
		.hooks = hooks,
		.mount_options = none,
		.linux = {
			.namespaces = ns,
			.capabilities = caps,
			.cgroup_v1 = true,
			.cgroup_v2 = true,
			.cgroup_rdma = true,
			.seccomp_enabled = true,
			.seccomp_actions = acts,
			.seccomp_operators = none,
			.seccomp_archs = none,
			.seccomp_known_flags = flags,
			.seccomp_supported_flags = none,
			.apparmor = true,
		},
		.annotations = ann,
		.n_annotations = 2,
	};
	char *json = spec_features_to_json(&f);
	yajl_val doc = parse_json(json);

	assert_string_equal(YAJL_GET_STRING(get(doc, "ociVersionMin")), "1.0.0");
	assert_string_equal(YAJL_GET_STRING(get(doc, "ociVersionMax")), "1.3.0");
	assert_strings(doc, "hooks", hooks);
	assert_strings(doc, "mountOptions", none); /* empty, but present */
	assert_strings(doc, "linux.namespaces", ns);
	assert_strings(doc, "linux.capabilities", caps);
	assert_bool(doc, "linux.cgroup.v1", true);
	assert_bool(doc, "linux.cgroup.v2", true);
	assert_bool(doc, "linux.cgroup.systemd", false);
	assert_bool(doc, "linux.cgroup.systemdUser", false);
	assert_bool(doc, "linux.cgroup.rdma", true);
	assert_bool(doc, "linux.seccomp.enabled", true);
	assert_strings(doc, "linux.seccomp.actions", acts);
	assert_strings(doc, "linux.seccomp.knownFlags", flags);
	assert_strings(doc, "linux.seccomp.supportedFlags", none);
	assert_bool(doc, "linux.apparmor.enabled", true);
	assert_bool(doc, "linux.selinux.enabled", false);
	assert_bool(doc, "linux.intelRdt.enabled", false);
	assert_null(get(doc, "linux.intelRdt.schemata"));
	assert_bool(doc, "linux.mountExtensions.idmap.enabled", false);
	assert_bool(doc, "linux.netDevices.enabled", false);
	assert_null(get(doc, "linux.memoryPolicy"));
	assert_null(get(doc, "potentiallyUnsafeConfigAnnotations"));
	yajl_val a = get(doc, "annotations");
	assert_true(YAJL_IS_OBJECT(a));
	assert_int_equal(a->u.object.len, 2);
	assert_string_equal(a->u.object.keys[0], "io.github.brig.version");
	assert_string_equal(YAJL_GET_STRING(a->u.object.values[0]), "0.1.0");
	assert_string_equal(a->u.object.keys[1], "a\"b");
	assert_string_equal(YAJL_GET_STRING(a->u.object.values[1]), "q\\uote");
	yajl_tree_free(doc);
	free(json);
}

static void test_minimal_document(void **state)
{
	(void)state;
	struct spec_features f = {.oci_version_min = "1.0.0", .oci_version_max = "1.3.0"};
	char *json = spec_features_to_json(&f);
	yajl_val doc = parse_json(json);

	/* minimal.json's shape: no lists we were not given, no annotations */
	assert_null(get(doc, "hooks"));
	assert_null(get(doc, "mountOptions"));
	assert_null(get(doc, "annotations"));
	assert_null(get(doc, "linux.namespaces"));
	assert_bool(doc, "linux.seccomp.enabled", false);
	yajl_tree_free(doc);
	free(json);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_document),
		cmocka_unit_test(test_minimal_document),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
