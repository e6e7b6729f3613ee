/* brig — unit tests for security/: capability names, seccomp translation,
 * and real effects checked in forked children (filters loaded, capability
 * sets read back from /proc/self/status).  Must run as root. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <seccomp.h>

#include "security/seccomp_cache.h"
#include "security/security.h"
#include "security/siphash.h"
#include "base/io.h"

#define STRV(...) ((struct spec_strv){ \
	.v = (char *[]){ __VA_ARGS__, NULL }, \
	.n = ARRAY_SIZE(((char *[]){ __VA_ARGS__ })) })
#define ERRNO_RET(x) ((spec_opt_u64){ .set = true, .v = (x) })
#define ARGS(...) .args = (struct spec_seccomp_arg[]){ __VA_ARGS__ }, \
	.n_args = ARRAY_SIZE(((struct spec_seccomp_arg[]){ __VA_ARGS__ }))

#define BIT(c) (1ULL << (c))
/* Capabilities present in this host's sets (it may lack some, e.g.
 * CAP_SYS_RESOURCE in a sandbox); the tests use only these. */
#define C_CHOWN 0
#define C_KILL 5
#define C_SETGID 6
#define C_SETUID 7
#define C_NET_BIND 10
#define C_NET_RAW 13

/* ---- helpers ------------------------------------------------------------------ */

static char warnings[16][256];
static int n_warnings;

static void warn_cb(const char *msg)
{
	if (n_warnings < (int)ARRAY_SIZE(warnings))
		snprintf(warnings[n_warnings], sizeof warnings[0], "%s", msg);
	n_warnings++;
}

static int reset_warnings(void **state)
{
	(void)state;
	n_warnings = 0;
	memset(warnings, 0, sizeof warnings);
	return 0;
}

/* Run fn in a forked child; returns the raw wait status. */
static int run_child(int (*fn)(void *), void *arg)
{
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* cmocka catches SIGSYS & co. in the test process: undo that */
		signal(SIGSYS, SIG_DFL);
		signal(SIGSEGV, SIG_DFL);
		_exit(fn(arg));
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return st;
}

static void assert_child_ok(int st)
{
	if (WIFSIGNALED(st))
		fail_msg("child killed by signal %d", WTERMSIG(st));
	assert_true(WIFEXITED(st));
	if (WEXITSTATUS(st) != 0)
		fail_msg("child failed at check %d", WEXITSTATUS(st));
}

/* In children: report which check failed through the exit code. */
#define CHECK(n, cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "check %d failed: %s (errno %d)\n", n, #cond, errno); \
		return n; \
	} \
} while (0)

/* Value of a hex or decimal field of a /proc/<..>/status text. */
static unsigned long long status_field_in(const char *text, const char *key, int base)
{
	size_t kl = strlen(key);
	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, key, kl) == 0 && p[kl] == ':')
			return strtoull(p + kl + 1, NULL, base);
	return ~0ULL;
}

static unsigned long long status_field(const char *key, int base)
{
	cleanup_free char *text = brig_read_file("/proc/self/status", NULL);
	if (!text)
		return ~0ULL;
	return status_field_in(text, key, base);
}

/* ---- capability names ----------------------------------------------------------- */

static void test_caps_validate_good(void **state)
{
	(void)state;
	struct spec_capabilities c = {
		.bounding = STRV("CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_CHECKPOINT_RESTORE"),
		.permitted = STRV("CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"),
		.effective = STRV("CAP_CHOWN", "CAP_KILL"),
		.inheritable = STRV("CAP_NET_BIND_SERVICE"),
		.ambient = STRV("CAP_NET_BIND_SERVICE"),
	};
	brig_error_t *err = NULL;
	assert_int_equal(sec_caps_validate(&c, "process.capabilities", warn_cb, &err), 0);
	assert_null(err);
	assert_int_equal(n_warnings, 0);
	assert_int_equal(sec_caps_validate(NULL, "process.capabilities", warn_cb, &err), 0);
}

static void test_caps_validate_malformed(void **state)
{
	(void)state;
	static const char *bad[] = { "foo", "cap_chown", "CAP_chown", "CAP_", "chown",
				     "CAP_CHOWN,CAP_KILL", "CAP_CHOWN ", "0", "" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct spec_capabilities c = {
			.bounding = STRV("CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW", (char *)bad[i]),
		};
		brig_error_t *err = NULL;
		assert_int_equal(sec_caps_validate(&c, "process.capabilities", warn_cb, &err), -1);
		assert_non_null(err);
		char want[128];
		snprintf(want, sizeof want,
			 "process.capabilities.bounding[3]: invalid capability name \"%s\"", bad[i]);
		assert_string_equal(err->msg, want);
		brig_err_free(&err);

		/* prepare/apply refuse them too, before touching anything */
		assert_int_equal(sec_caps_prepare(&c, false, &err), -1);
		assert_non_null(err);
		brig_err_free(&err);
	}
	struct spec_capabilities c = { .ambient = STRV("CAP_KILL", "kill") };
	brig_error_t *err = NULL;
	assert_int_equal(sec_caps_validate(&c, "p.caps", warn_cb, &err), -1);
	assert_string_equal(err->msg, "p.caps.ambient[1]: invalid capability name \"kill\"");
	brig_err_free(&err);
}

static void test_caps_validate_unknown(void **state)
{
	(void)state;
	struct spec_capabilities c = {
		.bounding = STRV("CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW", "CAP_FOO"),
		.effective = STRV("CAP_BAR_42"),
	};
	brig_error_t *err = NULL;
	assert_int_equal(sec_caps_validate(&c, "process.capabilities", warn_cb, &err), 0);
	assert_null(err);
	assert_int_equal(n_warnings, 2);
	assert_string_equal(warnings[0],
			    "process.capabilities.bounding[3]: unknown capability \"CAP_FOO\", skipped");
	assert_string_equal(warnings[1],
			    "process.capabilities.effective[0]: unknown capability \"CAP_BAR_42\", skipped");
	/* no warn callback: still fine */
	assert_int_equal(sec_caps_validate(&c, "process.capabilities", NULL, &err), 0);
}

