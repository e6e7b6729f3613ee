/* brig — unit tests: the command line (runtime/cli*.c, built into the
 * brig-runtime library): the table of commands, help detection, the option
 * parsers of create, run, exec, kill and delete (bad input is one clear
 * error), parse_signal, parse_preserve_fds, parse_ram_size and
 * parse_duration_ms. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/cli.h"

#define ARGV(...) ((char *[]){__VA_ARGS__, NULL})
static int argc_of(char **v)
{
	int n = 0;
	while (v[n])
		n++;
	return n;
}

/* Each parse starts from the first argument, as main.c resets getopt. */
#define PARSE(fn, argv, ...) (optind = 0, fn(argc_of(argv), argv, __VA_ARGS__))

static void assert_error(brig_error_t **err, const char *want)
{
	assert_non_null(*err);
	if (strcmp((*err)->msg, want) != 0)
		fail_msg("error \"%s\", expected \"%s\"", (*err)->msg, want);
	brig_err_free(err);
}

/* ---- the table ------------------------------------------------------------ */

static void test_find(void **state)
{
	(void)state;
	const struct brig_command *c = cli_find("run");
	assert_non_null(c);
	assert_string_equal(c->name, "run");
	assert_ptr_equal(c->handler, cmd_run);
	assert_ptr_equal(cli_find("exec")->handler, cmd_exec);
	assert_int_equal(cli_find("exec")->fail_status, 255);
	assert_int_equal(cli_find("help")->fail_status, 3);
	assert_null(cli_find("nosuch"));
	assert_null(cli_find(""));
	assert_null(cli_find("RUN"));
}

static void test_table_complete(void **state)
{
	size_t n;
	const struct brig_command *t = cli_commands(&n);
	(void)state;

	assert_true(n >= 18);
	for (size_t i = 0; i < n; i++) {
		char want[64];
		snprintf(want, sizeof(want), "usage: brig %s", t[i].name);
		assert_non_null(t[i].handler);
		assert_non_null(t[i].summary);
		if (strncmp(t[i].usage, want, strlen(want)) != 0)
			fail_msg("%s: usage starts \"%.30s\"", t[i].name, t[i].usage);
		assert_ptr_equal(cli_find(t[i].name), &t[i]);
		if (t[i].options)
			assert_int_equal(t[i].options->shortopts[0], '+');
	}
}

static void test_wants_help(void **state)
{
	(void)state;
	const struct brig_command *run = cli_find("run"), *exec = cli_find("exec"),
		*kill = cli_find("kill");

	assert_true(cli_wants_help(run, 2, ARGV("run", "--help")));
	assert_true(cli_wants_help(run, 2, ARGV("run", "-h")));
	assert_true(cli_wants_help(run, 4, ARGV("run", "-b", "dir", "--help")));
	assert_true(cli_wants_help(run, 3, ARGV("run", "id", "--help")));
	assert_false(cli_wants_help(run, 2, ARGV("run", "id")));
	assert_false(cli_wants_help(run, 3, ARGV("run", "-b", "-h")));
	assert_false(cli_wants_help(run, 4, ARGV("run", "id", "--", "-h")));
	assert_true(cli_wants_help(kill, 3, ARGV("kill", "id", "-h")));
	assert_false(cli_wants_help(exec, 4, ARGV("exec", "id", "sh", "-h")));
	assert_false(cli_wants_help(exec, 4, ARGV("exec", "-e", "-h", "id")));
	assert_true(cli_wants_help(exec, 4, ARGV("exec", "-t", "--help", "id")));
	/* a command without options */
	assert_true(cli_wants_help(cli_find("start"), 2, ARGV("start", "--help")));
	assert_false(cli_wants_help(cli_find("start"), 2, ARGV("start", "id")));
	/* unknown options do not hide it, nor leave getopt's state behind */
	assert_true(cli_wants_help(run, 3, ARGV("run", "--bogus", "-h")));
	assert_int_equal(optind, 0);
}

/* ---- create / run --------------------------------------------------------- */

