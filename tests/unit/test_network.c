/* Unit tests of network/ and spec/cni.c: -p parsing, network names, the
 * CNI JSON (lists, what a plugin reads, results, errors, network.json),
 * the network directory's templates, and a plugin call against fake
 * plugins (tests/unit: no network is touched). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "network/network.h"
#include "spec/service.h"

static void test_ports(void **state)
{
	static const struct { const char *in, *ip; int hp, cp; const char *proto; } good[] = {
		{"8080:80", "", 8080, 80, "tcp"},
		{"127.0.0.1:8080:80", "127.0.0.1", 8080, 80, "tcp"},
		{"53:53/udp", "", 53, 53, "udp"},
		{"[::1]:8080:80/tcp", "::1", 8080, 80, "tcp"},
		{"65535:1", "", 65535, 1, "tcp"},
	};
	static const char *const bad[] = {
		"80", "0:80", "8080:0", "65536:80", "8080:80/sctp", "a:80", "8080:b",
		"1.2.3:80:80", "1.2.3.4:5:6:7", "[::1:80:80", "[zz]:80:80", ":80", "8080:",
		"::80", "", "123456:80", "8080:80/", "localhost:80:80",
	};
	struct spec_cni_port p;
	brig_error_t *err = NULL;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(net_parse_port(good[i].in, &p, &err), 0);
		assert_string_equal(p.host_ip, good[i].ip);
		assert_int_equal(p.host_port, good[i].hp);
		assert_int_equal(p.container_port, good[i].cp);
		assert_string_equal(p.proto, good[i].proto);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (net_parse_port(bad[i], &p, &err) == 0)
			fail_msg("-p %s was taken", bad[i]);
		assert_non_null(strstr(err->msg, "-p "));
		assert_null(strchr(err->msg, '\n'));
		brig_err_free(&err);
	}
	assert_int_equal(net_parse_port("[::1]:8080:80", &p, &err), 0);
	char *s = net_port_str(&p);
	assert_string_equal(s, "[::1]:8080->80/tcp");
	free(s);
	assert_int_equal(net_parse_port("8080:80/udp", &p, &err), 0);
	s = net_port_str(&p);
	assert_string_equal(s, "0.0.0.0:8080->80/udp");
	free(s);
}

static void test_names(void **state)
{
	(void)state;
	assert_true(net_name_ok("nat", false));
	assert_true(net_name_ok("my-net_2.x", false));
	assert_false(net_name_ok("", false));
	assert_false(net_name_ok("../etc", false));
	assert_false(net_name_ok("a/b", false));
	assert_false(net_name_ok(".hidden", false));
	assert_false(net_name_ok("-x", false));
	assert_false(net_name_ok("bridged:eth0", false));
	assert_true(net_name_ok("bridged:eth0", true));
	assert_false(net_name_ok("bridged:", true));
	assert_false(net_name_ok("bridged:..", true));
	assert_false(net_name_ok("bridged:a/b", true));
	assert_false(net_name_ok("bridged:abcdefghijklmnop", true)); /* 16: IFNAMSIZ */
	char long_name[80];
	memset(long_name, 'a', 65);
	long_name[65] = '\0';
	assert_false(net_name_ok(long_name, false));
}

static const char list_text[] =
	"{\"cniVersion\": \"1.0.0\", \"name\": \"t\", \"brigType\": \"nat\", \"plugins\": ["
	"{\"type\": \"bridge\", \"bridge\": \"br-t\", \"ipMasq\": true, \"isGateway\": true,"
	" \"name\": \"ignored\", \"prevResult\": {\"x\": 1}, \"mtu\": 1400,"
	" \"ipam\": {\"type\": \"host-local\", \"ranges\": [[{\"subnet\": \"10.9.0.0/24\"}]]}},"
	"{\"type\": \"portmap\", \"capabilities\": {\"portMappings\": true}}]}";

