/* brig — unit tests for the error object's kinds (spec/error.c) and for
 * errors sent over the parent <-> child channel (runtime/channel.c): the
 * parent's error has the child's text byte for byte, its errno and kind,
 * and bounded numbers whatever the child wrote. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "runtime/runtime.h"

static void test_kind_set_at_source(void **st)
{
	brig_error_t *err = NULL;
	(void)st;

	assert_int_equal(brig_err(&err, ENOENT, "open %s", "x"), -1);
	assert_int_equal(err->kind, BRIG_E_OTHER);
	assert_false(brig_err_is(err, BRIG_E_NOT_FOUND));
	brig_err_free(&err);

	brig_err_kind(&err, BRIG_E_NOT_FOUND, 0, "container \"%s\" does not exist", "c1");
	assert_true(brig_err_is(err, BRIG_E_NOT_FOUND));
	assert_int_equal(err->code, 0);
	assert_string_equal(err->msg, "container \"c1\" does not exist");
	/* context on the way up keeps the kind */
	brig_err_prefix(&err, "delete");
	assert_true(brig_err_is(err, BRIG_E_NOT_FOUND));
	assert_string_equal(err->msg, "delete: container \"c1\" does not exist");
	brig_err_free(&err);
	assert_false(brig_err_is(err, BRIG_E_NOT_FOUND));

	/* with an errno: the same text as brig_err */
	brig_err_kind(&err, BRIG_E_NOT_FOUND, ENOENT, "open %s", "x");
	assert_string_equal(err->msg, "open x: no such file or directory");
	assert_int_equal(err->code, ENOENT);
	brig_err_free(&err);

	brig_err_set(&err, EACCES, BRIG_E_OTHER, "exec /bin/x: permission denied");
	assert_string_equal(err->msg, "exec /bin/x: permission denied");
	assert_int_equal(err->code, EACCES);
	brig_err_free(&err);
}

/* Send err as the init does, receive it as create does. */
static brig_error_t *through_channel(const brig_error_t *sent)
{
	int sv[2];
	char *data = NULL;
	brig_error_t *got = NULL;

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(chan_send_error(sv[1], sent), 0);
	assert_int_equal(chan_recv(sv[0], &data, NULL), CHAN_ERROR);
	assert_int_equal(chan_error(data, "container init failed", &got), -1);
	free(data);
	close(sv[0]);
	close(sv[1]);
	return got;
}

static void test_error_over_channel(void **st)
{
	brig_error_t *e = NULL, *got;
	(void)st;

	brig_err(&e, EPERM, "mount proc on /proc");
	brig_err_prefix(&e, "rootfs");
	got = through_channel(e);
	assert_string_equal(got->msg, e->msg);
	assert_int_equal(got->code, EPERM);
	assert_int_equal(got->kind, BRIG_E_OTHER);
	brig_err_free(&got);

	brig_err_kind(&e, BRIG_E_NOT_FOUND, 0, "12 3 looks like numbers");
	got = through_channel(e);
	assert_string_equal(got->msg, "12 3 looks like numbers");
	assert_int_equal(got->code, 0);
	assert_int_equal(got->kind, BRIG_E_NOT_FOUND);
	brig_err_free(&got);
	brig_err_free(&e);

	got = through_channel(NULL);
	assert_string_equal(got->msg, "unknown error");
	brig_err_free(&got);
}

/* What a child (or whoever holds its end) may write instead. */
static void test_error_framing_bounded(void **st)
{
	static const struct {
		const char *data;
		const char *msg;
		int code, kind;
	} cases[] = {
		{ "2 0 exec /x: no such file or directory", "exec /x: no such file or directory", 2, 0 },
		{ "0 0 ", "", 0, 0 },
		{ "13 1 text", "text", 13, BRIG_E_NOT_FOUND },
		/* not brig's framing: the text as it came */
		{ "review2: hijacked", "review2: hijacked", 0, 0 },
		{ "", "", 0, 0 },
		{ "2", "2", 0, 0 },
		{ "2 0", "2 0", 0, 0 },
		{ " 2 0 x", " 2 0 x", 0, 0 },
		{ "-2 0 x", "-2 0 x", 0, 0 },
		{ "99999 0 x", "99999 0 x", 0, 0 },
		{ "2 100 x", "2 100 x", 0, 0 },
		/* numbers out of range: none */
		{ "5000 0 x", "x", 0, 0 },
		{ "2 77 x", "x", 2, BRIG_E_OTHER },
		{ "2 2 x", "x", 2, BRIG_E_OTHER },
	};
	brig_error_t *got = NULL;
	(void)st;

	assert_int_equal(BRIG_E_KIND_COUNT, 2); /* "2 2 x" above is out of range */
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		assert_int_equal(chan_error(cases[i].data, "fallback", &got), -1);
		if (strcmp(got->msg, cases[i].msg) != 0 || got->code != cases[i].code ||
		    (int)got->kind != cases[i].kind)
			fail_msg("\"%s\": got \"%s\" code %d kind %d", cases[i].data, got->msg,
				 got->code, (int)got->kind);
		brig_err_free(&got);
	}
	chan_error(NULL, "container init failed", &got);
	assert_string_equal(got->msg, "container init failed");
	brig_err_free(&got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind_set_at_source),
		cmocka_unit_test(test_error_over_channel),
		cmocka_unit_test(test_error_framing_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
