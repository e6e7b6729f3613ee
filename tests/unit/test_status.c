/* brig — unit tests for runtime/status.c: every predicate against every
 * status, as a table.  A change to the state machine changes a row here,
 * on purpose. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "runtime/runtime.h"

enum { CREATING, CREATED, RUNNING, PAUSED, STOPPED };

static const struct {
	const char *name;
	bool (*allows)(enum spec_status);
	bool want[SPEC_STATUS_COUNT]; /* creating created running paused stopped */
} table[] = {
	{ "start",  status_can_start,     { 0, 1, 0, 0, 0 } },
	{ "kill",   status_can_kill,      { 0, 1, 1, 1, 0 } },
	{ "delete", status_can_delete,    { 0, 1, 0, 0, 1 } },
	{ "exec",   status_can_exec,      { 0, 1, 1, 1, 0 } },
	{ "pause",  status_can_pause,     { 0, 1, 1, 0, 0 } },
	{ "resume", status_can_resume,    { 0, 0, 0, 1, 0 } },
	{ "update", status_can_update,    { 0, 1, 1, 1, 0 } },
	{ "ps",     status_has_processes, { 1, 1, 1, 1, 0 } },
};

static void test_every_predicate_every_status(void **st)
{
	(void)st;
	/* the table's columns are the enum's order */
	assert_int_equal(SPEC_STATUS_CREATING, CREATING);
	assert_int_equal(SPEC_STATUS_CREATED, CREATED);
	assert_int_equal(SPEC_STATUS_RUNNING, RUNNING);
	assert_int_equal(SPEC_STATUS_PAUSED, PAUSED);
	assert_int_equal(SPEC_STATUS_STOPPED, STOPPED);
	for (size_t i = 0; i < ARRAY_SIZE(table); i++)
		for (int s = 0; s < SPEC_STATUS_COUNT; s++)
			if (table[i].allows((enum spec_status)s) != table[i].want[s])
				fail_msg("%s when %s: got %d, want %d", table[i].name,
					 spec_status_name((enum spec_status)s),
					 table[i].allows((enum spec_status)s), table[i].want[s]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_predicate_every_status),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