static void test_caps_validate_inconsistent(void **state)
{
	(void)state;
	struct spec_capabilities c = {
		.bounding = STRV("CAP_CHOWN", "CAP_KILL"),
		.permitted = STRV("CAP_CHOWN", "CAP_KILL"),
		.effective = STRV("CAP_CHOWN", "CAP_NET_RAW"),
		.inheritable = STRV("CAP_KILL", "CAP_SETUID"),
		.ambient = STRV("CAP_KILL", "CAP_CHOWN"),
	};
	brig_error_t *err = NULL;
	assert_int_equal(sec_caps_validate(&c, "process.capabilities", warn_cb, &err), 0);
	assert_int_equal(n_warnings, 3);
	assert_string_equal(warnings[0],
			    "process.capabilities.effective[1]: CAP_NET_RAW is not in the permitted set, not granted");
	assert_string_equal(warnings[1],
			    "process.capabilities.inheritable[1]: CAP_SETUID is not in the bounding set, not granted");
	assert_string_equal(warnings[2],
			    "process.capabilities.ambient[1]: CAP_CHOWN is not in both the permitted and inheritable sets, not granted");
}

/* ---- capabilities, for real ------------------------------------------------------- */

struct caps_case {
	const struct spec_capabilities *caps;
	uid_t uid; /* 0: stay root */
	unsigned long long bnd, prm, eff, inh, amb;
	int out_fd; /* >= 0: exec cat /proc/self/status into it at the end */
};

static int caps_child(void *arg)
{
	const struct caps_case *t = arg;
	brig_error_t *err = NULL;

	if (sec_caps_prepare(t->caps, false, &err) < 0) {
		fprintf(stderr, "prepare: %s\n", err->msg);
		return 90;
	}
	if (t->uid) {
		CHECK(80, setgroups(0, NULL) == 0);
		CHECK(81, setresgid(t->uid, t->uid, t->uid) == 0);
		CHECK(82, setresuid(t->uid, t->uid, t->uid) == 0);
	}
	if (sec_caps_apply(t->caps, &err) < 0) {
		fprintf(stderr, "apply: %s\n", err->msg);
		return 91;
	}
	CHECK(1, status_field("CapBnd", 16) == t->bnd);
	CHECK(2, status_field("CapPrm", 16) == t->prm);
	CHECK(3, status_field("CapEff", 16) == t->eff);
	CHECK(4, status_field("CapInh", 16) == t->inh);
	CHECK(5, status_field("CapAmb", 16) == t->amb);
	CHECK(6, prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0) == 0);
	if (t->out_fd >= 0) {
		CHECK(7, dup2(t->out_fd, 1) == 1);
		execl("/bin/cat", "cat", "/proc/self/status", (char *)NULL);
		return 8;
	}
	return 0;
}

static void test_caps_root(void **state)
{
	(void)state;
	struct spec_capabilities c = {
		.bounding = STRV("CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW", "CAP_FOO"),
		.permitted = STRV("CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"),
		.effective = STRV("CAP_CHOWN", "CAP_KILL"),
		.inheritable = STRV("CAP_NET_BIND_SERVICE"),
		.ambient = STRV("CAP_NET_BIND_SERVICE"),
		.has_bounding = true, .has_permitted = true, .has_effective = true,
		.has_inheritable = true, .has_ambient = true,
	};
	struct caps_case t = {
		.caps = &c,
		.bnd = BIT(C_CHOWN) | BIT(C_KILL) | BIT(C_NET_BIND) | BIT(C_NET_RAW),
		.prm = BIT(C_CHOWN) | BIT(C_KILL) | BIT(C_NET_BIND),
		.eff = BIT(C_CHOWN) | BIT(C_KILL),
		.inh = BIT(C_NET_BIND),
		.amb = BIT(C_NET_BIND),
		.out_fd = -1,
	};
	assert_child_ok(run_child(caps_child, &t));
}

static void test_caps_user_ambient_exec(void **state)
{
	(void)state;
	struct spec_capabilities c = {
		.bounding = STRV("CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW"),
		.permitted = STRV("CAP_CHOWN", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW"),
		.effective = STRV("CAP_CHOWN", "CAP_NET_BIND_SERVICE"),
		.inheritable = STRV("CAP_NET_BIND_SERVICE", "CAP_KILL"),
		.ambient = STRV("CAP_NET_BIND_SERVICE"),
		.has_bounding = true, .has_permitted = true, .has_effective = true,
		.has_inheritable = true, .has_ambient = true,
	};
	char path[] = "/tmp/brig-test-caps-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	struct caps_case t = {
		.caps = &c, .uid = 1000,
		.bnd = BIT(C_CHOWN) | BIT(C_KILL) | BIT(C_NET_BIND) | BIT(C_NET_RAW),
		.prm = BIT(C_CHOWN) | BIT(C_NET_BIND) | BIT(C_NET_RAW),
		.eff = BIT(C_CHOWN) | BIT(C_NET_BIND),
		.inh = BIT(C_NET_BIND) | BIT(C_KILL),
		.amb = BIT(C_NET_BIND),
		.out_fd = fd,
	};
	assert_child_ok(run_child(caps_child, &t));

	/* After execve as uid 1000 only the ambient set survives in
	 * permitted/effective: the spec's intent. */
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	cleanup_free char *text = brig_read_fd(fd, NULL);
	close(fd);
	assert_non_null(text);
	assert_int_equal(status_field_in(text, "Uid", 10), 1000);
	assert_int_equal(status_field_in(text, "CapBnd", 16), t.bnd);
	assert_int_equal(status_field_in(text, "CapInh", 16), t.inh);
	assert_int_equal(status_field_in(text, "CapPrm", 16), BIT(C_NET_BIND));
	assert_int_equal(status_field_in(text, "CapEff", 16), BIT(C_NET_BIND));
	assert_int_equal(status_field_in(text, "CapAmb", 16), BIT(C_NET_BIND));
}

/* What cannot be granted is left out, not an error. */
static void test_caps_not_granted_skipped(void **state)
{
	(void)state;
	struct spec_capabilities c = {
		/* no bounding list: empty bounding set, as runc */
		.permitted = STRV("CAP_CHOWN", "CAP_KILL"),
		.effective = STRV("CAP_CHOWN", "CAP_NET_RAW"), /* NET_RAW not permitted */
		.inheritable = STRV("CAP_KILL"),               /* not in bounding */
		.ambient = STRV("CAP_CHOWN", "CAP_KILL"),      /* not inheritable */
		.has_permitted = true, .has_effective = true,
		.has_inheritable = true, .has_ambient = true,
	};
	struct caps_case t = {
		.caps = &c, .uid = 1000,
		.bnd = 0,
		.prm = BIT(C_CHOWN) | BIT(C_KILL),
		.eff = BIT(C_CHOWN),
		.inh = 0,
		.amb = 0,
		.out_fd = -1,
	};
	assert_child_ok(run_child(caps_child, &t));
}