static void test_parse_create(void **state)
{
	struct create_opts o;
	brig_error_t *err = NULL;
	const char *id = NULL;
	(void)state;

	char **v = ARGV("create", "-b", "/b", "--pid-file", "/p", "--console-socket", "/s",
			"--no-pivot", "--no-new-keyring", "--preserve-fds", "2", "c1");
	assert_int_equal(PARSE(cli_parse_create, v, false, &o, &id, &err), 0);
	assert_string_equal(id, "c1");
	assert_string_equal(o.bundle, "/b");
	assert_string_equal(o.pid_file, "/p");
	assert_string_equal(o.console_socket, "/s");
	assert_true(o.no_pivot && o.no_new_keyring);
	assert_int_equal(o.preserve_fds, 2);
	assert_false(o.detach || o.keep || o.logged);

	char **r = ARGV("run", "-d", "--keep", "--log-path", "", "--log-max-size", "10m",
			"--log-max-files", "3", "--no-subreaper", "c2");
	assert_int_equal(PARSE(cli_parse_create, r, true, &o, &id, &err), 0);
	assert_string_equal(id, "c2");
	assert_true(o.detach && o.keep && o.logged);
	assert_string_equal(o.log_path, "");
	assert_int_equal(o.log_max_size, 10 << 20);
	assert_int_equal(o.log_max_files, 3);
}

static void test_parse_create_bad(void **state)
{
	struct create_opts o;
	brig_error_t *err = NULL;
	const char *id = NULL;
	(void)state;

	assert_int_equal(PARSE(cli_parse_create, ARGV("create", "-d", "c"), false, &o, &id, &err), -1);
	assert_error(&err, "create: invalid option \"-d\" (see brig --help)");
	assert_int_equal(PARSE(cli_parse_create, ARGV("create", "--keep", "c"), false, &o, &id,
			       &err), -1);
	assert_error(&err, "create: invalid option \"--keep\" (see brig --help)");
	assert_int_equal(PARSE(cli_parse_create, ARGV("run", "--bogus", "c"), true, &o, &id, &err), -1);
	assert_error(&err, "run: invalid option \"--bogus\" (see brig --help)");
	assert_int_equal(PARSE(cli_parse_create, ARGV("run", "-d"), true, &o, &id, &err), -1);
	assert_error(&err, "run: missing container id (usage: brig run [options] ID)");
	assert_int_equal(PARSE(cli_parse_create, ARGV("create", "--preserve-fds", "x", "c"), false,
			       &o, &id, &err), -1);
	assert_error(&err, "--preserve-fds: invalid number \"x\"");
	assert_int_equal(PARSE(cli_parse_create, ARGV("run", "--log-max-size", "100", "c"), true,
			       &o, &id, &err), -1);
	assert_error(&err, "--log-max-size: at least 1k, got \"100\"");
	assert_int_equal(PARSE(cli_parse_create, ARGV("run", "--log-max-size", "lots", "c"), true,
			       &o, &id, &err), -1);
	assert_error(&err, "--log-max-size: invalid size \"lots\"");
	assert_int_equal(PARSE(cli_parse_create, ARGV("run", "--log-max-files", "0", "c"), true,
			       &o, &id, &err), -1);
	assert_error(&err, "--log-max-files: invalid number \"0\"");
}

/* ---- exec ----------------------------------------------------------------- */

static void test_parse_exec(void **state)
{
	struct exec_opts o;
	brig_error_t *err = NULL;
	(void)state;

	char **v = ARGV("exec", "-t", "-d", "-e", "A=1", "--env", "B=2", "-u", "1:2", "-g", "5",
			"-c", "CAP_KILL", "--cwd", "/w", "--no-new-privs", "--apparmor", "p",
			"--preserve-fds", "1", "--ignore-paused", "--pid-file", "/p", "c1", "sh",
			"-c", "x");
	assert_int_equal(PARSE(cli_parse_exec, v, &o, &err), 0);
	assert_string_equal(o.id, "c1");
	assert_int_equal(o.nargs, 3);
	assert_string_equal(o.args[0], "sh");
	assert_string_equal(o.args[2], "x");
	assert_true(o.tty && o.detach && o.no_new_privs && o.ignore_paused);
	assert_int_equal(o.env.n, 2);
	assert_string_equal(o.env.v[1], "B=2");
	assert_string_equal(o.user, "1:2");
	assert_int_equal(o.gids.n, 1);
	assert_string_equal(o.caps.v[0], "CAP_KILL");
	assert_string_equal(o.cwd, "/w");
	assert_string_equal(o.apparmor, "p");
	assert_string_equal(o.pid_file, "/p");
	assert_int_equal(o.preserve_fds, 1);
	cli_exec_opts_free(&o);

	assert_int_equal(PARSE(cli_parse_exec, ARGV("exec", "-p", "/proc.json", "c2"), &o, &err), 0);
	assert_string_equal(o.process_file, "/proc.json");
	assert_int_equal(o.nargs, 0);
	cli_exec_opts_free(&o);
}