static void test_list(void **state)
{
	struct spec_cni_list l;
	brig_error_t *err = NULL;

	(void)state;
	assert_int_equal(spec_cni_parse_list(list_text, strlen(list_text), "t.conflist", &l, &err), 0);
	assert_string_equal(l.name, "t");
	assert_string_equal(l.brig_type, "nat");
	assert_int_equal(l.n, 2);
	assert_string_equal(l.plugins[0].type, "bridge");
	assert_string_equal(l.plugins[0].bridge, "br-t");
	assert_string_equal(l.plugins[0].subnet, "10.9.0.0/24");
	assert_true(l.plugins[0].ip_masq);
	assert_false(l.plugins[0].port_mappings);
	assert_true(l.plugins[1].port_mappings);
	assert_string_equal(net_type_of(&l), "nat");
	spec_cni_list_free(&l);

	static const struct { const char *text, *want; } bad[] = {
		{"{\"name\": \"t\", \"plugins\": []}", "t.conflist: missing required property \"cniVersion\""},
		{"{\"cniVersion\": \"1.0.0\", \"name\": \"t\", \"plugins\": []}", "t.conflist: plugins: no plugins"},
		{"{\"cniVersion\": \"1.0.0\", \"name\": \"t\", \"plugins\": [{\"type\": \"../../bin/sh\"}]}",
		 "t.conflist: plugins[0].type: not a plugin name"},
		{"{\"cniVersion\": \"1.0.0\", \"name\": \"t\", \"plugins\": [{}]}",
		 "t.conflist: plugins[0]: missing required property \"type\""},
		{"{\"cniVersion\": \"1.0.0\", \"name\": \"t\", \"name\": \"u\", \"plugins\": [{\"type\": \"x\"}]}",
		 "duplicate"},
		{"[1]", "t.conflist"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (spec_cni_parse_list(bad[i].text, strlen(bad[i].text), "t.conflist", &l, &err) == 0)
			fail_msg("taken: %s", bad[i].text);
		if (!strstr(err->msg, bad[i].want))
			fail_msg("%s: got \"%s\", want \"%s\"", bad[i].text, err->msg, bad[i].want);
		brig_err_free(&err);
	}
}

/* What a plugin reads: the list's name and version, its own keys but the
 * runtime's, the previous result, ports only where asked for. */
static void test_plugin_input(void **state)
{
	struct spec_cni_list l;
	struct spec_cni_port p = {"127.0.0.1", 8080, 80, "tcp"};
	brig_error_t *err = NULL;
	char *in;

	(void)state;
	assert_int_equal(spec_cni_parse_list(list_text, strlen(list_text), "t", &l, &err), 0);
	in = spec_cni_plugin_input(&l, 0, NULL, &p, 1);
	assert_non_null(strstr(in, "\"cniVersion\":\"1.0.0\",\"name\":\"t\",\"type\":\"bridge\""));
	assert_null(strstr(in, "ignored"));
	assert_null(strstr(in, "prevResult"));
	assert_null(strstr(in, "runtimeConfig"));
	assert_non_null(strstr(in, "\"mtu\":1400"));
	free(in);
	in = spec_cni_plugin_input(&l, 1, "{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.9.0.2/24\"}]}", &p, 1);
	assert_non_null(strstr(in, "\"prevResult\":{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.9.0.2/24\"}]}"));
	assert_non_null(strstr(in, "\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":8080,\"containerPort\":80,\"protocol\":\"tcp\",\"hostIP\":\"127.0.0.1\"}]}"));
	free(in);
	spec_cni_list_free(&l);
}

static void test_results(void **state)
{
	static const char res[] = "{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"eth0\"}],"
		"\"ips\":[{\"interface\":0,\"address\":\"10.9.0.2/24\",\"gateway\":\"10.9.0.1\"},"
		"{\"address\":\"fd00::2/64\"}]}";
	char **ips = NULL, *t;
	size_t n = 0;
	brig_error_t *err = NULL;

	(void)state;
	assert_int_equal(spec_cni_result_ips(res, strlen(res), &ips, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(ips[0], "10.9.0.2/24");
	assert_string_equal(ips[1], "fd00::2/64");
	for (size_t i = 0; i < n; i++)
		free(ips[i]);
	free(ips);
	assert_int_equal(spec_cni_result_ips("{\"ips\":[{}]}", 12, &ips, &n, &err), -1);
	assert_non_null(strstr(err->msg, "ips[0]"));
	brig_err_free(&err);
	assert_int_equal(spec_cni_result_ips("not json", 8, &ips, &n, &err), -1);
	brig_err_free(&err);

	t = spec_cni_error_text("{\"cniVersion\":\"1.0.0\",\"code\":7,\"msg\":\"bad\",\"details\":\"why\"}", 59);
	assert_string_equal(t, "bad: why (CNI error 7)");
	free(t);
	assert_null(spec_cni_error_text("{\"msg\":\"no code\"}", 17));
	assert_null(spec_cni_error_text("garbage", 7));
	assert_null(spec_cni_error_text("", 0));
}

static void test_state_round_trip(void **state)
{
	struct spec_cni_port p = {"", 8080, 80, "udp"};
	struct spec_net_attachment a = {(char *)"nat", (char *)"eth0", (char *)"{\"x\":1}", NULL};
	struct spec_net_state s = {.netns = (char *)"/run/brig/x/netns", .a = &a, .n = 1,
				   .ports = &p, .n_ports = 1};
	struct spec_net_state back;
	brig_error_t *err = NULL;
	char *text = spec_net_state_to_json(&s);

	(void)state;
	assert_int_equal(spec_net_state_parse(text, strlen(text), &back, &err), 0);
	assert_false(back.host);
	assert_string_equal(back.netns, "/run/brig/x/netns");
	assert_int_equal(back.n, 1);
	assert_string_equal(back.a[0].network, "nat");
	assert_string_equal(back.a[0].conflist, "{\"x\":1}");
	assert_null(back.a[0].result);
	assert_int_equal(back.n_ports, 1);
	assert_int_equal(back.ports[0].host_port, 8080);
	assert_string_equal(back.ports[0].proto, "udp");
	spec_net_state_free(&back);
	free(text);
	assert_int_equal(spec_net_state_parse("{\"ports\":[{\"hostIP\":\"\",\"hostPort\":0,"
					      "\"containerPort\":1,\"protocol\":\"tcp\"}]}",
					      71, &back, &err), -1);
	brig_err_free(&err);
}

/* service.json (brig start of a stopped service) reads back what was
 * written; a relative path or a bad type in it is refused by JSON path. */
static void test_service_round_trip(void **state)
{
	char *nets[] = {(char *)"nat", (char *)"lab", NULL};
	struct spec_cni_port p = {"127.0.0.1", 8080, 80, "tcp"};
	struct spec_service s = {.log_path = (char *)"/var/log/web.log", .log_max_size = 1 << 20,
				 .log_max_files = 3, .restart = (char *)"on-failure:2",
				 .network_dir = (char *)"/etc/brig/net.d", .no_pivot = true,
				 .networks = {nets, 2}, .ports = &p, .n_ports = 1,
				 .log_dir = (char *)"2049:131"};
	struct spec_service back;
	brig_error_t *err = NULL;
	char *text = spec_service_to_json(&s);
	static const char *const bad[] = {
		"{\"restart\":\"no\",\"logPath\":\"rel/log\"}",
		"{\"restart\":\"no\",\"pidFile\":\"x.pid\"}",
		"{\"restart\":\"no\",\"networkDir\":\"net.d\"}",
		"{\"restart\":\"no\",\"networks\":\"nat\"}",
		"{\"restart\":\"no\",\"logMaxFiles\":5000}",
		"{\"restart\":\"no\",\"logDir\":7}",
		"{\"logPath\":\"/x\"}",
		"[]",
	};

	(void)state;
	assert_int_equal(spec_service_parse(text, strlen(text), &back, &err), 0);
	assert_string_equal(back.log_path, "/var/log/web.log");
	assert_int_equal(back.log_max_size, 1 << 20);
	assert_int_equal(back.log_max_files, 3);
	assert_string_equal(back.restart, "on-failure:2");
	assert_null(back.pid_file);
	assert_string_equal(back.network_dir, "/etc/brig/net.d");
	assert_true(back.no_pivot);
	assert_false(back.systemd_cgroup);
	assert_int_equal(back.networks.n, 2);
	assert_string_equal(back.networks.v[1], "lab");
	assert_int_equal(back.n_ports, 1);
	assert_string_equal(back.ports[0].host_ip, "127.0.0.1");
	assert_int_equal(back.ports[0].host_port, 8080);
	assert_string_equal(back.log_dir, "2049:131");
	assert_null(back.pid_file_dir);
	spec_service_free(&back);
	free(text);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(spec_service_parse(bad[i], strlen(bad[i]), &back, &err), -1);
		assert_non_null(strstr(err->msg, "service.json"));
		brig_err_free(&err);
	}
}

/* The templates parse back into what they say they are. */
static void test_templates(void **state)
{
	char dir[] = "/tmp/brig-unit-net.XXXXXX";
	struct net_create_opts o = {.type = NET_HOST_ONLY, .subnet = "10.9.8.0/24"};
	struct spec_cni_list l;
	char *text = NULL;
	brig_error_t *err = NULL;
	size_t n = 0;
	char **names;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(net_create(dir, "lab", &o, &err), 0);
	assert_int_equal(net_create(dir, "lab", &o, &err), -1);
	assert_non_null(strstr(err->msg, "exists"));
	brig_err_free(&err);
	assert_int_equal(net_load(dir, "lab", &text, &l, &err), 0);
	assert_string_equal(net_type_of(&l), "host-only");
	assert_string_equal(l.plugins[0].bridge, "brig-lab");
	assert_true(l.plugins[0].is_gateway);
	assert_false(l.plugins[0].ip_masq);
	assert_null(strstr(text, "0.0.0.0/0")); /* no default route */
	spec_cni_list_free(&l);
	free(text);
	/* a built-in named for the first time is written */
	assert_int_equal(net_load(dir, "nat", &text, &l, &err), 0);
	assert_string_equal(l.plugins[0].subnet, "10.89.0.0/24");
	/* masquerade and forwarding are brig's rules per network (rules.c) */
	assert_false(l.plugins[0].ip_masq);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.plugins[1].type, "portmap");
	assert_true(l.plugins[1].port_mappings);
	spec_cni_list_free(&l);
	free(text);
	/* another takes the next free subnet */
	struct net_create_opts o2 = {.type = NET_INTERNAL};
	assert_int_equal(net_create(dir, "x", &o2, &err), 0);
	assert_int_equal(net_load(dir, "x", &text, &l, &err), 0);
	assert_string_equal(l.plugins[0].subnet, "10.89.3.0/24");
	assert_false(l.plugins[0].is_gateway);
	spec_cni_list_free(&l);
	free(text);
	assert_int_equal(net_load(dir, "nope", &text, &l, &err), -1);
	brig_err_free(&err);
	assert_int_equal(net_create(dir, "none", &o, &err), -1);
	brig_err_free(&err);
	assert_int_equal(net_check_subnet("10.1.2.0/24", &err), 0);
	assert_int_equal(net_check_subnet("10.1.2.3/24", &err), -1);
	brig_err_free(&err);
	assert_int_equal(net_check_subnet("10.1.2.0/31", &err), -1);
	brig_err_free(&err);
	assert_int_equal(net_check_subnet("10.1.2.0", &err), -1);
	brig_err_free(&err);
	/* a subnet by hand: not over another network's, nor the host's */
	struct net_create_opts o3 = {.type = NET_NAT, .subnet = "10.9.0.0/16"};
	assert_int_equal(net_create(dir, "y", &o3, &err), -1);
	assert_non_null(strstr(err->msg, "overlaps network \"lab\""));
	brig_err_free(&err);
	struct net_create_opts o4 = {.type = NET_NAT, .subnet = "127.0.0.0/24"};
	assert_int_equal(net_create(dir, "z", &o4, &err), -1);
	assert_non_null(strstr(err->msg, "overlaps the host's network on lo"));
	brig_err_free(&err);
	names = net_names(dir, &n, &err);
	assert_int_equal(n, 3);
	assert_string_equal(names[0], "lab");
	assert_string_equal(names[1], "nat");
	assert_string_equal(names[2], "x");
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(net_remove(dir, names[i], &err), 0);
		free(names[i]);
	}
	free(names);
	assert_int_equal(rmdir(dir), 0);
}