static int caps_null_child(void *arg)
{
	(void)arg;
	brig_error_t *err = NULL;
	unsigned long long bnd = status_field("CapBnd", 16), prm = status_field("CapPrm", 16),
			   eff = status_field("CapEff", 16);
	CHECK(1, sec_caps_prepare(NULL, false, &err) == 0);
	CHECK(2, sec_caps_apply(NULL, &err) == 0);
	CHECK(3, status_field("CapBnd", 16) == bnd);
	CHECK(4, status_field("CapPrm", 16) == prm);
	CHECK(5, status_field("CapEff", 16) == eff);
	return 0;
}

static void test_caps_null(void **state)
{
	(void)state;
	assert_child_ok(run_child(caps_null_child, NULL));
}

static int nnp_child(void *arg)
{
	(void)arg;
	brig_error_t *err = NULL;
	CHECK(1, status_field("NoNewPrivs", 10) == 0);
	CHECK(2, sec_no_new_privs(&err) == 0);
	CHECK(3, status_field("NoNewPrivs", 10) == 1);
	CHECK(4, prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1);
	return 0;
}

static void test_no_new_privs(void **state)
{
	(void)state;
	assert_child_ok(run_child(nnp_child, NULL));
}

/* ---- seccomp: translation ------------------------------------------------------------ */

static void compile_ok(const struct spec_seccomp *s)
{
	brig_error_t *err = NULL;
	struct sec_seccomp *f = sec_seccomp_compile(s, &err);
	if (!f)
		fail_msg("compile: %s", err ? err->msg : "?");
	sec_seccomp_free(f);
}

static void compile_fails(const struct spec_seccomp *s, const char *msg)
{
	brig_error_t *err = NULL;
	struct sec_seccomp *f = sec_seccomp_compile(s, &err);
	assert_null(f);
	assert_non_null(err);
	assert_string_equal(err->msg, msg);
	brig_err_free(&err);
}

static void test_seccomp_actions(void **state)
{
	(void)state;
	static const char *acts[] = {
		"SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
		"SCMP_ACT_TRAP", "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE",
		"SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY",
	};
	for (size_t i = 0; i < ARRAY_SIZE(acts); i++) {
		struct spec_seccomp_syscall sc = { .names = STRV("uname", "getcwd"),
						   .action = (char *)acts[i] };
		struct spec_seccomp s = { .default_action = "SCMP_ACT_ALLOW",
					  .syscalls = &sc, .n_syscalls = 1 };
		compile_ok(&s);
		s.default_action = "SCMP_ACT_ERRNO";
		compile_ok(&s);
		if (strcmp(acts[i], "SCMP_ACT_NOTIFY") != 0) {
			s.default_action = (char *)acts[i];
			s.n_syscalls = 0;
			compile_ok(&s);
		}
	}
	/* errnoRet on ERRNO and TRACE, default and per rule */
	struct spec_seccomp_syscall sc[] = {
		{ .names = STRV("uname"), .action = "SCMP_ACT_ERRNO", .errno_ret = ERRNO_RET(42) },
		{ .names = STRV("getcwd"), .action = "SCMP_ACT_TRACE", .errno_ret = ERRNO_RET(7) },
		/* same as the default action: skipped, not refused */
		{ .names = STRV("chmod"), .action = "SCMP_ACT_ERRNO", .errno_ret = ERRNO_RET(38) },
		/* unknown syscall names are skipped */
		{ .names = STRV("no_such_syscall", "getpid"), .action = "SCMP_ACT_ALLOW" },
	};
	struct spec_seccomp s = { .default_action = "SCMP_ACT_ERRNO",
				  .default_errno_ret = ERRNO_RET(38),
				  .syscalls = sc, .n_syscalls = ARRAY_SIZE(sc) };
	compile_ok(&s);
	s.default_action = "SCMP_ACT_TRACE";
	compile_ok(&s);
}

static void test_seccomp_ops(void **state)
{
	(void)state;
	static const char *ops[] = { "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ",
				     "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ" };
	for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
		struct spec_seccomp_syscall sc = {
			.names = STRV("dup3"), .action = "SCMP_ACT_ERRNO",
			ARGS({ .index = 0, .value = 0xff, .value_two = 3, .op = (char *)ops[i] },
			     { .index = 2, .value = 1, .op = (char *)ops[i] }),
		};
		struct spec_seccomp s = { .default_action = "SCMP_ACT_ALLOW",
					  .syscalls = &sc, .n_syscalls = 1 };
		compile_ok(&s);
	}
	/* Docker-style: multiplexed socket() with args on x86 + x32 */
	struct spec_seccomp_syscall sc[] = {
		{ .names = STRV("socket"), .action = "SCMP_ACT_ERRNO",
		  ARGS({ .index = 0, .value = 40, .op = "SCMP_CMP_EQ" }) },
		{ .names = STRV("personality"), .action = "SCMP_ACT_ERRNO",
		  ARGS({ .index = 0, .value = 0, .op = "SCMP_CMP_NE" },
		       { .index = 0, .value = 8, .op = "SCMP_CMP_NE" }) },
	};
	struct spec_seccomp s = {
		.default_action = "SCMP_ACT_ALLOW",
		.architectures = STRV("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32",
				      "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", "SCMP_ARCH_LOONGARCH64"),
		.flags = STRV("SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
			      "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
			      "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"),
		.syscalls = sc, .n_syscalls = ARRAY_SIZE(sc),
	};
	compile_ok(&s);
}

