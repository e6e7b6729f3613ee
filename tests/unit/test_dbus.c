/* brig — unit tests for the D-Bus client (cgroups/cg_dbus*.c).
 *
 * The client talks to a fake peer on a socketpair: a forked process that
 * checks the bytes brig sends (the SASL exchange, header fields, bodies)
 * and answers with crafted messages, good and bad.  The peer exits 0 when
 * all it saw was right; peer_done() asserts so.  Bad answers (cut short,
 * oversized, garbage, none at all) must each give an error: never a crash
 * (the ASan build runs these too), a hang or a read out of bounds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroups/cg_dbus.h"
#include "cgroups/cg_dbus_wire.h"

#define MANAGER "org.freedesktop.systemd1.Manager"
#define JOB "/org/freedesktop/systemd1/job/42"

/* ---- the fake peer --------------------------------------------------------- */

#define PEER_CHECK(c)                                                          \
	do {                                                                   \
		if (!(c)) {                                                    \
			fprintf(stderr, "peer: line %d: %s\n", __LINE__, #c);  \
			_exit(1);                                              \
		}                                                              \
	} while (0)

typedef void peer_fn(int fd);

struct peer {
	pid_t pid;
	int fd; /* the client's end */
};

static struct peer peer_start(peer_fn *fn)
{
	int sv[2];
	struct peer p;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	p.pid = fork();
	assert_true(p.pid >= 0);
	if (p.pid == 0) {
		struct timeval tv = { 5, 0 }; /* a peer never waits forever either */

		close(sv[0]);
		setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		fn(sv[1]);
		_exit(0);
	}
	close(sv[1]);
	p.fd = sv[0];
	return p;
}

/* The peer's verdict (and the end of it: it may be waiting for us). */
static void peer_done(struct peer p)
{
	int st;

	assert_int_equal(waitpid(p.pid, &st, 0), p.pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void peer_read(int fd, void *buf, size_t n)
{
	uint8_t *c = buf;

	while (n > 0) {
		ssize_t r = read(fd, c, n);

		PEER_CHECK(r > 0);
		c += r;
		n -= (size_t)r;
	}
}

static void peer_write(int fd, const void *buf, size_t n)
{
	PEER_CHECK(write(fd, buf, n) == (ssize_t)n);
}

/* The whole SASL exchange, byte for byte. */
static void peer_auth(int fd)
{
	char want[64], uid[16], got[64] = { 0 };
	size_t n = 0;

	snprintf(uid, sizeof(uid), "%u", (unsigned)geteuid());
	n = (size_t)snprintf(want, sizeof(want), "%cAUTH EXTERNAL ", '\0');
	for (size_t i = 0; uid[i]; i++)
		n += (size_t)snprintf(want + n, 3, "%02x", (unsigned char)uid[i]);
	n += (size_t)snprintf(want + n, sizeof(want) - n, "\r\n");
	peer_read(fd, got, n);
	PEER_CHECK(memcmp(got, want, n) == 0);
	peer_write(fd, "OK 1234deadbeef\r\n", 17);
	peer_read(fd, got, 7);
	PEER_CHECK(memcmp(got, "BEGIN\r\n", 7) == 0);
}

/* One message from the client: its bytes in *raw (static), parsed in *m. */
static void peer_msg(int fd, struct sdb_msg *m)
{
	static uint8_t raw[65536];
	size_t total;

	peer_read(fd, raw, 16);
	PEER_CHECK(sdb_msg_size(raw, &total, NULL) == 0 && total <= sizeof(raw));
	peer_read(fd, raw + 16, total - 16);
	PEER_CHECK(sdb_msg_parse(raw, total, m, NULL) == 0);
	PEER_CHECK(m->h.type == SDB_METHOD_CALL);
}

static void peer_send(int fd, const struct sdb_hdr *h, const struct sdb_buf *body)
{
	struct sdb_buf out = { 0 };

	sdb_msg_build(&out, h, body);
	peer_write(fd, out.p, out.len);
	sdb_buf_free(&out);
}

static uint32_t peer_serial = 1000;

/* A method return to m of signature sig, body one string (or none). */
static void peer_return(int fd, const struct sdb_msg *m, const char *sig, const char *s)
{
	struct sdb_hdr h = { .type = SDB_METHOD_RETURN, .serial = ++peer_serial,
			     .reply_serial = m->h.serial, .sig = sig,
			     .sender = ":1.1" };
	struct sdb_buf body = { 0 };

	if (sig[0] == 'v') {
		sdb_put_sig(&body, "s");
		sdb_put_str(&body, s);
	} else if (sig[0]) {
		sdb_put_str(&body, s);
	}
	peer_send(fd, &h, &body);
	sdb_buf_free(&body);
}

static void peer_error(int fd, const struct sdb_msg *m, const char *name, const char *text)
{
	struct sdb_hdr h = { .type = SDB_ERROR, .serial = ++peer_serial,
			     .reply_serial = m->h.serial, .error_name = name,
			     .sig = "s" };
	struct sdb_buf body = { 0 };

	sdb_put_str(&body, text);
	peer_send(fd, &h, &body);
	sdb_buf_free(&body);
}

static void peer_job_removed_from(int fd, const char *sender, const char *job,
				  const char *result)
{
	struct sdb_hdr h = { .type = SDB_SIGNAL, .serial = ++peer_serial,
			     .sender = sender,
			     .path = "/org/freedesktop/systemd1", .iface = MANAGER,
			     .member = "JobRemoved", .sig = "uoss" };
	struct sdb_buf body = { 0 };

	sdb_put_u32(&body, 42);
	sdb_put_str(&body, job);
	sdb_put_str(&body, "x.scope");
	sdb_put_str(&body, result);
	peer_send(fd, &h, &body);
	sdb_buf_free(&body);
}

static void peer_job_removed(int fd, const char *job, const char *result)
{
	peer_job_removed_from(fd, NULL, job, result);
}

/* Reads until the client hangs up (so it is not killed by a closed socket
 * while still writing). */
static void peer_drain(int fd)
{
	char c[256];

	while (read(fd, c, sizeof(c)) > 0)
		;
}

static bool is(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* A call to systemd's manager, member and signature as given. */
static void peer_expect_manager(const struct sdb_msg *m, const char *member, const char *sig)
{
	PEER_CHECK(is(m->h.dest, "org.freedesktop.systemd1"));
	PEER_CHECK(is(m->h.path, "/org/freedesktop/systemd1"));
	PEER_CHECK(is(m->h.iface, MANAGER));
	PEER_CHECK(is(m->h.member, member));
	PEER_CHECK(is(m->h.sig, sig));
}

static struct sdb *client(struct peer p, bool auth, bool bus)
{
	brig_error_t *err = NULL;
	struct sdb *b = sdb_from_fd(p.fd, auth, bus, &err);

	if (!b)
		fail_msg("sdb_from_fd: %s", err->msg);
	sdb_set_timeout(b, 3000);
	return b;
}

/* ---- connecting -------------------------------------------------------------- */

static void peer_hello(int fd)
{
	struct sdb_msg m;
	struct sdb_rd r;
	const char *s;

	peer_auth(fd);
	peer_msg(fd, &m);
	PEER_CHECK(is(m.h.dest, "org.freedesktop.DBus") && is(m.h.member, "Hello"));
	PEER_CHECK(is(m.h.path, "/org/freedesktop/DBus") && m.h.sig[0] == '\0');
	peer_return(fd, &m, "s", ":1.7");
	peer_msg(fd, &m);
	PEER_CHECK(is(m.h.member, "AddMatch") && is(m.h.sig, "s"));
	r = m.body;
	PEER_CHECK(sdb_rd_str(&r, &s) == 0);
	PEER_CHECK(strstr(s, "type='signal'") && strstr(s, "member='JobRemoved'") &&
		   strstr(s, "interface='" MANAGER "'"));
	peer_return(fd, &m, "", NULL);
	peer_msg(fd, &m);
	peer_expect_manager(&m, "Subscribe", "");
	peer_return(fd, &m, "", NULL);
	/* a JobRemoved from someone else on the bus, then systemd's */
	peer_msg(fd, &m);
	peer_expect_manager(&m, "StopUnit", "ss");
	peer_job_removed_from(fd, ":1.66", JOB, "done");
	peer_job_removed(fd, JOB, "done"); /* no sender at all */
	peer_return(fd, &m, "o", JOB);
	peer_job_removed_from(fd, ":1.1", JOB, "failed");
	peer_drain(fd);
}

static void test_auth_hello_subscribe(void **state)
{
	struct peer p = peer_start(peer_hello);
	struct sdb *b = client(p, true, true);
	brig_error_t *err = NULL;
	char *job = NULL, *result = NULL;

	(void)state;
	assert_int_equal(sdb_stop_unit(b, "x.scope", &job, &err), 0);
	assert_int_equal(sdb_wait_job(b, job, 2000, &result, &err), 0);
	assert_string_equal(result, "failed"); /* systemd's, not the others' */
	free(job);
	free(result);
	sdb_close(b);
	peer_done(p);
}

static void peer_reject(int fd)
{
	char c[64];

	PEER_CHECK(read(fd, c, sizeof(c)) > 0);
	peer_write(fd, "REJECTED EXTERNAL\r\n", 19);
	peer_drain(fd);
}

static void test_auth_rejected(void **state)
{
	struct peer p = peer_start(peer_reject);
	brig_error_t *err = NULL;

	(void)state;
	assert_null(sdb_from_fd(p.fd, true, false, &err));
	assert_non_null(strstr(err->msg, "authentication refused"));
	brig_err_free(&err);
	peer_done(p);
}

/* An early connection (sdb_open_early): sdb_from_fd_early returns before
 * the OK, and the first call goes out only once the OK is read (systemd
 * 252 would not look at a call that came in the same read as BEGIN). */
static void peer_slow_ok(int fd)
{
	char want[64], uid[16], got[64] = { 0 };
	struct sdb_msg m;
	size_t n;

	snprintf(uid, sizeof(uid), "%u", (unsigned)geteuid());
	n = (size_t)snprintf(want, sizeof(want), "%cAUTH EXTERNAL ", '\0');
	for (size_t i = 0; uid[i]; i++)
		n += (size_t)snprintf(want + n, 3, "%02x", (unsigned char)uid[i]);
	n += (size_t)snprintf(want + n, sizeof(want) - n, "\r\nBEGIN\r\n");
	peer_read(fd, got, n);
	PEER_CHECK(memcmp(got, want, n) == 0);
	/* the client, told to call, must still be waiting for us */
	usleep(200 * 1000);
	PEER_CHECK(recv(fd, got, 1, MSG_DONTWAIT) < 0 && errno == EAGAIN);
	peer_write(fd, "OK 1234deadbeef\r\n", 17);
	peer_msg(fd, &m);
	peer_expect_manager(&m, "StopUnit", "ss");
	peer_return(fd, &m, "o", JOB);
	peer_drain(fd);
}

static void test_early_waits_for_ok(void **state)
{
	struct peer p = peer_start(peer_slow_ok);
	brig_error_t *err = NULL;
	struct sdb *b = sdb_from_fd_early(p.fd, false, &err);
	char *job = NULL;

	(void)state;
	assert_non_null(b);
	sdb_set_timeout(b, 3000);
	assert_int_equal(sdb_stop_unit(b, "x.scope", &job, &err), 0);
	assert_string_equal(job, JOB);
	free(job);
	sdb_close(b);
	peer_done(p);
}

/* Refused: the first call fails with the refusal, and the connection is
 * not used again. */
static void test_early_rejected(void **state)
{
	struct peer p = peer_start(peer_reject);
	brig_error_t *err = NULL;
	struct sdb *b = sdb_from_fd_early(p.fd, false, &err);
	char *job = NULL;

	(void)state;
	assert_non_null(b);
	assert_int_equal(sdb_stop_unit(b, "x.scope", &job, &err), -1);
	assert_non_null(strstr(err->msg, "authentication refused"));
	assert_null(job);
	brig_err_free(&err);
	assert_int_equal(sdb_stop_unit(b, "x.scope", &job, &err), -1);
	assert_non_null(strstr(err->msg, "broken"));
	brig_err_free(&err);
	sdb_close(b);
	peer_done(p);
}

/* ---- marshalling ----------------------------------------------------------- */

/* StartTransientUnit("u.scope", "fail", [A: y 7, B: t 1, C: s "x"], []),
 * worked out by hand from the specification: each (sv) struct starts
 * 8-aligned whatever the size of the variant before it. */
static const uint8_t small_start_body[] = {
	7, 0, 0, 0, 'u', '.', 's', 'c', 'o', 'p', 'e', 0,   /* 0: s */
	4, 0, 0, 0, 'f', 'a', 'i', 'l', 0, 0, 0, 0,         /* 12: s, pad */
	58, 0, 0, 0, 0, 0, 0, 0,                            /* 24: len, pad to 8 */
	1, 0, 0, 0, 'A', 0, 1, 'y', 0, 7, 0, 0, 0, 0, 0, 0, /* 32: A y 7, pad */
	1, 0, 0, 0, 'B', 0, 1, 't', 0, 0, 0, 0, 0, 0, 0, 0, /* 48: B t, pad */
	1, 0, 0, 0, 0, 0, 0, 0,                             /* 64: 1 */
	1, 0, 0, 0, 'C', 0, 1, 's', 0, 0, 0, 0,             /* 72: C s, pad */
	1, 0, 0, 0, 'x', 0, 0, 0,                           /* 84: "x", pad */
	0, 0, 0, 0,                                         /* 92: aux: empty */
};

static void peer_small_start(int fd)
{
	struct sdb_msg m;

	peer_msg(fd, &m);
	peer_expect_manager(&m, "StartTransientUnit", "ssa(sv)a(sa(sv))");
	PEER_CHECK(m.body.len == sizeof(small_start_body));
	PEER_CHECK(memcmp(m.body.p, small_start_body, m.body.len) == 0);
	peer_return(fd, &m, "o", JOB);
	peer_drain(fd);
}

static void test_start_bytes(void **state)
{
	struct peer p = peer_start(peer_small_start);
	struct sdb *b = client(p, false, false);
	struct sdb_props props = { 0 };
	brig_error_t *err = NULL;
	char *job = NULL;

	(void)state;
	sdb_props_add(&props, "A", SDB_T_BYTE)->u = 7;
	sdb_props_u64(&props, "B", 1);
	sdb_props_str(&props, "C", "x");
	assert_int_equal(sdb_start_transient_unit(b, "u.scope", &props, &job, &err), 0);
	assert_string_equal(job, JOB);
	free(job);
	sdb_props_free(&props);
	sdb_close(b);
	peer_done(p);
}

/* Every sdb_type: the peer walks the body value by value. */
static void peer_every_type(int fd)
{
	static const char *const want[][2] = {
		{ "s", "s" }, { "b", "b" }, { "y", "y" }, { "n", "n" }, { "q", "q" },
		{ "i", "i" }, { "u", "u" }, { "x", "x" }, { "t", "t" }, { "d", "d" },
		{ "ay", "ay" }, { "au", "au" }, { "as", "as" }, { "pairs", "a(ss)" },
	};
	struct sdb_msg m;
	struct sdb_rd r;
	const char *s, *sig = "ssa(sv)a(sa(sv))";
	uint32_t len, v;
	size_t end;

	peer_msg(fd, &m);
	r = m.body;
	PEER_CHECK(sdb_rd_skip(&r, &sig, 0) == 0 && sdb_rd_skip(&r, &sig, 0) == 0);
	PEER_CHECK(sdb_rd_u32(&r, &len) == 0 && sdb_rd_align(&r, 8) == 0);
	end = r.pos + len;
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		const char *vs;

		PEER_CHECK(sdb_rd_align(&r, 8) == 0 && r.pos % 8 == 0);
		PEER_CHECK(sdb_rd_str(&r, &s) == 0 && is(s, want[i][0]));
		PEER_CHECK(sdb_rd_sig(&r, &vs) == 0 && is(vs, want[i][1]));
		switch (vs[0]) {
		case 's':
			PEER_CHECK(sdb_rd_str(&r, &s) == 0 && is(s, "str"));
			break;
		case 'b':
		case 'i':
		case 'u':
			PEER_CHECK(sdb_rd_u32(&r, &v) == 0);
			PEER_CHECK(v == (vs[0] == 'b' ? 1 : vs[0] == 'i' ? (uint32_t)-5 : 7));
			break;
		case 'd': {
			double d;

			PEER_CHECK(sdb_rd_align(&r, 8) == 0);
			memcpy(&d, r.p + r.pos, 8);
			PEER_CHECK(d == 2.5);
			r.pos += 8;
			break;
		}
		case 'a':
			if (is(vs, "as")) {
				PEER_CHECK(sdb_rd_u32(&r, &v) == 0);
				PEER_CHECK(sdb_rd_str(&r, &s) == 0 && is(s, "one"));
				PEER_CHECK(sdb_rd_str(&r, &s) == 0 && is(s, "two"));
				break;
			}
			/* fall through */
		default:
			PEER_CHECK(sdb_rd_skip(&r, &vs, 0) == 0 && *vs == '\0');
		}
	}
	PEER_CHECK(r.pos == end);
	sig += strlen("a(sv)");
	PEER_CHECK(sdb_rd_skip(&r, &sig, 0) == 0 && *sig == '\0' && r.pos == r.len);
	peer_return(fd, &m, "o", JOB);
	peer_drain(fd);
}

static void test_every_type(void **state)
{
	struct peer p = peer_start(peer_every_type);
	struct sdb *b = client(p, false, false);
	struct sdb_props l = { 0 };
	brig_error_t *err = NULL;
	char *job = NULL, *two[] = { "one", "two" }, *pairs[] = { "a", "b", "c", "d" };
	uint32_t u32s[] = { 1, 2, 3 };
	uint8_t bytes[] = { 1, 2, 3, 4, 5 };

	(void)state;
	sdb_props_str(&l, "s", "str");
	sdb_props_bool(&l, "b", true);
	sdb_props_add(&l, "y", SDB_T_BYTE)->u = 9;
	sdb_props_add(&l, "n", SDB_T_INT16)->i = -2;
	sdb_props_add(&l, "q", SDB_T_UINT16)->u = 3;
	sdb_props_add(&l, "i", SDB_T_INT32)->i = -5;
	sdb_props_add(&l, "u", SDB_T_UINT32)->u = 7;
	sdb_props_add(&l, "x", SDB_T_INT64)->i = -1;
	sdb_props_u64(&l, "t", UINT64_MAX);
	sdb_props_add(&l, "d", SDB_T_DOUBLE)->d = 2.5;
	sdb_props_bytes(&l, "ay", bytes, 5);
	sdb_props_u32s(&l, "au", u32s, 3);
	sdb_props_strs(&l, "as", two, 2);
	sdb_props_pairs(&l, "pairs", pairs, 2);
	sdb_props_str(&l, "s", "str"); /* replaces, keeps its place */
	assert_int_equal(l.n, 14);
	assert_int_equal(sdb_start_transient_unit(b, "u.scope", &l, &job, &err), 0);
	free(job);
	sdb_props_free(&l);
	sdb_close(b);
	peer_done(p);
}

/* ---- replies, errors, JobRemoved ------------------------------------------- */

static void peer_errors(int fd)
{
	struct sdb_msg m;

	peer_msg(fd, &m);
	peer_expect_manager(&m, "StopUnit", "ss");
	peer_error(fd, &m, "org.freedesktop.systemd1.NoSuchUnit", "Unit x.scope not loaded.");
	peer_msg(fd, &m);
	peer_expect_manager(&m, "ResetFailedUnit", "s");
	peer_error(fd, &m, "org.freedesktop.DBus.Error.AccessDenied", "no");
	peer_msg(fd, &m);
	peer_expect_manager(&m, "GetUnit", "s");
	peer_error(fd, &m, "org.freedesktop.DBus.Error.UnknownObject", "gone");
	peer_msg(fd, &m); /* a reply of the wrong type */
	peer_return(fd, &m, "s", "not an object path");
	peer_drain(fd);
}

static void test_errors(void **state)
{
	struct peer p = peer_start(peer_errors);
	struct sdb *b = client(p, false, false);
	brig_error_t *err = NULL;
	char *s = NULL;

	(void)state;
	assert_int_equal(sdb_stop_unit(b, "x.scope", &s, &err), -1);
	assert_true(brig_err_is(err, BRIG_E_NOT_FOUND));
	assert_string_equal(err->msg, "org.freedesktop.systemd1.NoSuchUnit: Unit x.scope not loaded.");
	brig_err_free(&err);
	assert_int_equal(sdb_reset_failed_unit(b, "x.scope", &err), -1);
	assert_false(brig_err_is(err, BRIG_E_NOT_FOUND));
	assert_string_equal(err->msg, "org.freedesktop.DBus.Error.AccessDenied: no");
	brig_err_free(&err);
	assert_int_equal(sdb_get_unit(b, "x.scope", &s, &err), -1);
	assert_true(brig_err_is(err, BRIG_E_NOT_FOUND));
	brig_err_free(&err);
	assert_int_equal(sdb_get_unit(b, "x.scope", &s, &err), -1);
	assert_non_null(strstr(err->msg, "signature 's', not 'o'"));
	brig_err_free(&err);
	sdb_close(b);
	peer_done(p);
}

/* JobRemoved before the reply (systemd may be that quick), other signals in
 * between, then a second job whose JobRemoved comes after, with another
 * job's first. */
static void peer_jobs_then_get(int fd)
{
	struct sdb_msg m;
	struct sdb_hdr other = { .type = SDB_SIGNAL, .serial = 7, .path = "/x",
				 .iface = "org.freedesktop.DBus.Properties",
				 .member = "PropertiesChanged" };

	peer_msg(fd, &m);
	peer_job_removed(fd, JOB, "done");
	peer_send(fd, &other, NULL);
	peer_return(fd, &m, "o", JOB);
	peer_msg(fd, &m);
	peer_return(fd, &m, "o", "/job/43");
	peer_send(fd, &other, NULL);
	peer_job_removed(fd, "/job/99", "done");
	peer_job_removed(fd, "/job/43", "failed");
	peer_msg(fd, &m);
	PEER_CHECK(is(m.h.member, "Get") && is(m.h.iface, "org.freedesktop.DBus.Properties"));
	peer_return(fd, &m, "v", "252");
	peer_drain(fd);
}

static void test_job_removed(void **state)
{
	struct peer p = peer_start(peer_jobs_then_get);
	struct sdb *b = client(p, false, false);
	brig_error_t *err = NULL;
	char *job = NULL, *result = NULL, *v = NULL;

	(void)state;
	assert_int_equal(sdb_start_transient_unit(b, "x.scope", NULL, &job, &err), 0);
	assert_int_equal(sdb_wait_job(b, job, 1000, &result, &err), 0);
	assert_string_equal(result, "done");
	free(job);
	free(result);
	assert_int_equal(sdb_stop_unit(b, "x.scope", &job, &err), 0);
	assert_int_equal(sdb_wait_job(b, job, 1000, &result, &err), 0);
	assert_string_equal(result, "failed");
	free(job);
	free(result);
	assert_int_equal(sdb_get_property_string(b, "/org/freedesktop/systemd1", MANAGER,
						 "Version", &v, &err), 0);
	assert_string_equal(v, "252");
	free(v);
	sdb_close(b);
	peer_done(p);
}

/* ---- a peer that misbehaves ------------------------------------------------ */

static void peer_silent(int fd)
{
	peer_drain(fd);
}

static long long ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_timeout(void **state)
{
	struct peer p = peer_start(peer_silent);
	struct sdb *b = client(p, false, false);
	brig_error_t *err = NULL;
	char *s = NULL;
	long long t0 = ms_now();

	(void)state;
	sdb_set_timeout(b, 200);
	assert_int_equal(sdb_get_unit(b, "x.scope", &s, &err), -1);
	assert_int_equal(err->code, ETIMEDOUT);
	assert_true(ms_now() - t0 < 2000);
	brig_err_free(&err);
	/* the stream is in an unknown state now: no more calls on it */
	assert_int_equal(sdb_get_unit(b, "x.scope", &s, &err), -1);
	assert_non_null(strstr(err->msg, "broken"));
	brig_err_free(&err);
	sdb_close(b);
	peer_done(p);
}

static void test_wait_job_timeout(void **state)
{
	struct peer p = peer_start(peer_silent);
	struct sdb *b = client(p, false, false);
	brig_error_t *err = NULL;
	char *result = (char *)"x";
	long long t0 = ms_now();

	(void)state;
	assert_int_equal(sdb_wait_job(b, JOB, 150, &result, &err), -1);
	assert_null(result);
	assert_true(ms_now() - t0 < 2000);
	brig_err_free(&err);
	sdb_close(b);
	peer_done(p);
}

/* Signals, as fast as it can, and never the reply. */
static void peer_flood(int fd)
{
	struct sdb_hdr h = { .type = SDB_SIGNAL, .path = "/x", .iface = MANAGER,
			     .member = "UnitNew" };
	struct sdb_buf out = { 0 };

	for (uint32_t serial = 1;; serial++) {
		h.serial = serial;
		sdb_msg_build(&out, &h, NULL);
		if (write(fd, out.p, out.len) != (ssize_t)out.len)
			break; /* the client is gone */
	}
	sdb_buf_free(&out);
}

static void test_flood(void **state)
{
	struct peer p = peer_start(peer_flood);
	struct sdb *b = client(p, false, false);
	brig_error_t *err = NULL;
	char *s = NULL, *result = NULL;
	long long t0 = ms_now();

	(void)state;
	sdb_set_timeout(b, 200);
	assert_int_equal(sdb_get_unit(b, "x.scope", &s, &err), -1);
	assert_int_equal(err->code, ETIMEDOUT);
	brig_err_free(&err);
	sdb_close(b);
	assert_true(ms_now() - t0 < 2000);
	peer_done(p);
	/* and sdb_wait_job the same */
	p = peer_start(peer_flood);
	b = client(p, false, false);
	t0 = ms_now();
	assert_int_equal(sdb_wait_job(b, JOB, 200, &result, &err), -1);
	assert_int_equal(err->code, ETIMEDOUT);
	assert_true(ms_now() - t0 < 2000);
	brig_err_free(&err);
	sdb_close(b);
	peer_done(p);
}

/* Each answers the first call with something wrong. */
static void peer_bad(int fd, const void *bytes, size_t n)
{
	struct sdb_msg m;

	peer_msg(fd, &m);
	peer_write(fd, bytes, n);
	shutdown(fd, SHUT_WR);
	peer_drain(fd);
}

#define HDR(type, body_len, serial, fields_len)                               \
	'l', type, 0, 1, (body_len) & 0xff, ((body_len) >> 8) & 0xff,          \
		((body_len) >> 16) & 0xff, ((body_len) >> 24) & 0xff,          \
		serial, 0, 0, 0, fields_len, 0, 0, 0

static const uint8_t bad_truncated[] = { HDR(2, 8, 9, 8), 5, 1, 'u', 0, 1 };
static const uint8_t bad_oversized[] = { HDR(2, 0x7ffffff0, 9, 8), 5, 1, 'u', 0, 1, 0, 0, 0 };
static const uint8_t bad_endian[] = { 'X', 2, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0 };
static const uint8_t bad_version[] = { 'l', 2, 0, 2, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0 };
/* REPLY_SERIAL as a string: a known field of the wrong type */
static const uint8_t bad_field_type[] = { HDR(2, 0, 9, 8), 5, 1, 's', 0, 1, 0, 0, 0 };
/* a signature field whose length runs past the header */
static const uint8_t bad_sig_len[] = { HDR(2, 0, 9, 8), 8, 1, 'g', 0, 200, 'o', 0, 0 };
/* a header array length past the message */
static const uint8_t bad_fields_len[] = { HDR(2, 0, 9, 4), 5, 1, 'u', 0 };
/* a variant that never ends: signature "aaaa..." of an unknown field */
static const uint8_t bad_nesting[] = { HDR(2, 0, 9, 8), 99, 3, 'a', 'a', 'a', 0, 0, 0 };
/* an error without a name */
static const uint8_t bad_error[] = { HDR(3, 0, 9, 8), 5, 1, 'u', 0, 1, 0, 0, 0 };
/* serial 0 */
static const uint8_t bad_serial[] = { HDR(2, 0, 0, 8), 5, 1, 'u', 0, 1, 0, 0, 0 };

static const struct { const uint8_t *p; size_t n; const char *want; } bad[] = {
	{ bad_truncated, sizeof(bad_truncated), "closed" },
	{ bad_oversized, sizeof(bad_oversized), "limit" },
	{ bad_endian, sizeof(bad_endian), "protocol version" },
	{ bad_version, sizeof(bad_version), "protocol version" },
	{ bad_field_type, sizeof(bad_field_type), "header field" },
	{ bad_sig_len, sizeof(bad_sig_len), "header field" },
	{ bad_fields_len, sizeof(bad_fields_len), "closed" },
	{ bad_nesting, sizeof(bad_nesting), "header field" },
	{ bad_error, sizeof(bad_error), "without a name" },
	{ bad_serial, sizeof(bad_serial), "serial 0" },
	{ (const uint8_t *)"garbage!garbage!garbage!", 24, "protocol version" },
};
static size_t bad_i;

static void peer_bad_i(int fd)
{
	peer_bad(fd, bad[bad_i].p, bad[bad_i].n);
}

static void test_bad_replies(void **state)
{
	(void)state;
	for (bad_i = 0; bad_i < ARRAY_SIZE(bad); bad_i++) {
		struct peer p = peer_start(peer_bad_i);
		struct sdb *b = client(p, false, false);
		brig_error_t *err = NULL;
		char *s = NULL;

		assert_int_equal(sdb_get_unit(b, "x.scope", &s, &err), -1);
		if (!strstr(err->msg, bad[bad_i].want))
			fail_msg("case %zu: '%s' lacks '%s'", bad_i, err->msg, bad[bad_i].want);
		brig_err_free(&err);
		sdb_close(b);
		peer_done(p);
	}
}

/* A valid reply with every byte in turn replaced by others: parsing must
 * never read outside it (ASan) or accept a length that is not its own. */
static void test_mutated_replies(void **state)
{
	struct sdb_hdr h = { .type = SDB_SIGNAL, .serial = 3, .path = "/p",
			     .iface = MANAGER, .member = "JobRemoved", .sig = "uoss",
			     .sender = ":1.1", .dest = ":1.2" };
	struct sdb_buf body = { 0 }, msg = { 0 };
	static const uint8_t vals[] = { 0, 1, 7, 8, 0x7f, 0x80, 0xff, '(', 'a', 'v' };

	(void)state;
	sdb_put_u32(&body, 1);
	sdb_put_str(&body, JOB);
	sdb_put_str(&body, "x.scope");
	sdb_put_str(&body, "done");
	sdb_msg_build(&msg, &h, &body);
	for (size_t i = 0; i < msg.len; i++) {
		for (size_t k = 0; k < sizeof(vals); k++) {
			uint8_t *copy = malloc(msg.len);
			struct sdb_msg m;
			brig_error_t *err = NULL;

			memcpy(copy, msg.p, msg.len);
			copy[i] = vals[k];
			if (sdb_msg_parse(copy, msg.len, &m, &err) == 0) {
				const char *sig = m.h.sig;
				struct sdb_rd r = m.body;

				assert_true(m.body.p + m.body.len <= copy + msg.len);
				while (*sig && sdb_rd_skip(&r, &sig, 0) == 0)
					;
			}
			brig_err_free(&err);
			free(copy);
		}
	}
	sdb_buf_free(&body);
	sdb_buf_free(&msg);
}

/* ---- addresses ---------------------------------------------------------------- */

static void test_address_path(void **state)
{
	char *p;

	(void)state;
	p = sdb_address_path("unix:path=/run/dbus/system_bus_socket");
	assert_string_equal(p, "/run/dbus/system_bus_socket");
	free(p);
	p = sdb_address_path("tcp:host=x;unix:guid=ab,path=/tmp/a%20b%2cc,x=y");
	assert_string_equal(p, "/tmp/a b,c");
	free(p);
	assert_null(sdb_address_path("unix:abstract=/tmp/x"));
	assert_null(sdb_address_path("unix:path=/a%00b"));
	assert_null(sdb_address_path(""));
	p = sdb_address_path("unix:path=/x%4");
	assert_string_equal(p, "/x%4");
	free(p);
}

static void test_open_env(void **state)
{
	brig_error_t *err = NULL;

	(void)state;
	setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:abstract=x", 1);
	assert_null(sdb_open(false, &err));
	assert_non_null(strstr(err->msg, "DBUS_SYSTEM_BUS_ADDRESS"));
	brig_err_free(&err);
	setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/brig-test-bus", 1);
	assert_null(sdb_open(false, &err));
	assert_non_null(strstr(err->msg, "/nonexistent/brig-test-bus"));
	assert_int_equal(err->code, ENOENT);
	brig_err_free(&err);
	unsetenv("DBUS_SYSTEM_BUS_ADDRESS");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_auth_hello_subscribe),
		cmocka_unit_test(test_auth_rejected),
		cmocka_unit_test(test_early_waits_for_ok),
		cmocka_unit_test(test_early_rejected),
		cmocka_unit_test(test_start_bytes),
		cmocka_unit_test(test_every_type),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_job_removed),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_wait_job_timeout),
		cmocka_unit_test(test_flood),
		cmocka_unit_test(test_bad_replies),
		cmocka_unit_test(test_mutated_replies),
		cmocka_unit_test(test_address_path),
		cmocka_unit_test(test_open_env),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
