/* Unit tests for base/: the error object, whole reads and writes, wait
 * statuses, the mountinfo parser, string lists, fd passing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/error.h"
#include "base/fdpass.h"
#include "base/io.h"
#include "base/proc.h"
#include "base/strv.h"

static void test_error_chain(void **state)
{
	(void)state;
	cleanup_err brig_error_t *err = NULL;

	assert_int_equal(brig_err(&err, ENOENT, "open %s", "x"), -1);
	/* strerror's text, first letter lowered as runc prints it */
	assert_string_equal(err->msg, "open x: no such file or directory");
	assert_int_equal(err->code, ENOENT);
	assert_int_equal(brig_err_prefix(&err, "rootfs"), -1);
	assert_string_equal(err->msg, "rootfs: open x: no such file or directory");
	assert_int_equal(err->code, ENOENT);
	brig_err(&err, 0, "plain");
	assert_string_equal(err->msg, "plain");
	assert_int_equal(brig_err(NULL, EIO, "nowhere"), -1);
}

static void test_io_round_trip(void **state)
{
	(void)state;
	int p[2];
	size_t len = 0;
	char big[10000];

	memset(big, 'a', sizeof(big));
	assert_int_equal(pipe(p), 0);
	if (fork() == 0) {
		close(p[0]);
		_exit(brig_write_all(p[1], big, sizeof(big)) == 0 ? 0 : 1);
	}
	close(p[1]);
	cleanup_free char *got = brig_read_fd(p[0], &len);
	close(p[0]);
	wait(NULL);
	assert_non_null(got);
	assert_int_equal(len, sizeof(big));
	assert_int_equal(got[len], '\0');
	assert_memory_equal(got, big, sizeof(big));
	assert_null(brig_read_file("/nonexistent/brig", NULL));
	assert_int_equal(errno, ENOENT);
}

static int status_of(int how)
{
	int status = 0;
	pid_t pid = fork();

	if (pid == 0) {
		if (how < 0)
			raise(-how);
		_exit(how);
	}
	waitpid(pid, &status, 0);
	return status;
}

static void test_wait_status(void **state)
{
	(void)state;
	char buf[32];
	int ok = status_of(0), three = status_of(3), killed = status_of(-SIGKILL);

	assert_int_equal(brig_wait_code(ok), 0);
	assert_int_equal(brig_wait_code(three), 3);
	assert_int_equal(brig_wait_code(killed), 128 + SIGKILL);
	assert_int_equal(brig_wait_code(0x137f), 255); /* stopped: neither */
	assert_string_equal(brig_wait_describe(three, buf, sizeof(buf)), "exit status 3");
	assert_string_equal(brig_wait_describe(killed, buf, sizeof(buf)), "killed by signal 9");
}

static void test_pidfd(void **state)
{
	(void)state;
	int fd = brig_pidfd_open(getpid());

	if (fd < 0 && errno == ENOSYS)
		skip();
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(brig_pidfd_open(-1), -1);
}

static void test_mountinfo_plain(void **state)
{
	(void)state;
	char line[] = "30 23 0:26 / /sys/fs/cgroup rw,nosuid shared:4 - cgroup2 cgroup2 "
		      "rw,nsdelegate\n";
	struct brig_mountinfo mi;

	assert_int_equal(brig_mountinfo_parse(line, &mi), 0);
	assert_string_equal(mi.root, "/");
	assert_string_equal(mi.mountpoint, "/sys/fs/cgroup");
	assert_string_equal(mi.fstype, "cgroup2");
	assert_string_equal(mi.source, "cgroup2");
	assert_string_equal(mi.super, "rw,nsdelegate");
}

/* The kernel writes space, tab, newline and backslash in paths as \ooo;
 * both users of the parser compare the real names. */
static void test_mountinfo_escaped(void **state)
{
	(void)state;
	char line[] = "41 30 0:35 /a\\040b /sys/fs/cgroup/cpu\\054cpu\\011x\\012y\\134z "
		      "rw - cgroup my\\040src rw,cpu,cpuacct\n";
	struct brig_mountinfo mi;

	assert_int_equal(brig_mountinfo_parse(line, &mi), 0);
	assert_string_equal(mi.root, "/a b");
	assert_string_equal(mi.mountpoint, "/sys/fs/cgroup/cpu,cpu\tx\ny\\z");
	assert_string_equal(mi.fstype, "cgroup");
	assert_string_equal(mi.source, "my src");
	assert_string_equal(mi.super, "rw,cpu,cpuacct");

	/* not an escape: a backslash without three octal digits stays */
	char odd[] = "a\\9bc\\04\\400";
	brig_mountinfo_unescape(odd);
	assert_string_equal(odd, "a\\9bc\\04\\400");
}