static void test_seccomp_errors(void **state)
{
	(void)state;
	struct spec_seccomp_syscall ok = { .names = STRV("uname"), .action = "SCMP_ACT_ERRNO" };
	struct spec_seccomp_syscall sc[3] = { ok, ok, ok };
	struct spec_seccomp s = { .default_action = "SCMP_ACT_ALLOW",
				  .syscalls = sc, .n_syscalls = 3 };
	compile_ok(&s);

	sc[2].action = "X";
	compile_fails(&s, "linux.seccomp.syscalls[2].action: unknown action \"X\"");
	sc[2] = ok;

	sc[1].action = "SCMP_ACT_ALLOW";
	sc[1].errno_ret = ERRNO_RET(5);
	compile_fails(&s, "linux.seccomp.syscalls[1].errnoRet: SCMP_ACT_ALLOW does not take an errno return, errnoRet only applies to SCMP_ACT_ERRNO and SCMP_ACT_TRACE");
	sc[1] = ok;

	sc[1].errno_ret = ERRNO_RET(70000);
	compile_fails(&s, "linux.seccomp.syscalls[1].errnoRet: 70000 is out of range (0-65535)");
	sc[1] = ok;

	struct spec_seccomp_arg bad_op[] = { { .index = 0, .value = 1, .op = "SCMP_CMP_EQ" },
					     { .index = 1, .value = 1, .op = "SCMP_CMP_FOO" } };
	sc[0].args = bad_op;
	sc[0].n_args = 2;
	compile_fails(&s, "linux.seccomp.syscalls[0].args[1].op: unknown operator \"SCMP_CMP_FOO\"");
	struct spec_seccomp_arg bad_idx[] = { { .index = 6, .value = 1, .op = "SCMP_CMP_EQ" } };
	sc[0].args = bad_idx;
	sc[0].n_args = 1;
	compile_fails(&s, "linux.seccomp.syscalls[0].args[0].index: 6 is out of range (0-5)");
	sc[0] = ok;

	s.architectures = STRV("SCMP_ARCH_X86_64", "SCMP_ARCH_FOO");
	compile_fails(&s, "linux.seccomp.architectures[1]: unknown architecture \"SCMP_ARCH_FOO\"");
	s.architectures = (struct spec_strv){ 0 };

	s.flags = STRV("SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_BAR");
	compile_fails(&s, "linux.seccomp.flags[1]: unknown flag \"SECCOMP_FILTER_FLAG_BAR\"");
	s.flags = (struct spec_strv){ 0 };

	s.default_action = "SCMP_ACT_FOO";
	compile_fails(&s, "linux.seccomp.defaultAction: unknown action \"SCMP_ACT_FOO\"");
	s.default_action = "SCMP_ACT_KILL";
	s.default_errno_ret = ERRNO_RET(1);
	compile_fails(&s, "linux.seccomp.defaultErrnoRet: SCMP_ACT_KILL does not take an errno return, defaultErrnoRet only applies to SCMP_ACT_ERRNO and SCMP_ACT_TRACE");
	s.default_errno_ret = (spec_opt_u64){ 0 };
	s.default_action = "SCMP_ACT_NOTIFY";
	compile_fails(&s, "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action");
	s.default_action = NULL;
	compile_fails(&s, "linux.seccomp.defaultAction: missing");
	s.default_action = "SCMP_ACT_ALLOW";

#if SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR < 6
	/* with NOTIFY, WAIT_KILLABLE_RECV cannot be honoured by libseccomp 2.5 */
	sc[1].action = "SCMP_ACT_NOTIFY";
	s.flags = STRV("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");
	brig_error_t *err = NULL;
	assert_null(sec_seccomp_compile(&s, &err));
	assert_non_null(strstr(err->msg, "linux.seccomp.flags[0]: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV is not supported with libseccomp"));
	brig_err_free(&err);
#endif
}

/* ---- seccomp: loaded for real --------------------------------------------------------- */

struct sc_case {
	const struct spec_seccomp *s;
	int (*after)(int notify_fd);
};

/* In a child: load f (freed), then check what t->after checks. */
static int load_then(struct sec_seccomp *f, const struct sc_case *t)
{
	brig_error_t *err = NULL;
	int nfd = -2;

	if (sec_seccomp_load(f, &nfd, &err) < 0) {
		fprintf(stderr, "load: %s\n", err->msg);
		return 91;
	}
	sec_seccomp_free(f);
	return t->after(nfd);
}

static int seccomp_child(void *arg)
{
	const struct sc_case *t = arg;
	brig_error_t *err = NULL;
	struct sec_seccomp *f = sec_seccomp_compile(t->s, &err);
	if (!f) {
		fprintf(stderr, "compile: %s\n", err->msg);
		return 90;
	}
	return load_then(f, t);
}

static int run_filter(const struct spec_seccomp *s, int (*after)(int))
{
	struct sc_case t = { s, after };
	return run_child(seccomp_child, &t);
}

static int after_errno42(int nfd)
{
	struct utsname u;
	CHECK(1, nfd == -1);
	errno = 0;
	CHECK(2, syscall(SYS_uname, &u) == -1 && errno == 42);
	CHECK(3, getpid() > 0);
	/* no_new_privs is the runtime's business, not the filter's */
	CHECK(4, status_field("NoNewPrivs", 10) == 0);
	CHECK(5, status_field("Seccomp", 10) == 2);
	return 0;
}

static void test_seccomp_load_errno(void **state)
{
	(void)state;
	struct spec_seccomp_syscall sc = { .names = STRV("uname"), .action = "SCMP_ACT_ERRNO",
					   .errno_ret = ERRNO_RET(42) };
	struct spec_seccomp s = { .default_action = "SCMP_ACT_ALLOW",
				  .architectures = STRV("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"),
				  .syscalls = &sc, .n_syscalls = 1 };
	assert_child_ok(run_filter(&s, after_errno42));
}

/* The cache: a second prepare of the same profile is a hit, and the
 * cached program behaves as the compiled one. */
static char cache_dir[64];

/* seccomp_cache_prepare through a cache opened for the call */
static struct sec_seccomp *prepare_in(const struct spec_seccomp *s, const char *dir,
				      bool *hit, brig_error_t **err)
{
	struct sec_seccomp_cache *c = sec_seccomp_cache_open(dir);
	struct sec_seccomp *f = seccomp_cache_prepare(s, c, hit, err);

	sec_seccomp_cache_free(c);
	return f;
}

static int cached_child(void *arg)
{
	const struct sc_case *t = arg;
	brig_error_t *err = NULL;
	bool hit = true;
	struct sec_seccomp *f = prepare_in(t->s, cache_dir, &hit, &err);
	if (!f || hit)
		return 92;
	sec_seccomp_free(f);
	f = prepare_in(t->s, cache_dir, &hit, &err);
	if (!f || !hit)
		return 93;
	return load_then(f, t);
}

