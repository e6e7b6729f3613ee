/* brig — unit tests: hostile input to every parser (issue 8).
 *
 * Deep nesting, huge strings, integers out of range, duplicate keys, NUL
 * bytes and invalid UTF-8 must each give one clear error (with the JSON
 * path or the line and column) and bounded memory, never a crash.  Inputs
 * the fuzzers (tests/fuzz) found crashing are kept at the end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "rootfs/rootfs.h"
#include "spec/spec.h"

enum kind { CONFIG, PROCESS, RESOURCES, STATE };

/* Parse `len` bytes of `doc` as `kind`; returns the error text (caller
 * frees) or NULL when the document was accepted. */
static char *try_parse(enum kind kind, const char *doc, size_t len)
{
	brig_error_t *err = NULL;
	void *r = NULL;
	char *msg;

	switch (kind) {
	case CONFIG:
		r = spec_parse_config(doc, len, "config.json", &err);
		spec_free(r);
		break;
	case PROCESS:
		r = spec_parse_process(doc, len, "process.json", &err);
		spec_process_free(r);
		break;
	case RESOURCES:
		r = spec_parse_resources(doc, len, "resources.json", &err);
		spec_resources_free(r);
		break;
	case STATE:
		r = spec_state_parse(doc, len, &err);
		spec_state_free(r);
		break;
	}
	if (r) {
		assert_null(err);
		return NULL;
	}
	assert_non_null(err);
	assert_non_null(err->msg);
	msg = xstrdup(err->msg);
	brig_err_free(&err);
	/* one line */
	assert_null(strchr(msg, '\n'));
	return msg;
}

static void refused(enum kind kind, const char *doc, size_t len,
		    const char *part)
{
	char *msg = try_parse(kind, doc, len);
	if (!msg) {
		print_error("accepted, expected an error with: %s\n", part);
		fail();
	}
	if (!strstr(msg, part)) {
		print_error("expected a message with: %s\n got: %s\n", part, msg);
		free(msg);
		fail();
	}
	free(msg);
}

static void refused_s(enum kind kind, const char *doc, const char *part)
{
	refused(kind, doc, strlen(doc), part);
}

static void accepted_s(enum kind kind, const char *doc)
{
	char *msg = try_parse(kind, doc, strlen(doc));
	if (msg) {
		print_error("unexpected error: %s\n", msg);
		free(msg);
		fail();
	}
}

/* ASan keeps freed memory in quarantine: the memory bounds below only
 * hold (and are only checked) in a plain build. */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

static void assert_rss_growth_below(long before_kb, long limit_kb)
{
	struct rusage ru;
	if (UNDER_ASAN)
		return;
	getrusage(RUSAGE_SELF, &ru);
	if (ru.ru_maxrss - before_kb >= limit_kb) {
		print_error("peak RSS grew by %ld kB (limit %ld kB)\n",
			    ru.ru_maxrss - before_kb, limit_kb);
		fail();
	}
}

static long max_rss_kb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* ---- deep nesting ------------------------------------------------------- */

static void test_deep_nesting(void **state)
{
	(void)state;
	static const char head[] = "{\"ociVersion\":\"1.0.0\",\"x\":";
	const size_t levels = 1000000;
	char *doc = xmalloc(sizeof(head) + 2 * levels + 1);
	size_t n = sizeof(head) - 1;
	long before = max_rss_kb();

	/* a million levels of arrays, then of objects: refused at level 65
	 * by the streaming check, before any tree is built */
	memcpy(doc, head, n);
	memset(doc + n, '[', levels);
	memset(doc + n + levels, ']', levels);
	n += 2 * levels;
	doc[n++] = '}';
	refused(CONFIG, doc, n, "config.json: invalid JSON at line 1, column ");
	refused(CONFIG, doc, n, "nested deeper than 64 levels");
	refused(PROCESS, doc, n, "process.json: invalid JSON at line 1");
	refused(RESOURCES, doc, n, "nested deeper than 64 levels");
	refused(STATE, doc, n, "nested deeper than 64 levels");

	n = 0;
	for (size_t i = 0; i < 100000; i++) {
		memcpy(doc + n, "{\"a\":", 5);
		n += 5;
	}
	refused(CONFIG, doc, n, "nested deeper than 64 levels");
	free(doc);
	/* bounded: nothing close to a tree of a million nodes was built */
	assert_rss_growth_below(before, 64 * 1024);
}

/* ---- huge strings -------------------------------------------------------- */

#define HUGE (10u << 20) /* 10 MB */

static char *huge_doc(const char *before, const char *after, size_t *len)
{
	size_t a = strlen(before), b = strlen(after);
	char *doc = xmalloc(a + HUGE + b + 1);
	memcpy(doc, before, a);
	memset(doc + a, 'x', HUGE);
	memcpy(doc + a + HUGE, after, b + 1);
	*len = a + HUGE + b;
	return doc;
}

