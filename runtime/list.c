/* brig — runtime/list.c: `list`, a table like `docker ps -a` (STATUS of a
 * stopped container with a recorded exit code reads "stopped (N)", CREATED
 * is relative) and runc's JSON (one state object per container). */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

/* "5 seconds ago", "3 minutes ago", ... from an RFC 3339 UTC timestamp */
static void relative_time(const char *ts, char *out, size_t size)
{
	struct tm tm = {0};
	static const struct { long secs; const char *unit; } units[] = {
		{86400 * 365, "year"}, {86400 * 30, "month"}, {86400 * 7, "week"},
		{86400, "day"}, {3600, "hour"}, {60, "minute"}, {1, "second"},
	};

	if (!ts || !strptime(ts, "%Y-%m-%dT%H:%M:%S", &tm)) {
		snprintf(out, size, "?");
		return;
	}
	long d = (long)(time(NULL) - timegm(&tm));
	if (d < 1) {
		snprintf(out, size, "less than a second ago");
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		if (d >= units[i].secs) {
			long n = d / units[i].secs;
			snprintf(out, size, "%ld %s%s ago", n, units[i].unit, n == 1 ? "" : "s");
			return;
		}
	}
}

/* v joined with sep, or none when empty. */
static char *joined(char *const *v, size_t n, const char *sep, const char *none)
{
	size_t len = 1;
	char *out;

	if (n == 0)
		return xstrdup(none);
	for (size_t i = 0; i < n; i++)
		len += strlen(v[i]) + strlen(sep);
	out = xcalloc(1, len);
	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(out, sep);
		strcat(out, v[i]);
	}
	return out;
}

static void json_strs(char **buf, const char *key, char *const *v, size_t n)
{
	char *old = *buf;

	*buf = xasprintf("%s,\"%s\":[", old, key);
	free(old);
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *q = spec_json_quote(v[i]);
		old = *buf;
		*buf = xasprintf("%s%s%s", old, i ? "," : "", q);
		free(old);
	}
	old = *buf;
	*buf = xasprintf("%s]", old);
	free(old);
}

/* The state object st with "ipv4" and "ports" added before its end. */
static char *with_network(const char *st, const struct netsetup_info *ni)
{
	const char *end = strrchr(st, '}');
	char *out = xasprintf("%.*s", end ? (int)(end - st) : (int)strlen(st), st);
	char *old;

	json_strs(&out, "ipv4", ni->ipv4, ni->n_ipv4);
	json_strs(&out, "ports", ni->ports, ni->n_ports);
	old = out;
	out = xasprintf("%s}", old);
	free(old);
	return out;
}

/* One entry's text: a table line, or its state JSON; NULL when the
 * container is being created or deleted right now (skipped). */
static char *format_entry(const struct brig_globals *g, const char *id, bool json)
{
	brig_error_t *e = NULL;
	struct container *ct = container_open(g, id, false, &e);
	char *out;

	if (!ct) {
		brig_err_free(&e);
		return NULL;
	}
	enum spec_status status = container_status(ct);
	ct->state->status = status;
	if (status == SPEC_STATUS_STOPPED)
		ct->state->pid = 0;
	struct netsetup_info ni;
	netsetup_info(ct, &ni);
	if (json) {
		/* compact enough: the state JSON, one object per entry, with
		 * the addresses and ports (runc's fields and then brig's) */
		cleanup_free char *st = spec_state_to_json(ct->state, false);
		out = with_network(st, &ni);
	} else {
		char st[32], created[48];
		if (status == SPEC_STATUS_STOPPED && ct->state->has_exit)
			snprintf(st, sizeof(st), "stopped (%d)", ct->state->exit_code);
		else
			snprintf(st, sizeof(st), "%s", spec_status_name(status));
		relative_time(ct->state->created, created, sizeof(created));
		cleanup_free char *ipv4 = joined(ni.ipv4, ni.n_ipv4, ",", ni.host ? "host" : "-");
		cleanup_free char *ports = joined(ni.ports, ni.n_ports, ", ", "-");
		out = xasprintf("%-20s %-8d %-14s %-20s %-40s %-8s %-15s %s\n", ct->id,
				(int)ct->state->pid, st, created,
				ct->state->bundle ? ct->state->bundle : "",
				ct->state->owner ? ct->state->owner : "", ipv4, ports);
	}
	netsetup_info_free(&ni);
	container_free(ct);
	return out;
}