static void test_seccomp_cache(void **state)
{
	(void)state;
	struct spec_seccomp_syscall sc = { .names = STRV("uname"), .action = "SCMP_ACT_ERRNO",
					   .errno_ret = ERRNO_RET(42) };
	struct spec_seccomp s = { .default_action = "SCMP_ACT_ALLOW",
				  .architectures = STRV("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"),
				  .syscalls = &sc, .n_syscalls = 1 };
	strcpy(cache_dir, "/tmp/brig-unit-cache.XXXXXX");
	assert_non_null(mkdtemp(cache_dir));
	struct sc_case t = { &s, after_errno42 };
	assert_child_ok(run_child(cached_child, &t));
	/* another errno is another profile: a miss */
	brig_error_t *err = NULL;
	bool hit = true;
	sc.errno_ret = ERRNO_RET(43);
	struct sec_seccomp *f = prepare_in(&s, cache_dir, &hit, &err);
	assert_non_null(f);
	assert_false(hit);
	sec_seccomp_free(f);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", cache_dir);
	assert_int_equal(system(cmd), 0);
}

/* The cache keyed by the profile's JSON text (what `create`'s init does):
 * a miss until the text has been compiled, then a hit that behaves as the
 * compiled program; any other text, even the same profile spelt another
 * way, is a miss; a canonical-key entry is not a text-key one. */
static struct sec_seccomp_cache *cache;
static const char json_a[] = "{\"defaultAction\":\"SCMP_ACT_ALLOW\"}";
static const char json_b[] = "{ \"defaultAction\": \"SCMP_ACT_ALLOW\" }";

static int json_cached_child(void *arg)
{
	const struct sc_case *t = arg;
	struct sec_seccomp *f = seccomp_cache_lookup_json(json_a, strlen(json_a), cache);
	if (f == NULL)
		return 94;
	return load_then(f, t);
}

static void test_seccomp_cache_json(void **state)
{
	(void)state;
	struct spec_seccomp_syscall sc = { .names = STRV("uname"), .action = "SCMP_ACT_ERRNO",
					   .errno_ret = ERRNO_RET(42) };
	struct spec_seccomp s = { .default_action = "SCMP_ACT_ALLOW",
				  .architectures = STRV("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"),
				  .syscalls = &sc, .n_syscalls = 1 };
	brig_error_t *err = NULL;
	bool hit = true;

	strcpy(cache_dir, "/tmp/brig-unit-cache.XXXXXX");
	assert_non_null(mkdtemp(cache_dir));
	cache = sec_seccomp_cache_open(cache_dir);
	assert_non_null(cache);
	/* a canonical-key entry does not answer a text lookup */
	struct sec_seccomp *f = prepare_in(&s, cache_dir, &hit, &err);
	assert_non_null(f);
	sec_seccomp_free(f);
	assert_null(seccomp_cache_lookup_json(json_a, strlen(json_a), cache));
	/* the key is the text: whatever profile it was compiled from */
	f = seccomp_cache_compile_json(&s, json_a, strlen(json_a), cache, &err);
	assert_non_null(f);
	sec_seccomp_free(f);
	struct sc_case t = { &s, after_errno42 };
	assert_child_ok(run_child(json_cached_child, &t));
	assert_null(seccomp_cache_lookup_json(json_b, strlen(json_b), cache));
	/* a prefix of a cached text is another text */
	assert_null(seccomp_cache_lookup_json(json_a, strlen(json_a) - 1, cache));
	sec_seccomp_cache_free(cache);
	cache = NULL;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", cache_dir);
	assert_int_equal(system(cmd), 0);
}

/* The cache stays small: the oldest filters beyond SECCOMP_CACHE_MAX go
 * when a new one is written, and a temp file older than a minute (a
 * killed writer's) goes, a fresh one (a writer at work) stays. */
static int count_suffix(const char *dir, const char *suffix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)) != NULL)
		if (strstr(e->d_name, suffix) && strcmp(strstr(e->d_name, suffix), suffix) == 0)
			n++;
	if (d)
		closedir(d);
	return n;
}

static void test_seccomp_cache_prune(void **state)
{
	(void)state;
	struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sec_bpf bpf = { .prog = &allow, .n_insns = 1 }, out;
	const int total = SECCOMP_CACHE_MAX + 6;
	char text[64], p[4352];
	struct sec_seccomp_cache *c;
	int fd;

	strcpy(cache_dir, "/tmp/brig-unit-cache.XXXXXX");
	assert_non_null(mkdtemp(cache_dir));
	c = sec_seccomp_cache_open(cache_dir);
	/* the first 6 are made two minutes old (mtimes are as coarse as a
	 * clock tick: files written in a row can share one) */
	struct timespec old[2] = { { .tv_sec = time(NULL) - 120 }, { .tv_sec = time(NULL) - 120 } };
	for (int i = 0; i < total; i++) {
		snprintf(text, sizeof text, "profile %d", i);
		seccomp_cache_write(c, text, &bpf);
		if (i == total - SECCOMP_CACHE_MAX - 1) {
			DIR *d = opendir(cache_dir);
			struct dirent *e;

			assert_non_null(d);
			while ((e = readdir(d)) != NULL)
				if (e->d_name[0] != '.') {
					snprintf(p, sizeof p, "%s/%s", cache_dir, e->d_name);
					assert_int_equal(utimensat(AT_FDCWD, p, old, 0), 0);
				}
			closedir(d);
		}
	}
	assert_int_equal(count_suffix(cache_dir, ".bpf"), SECCOMP_CACHE_MAX);
	for (int i = 0; i < total; i++) {
		snprintf(text, sizeof text, "profile %d", i);
		int r = seccomp_cache_read(c, text, &out);
		assert_int_equal(r, i < total - SECCOMP_CACHE_MAX ? -1 : 0);
		if (r == 0)
			free(out.prog);
	}
	/* temp files: a stale one goes, a fresh one stays */
	snprintf(p, sizeof p, "%s/0000000000000000.bpf.00.tmp", cache_dir);
	assert_true((fd = open(p, O_CREAT | O_WRONLY, 0600)) >= 0);
	close(fd);
	assert_int_equal(utimensat(AT_FDCWD, p, old, 0), 0);
	snprintf(p, sizeof p, "%s/0000000000000000.bpf.01.tmp", cache_dir);
	assert_true((fd = open(p, O_CREAT | O_WRONLY, 0600)) >= 0);
	close(fd);
	seccomp_cache_prune(c);
	assert_int_equal(count_suffix(cache_dir, ".tmp"), 1);
	assert_int_equal(access(p, F_OK), 0);
	assert_int_equal(count_suffix(cache_dir, ".bpf"), SECCOMP_CACHE_MAX);
	sec_seccomp_cache_free(c);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", cache_dir);
	assert_int_equal(system(cmd), 0);
}