static void test_huge_strings(void **state)
{
	(void)state;
	size_t len;
	long before = max_rss_kb();
	char *doc;
	char *msg;

	/* a 10 MB value of an unknown property: ignored */
	doc = huge_doc("{\"ociVersion\":\"1.0.0\",\"big\":\"", "\"}", &len);
	assert_null(try_parse(CONFIG, doc, len));
	free(doc);

	/* a 10 MB argument is the kernel's business (E2BIG at exec) */
	doc = huge_doc("{\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"",
		       "\"]}", &len);
	assert_null(try_parse(PROCESS, doc, len));
	free(doc);

	/* a 10 MB key: the error names it, and stays one line */
	doc = huge_doc("{\"ociVersion\":\"1.0.0\",\"linux\":{\"sysctl\":{\"",
		       "\":1}}}", &len);
	msg = try_parse(CONFIG, doc, len);
	assert_non_null(msg);
	assert_non_null(strstr(msg, "expected a string"));
	free(msg);
	free(doc);

	/* a 10 MB number */
	doc = huge_doc("{\"pids\":{\"limit\":1", "}}", &len);
	memset(doc + strlen("{\"pids\":{\"limit\":1"), '9', HUGE);
	refused(RESOURCES, doc, len, "pids.limit");
	free(doc);

	/* a 10 MB string where a number belongs */
	doc = huge_doc("{\"ociVersion\":\"1.3.0\",\"id\":\"c\",\"status\":\"running\","
		       "\"bundle\":\"/b\",\"pid\":\"", "\"}", &len);
	refused(STATE, doc, len, "pid");
	free(doc);

	/* bounded memory: a few copies of the input at most (the text, the
	 * tree, the parsed value), not an amplification */
	assert_rss_growth_below(before, 8 * (long)(HUGE / 1024));
}

/* ---- integers out of range ------------------------------------------------ */

static void test_integers_out_of_range(void **state)
{
	(void)state;
	static const char *const proc =
		"{\"cwd\":\"/\",\"args\":[\"sh\"],\"user\":{\"uid\":%s,\"gid\":0}}";
	static const char *const bad[] = {
		"-1", "4294967296", "18446744073709551616",
		"99999999999999999999999999999999", "1.5", "1e3", "1e400",
		"-0.0", "\"0\"", "true", "[0]",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char *doc = xasprintf(proc, bad[i]);
		refused_s(PROCESS, doc, "process.json: user.uid: ");
		free(doc);
	}

	refused_s(RESOURCES, "{\"pids\":{\"limit\":9223372036854775808}}",
		  "resources.json: pids.limit: ");
	refused_s(RESOURCES, "{\"pids\":{\"limit\":-9223372036854775809}}",
		  "resources.json: pids.limit: ");
	refused_s(RESOURCES, "{\"memory\":{\"limit\":1e19}}",
		  "resources.json: memory.limit: ");
	refused_s(RESOURCES, "{\"cpu\":{\"shares\":-1}}",
		  "resources.json: cpu.shares: ");
	refused_s(RESOURCES, "{\"cpu\":{\"shares\":18446744073709551616}}",
		  "resources.json: cpu.shares: ");
	refused_s(RESOURCES, "{\"blockIO\":{\"weight\":65536}}",
		  "resources.json: blockIO.weight: ");
	refused_s(CONFIG, "{\"ociVersion\":\"1.0.0\",\"process\":{\"cwd\":\"/\","
		  "\"args\":[\"sh\"],\"user\":{\"uid\":0,\"gid\":0},"
		  "\"oomScoreAdj\":1001}}", "process.oomScoreAdj: ");
	refused_s(STATE, "{\"ociVersion\":\"1.3.0\",\"id\":\"c\",\"status\":"
		  "\"running\",\"bundle\":\"/b\",\"pid\":4294967296}", "pid");
	refused_s(STATE, "{\"ociVersion\":\"1.3.0\",\"id\":\"c\",\"status\":"
		  "\"running\",\"bundle\":\"/b\",\"pid\":-2}", "pid");
	/* the edges themselves are fine */
	accepted_s(RESOURCES, "{\"pids\":{\"limit\":9223372036854775807},"
		   "\"memory\":{\"limit\":-9223372036854775808}}");
	accepted_s(PROCESS, "{\"cwd\":\"/\",\"args\":[\"sh\"],"
		   "\"user\":{\"uid\":4294967295,\"gid\":0}}");
}

/* ---- duplicate keys --------------------------------------------------------- */

