/* Unit tests for namespaces/: id map text, clone flags, sysctl checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sched.h>
#include <string.h>

#include "namespaces/namespaces.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static struct spec_config *parse(const char *json)
{
	brig_error_t *err = NULL;
	struct spec_config *c = spec_parse_config(json, strlen(json), "config.json", &err);
	if (!c)
		fail_msg("parse: %s", err->msg);
	return c;
}

static void test_format_id_map(void **state)
{
	(void)state;
	struct spec_idmap m[] = {{0, 1000, 1}, {1, 100000, 65536}};
	char *s = ns_format_id_map(m, 2);
	assert_string_equal(s, "0 1000 1\n1 100000 65536\n");
	free(s);
	s = ns_format_id_map(NULL, 0);
	assert_string_equal(s, "");
	free(s);
	struct spec_idmap big = {4294967294u, 4294967294u, 1};
	s = ns_format_id_map(&big, 1);
	assert_string_equal(s, "4294967294 4294967294 1\n");
	free(s);
}

static void test_id_map_is_own(void **state)
{
	(void)state;
	struct spec_idmap own = {0, 1000, 1}, other = {0, 1001, 1}, wide = {0, 1000, 2};
	struct spec_idmap two[] = {{0, 1000, 1}, {1, 100000, 65536}};
	assert_true(ns_id_map_is_own(&own, 1, 1000));
	assert_false(ns_id_map_is_own(&other, 1, 1000));
	assert_false(ns_id_map_is_own(&wide, 1, 1000));
	assert_false(ns_id_map_is_own(two, 2, 1000));
	assert_false(ns_id_map_is_own(NULL, 0, 1000));
}

static void test_new_flags(void **state)
{
	(void)state;
	struct spec_config *c = parse(
		"{\"ociVersion\":\"1.3.0\",\"linux\":{\"namespaces\":["
		"{\"type\":\"pid\"},{\"type\":\"network\",\"path\":\"/var/run/netns/x\"},"
		"{\"type\":\"mount\"},{\"type\":\"ipc\"},{\"type\":\"uts\"},{\"type\":\"user\"},"
		"{\"type\":\"cgroup\"},{\"type\":\"time\"}]}}");
	int f = ns_new_flags(c);
	assert_int_equal(f, CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS |
			 CLONE_NEWUSER | CLONE_NEWCGROUP | CLONE_NEWTIME);
	spec_free(c);
	c = parse("{\"ociVersion\":\"1.3.0\"}");
	assert_int_equal(ns_new_flags(c), 0);
	spec_free(c);
}

static void check_sysctl(const char *ns, const char *key, bool ok, const char *want)
{
	char *json = xasprintf("{\"ociVersion\":\"1.3.0\",\"linux\":{\"namespaces\":[%s],"
			       "\"sysctl\":{\"%s\":\"1\"}}}", ns, key);
	struct spec_config *c = parse(json);
	brig_error_t *err = NULL;
	int r = ns_validate_sysctl(c, &err);
	if (ok) {
		assert_int_equal(r, 0);
	} else {
		assert_int_equal(r, -1);
		assert_non_null(strstr(err->msg, want));
		assert_non_null(strstr(err->msg, key));
	}
	brig_err_free(&err);
	spec_free(c);
	free(json);
}

static void test_sysctl_namespaces(void **state)
{
	(void)state;
	check_sysctl("{\"type\":\"network\"}", "net.ipv4.ip_forward", true, NULL);
	check_sysctl("{\"type\":\"ipc\"}", "net.ipv4.ip_forward", false, "needs a network namespace");
	check_sysctl("{\"type\":\"ipc\"}", "kernel.shmmax", true, NULL);
	check_sysctl("{\"type\":\"ipc\"}", "fs.mqueue.msg_max", true, NULL);
	check_sysctl("{\"type\":\"network\"}", "kernel.msgmax", false, "needs a ipc namespace");
	check_sysctl("{\"type\":\"uts\"}", "kernel.domainname", true, NULL);
	check_sysctl("{\"type\":\"network\"},{\"type\":\"ipc\"},{\"type\":\"uts\"}",
		     "vm.swappiness", false, "would change the host");
	check_sysctl("{\"type\":\"network\",\"path\":\"/run/netns/a\"}", "net.core.somaxconn",
		     true, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_id_map),
		cmocka_unit_test(test_id_map_is_own),
		cmocka_unit_test(test_new_flags),
		cmocka_unit_test(test_sysctl_namespaces),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