/* Entries are independent (each reads its own files): a long list is
 * formatted by one worker per core, each taking the next index, and
 * printed in order afterwards. */
struct list_job {
	const struct brig_globals *g;
	char **ids, **rows;
	size_t n;
	bool json;
	atomic_size_t next;
};

static void *list_worker(void *arg)
{
	struct list_job *j = arg;

	for (size_t i; (i = atomic_fetch_add(&j->next, 1)) < j->n;)
		j->rows[i] = format_entry(j->g, j->ids[i], j->json);
	return NULL;
}

#define LIST_PARALLEL_MIN 64 /* a short list is quick enough on one core */
#define LIST_MAX_WORKERS 4

static void format_all(struct list_job *j)
{
	pthread_t t[LIST_MAX_WORKERS];
	size_t started = 0;
	cpu_set_t set;
	/* the CPUs we may run on (a cpuset can leave one of many) */
	int cpus = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set) : 1;
	size_t want = cpus > 1 ? (size_t)cpus - 1 : 0;

	if (want > LIST_MAX_WORKERS)
		want = LIST_MAX_WORKERS;
	if (j->n < LIST_PARALLEL_MIN)
		want = 0;
	while (started < want && pthread_create(&t[started], NULL, list_worker, j) == 0)
		started++;
	list_worker(j);
	for (size_t i = 0; i < started; i++)
		pthread_join(t[i], NULL);
}

static const struct option list_longopts[] = {
	{"format", required_argument, NULL, 'f'},
	{"quiet", no_argument, NULL, 'q'},
	{NULL, 0, NULL, 0},
};
const struct cli_options cli_opts_list = {"+f:q", list_longopts};

int cmd_list(const struct brig_globals *g, int argc, char **argv, brig_error_t **err)
{
	bool json = false, quiet = false;
	size_t n;
	int c;

	while ((c = getopt_long(argc, argv, cli_opts_list.shortopts,
				cli_opts_list.longopts, NULL)) != -1) {
		if (c == 'f') {
			if (strcmp(optarg, "json") == 0)
				json = true;
			else if (strcmp(optarg, "table") != 0)
				return brig_err(err, 0, "list: --format: expected table or json");
		} else if (c == 'q') {
			quiet = true;
		} else {
			return brig_err(err, 0, "list: invalid option \"%s\"", cli_refused(argv));
		}
	}
	char **ids = container_list_ids(g, &n);
	if (quiet) {
		for (size_t i = 0; i < n; i++)
			puts(ids[i]);
		brig_strv_free(ids);
		return 0;
	}
	struct list_job job = {.g = g, .ids = ids, .n = n, .json = json,
			       .rows = xcalloc(n ? n : 1, sizeof(char *))};
	atomic_init(&job.next, 0);
	format_all(&job);

	if (json)
		fputs("[", stdout);
	else
		printf("%-20s %-8s %-14s %-20s %-40s %-8s %-15s %s\n", "ID", "PID", "STATUS",
		       "CREATED", "BUNDLE", "OWNER", "IPV4", "PORTS");
	bool first = true;
	for (size_t i = 0; i < n; i++) {
		if (!job.rows[i])
			continue;
		if (json)
			fputs(first ? "" : ",", stdout);
		fputs(job.rows[i], stdout);
		first = false;
		free(job.rows[i]);
	}
	if (json)
		puts("]");
	free(job.rows);
	brig_strv_free(ids);
	return 0;
}