static void test_parse_exec_bad(void **state)
{
	struct exec_opts o;
	brig_error_t *err = NULL;
	(void)state;

	assert_int_equal(PARSE(cli_parse_exec, ARGV("exec", "--cwd", "rel", "c"), &o, &err), -1);
	assert_error(&err, "exec: --cwd: must be an absolute path");
	cli_exec_opts_free(&o);
	assert_int_equal(PARSE(cli_parse_exec, ARGV("exec", "-e", "NOVALUE", "c"), &o, &err), -1);
	assert_error(&err, "exec: --env: expected NAME=VALUE, got \"NOVALUE\"");
	cli_exec_opts_free(&o);
	assert_int_equal(PARSE(cli_parse_exec, ARGV("exec", "-e", "=v", "c"), &o, &err), -1);
	assert_error(&err, "exec: --env: expected NAME=VALUE, got \"=v\"");
	cli_exec_opts_free(&o);
	assert_int_equal(PARSE(cli_parse_exec, ARGV("exec", "--preserve-fds", "-1", "c"), &o,
			       &err), -1);
	assert_error(&err, "exec: --preserve-fds: invalid number \"-1\"");
	cli_exec_opts_free(&o);
	assert_int_equal(PARSE(cli_parse_exec, ARGV("exec", "--bogus", "c"), &o, &err), -1);
	assert_error(&err, "exec: invalid option \"--bogus\" (see brig --help)");
	cli_exec_opts_free(&o);
	assert_int_equal(PARSE(cli_parse_exec, ARGV("exec", "-t"), &o, &err), -1);
	assert_error(&err, "exec: missing container id "
		     "(usage: brig exec [options] ID COMMAND [ARG...])");
	cli_exec_opts_free(&o);
}

/* ---- kill / delete -------------------------------------------------------- */

static void test_parse_kill(void **state)
{
	struct kill_opts o;
	brig_error_t *err = NULL;
	(void)state;

	assert_int_equal(PARSE(cli_parse_kill, ARGV("kill", "c"), &o, &err), 0);
	assert_string_equal(o.id, "c");
	assert_int_equal(o.sig, SIGTERM);
	assert_false(o.all);
	assert_int_equal(PARSE(cli_parse_kill, ARGV("kill", "--all", "c", "KILL"), &o, &err), 0);
	assert_true(o.all);
	assert_int_equal(o.sig, SIGKILL);
	assert_int_equal(PARSE(cli_parse_kill, ARGV("kill", "-a", "c", "9"), &o, &err), 0);
	assert_true(o.all);
	assert_int_equal(o.sig, 9);

	assert_int_equal(PARSE(cli_parse_kill, ARGV("kill", "c", "NOPE"), &o, &err), -1);
	assert_error(&err, "kill: invalid signal \"NOPE\"");
	assert_int_equal(PARSE(cli_parse_kill, ARGV("kill", "c", "0"), &o, &err), -1);
	assert_error(&err, "kill: invalid signal \"0\"");
	assert_int_equal(PARSE(cli_parse_kill, ARGV("kill", "-x", "c"), &o, &err), -1);
	assert_error(&err, "kill: invalid option \"-x\"");
	assert_int_equal(PARSE(cli_parse_kill, ARGV("kill"), &o, &err), -1);
	assert_error(&err, "kill: missing container id (usage: brig kill [options] ID)");
}

static void test_parse_delete(void **state)
{
	struct delete_opts o;
	brig_error_t *err = NULL;
	(void)state;

	assert_int_equal(PARSE(cli_parse_delete, ARGV("delete", "c"), &o, &err), 0);
	assert_string_equal(o.id, "c");
	assert_false(o.force);
	assert_int_equal(PARSE(cli_parse_delete, ARGV("delete", "--force", "c"), &o, &err), 0);
	assert_true(o.force);
	assert_int_equal(PARSE(cli_parse_delete, ARGV("delete", "-f", "c"), &o, &err), 0);
	assert_true(o.force);

	assert_int_equal(PARSE(cli_parse_delete, ARGV("delete", "--all", "c"), &o, &err), -1);
	assert_error(&err, "delete: invalid option \"--all\"");
	assert_int_equal(PARSE(cli_parse_delete, ARGV("delete", "-f"), &o, &err), -1);
	assert_error(&err, "delete: missing container id (usage: brig delete [options] ID)");
}

