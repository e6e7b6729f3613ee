/* bench/systemd-client/sdbus-libsystemd.c: the calls of
 * tests/integration/sdbus-probe.c's "run" made with libsystemd's sd-bus, to
 * compare the two clients' cost (bench/systemd-client/run).  Not part of
 * brig.
 *
 *   sdbus-libsystemd SLICE UNIT [COUNT]
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#define DEST "org.freedesktop.systemd1"
#define PATH "/org/freedesktop/systemd1"
#define MANAGER "org.freedesktop.systemd1.Manager"

static char done_job[256], done_result[64];

static int on_job_removed(sd_bus_message *m, void *data, sd_bus_error *e)
{
	uint32_t id;
	const char *job, *unit, *result;

	(void)data;
	(void)e;
	if (sd_bus_message_read(m, "uoss", &id, &job, &unit, &result) >= 0) {
		snprintf(done_job, sizeof(done_job), "%s", job);
		snprintf(done_result, sizeof(done_result), "%s", result);
	}
	return 0;
}

static int die(const char *what, int r, sd_bus_error *e)
{
	fprintf(stderr, "sdbus-libsystemd: %s: %s\n", what,
		e && e->message ? e->message : strerror(-r));
	exit(1);
}

static void wait_job(sd_bus *bus, const char *job)
{
	while (strcmp(done_job, job) != 0) {
		int r = sd_bus_process(bus, NULL);

		if (r < 0)
			die("process", r, NULL);
		if (r == 0 && (r = sd_bus_wait(bus, 10000000)) < 0)
			die("wait", r, NULL);
	}
}

static void start(sd_bus *bus, const char *slice, const char *unit, pid_t pid)
{
	sd_bus_message *m = NULL, *reply = NULL;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	const char *job;
	uint8_t cpus[] = { 1 };
	int r;

	r = sd_bus_message_new_method_call(bus, &m, DEST, PATH, MANAGER, "StartTransientUnit");
	if (r >= 0)
		r = sd_bus_message_append(m, "ss", unit, "fail");
	if (r >= 0)
		r = sd_bus_message_open_container(m, 'a', "(sv)");
	if (r >= 0)
		r = sd_bus_message_append(m, "(sv)(sv)(sv)(sv)(sv)(sv)(sv)(sv)",
			"Description", "s", "brig sdbus-probe",
			"Slice", "s", slice,
			"PIDs", "au", 1, (uint32_t)pid,
			"Delegate", "b", 1,
			"MemoryAccounting", "b", 1,
			"MemoryMax", "t", (uint64_t)64 << 20,
			"CPUQuotaPerSecUSec", "t", (uint64_t)500000,
			"TasksMax", "t", (uint64_t)100);
	if (r >= 0)
		r = sd_bus_message_open_container(m, 'r', "sv");
	if (r >= 0)
		r = sd_bus_message_append(m, "s", "AllowedCPUs");
	if (r >= 0)
		r = sd_bus_message_open_container(m, 'v', "ay");
	if (r >= 0)
		r = sd_bus_message_append_array(m, 'y', cpus, 1);
	if (r >= 0)
		r = sd_bus_message_close_container(m);
	if (r >= 0)
		r = sd_bus_message_close_container(m);
	if (r >= 0)
		r = sd_bus_message_append(m, "(sv)(sv)(sv)",
			"DevicePolicy", "s", "strict",
			"DeviceAllow", "a(ss)", 2, "/dev/null", "rwm", "char-pts", "rw",
			"CPUShares", "t", (uint64_t)1024);
	if (r >= 0)
		r = sd_bus_message_close_container(m);
	if (r >= 0)
		r = sd_bus_message_append(m, "a(sa(sv))", 0);
	if (r < 0)
		die("build", r, NULL);
	r = sd_bus_call(bus, m, 10000000, &e, &reply);
	if (r < 0)
		die("StartTransientUnit", r, &e);
	sd_bus_message_read(reply, "o", &job);
	wait_job(bus, job);
	printf("start %s %s\n", job, done_result);
	sd_bus_message_unref(reply);
	sd_bus_message_unref(m);
}

static void one_run(sd_bus *bus, const char *slice, const char *unit)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	const char *s;
	pid_t pid = fork();
	int r;

	if (pid == 0)
		for (;;)
			pause();
	start(bus, slice, unit, pid);
	r = sd_bus_call_method(bus, DEST, PATH, MANAGER, "SetUnitProperties", &e, NULL,
			       "sba(sv)", unit, 1, 1, "MemoryMax", "t", (uint64_t)32 << 20);
	if (r < 0)
		die("SetUnitProperties", r, &e);
	r = sd_bus_call_method(bus, DEST, PATH, MANAGER, "GetUnit", &e, &reply, "s", unit);
	if (r < 0)
		die("GetUnit", r, &e);
	sd_bus_message_read(reply, "o", &s);
	printf("unit %s\n", s);
	sd_bus_message_unref(reply);
	r = sd_bus_call_method(bus, DEST, PATH, MANAGER, "StopUnit", &e, &reply, "ss", unit, "replace");
	if (r < 0)
		die("StopUnit", r, &e);
	sd_bus_message_read(reply, "o", &s);
	wait_job(bus, s);
	printf("stop %s %s\n", s, done_result);
	sd_bus_message_unref(reply);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

int main(int argc, char **argv)
{
	sd_bus *bus = NULL;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	char *version = NULL;
	int n = argc > 3 ? atoi(argv[3]) : 1, r;

	if (argc < 3)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	r = sd_bus_open_system(&bus);
	if (r < 0)
		die("open", r, NULL);
	r = sd_bus_match_signal(bus, NULL, DEST, PATH, MANAGER, "JobRemoved", on_job_removed, NULL);
	if (r < 0)
		die("match", r, NULL);
	r = sd_bus_call_method(bus, DEST, PATH, MANAGER, "Subscribe", &e, NULL, "");
	if (r < 0)
		die("Subscribe", r, &e);
	r = sd_bus_get_property_string(bus, DEST, PATH, MANAGER, "Version", &e, &version);
	if (r < 0)
		die("Version", r, &e);
	printf("version %s\n", version);
	free(version);
	for (int i = 0; i < n; i++)
		one_run(bus, argv[1], argv[2]);
	sd_bus_flush_close_unref(bus);
	return 0;
}