static void test_mountinfo_short_lines(void **state)
{
	(void)state;
	struct brig_mountinfo mi;
	char no_sep[] = "30 23 0:26 / /sys/fs/cgroup rw cgroup2 cgroup2 rw";
	char few[] = "30 23 0:26 / - cgroup2 cgroup2 rw";
	char no_type[] = "30 23 0:26 / /x rw - ";
	char no_super[] = "30 23 0:26 / /x rw - tmpfs";

	assert_int_equal(brig_mountinfo_parse(no_sep, &mi), -1);
	assert_int_equal(brig_mountinfo_parse(few, &mi), -1);
	assert_int_equal(brig_mountinfo_parse(no_type, &mi), -1);
	assert_int_equal(brig_mountinfo_parse(no_super, &mi), 0);
	assert_string_equal(mi.fstype, "tmpfs");
	assert_null(mi.source);
	assert_null(mi.super);
}

static void test_cgroup_lines(void **state)
{
	(void)state;
	struct brig_cgroup_line cl;
	char v2[] = "0::/user.slice/a:b\n";
	char v1[] = "4:cpu,cpuacct:/docker/x\n";
	char bad[] = "4:cpu\n";

	assert_int_equal(brig_cgroup_line_parse(v2, &cl), 0);
	assert_string_equal(cl.id, "0");
	assert_string_equal(cl.controllers, "");
	assert_string_equal(cl.path, "/user.slice/a:b");
	assert_int_equal(brig_cgroup_line_parse(v1, &cl), 0);
	assert_string_equal(cl.id, "4");
	assert_string_equal(cl.controllers, "cpu,cpuacct");
	assert_string_equal(cl.path, "/docker/x");
	assert_int_equal(brig_cgroup_line_parse(bad, &cl), -1);
}

static void test_strv(void **state)
{
	(void)state;
	char **v = NULL;
	size_t n = 0;

	assert_false(brig_strv_contains(v, "a"));
	brig_strv_append(&v, &n, "a");
	brig_strv_append(&v, &n, "b");
	assert_int_equal(n, 2);
	assert_string_equal(v[0], "a");
	assert_string_equal(v[1], "b");
	assert_null(v[2]);
	assert_true(brig_strv_contains(v, "b"));
	assert_false(brig_strv_contains(v, "c"));
	brig_strv_free(v);
	brig_strv_free(NULL);
}

static void test_fd_passing(void **state)
{
	(void)state;
	int sp[2], p[2], got = -2;
	char buf[16] = {0};

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp), 0);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(brig_send_fd(sp[0], "hi", 2, p[1]), 2);
	close(p[1]);
	assert_int_equal(brig_recv_fd(sp[1], buf, sizeof(buf), &got), 2);
	assert_string_equal(buf, "hi");
	assert_true(got >= 0);
	/* the received descriptor is the pipe's write end */
	assert_int_equal(write(got, "x", 1), 1);
	close(got);
	assert_int_equal(read(p[0], buf, sizeof(buf)), 1);
	assert_int_equal(buf[0], 'x');

	/* without a descriptor: none comes out */
	assert_int_equal(brig_send_fd(sp[0], "no", 2, -1), 2);
	assert_int_equal(brig_recv_fd(sp[1], buf, sizeof(buf), &got), 2);
	assert_int_equal(got, -1);

	/* end of file */
	close(sp[0]);
	assert_int_equal(brig_recv_fd(sp[1], buf, sizeof(buf), &got), 0);
	close(sp[1]);
	close(p[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_chain),
		cmocka_unit_test(test_io_round_trip),
		cmocka_unit_test(test_wait_status),
		cmocka_unit_test(test_pidfd),
		cmocka_unit_test(test_mountinfo_plain),
		cmocka_unit_test(test_mountinfo_escaped),
		cmocka_unit_test(test_mountinfo_short_lines),
		cmocka_unit_test(test_cgroup_lines),
		cmocka_unit_test(test_strv),
		cmocka_unit_test(test_fd_passing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