static void test_parse_stop(void **state)
{
	brig_error_t *err = NULL;
	const char *id = NULL;
	int t = -1;
	(void)state;

	assert_int_equal(PARSE(cli_parse_stop, ARGV("stop", "c"), &t, &id, &err), 0);
	assert_string_equal(id, "c");
	assert_int_equal(t, 10); /* docker stop's default */
	assert_int_equal(PARSE(cli_parse_stop, ARGV("stop", "-t", "0", "c"), &t, &id, &err), 0);
	assert_int_equal(t, 0);
	assert_int_equal(PARSE(cli_parse_stop, ARGV("stop", "--time", "30", "c"), &t, &id, &err), 0);
	assert_int_equal(t, 30);
	assert_int_equal(PARSE(cli_parse_stop, ARGV("stop", "--timeout=5", "c"), &t, &id, &err), 0);
	assert_int_equal(t, 5);

	static const char *const bad[] = {"x", "-1", "1.5", "", "86401", "5s"};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char **v = ARGV("stop", "-t", (char *)bad[i], "c");
		assert_int_equal(PARSE(cli_parse_stop, v, &t, &id, &err), -1);
		assert_non_null(strstr(err->msg, "stop: -t: invalid number of seconds"));
		brig_err_free(&err);
	}
	assert_int_equal(PARSE(cli_parse_stop, ARGV("stop"), &t, &id, &err), -1);
	assert_error(&err, "stop: missing container id (usage: brig stop [-t SECONDS] ID)");
	assert_int_equal(PARSE(cli_parse_stop, ARGV("stop", "a", "b"), &t, &id, &err), -1);
	assert_error(&err, "stop: one container id, got 2");
	assert_int_equal(PARSE(cli_parse_stop, ARGV("stop", "-a", "c"), &t, &id, &err), -1);
	assert_error(&err, "stop: invalid option \"-a\" (see brig stop --help)");
}

static void test_parse_restart(void **state)
{
	struct create_opts o;
	struct restart_policy p;
	brig_error_t *err = NULL;
	const char *id = NULL;
	(void)state;

	assert_int_equal(restart_parse("no", &p, &err), 0);
	assert_int_equal(p.mode, RESTART_NO);
	assert_int_equal(restart_parse("always", &p, &err), 0);
	assert_int_equal(p.mode, RESTART_ALWAYS);
	assert_int_equal(restart_parse("on-failure", &p, &err), 0);
	assert_int_equal(p.mode, RESTART_ON_FAILURE);
	assert_int_equal(p.max, 0);
	assert_int_equal(restart_parse("on-failure:3", &p, &err), 0);
	assert_int_equal(p.mode, RESTART_ON_FAILURE);
	assert_int_equal(p.max, 3);
	static const char *const bad[] = {"", "yes", "on-failure:", "on-failure:0",
					  "on-failure:-1", "on-failure:2x", "always:1",
					  "on-failurex", "No"};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(restart_parse(bad[i], &p, &err), -1);
		assert_non_null(strstr(err->msg, "--restart: invalid policy"));
		assert_int_equal(p.mode, RESTART_NO);
		brig_err_free(&err);
	}
	/* a policy means a log monitor; "no" does not */
	assert_int_equal(PARSE(cli_parse_create, ARGV("run", "-d", "--restart", "always", "c"),
			       true, &o, &id, &err), 0);
	assert_true(o.logged);
	assert_int_equal(o.restart.mode, RESTART_ALWAYS);
	assert_int_equal(PARSE(cli_parse_create, ARGV("create", "--restart", "no", "c"),
			       false, &o, &id, &err), 0);
	assert_false(o.logged);
}

/* ---- numbers and signals -------------------------------------------------- */