/* SipHash-2-4-128 against the reference implementation's vectors: key
 * 00..0f, message 00..(n-1). */
static void test_siphash_vectors(void **state)
{
	(void)state;
	static const struct {
		size_t len;
		uint8_t tag[16];
	} v[] = {
		{ 0, { 0xa3, 0x81, 0x7f, 0x04, 0xba, 0x25, 0xa8, 0xe6,
		       0x6d, 0xf6, 0x72, 0x14, 0xc7, 0x55, 0x02, 0x93 } },
		{ 15, { 0x54, 0x93, 0xe9, 0x99, 0x33, 0xb0, 0xa8, 0x11,
			0x7e, 0x08, 0xec, 0x0f, 0x97, 0xcf, 0xc3, 0xd9 } },
		{ 63, { 0x51, 0x50, 0xd1, 0x77, 0x2f, 0x50, 0x83, 0x4a,
			0x50, 0x3e, 0x06, 0x9a, 0x97, 0x3f, 0xbd, 0x7c } },
	};
	uint8_t key[16], msg[64], tag[16];

	for (int i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (int i = 0; i < 64; i++)
		msg[i] = (uint8_t)i;
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		siphash_128(key, msg, v[i].len, tag);
		assert_memory_equal(tag, v[i].tag, 16);
	}
}

static bool report_has(struct sec_seccomp_cache *c, bool hit, const char *what)
{
	char *line = seccomp_cache_report(c, hit);
	bool r = strstr(line, what) != NULL;

	if (!r)
		print_message("report: %s\n", line);
	free(line);
	return r;
}

/* What the cache trusts: a directory of ours that nobody else can write
 * (else nothing is read or written), entries that pass their seal and
 * hold a well-formed program; a key that is not private is replaced. */
static void test_seccomp_cache_trust(void **state)
{
	(void)state;
	struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_filter jump = BPF_JUMP(BPF_JMP | BPF_JA, 0, 0, 0);
	struct sec_bpf bpf = { .prog = &allow, .n_insns = 1 }, out;
	struct sec_seccomp_cache *c;
	char p[4352];
	int fd;

	strcpy(cache_dir, "/tmp/brig-unit-cache.XXXXXX");
	assert_non_null(mkdtemp(cache_dir));
	c = sec_seccomp_cache_open(cache_dir);
	seccomp_cache_write(c, "t", &bpf);
	assert_int_equal(seccomp_cache_read(c, "t", &out), 0);
	free(out.prog);
	assert_true(report_has(c, false, "compiled and cached"));
	sec_seccomp_cache_free(c);
	snprintf(p, sizeof p, "%s/key", cache_dir);
	struct stat st;
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);

	/* a directory others can write, or another user's: off */
	assert_int_equal(chmod(cache_dir, 0770), 0);
	c = sec_seccomp_cache_open(cache_dir);
	assert_int_equal(seccomp_cache_read(c, "t", &out), -1);
	seccomp_cache_write(c, "u", &bpf);
	assert_true(report_has(c, false, "not cached: "));
	assert_true(report_has(c, false, "not used: writable by group or others (mode 0770)"));
	sec_seccomp_cache_free(c);
	assert_int_equal(chmod(cache_dir, 0700), 0);
	assert_int_equal(chown(cache_dir, 4242, 4242), 0);
	c = sec_seccomp_cache_open(cache_dir);
	assert_int_equal(seccomp_cache_read(c, "t", &out), -1);
	assert_true(report_has(c, false, "not used: owned by uid 4242, not 0"));
	sec_seccomp_cache_free(c);
	assert_int_equal(chown(cache_dir, 0, 0), 0);
	assert_int_equal(count_suffix(cache_dir, ".bpf"), 1); /* "u" never written */

	/* one bit of the program flipped: the seal fails */
	c = sec_seccomp_cache_open(cache_dir);
	DIR *d = opendir(cache_dir);
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (strstr(e->d_name, ".bpf"))
			snprintf(p, sizeof p, "%s/%s", cache_dir, e->d_name);
	closedir(d);
	assert_true((fd = open(p, O_RDWR)) >= 0);
	uint8_t b;
	off_t at = 24 + 1 + 6; /* header, text "t", the program's k */
	assert_int_equal(pread(fd, &b, 1, at), 1);
	b ^= 0x01;
	assert_int_equal(pwrite(fd, &b, 1, at), 1);
	close(fd);
	assert_int_equal(seccomp_cache_read(c, "t", &out), -1);
	assert_true(report_has(c, false, "not used: fails its integrity check"));
	/* sealed, but not a filter seccomp(2) would run: recompiled */
	bpf = (struct sec_bpf){ .prog = &jump, .n_insns = 1 };
	seccomp_cache_write(c, "t", &bpf);
	assert_int_equal(seccomp_cache_read(c, "t", &out), -1);
	assert_true(report_has(c, false, "not used: not a well-formed filter"));
	bpf = (struct sec_bpf){ .prog = &allow, .n_insns = 1, .kernel_flags = 1u << 12 };
	seccomp_cache_write(c, "t", &bpf);
	assert_int_equal(seccomp_cache_read(c, "t", &out), -1);
	/* a listener the profile does not hand over */
	bpf.kernel_flags = SECCOMP_FILTER_FLAG_NEW_LISTENER;
	seccomp_cache_write(c, "t", &bpf);
	assert_int_equal(seccomp_cache_read(c, "t", &out), -1);
	bpf.kernel_flags = 0;
	seccomp_cache_write(c, "t", &bpf);
	assert_int_equal(seccomp_cache_read(c, "t", &out), 0);
	free(out.prog);
	sec_seccomp_cache_free(c);

	/* a key others can read is replaced: what it sealed is not used */
	snprintf(p, sizeof p, "%s/key", cache_dir);
	assert_int_equal(chmod(p, 0644), 0);
	c = sec_seccomp_cache_open(cache_dir);
	assert_int_equal(seccomp_cache_read(c, "t", &out), -1);
	assert_true(report_has(c, false, "fails its integrity check"));
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	sec_seccomp_cache_free(c);

	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", cache_dir);
	assert_int_equal(system(cmd), 0);
}

