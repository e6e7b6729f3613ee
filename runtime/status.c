/* brig — runtime/status.c: which command a container's status allows.
 *
 * The state machine in one place.  A container is creating while `create`
 * builds it, created once its init waits for `start`, running after, and
 * stopped once its init has gone; pause and resume move a created or
 * running container to paused and back.  container_status() (container.c)
 * reads the status; every command asks here whether it may go on, and
 * says no with its own message. */
#include "runtime.h"

/* start: only a created container, waiting on exec.fifo. */
bool status_can_start(enum spec_status s)
{
	return s == SPEC_STATUS_CREATED;
}

/* kill: a container with an init to signal (kill --all of a stopped one
 * signals what is left in its cgroup instead, as runc does). */
bool status_can_kill(enum spec_status s)
{
	return s != SPEC_STATUS_STOPPED && s != SPEC_STATUS_CREATING;
}

/* delete without --force: nothing runs that would be lost. */
bool status_can_delete(enum spec_status s)
{
	return s == SPEC_STATUS_STOPPED || s == SPEC_STATUS_CREATED;
}

/* exec: a container whose namespaces are there to join (a paused one
 * only with --ignore-paused, which the caller checks). */
bool status_can_exec(enum spec_status s)
{
	return s == SPEC_STATUS_CREATED || s == SPEC_STATUS_RUNNING || s == SPEC_STATUS_PAUSED;
}

/* pause: running, or created (as runc allows: start refuses it then). */
bool status_can_pause(enum spec_status s)
{
	return s == SPEC_STATUS_RUNNING || s == SPEC_STATUS_CREATED;
}

bool status_can_resume(enum spec_status s)
{
	return s == SPEC_STATUS_PAUSED;
}

/* update: a container whose cgroup is in use. */
bool status_can_update(enum spec_status s)
{
	return s == SPEC_STATUS_CREATED || s == SPEC_STATUS_RUNNING || s == SPEC_STATUS_PAUSED;
}

/* ps and events: anything but stopped (a creating container's cgroup
 * already has its init). */
bool status_has_processes(enum spec_status s)
{
	return s != SPEC_STATUS_STOPPED;
}