static void test_parse_signal(void **state)
{
	int s = 0;
	(void)state;

	assert_int_equal(parse_signal("KILL", &s), 0);
	assert_int_equal(s, SIGKILL);
	assert_int_equal(parse_signal("SIGTERM", &s), 0);
	assert_int_equal(s, SIGTERM);
	assert_int_equal(parse_signal("sigusr1", &s), 0);
	assert_int_equal(s, SIGUSR1);
	assert_int_equal(parse_signal("hup", &s), 0);
	assert_int_equal(s, SIGHUP);
	assert_int_equal(parse_signal("15", &s), 0);
	assert_int_equal(s, 15);
	assert_int_equal(parse_signal("RTMIN", &s), 0);
	assert_int_equal(s, SIGRTMIN);
	assert_int_equal(parse_signal("SIGRTMIN+2", &s), 0);
	assert_int_equal(s, SIGRTMIN + 2);
	assert_int_equal(parse_signal("RTMAX-1", &s), 0);
	assert_int_equal(s, SIGRTMAX - 1);

	s = -7;
	assert_int_equal(parse_signal("", &s), -1);
	assert_int_equal(parse_signal("0", &s), -1);
	assert_int_equal(parse_signal("-9", &s), -1);
	assert_int_equal(parse_signal("65", &s), -1);
	assert_int_equal(parse_signal("SIG", &s), -1);
	assert_int_equal(parse_signal("NOPE", &s), -1);
	assert_int_equal(parse_signal("RTMIN+99", &s), -1);
	assert_int_equal(parse_signal("RTMAX+1", &s), -1);
	assert_int_equal(parse_signal("RTMINx", &s), -1);
	assert_int_equal(s, -7); /* untouched on failure */
}

static void test_parse_preserve_fds(void **state)
{
	int n = -7;
	(void)state;

	assert_int_equal(parse_preserve_fds("0", &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(parse_preserve_fds("65536", &n), 0);
	assert_int_equal(n, 65536);
	n = -7;
	assert_int_equal(parse_preserve_fds("65537", &n), -1);
	assert_int_equal(parse_preserve_fds("-1", &n), -1);
	assert_int_equal(parse_preserve_fds("", &n), -1);
	assert_int_equal(parse_preserve_fds("3x", &n), -1);
	assert_int_equal(parse_preserve_fds("x", &n), -1);
	assert_int_equal(n, -7);
}

static void test_parse_sizes_and_durations(void **state)
{
	int64_t v = -7;
	(void)state;

	assert_int_equal(parse_ram_size("512m", &v), 0);
	assert_int_equal(v, 512LL << 20);
	assert_int_equal(parse_ram_size("1G", &v), 0);
	assert_int_equal(v, 1LL << 30);
	assert_int_equal(parse_ram_size("10 KiB", &v), 0);
	assert_int_equal(v, 10240);
	assert_int_equal(parse_ram_size("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(parse_ram_size("-1", &v), 0);
	assert_int_equal(v, -1);
	v = -7;
	assert_int_equal(parse_ram_size("", &v), -1);
	assert_int_equal(parse_ram_size("m", &v), -1);
	assert_int_equal(parse_ram_size("-2", &v), -1);
	assert_int_equal(parse_ram_size("10x", &v), -1);
	assert_int_equal(parse_ram_size("99999999p", &v), -1);
	assert_int_equal(v, -7);

	assert_int_equal(parse_duration_ms("5s", &v), 0);
	assert_int_equal(v, 5000);
	assert_int_equal(parse_duration_ms("250ms", &v), 0);
	assert_int_equal(v, 250);
	assert_int_equal(parse_duration_ms("1m30s", &v), 0);
	assert_int_equal(v, 90000);
	assert_int_equal(parse_duration_ms("1.5h", &v), 0);
	assert_int_equal(v, 5400000);
	v = -7;
	assert_int_equal(parse_duration_ms("", &v), -1);
	assert_int_equal(parse_duration_ms("5", &v), -1);
	assert_int_equal(parse_duration_ms("s", &v), -1);
	assert_int_equal(parse_duration_ms("100us", &v), -1); /* under 1 ms */
	assert_int_equal(parse_duration_ms("-5s", &v), -1);
	assert_int_equal(v, -7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_table_complete),
		cmocka_unit_test(test_wants_help),
		cmocka_unit_test(test_parse_create),
		cmocka_unit_test(test_parse_create_bad),
		cmocka_unit_test(test_parse_exec),
		cmocka_unit_test(test_parse_exec_bad),
		cmocka_unit_test(test_parse_kill),
		cmocka_unit_test(test_parse_delete),
		cmocka_unit_test(test_parse_stop),
		cmocka_unit_test(test_parse_restart),
		cmocka_unit_test(test_parse_signal),
		cmocka_unit_test(test_parse_preserve_fds),
		cmocka_unit_test(test_parse_sizes_and_durations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