static int after_uname_survives(int nfd)
{
	struct utsname u;
	(void)nfd;
	syscall(SYS_uname, &u);
	return 0;
}

static void test_seccomp_load_kill(void **state)
{
	(void)state;
	static const char *acts[] = { "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
				      "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP" };
	for (size_t i = 0; i < ARRAY_SIZE(acts); i++) {
		struct spec_seccomp_syscall sc = { .names = STRV("uname"), .action = (char *)acts[i] };
		struct spec_seccomp s = { .default_action = "SCMP_ACT_ALLOW",
					  .syscalls = &sc, .n_syscalls = 1 };
		int st = run_filter(&s, after_uname_survives);
		if (!WIFSIGNALED(st))
			fail_msg("%s: child not killed (status 0x%x)", acts[i], st);
		assert_int_equal(WTERMSIG(st), SIGSYS);
	}
}

static volatile sig_atomic_t trapped_nr = -1;

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	trapped_nr = si->si_syscall;
}

static int after_trap(int nfd)
{
	struct utsname u;
	(void)nfd;
	struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };
	CHECK(1, sigaction(SIGSYS, &sa, NULL) == 0);
	syscall(SYS_uname, &u);
	CHECK(2, trapped_nr == SYS_uname);
	return 0;
}

static void test_seccomp_load_trap(void **state)
{
	(void)state;
	struct spec_seccomp_syscall sc = { .names = STRV("uname"), .action = "SCMP_ACT_TRAP" };
	struct spec_seccomp s = { .default_action = "SCMP_ACT_ALLOW",
				  .syscalls = &sc, .n_syscalls = 1 };
	assert_child_ok(run_filter(&s, after_trap));
}

static int after_args(int nfd)
{
	(void)nfd;
	/* rule 0: dup(fd) with fd == 1000 */
	errno = 0;
	CHECK(1, syscall(SYS_dup, 1000) == -1 && errno == 43);
	CHECK(2, syscall(SYS_dup, 1001) == -1 && errno == EBADF);
	/* rule 1: fchdir, (fd & 0xff00) == 0x300 */
	CHECK(3, syscall(SYS_fchdir, 0x3ff) == -1 && errno == 44);
	CHECK(4, syscall(SYS_fchdir, 0x3aa) == -1 && errno == 44);
	CHECK(5, syscall(SYS_fchdir, 0x4ff) == -1 && errno == EBADF);
	/* rule 2: same index twice = OR */
	CHECK(6, syscall(SYS_fcntl, 1100, F_GETFD) == -1 && errno == 45);
	CHECK(7, syscall(SYS_fcntl, 1101, F_GETFD) == -1 && errno == 45);
	CHECK(8, syscall(SYS_fcntl, 1102, F_GETFD) == -1 && errno == EBADF);
	/* rule 3: different indexes = AND */
	CHECK(9, syscall(SYS_dup3, 1200, 1201, 0) == -1 && errno == 46);
	CHECK(10, syscall(SYS_dup3, 1200, 1202, 0) == -1 && errno == EBADF);
	CHECK(11, syscall(SYS_dup3, 1199, 1201, 0) == -1 && errno == EBADF);
	/* rule 4: GT on a 64-bit value */
	CHECK(12, syscall(SYS_fsync, 5000) == -1 && errno == 47);
	CHECK(13, syscall(SYS_fsync, 4000) == -1 && errno == EBADF);
	return 0;
}

static void test_seccomp_load_args(void **state)
{
	(void)state;
	struct spec_seccomp_syscall sc[] = {
		{ .names = STRV("dup"), .action = "SCMP_ACT_ERRNO", .errno_ret = ERRNO_RET(43),
		  ARGS({ .index = 0, .value = 1000, .op = "SCMP_CMP_EQ" }) },
		{ .names = STRV("fchdir"), .action = "SCMP_ACT_ERRNO", .errno_ret = ERRNO_RET(44),
		  ARGS({ .index = 0, .value = 0xff00, .value_two = 0x300, .op = "SCMP_CMP_MASKED_EQ" }) },
		{ .names = STRV("fcntl"), .action = "SCMP_ACT_ERRNO", .errno_ret = ERRNO_RET(45),
		  ARGS({ .index = 0, .value = 1100, .op = "SCMP_CMP_EQ" },
		       { .index = 0, .value = 1101, .op = "SCMP_CMP_EQ" }) },
		{ .names = STRV("dup3"), .action = "SCMP_ACT_ERRNO", .errno_ret = ERRNO_RET(46),
		  ARGS({ .index = 0, .value = 1200, .op = "SCMP_CMP_EQ" },
		       { .index = 1, .value = 1201, .op = "SCMP_CMP_EQ" }) },
		{ .names = STRV("fsync"), .action = "SCMP_ACT_ERRNO", .errno_ret = ERRNO_RET(47),
		  ARGS({ .index = 0, .value = 4096, .op = "SCMP_CMP_GT" }) },
	};
	struct spec_seccomp s = { .default_action = "SCMP_ACT_ALLOW",
				  .syscalls = sc, .n_syscalls = ARRAY_SIZE(sc) };
	assert_child_ok(run_filter(&s, after_args));
}

static int after_allowed(int nfd)
{
	struct utsname u;
	CHECK(1, nfd == -1);
	CHECK(2, syscall(SYS_uname, &u) == 0);
	return 0;
}

static void test_seccomp_load_log(void **state)
{
	(void)state;
	struct spec_seccomp_syscall sc = { .names = STRV("uname"), .action = "SCMP_ACT_LOG" };
	struct spec_seccomp s = { .default_action = "SCMP_ACT_ALLOW",
				  .flags = STRV("SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
						"SECCOMP_FILTER_FLAG_TSYNC",
						"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"),
				  .syscalls = &sc, .n_syscalls = 1 };
	assert_child_ok(run_filter(&s, after_allowed));
}

static int after_trace(int nfd)
{
	struct utsname u;
	(void)nfd;
	/* no tracer attached: the kernel fails the call with ENOSYS */
	errno = 0;
	CHECK(1, syscall(SYS_uname, &u) == -1 && errno == ENOSYS);
	return 0;
}