/* A plugin call, against fake plugins in a CNI_PATH of our own: the
 * variables it gets, its stdin, an error object, a plugin that hangs is
 * not waited for forever (not tested: 60 s), one that is missing. */
static void write_exe(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, 0755), 0);
}

static void test_plugin_run(void **state)
{
	char dir[] = "/tmp/brig-unit-cni.XXXXXX";
	char path[256], *out = NULL;
	struct net_call call = {"ADD", "ctr1", "/run/x/netns", "eth0"};
	brig_error_t *err = NULL;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/echo", dir);
	write_exe(path, "#!/bin/sh\nprintf '%s %s %s %s|' \"$CNI_COMMAND\" \"$CNI_CONTAINERID\" "
			"\"$CNI_NETNS\" \"$CNI_IFNAME\"\ncat\n");
	snprintf(path, sizeof(path), "%s/fails", dir);
	write_exe(path, "#!/bin/sh\ncat >/dev/null\necho '{\"code\":11,\"msg\":\"nope\"}'\nexit 1\n");
	snprintf(path, sizeof(path), "%s/dies", dir);
	write_exe(path, "#!/bin/sh\necho something went wrong >&2\nkill -9 $$\n");
	setenv("CNI_PATH", dir, 1);
	assert_int_equal(net_plugin_run("echo", &call, "{\"in\":1}", &out, &err), 0);
	assert_string_equal(out, "ADD ctr1 /run/x/netns eth0|{\"in\":1}");
	free(out);
	assert_int_equal(net_plugin_run("fails", &call, "{}", &out, &err), -1);
	assert_string_equal(err->msg, "CNI plugin fails (ADD eth0): nope (CNI error 11)");
	brig_err_free(&err);
	assert_int_equal(net_plugin_run("dies", &call, "{}", &out, &err), -1);
	assert_non_null(strstr(err->msg, "something went wrong"));
	brig_err_free(&err);
	assert_int_equal(net_plugin_run("missing", &call, "{}", &out, &err), -1);
	assert_non_null(strstr(err->msg, "not found"));
	brig_err_free(&err);
	/* a CNI_PATH others may write is not taken from the environment */
	assert_int_equal(chmod(dir, 0777), 0);
	assert_int_equal(net_plugin_run("echo", &call, "{}", &out, &err), -1);
	assert_non_null(strstr(err->msg, "not found in /usr/lib/cni"));
	brig_err_free(&err);
	assert_int_equal(chmod(dir, 0700), 0);
	unsetenv("CNI_PATH");
	for (const char *const *n = (const char *const[]){"echo", "fails", "dies", NULL}; *n; n++) {
		snprintf(path, sizeof(path), "%s/%s", dir, *n);
		unlink(path);
	}
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_plugin_input),
		cmocka_unit_test(test_results),
		cmocka_unit_test(test_state_round_trip),
		cmocka_unit_test(test_service_round_trip),
		cmocka_unit_test(test_templates),
		cmocka_unit_test(test_plugin_run),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
