/* brig — runtime/fault.c: fault points for the reliability tests.
 *
 * BRIG_FAULT=<name> makes brig SIGKILL itself when it reaches the fault
 * point of that name (see fault_point() calls in create.c, exec.c and
 * hooks.c), so a test can check that `delete --force` cleans up after a
 * create killed at that step; BRIG_FAULT=<name>:stop makes it SIGSTOP
 * itself there instead, so a test can look at it.  Without the variable a
 * fault point does nothing. */
#include "runtime.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool fault_stop(const char *name)
{
	const char *want = getenv("BRIG_FAULT");
	size_t n = strlen(name);

	return want && strncmp(want, name, n) == 0 && strcmp(want + n, ":stop") == 0;
}

void fault_point(const char *name)
{
	static const char *want;
	static bool read;

	if (!read) {
		want = getenv("BRIG_FAULT");
		read = true;
	}
	if (!want)
		return;
	size_t n = strlen(name);
	/* kill(getpid()): raise() would name the thread by a tid that is
	 * stale after a raw clone (exec's process) */
	if (strcmp(want, name) == 0)
		kill(getpid(), SIGKILL);
	else if (strncmp(want, name, n) == 0 && strcmp(want + n, ":stop") == 0)
		kill(getpid(), SIGSTOP);
}