static void test_seccomp_load_trace(void **state)
{
	(void)state;
	struct spec_seccomp_syscall sc = { .names = STRV("uname"), .action = "SCMP_ACT_TRACE",
					   .errno_ret = ERRNO_RET(9) };
	struct spec_seccomp s = { .default_action = "SCMP_ACT_ALLOW",
				  .syscalls = &sc, .n_syscalls = 1 };
	assert_child_ok(run_filter(&s, after_trace));
}

static int after_default_errno(int nfd)
{
	struct utsname u;
	(void)nfd;
	errno = 0;
	CHECK(1, syscall(SYS_uname, &u) == -1 && errno == 44);
	CHECK(2, syscall(SYS_getppid) == -1 && errno == 44);
	CHECK(3, syscall(SYS_getpid) > 0);
	return 0;
}

static void test_seccomp_load_default_errno(void **state)
{
	(void)state;
	struct spec_seccomp_syscall sc[] = {
		/* what the child and, in sanitizer builds, ASan need */
		{ .names = STRV("exit_group", "exit", "write", "rt_sigreturn", "getpid",
				"gettid", "sigaltstack", "mmap", "munmap", "mprotect",
				"madvise", "brk", "rt_sigaction", "rt_sigprocmask", "futex",
				"sched_yield", "prctl", "close", "no_such_syscall"),
		  .action = "SCMP_ACT_ALLOW" },
		/* same action as the default: skipped */
		{ .names = STRV("uname"), .action = "SCMP_ACT_ERRNO", .errno_ret = ERRNO_RET(44) },
	};
	struct spec_seccomp s = { .default_action = "SCMP_ACT_ERRNO",
				  .default_errno_ret = ERRNO_RET(44),
				  .syscalls = sc, .n_syscalls = ARRAY_SIZE(sc) };
	assert_child_ok(run_filter(&s, after_default_errno));
}

/* NOTIFY: the listener fd comes back; a grandchild's uname() is answered
 * by this child acting as the supervisor. */
static int after_notify(int nfd)
{
	struct seccomp_notif *req = NULL;
	struct seccomp_notif_resp *resp = NULL;

	CHECK(1, nfd >= 0);
	CHECK(2, fcntl(nfd, F_GETFD) >= 0);
	pid_t pid = fork();
	CHECK(3, pid >= 0);
	if (pid == 0) {
		struct utsname u;
		errno = 0;
		long r = syscall(SYS_uname, &u);
		_exit(r == -1 && errno == 77 ? 0 : 1);
	}
	CHECK(4, seccomp_notify_alloc(&req, &resp) == 0);
	CHECK(5, seccomp_notify_receive(nfd, req) == 0);
	CHECK(6, req->data.nr == SYS_uname && req->pid == (uint32_t)pid);
	resp->id = req->id;
	resp->error = -77;
	resp->val = 0;
	resp->flags = 0;
	CHECK(7, seccomp_notify_respond(nfd, resp) == 0);
	int st;
	CHECK(8, waitpid(pid, &st, 0) == pid);
	CHECK(9, WIFEXITED(st) && WEXITSTATUS(st) == 0);
	seccomp_notify_free(req, resp);
	return 0;
}

static void test_seccomp_load_notify(void **state)
{
	(void)state;
	struct spec_seccomp_syscall sc = { .names = STRV("uname"), .action = "SCMP_ACT_NOTIFY" };
	struct spec_seccomp s = { .default_action = "SCMP_ACT_ALLOW",
				  .syscalls = &sc, .n_syscalls = 1 };
	assert_child_ok(run_filter(&s, after_notify));
}

static void test_seccomp_load_null(void **state)
{
	(void)state;
	brig_error_t *err = NULL;
	int fd = 5;
	assert_int_equal(sec_seccomp_load(NULL, &fd, &err), -1);
	assert_int_equal(fd, -1);
	brig_err_free(&err);
	sec_seccomp_free(NULL);
}

/* ---- AppArmor ---------------------------------------------------------------------- */

static void test_apparmor(void **state)
{
	(void)state;
	brig_error_t *err = NULL;
	assert_int_equal(sec_apparmor_apply(NULL, &err), 0);
	assert_int_equal(sec_apparmor_apply("", &err), 0);
	assert_null(err);
	if (sec_apparmor_enabled()) {
		skip();
		return;
	}
	assert_int_equal(sec_apparmor_apply("x", &err), -1);
	assert_non_null(err);
	assert_non_null(strstr(err->msg,
		"process.apparmorProfile: AppArmor is not enabled on this host"));
	assert_non_null(strstr(err->msg, "cannot apply profile \"x\""));
	brig_err_free(&err);
}

int main(void)
{
	if (geteuid() != 0) {
		fprintf(stderr, "test_security: needs root, skipped\n");
		return 77;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_caps_validate_good, reset_warnings),
		cmocka_unit_test_setup(test_caps_validate_malformed, reset_warnings),
		cmocka_unit_test_setup(test_caps_validate_unknown, reset_warnings),
		cmocka_unit_test_setup(test_caps_validate_inconsistent, reset_warnings),
		cmocka_unit_test(test_caps_root),
		cmocka_unit_test(test_caps_user_ambient_exec),
		cmocka_unit_test(test_caps_not_granted_skipped),
		cmocka_unit_test(test_caps_null),
		cmocka_unit_test(test_no_new_privs),
		cmocka_unit_test(test_seccomp_actions),
		cmocka_unit_test(test_seccomp_ops),
		cmocka_unit_test(test_seccomp_errors),
		cmocka_unit_test(test_seccomp_load_errno),
		cmocka_unit_test(test_seccomp_cache),
		cmocka_unit_test(test_seccomp_cache_json),
		cmocka_unit_test(test_seccomp_cache_prune),
		cmocka_unit_test(test_siphash_vectors),
		cmocka_unit_test(test_seccomp_cache_trust),
		cmocka_unit_test(test_seccomp_load_kill),
		cmocka_unit_test(test_seccomp_load_trap),
		cmocka_unit_test(test_seccomp_load_args),
		cmocka_unit_test(test_seccomp_load_log),
		cmocka_unit_test(test_seccomp_load_trace),
		cmocka_unit_test(test_seccomp_load_default_errno),
		cmocka_unit_test(test_seccomp_load_notify),
		cmocka_unit_test(test_seccomp_load_null),
		cmocka_unit_test(test_apparmor),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