static void test_duplicate_keys_everywhere(void **state)
{
	(void)state;
	refused_s(PROCESS, "{\"cwd\":\"/\",\"args\":[\"sh\"],\"cwd\":\"/\"}",
		  "process.json: duplicate property \"cwd\"");
	refused_s(PROCESS, "{\"cwd\":\"/\",\"args\":[\"sh\"],"
		  "\"user\":{\"uid\":0,\"gid\":0,\"uid\":1}}",
		  "process.json: user: duplicate property \"uid\"");
	refused_s(RESOURCES, "{\"memory\":{\"limit\":1,\"limit\":2}}",
		  "resources.json: memory: duplicate property \"limit\"");
	refused_s(RESOURCES, "{\"pids\":{\"limit\":1},\"pids\":{\"limit\":2}}",
		  "resources.json: duplicate property \"pids\"");
	refused_s(STATE, "{\"ociVersion\":\"1.3.0\",\"id\":\"a\",\"id\":\"b\","
		  "\"status\":\"running\",\"bundle\":\"/b\"}",
		  "duplicate property \"id\"");
	refused_s(CONFIG, "{\"ociVersion\":\"1.0.0\",\"annotations\":"
		  "{\"k\":\"1\",\"k\":\"2\"}}",
		  "config.json: annotations: duplicate property \"k\"");
	refused_s(CONFIG, "{\"ociVersion\":\"1.0.0\",\"linux\":{\"resources\":"
		  "{\"unified\":{\"a\":\"1\",\"a\":\"1\"}}}}",
		  "linux.resources.unified: duplicate property \"a\"");
}

/* ---- NUL bytes ------------------------------------------------------------------ */

static void test_nul_bytes(void **state)
{
	(void)state;
	static const char raw_value[] = "{\"cwd\":\"/\0\",\"args\":[\"sh\"]}";
	static const char raw_key[] = "{\"ociVersion\":\"1.0.0\",\"a\0b\":1}";
	static const char after[] = "{\"ociVersion\":\"1.0.0\"}\0garbage";

	refused(PROCESS, raw_value, sizeof(raw_value) - 1,
		"process.json: invalid JSON at line 1, column ");
	refused(CONFIG, raw_key, sizeof(raw_key) - 1,
		"config.json: invalid JSON at line 1, column ");
	refused(CONFIG, after, sizeof(after) - 1, "config.json: invalid JSON");
	refused_s(PROCESS, "{\"cwd\":\"/\",\"args\":[\"a\\u0000b\"]}",
		  "string contains a NUL character");
	refused_s(CONFIG, "{\"ociVersion\":\"1.0.0\",\"annotations\":"
		  "{\"a\\u0000b\":\"c\"}}", "string contains a NUL character");
	refused_s(STATE, "{\"ociVersion\":\"1.3.0\",\"id\":\"a\\u0000\","
		  "\"status\":\"running\",\"bundle\":\"/b\"}",
		  "string contains a NUL character");
	refused_s(RESOURCES, "{\"cpu\":{\"cpus\":\"0\\u0000\"}}",
		  "string contains a NUL character");
}

/* ---- invalid UTF-8 ---------------------------------------------------------------- */

static void test_invalid_utf8(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"\xff",             /* never valid */
		"\xc0\xaf",         /* overlong '/' */
		"\xe2\x82",         /* truncated sequence */
		"\x80",             /* lone continuation byte */
		"\xed\xa0\x80",     /* encoded surrogate */
		"\xf4\x90\x80\x80", /* above U+10FFFF */
		"\\udc00",        /* a lone low surrogate escape */
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char *doc = xasprintf("{\"ociVersion\":\"1.0.0\","
				      "\"hostname\":\"a%sb\"}", bad[i]);
		refused_s(CONFIG, doc, "config.json: invalid JSON at line 1, "
			  "column ");
		free(doc);
		doc = xasprintf("{\"ociVersion\":\"1.0.0\",\"k%s\":1}", bad[i]);
		refused_s(CONFIG, doc, "invalid JSON");
		free(doc);
		doc = xasprintf("{\"ociVersion\":\"1.3.0\",\"id\":\"c%s\","
				"\"status\":\"running\",\"bundle\":\"/b\"}", bad[i]);
		refused_s(STATE, doc, "state.json: invalid JSON");
		free(doc);
	}
	refused_s(CONFIG, "{\"ociVersion\":\"1.0.0\",\"hostname\":\"\xed\xa0\x80\"}",
		  "string is not valid UTF-8");
	/* valid multi-byte text is fine */
	accepted_s(CONFIG, "{\"ociVersion\":\"1.0.0\",\"hostname\":\"h\xc3\xa9\","
		   "\"annotations\":{\"\xe2\x9c\x93\":\"\xf0\x9f\x90\xb3\"}}");
}

/* ---- mount options ------------------------------------------------------------------ */

static void test_mount_options_hostile(void **state)
{
	(void)state;
	char *big = xmalloc(HUGE + 1);
	char *opts[] = { big, "", "=", ",", "ro", NULL };
	struct spec_strv v = { opts, 5 };
	struct rootfs_mount_opts o = { 0 };
	brig_error_t *err = NULL;

	memset(big, 'a', HUGE);
	big[HUGE] = '\0';
	/* unknown options are filesystem data, whatever their size */
	if (rootfs_parse_mount_options(&v, &o, &err) == 0)
		assert_non_null(o.data);
	else
		assert_non_null(err);
	brig_err_free(&err);
	rootfs_mount_opts_free(&o);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_huge_strings),
		cmocka_unit_test(test_integers_out_of_range),
		cmocka_unit_test(test_duplicate_keys_everywhere),
		cmocka_unit_test(test_nul_bytes),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_mount_options_hostile),
	};
	return cmocka_run_group_tests_name("bad_input", tests, NULL, NULL);
}
