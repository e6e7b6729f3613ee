/* sdbus-probe: drives brig's D-Bus client (cgroups/cg_dbus.c) against
 * systemd, or the mock of tests/integration/helpers/mock-systemd
 * (systemd.bats), and is the "ours" side of the client's benchmark
 * (bench/results/2026-12-05/systemd-client.md).
 *
 *   sdbus-probe run SLICE UNIT [COUNT]   COUNT times: a sleeping child in a
 *       transient scope UNIT (properties of most types) under SLICE, wait
 *       for the job, SetUnitProperties, GetUnit, StopUnit, wait
 *   sdbus-probe start SLICE UNIT         StartTransientUnit and its job only,
 *       for a sleeping child left running in the scope (its pid printed)
 *   sdbus-probe stop UNIT                StopUnit and its job
 *   sdbus-probe reset UNIT               ResetFailedUnit
 *
 * Prints what it got, one line each; an error is one line on stderr and
 * exit 1, or 3 when it is of kind BRIG_E_NOT_FOUND.  $SDBUS_PROBE_TIMEOUT_MS
 * bounds each call and each job wait (default 10000).
 */
#include "cgroups/cg_dbus.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

static int timeout_ms = 10000;

static int fail(brig_error_t *err)
{
	fprintf(stderr, "sdbus-probe: %s\n", err->msg);
	return brig_err_is(err, BRIG_E_NOT_FOUND) ? 3 : 1;
}

static pid_t sleeper(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		/* not holding the caller's pipes open */
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		dup2(null, 1);
		dup2(null, 2);
		for (;;)
			pause();
	}
	return pid;
}

static void scope_props(struct sdb_props *p, const char *slice, pid_t pid)
{
	uint32_t pids[] = { (uint32_t)pid };
	uint8_t cpus[] = { 0x1 };
	char *devs[] = { "/dev/null", "rwm", "char-pts", "rw" };

	sdb_props_str(p, "Description", "brig sdbus-probe");
	sdb_props_str(p, "Slice", slice);
	sdb_props_u32s(p, "PIDs", pids, 1);
	sdb_props_bool(p, "Delegate", true);
	sdb_props_bool(p, "MemoryAccounting", true);
	sdb_props_u64(p, "MemoryMax", 64u << 20);
	sdb_props_u64(p, "CPUQuotaPerSecUSec", 500000);
	sdb_props_u64(p, "TasksMax", 100);
	sdb_props_bytes(p, "AllowedCPUs", cpus, 1);
	sdb_props_str(p, "DevicePolicy", "strict");
	sdb_props_pairs(p, "DeviceAllow", devs, 2);
	sdb_props_add(p, "CPUShares", SDB_T_UINT64)->u = 1024;
}

static int start(struct sdb *b, const char *slice, const char *unit, pid_t pid,
		 brig_error_t **err)
{
	struct sdb_props p = { 0 };
	cleanup_free char *job = NULL, *result = NULL;
	int r;

	scope_props(&p, slice, pid);
	r = sdb_start_transient_unit(b, unit, &p, &job, err);
	sdb_props_free(&p);
	if (r < 0 || sdb_wait_job(b, job, timeout_ms, &result, err) < 0)
		return -1;
	printf("start %s %s\n", job, result);
	return strcmp(result, "done") == 0 ? 0 : brig_err(err, 0, "job %s", result);
}

static int stop(struct sdb *b, const char *unit, brig_error_t **err)
{
	cleanup_free char *job = NULL, *result = NULL;

	if (sdb_stop_unit(b, unit, &job, err) < 0 ||
	    sdb_wait_job(b, job, timeout_ms, &result, err) < 0)
		return -1;
	printf("stop %s %s\n", job, result);
	return 0;
}

static int one_run(struct sdb *b, const char *slice, const char *unit, brig_error_t **err)
{
	struct sdb_props p = { 0 };
	cleanup_free char *path = NULL;
	pid_t pid = sleeper();
	int r;

	if (pid < 0)
		return brig_err(err, errno, "fork");
	r = start(b, slice, unit, pid, err);
	if (r == 0) {
		sdb_props_u64(&p, "MemoryMax", 32u << 20);
		r = sdb_set_unit_properties(b, unit, true, &p, err);
		sdb_props_free(&p);
	}
	if (r == 0 && (r = sdb_get_unit(b, unit, &path, err)) == 0)
		printf("unit %s\n", path);
	if (r == 0)
		r = stop(b, unit, err);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return r;
}

int main(int argc, char **argv)
{
	cleanup_err brig_error_t *err = NULL;
	cleanup_free char *version = NULL;
	const char *t = getenv("SDBUS_PROBE_TIMEOUT_MS");
	struct sdb *b;
	int r = 0;

	setvbuf(stdout, NULL, _IOLBF, 0); /* in order with stderr */
	if (t)
		timeout_ms = atoi(t);
	if (argc < 3) {
		fprintf(stderr, "usage: sdbus-probe run|start|stop|reset ...\n");
		return 2;
	}
	b = sdb_open(false, &err);
	if (!b)
		return fail(err);
	sdb_set_timeout(b, timeout_ms);
	if (strcmp(argv[1], "run") == 0 && argc >= 4) {
		int n = argc > 4 ? atoi(argv[4]) : 1;

		r = sdb_get_property_string(b, "/org/freedesktop/systemd1",
					    "org.freedesktop.systemd1.Manager",
					    "Version", &version, &err);
		if (r == 0)
			printf("version %s\n", version);
		for (int i = 0; i < n && r == 0; i++)
			r = one_run(b, argv[2], argv[3], &err);
	} else if (strcmp(argv[1], "start") == 0 && argc >= 4) {
		pid_t pid = sleeper();

		/* the sleeper stays in the scope: StopUnit kills it */
		printf("pid %d\n", (int)pid);
		r = start(b, argv[2], argv[3], pid, &err);
		if (r < 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
	} else if (strcmp(argv[1], "stop") == 0) {
		r = stop(b, argv[2], &err);
	} else if (strcmp(argv[1], "reset") == 0) {
		r = sdb_reset_failed_unit(b, argv[2], &err);
	} else {
		fprintf(stderr, "sdbus-probe: unknown command %s\n", argv[1]);
		r = -1;
		brig_err(&err, 0, "usage");
	}
	sdb_close(b);
	return r < 0 ? fail(err) : 0;
}
