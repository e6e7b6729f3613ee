/* brig — runtime/fault.c: fault points for the reliability tests.
 *
 * BRIG_FAULT=<name> makes brig SIGKILL itself when it reaches the fault
 * point of that name (see fault_point() calls in create.c and hooks.c), so a
 * test can check that `delete --force` cleans up after a create killed at
 * that step.  Without the variable a fault point does nothing. */
#include "runtime.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

void fault_point(const char *name)
{
	static const char *want;
	static bool read;

	if (!read) {
		want = getenv("BRIG_FAULT");
		read = true;
	}
	if (want && strcmp(want, name) == 0)
		raise(SIGKILL);
}
