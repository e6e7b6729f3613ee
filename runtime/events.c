/* brig — runtime/events.c: `events ID [--stats] [--interval D]`.
 *
 * One JSON object per line, in runc's shape:
 *   {"type":"stats","id":ID,"data":{"cpu":...,"memory":...,"pids":...,
 *    "blkio":...,"hugetlb":...}}
 *   {"type":"oom","id":ID}
 * --stats prints the stats once.  Otherwise stats every interval (5s by
 * default) and an "oom" line for each OOM kill, until the container
 * stops.  The JSON is written here by hand (plain numbers; strings through
 * spec_json_quote). */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cgroups/cgroups.h"

/* A Go duration ("5s", "250ms", "1m30s", "1.5h"); milliseconds > 0. */
int parse_duration_ms(const char *s, int64_t *ms)
{
	static const struct { const char *u; double ms; } units[] = {
		{"ns", 1e-6}, {"us", 1e-3}, {"µs", 1e-3}, {"ms", 1}, {"s", 1e3},
		{"m", 60e3}, {"h", 3600e3},
	};
	double total = 0;
	const char *p = s;

	if (*p == '\0')
		return -1;
	while (*p) {
		char *end;
		double v;
		size_t best = 0, bl = 0;

		if ((*p < '0' || *p > '9') && *p != '.')
			return -1;
		v = strtod(p, &end);
		if (end == p)
			return -1;
		p = end;
		for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
			size_t l = strlen(units[i].u);
			if (strncmp(p, units[i].u, l) == 0 && l > bl) {
				best = i;
				bl = l;
			}
		}
		if (bl == 0)
			return -1;
		total += v * units[best].ms;
		p += bl;
	}
	if (total < 1 || total > 1e12)
		return -1;
	*ms = (int64_t)total;
	return 0;
}

static void mem_entry(FILE *f, const char *name, const struct cg_mem_usage *u)
{
	fprintf(f, "\"%s\":{\"limit\":%" PRIu64 ",\"usage\":%" PRIu64 ",\"max\":%"
		PRIu64 ",\"failcnt\":%" PRIu64 "}", name, u->limit, u->usage,
		u->max, u->failcnt);
}

static void io_list(FILE *f, const char *name, const struct cg_io_entry *v,
		    size_t n)
{
	fprintf(f, "\"%s\":[", name);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s{\"major\":%" PRIu64 ",\"minor\":%" PRIu64
			",\"op\":\"%s\",\"value\":%" PRIu64 "}", i ? "," : "",
			v[i].major, v[i].minor, v[i].op, v[i].value);
	fputc(']', f);
}

/* The "data" object of a stats event; caller frees. */
static char *stats_json(const struct cg_stats *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		abort();
	fputc('{', f);
	fprintf(f, "\"cpu\":{\"usage\":{\"total\":%" PRIu64 ",\"percpu\":[",
		s->cpu_total);
	for (size_t i = 0; i < s->n_percpu; i++)
		fprintf(f, "%s%" PRIu64, i ? "," : "", s->percpu[i]);
	fprintf(f, "],\"kernel\":%" PRIu64 ",\"user\":%" PRIu64 "},"
		"\"throttling\":{\"periods\":%" PRIu64 ",\"throttledPeriods\":%"
		PRIu64 ",\"throttledTime\":%" PRIu64 "}},",
		s->cpu_kernel, s->cpu_user, s->throttle_periods,
		s->throttled_periods, s->throttled_time);
	fprintf(f, "\"memory\":{\"cache\":%" PRIu64 ",", s->mem_cache);
	mem_entry(f, "usage", &s->mem);
	fputc(',', f);
	mem_entry(f, "swap", &s->swap);
	fputc(',', f);
	mem_entry(f, "kernel", &s->kernel);
	fputc(',', f);
	mem_entry(f, "kernelTCP", &s->kernel_tcp);
	fputs(",\"raw\":{", f);
	for (size_t i = 0; i < s->n_mem_raw; i++) {
		cleanup_free char *k = spec_json_quote(s->mem_raw[i].key);
		fprintf(f, "%s%s:%" PRIu64, i ? "," : "", k, s->mem_raw[i].value);
	}
	fputs("}},", f);
	fprintf(f, "\"pids\":{\"current\":%" PRIu64 ",\"limit\":%" PRIu64 "},",
		s->pids_current, s->pids_limit);
	fputs("\"blkio\":{", f);
	io_list(f, "ioServiceBytesRecursive", s->io_bytes, s->n_io_bytes);
	fputc(',', f);
	io_list(f, "ioServicedRecursive", s->io_ops, s->n_io_ops);
	fputs("},\"hugetlb\":{", f);
	for (size_t i = 0; i < s->n_hugetlb; i++) {
		cleanup_free char *k = spec_json_quote(s->hugetlb[i].page_size);
		fprintf(f, "%s%s:{\"usage\":%" PRIu64 ",\"max\":%" PRIu64
			",\"failcnt\":%" PRIu64 "}", i ? "," : "", k,
			s->hugetlb[i].usage, s->hugetlb[i].max, s->hugetlb[i].failcnt);
	}
	fputs("}}", f);
	fclose(f);
	return buf;
}

static int print_stats(struct cg_manager *cg, const char *qid, brig_error_t **err)
{
	struct cg_stats s;
	cleanup_free char *data = NULL;

	if (cg_stats(cg, &s, err) < 0)
		return -1;
	data = stats_json(&s);
	cg_stats_free(&s);
	printf("{\"type\":\"stats\",\"id\":%s,\"data\":%s}\n", qid, data);
	/* a reader that went away ends the stream */
	if (fflush(stdout) != 0 || ferror(stdout))
		return brig_err(err, errno, "events: write");
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const struct option events_longopts[] = {
	{"stats", no_argument, NULL, 's'},
	{"interval", required_argument, NULL, 'i'},
	{NULL, 0, NULL, 0},
};
const struct cli_options cli_opts_events = {"+", events_longopts};

struct events_opts {
	const char *id;
	int64_t interval; /* ms */
	bool once;        /* --stats */
};

static int parse_events_args(int argc, char **argv, struct events_opts *o, brig_error_t **err)
{
	int c;

	*o = (struct events_opts){.interval = 5000};
	while ((c = getopt_long(argc, argv, cli_opts_events.shortopts,
				cli_opts_events.longopts, NULL)) != -1) {
		if (c == 's') {
			o->once = true;
		} else if (c == 'i') {
			if (parse_duration_ms(optarg, &o->interval) < 0)
				return brig_err(err, 0, "events: --interval: invalid "
						"duration \"%s\" (like 5s, 500ms; > 0)",
						optarg);
		} else {
			return brig_err(err, 0, "events: invalid option \"%s\" (see brig --help)",
					cli_refused(argv));
		}
	}
	if (optind >= argc)
		return brig_err(err, 0, "events: missing container id "
				"(usage: brig events [options] ID)");
	o->id = argv[optind];
	return 0;
}

/* The container's cgroup, if it runs and has one. */
static struct cg_manager *open_cgroup(struct container *ct, brig_error_t **err)
{
	if (!status_has_processes(container_status(ct)))
		return brig_err(err, 0, "events: container \"%s\" is not running", ct->id), NULL;
	if (ct->state->cgroup_path == NULL)
		return brig_err(err, 0, "events: container \"%s\" has no cgroup", ct->id), NULL;
	return cg_load(BRIG_CGROUP_ROOT, ct->state->cgroup_path, err);
}

/* The OOM kills counted since the last read, one line each; false when
 * the notifications are gone (then closed). */
static bool print_ooms(struct cg_oom *oom, const char *qid)
{
	int k = cg_oom_read(oom);

	for (int i = 0; i < k; i++) {
		printf("{\"type\":\"oom\",\"id\":%s}\n", qid);
		fflush(stdout);
	}
	return k >= 0;
}

static void oom_close(struct cg_oom **oom)
{
	cg_oom_close(*oom);
}

/* Stats every interval and OOM events as they come, until the container
 * is gone (or nobody reads). */
static int stream_events(struct container *ct, struct cg_manager *cg, const char *qid,
			 int64_t interval, brig_error_t **err)
{
	brig_error_t *e2 = NULL;
	struct cg_oom *oom __attribute__((cleanup(oom_close))) = cg_oom_open(cg, &e2);
	int64_t next = now_ms();

	if (oom == NULL)
		brig_err_warn(&e2, "events: no OOM notifications");
	for (;;) {
		struct pollfd p = { .fd = oom ? cg_oom_fd(oom) : -1, .events = POLLIN };
		int64_t wait = next - now_ms();
		int n;

		if (wait <= 0) {
			if (!container_alive(ct))
				break;
			if (print_stats(cg, qid, &e2) < 0) {
				/* the cgroup went away with the container, or
				 * nobody reads any more */
				brig_err_free(&e2);
				break;
			}
			next += interval;
			continue;
		}
		/* wake at least once a second to notice the container's end */
		n = poll(&p, 1, (int)(wait < 1000 ? wait : 1000));
		if (n < 0 && errno != EINTR)
			return brig_err(err, errno, "events: poll");
		if (n > 0 && oom && !print_ooms(oom, qid)) {
			cg_oom_close(oom);
			oom = NULL;
		}
		if (!container_alive(ct))
			break;
	}
	/* an OOM kill that ended the container may still be pending */
	if (oom) {
		struct pollfd p = { .fd = cg_oom_fd(oom), .events = POLLIN };

		if (poll(&p, 1, 100) > 0)
			for (int i = cg_oom_read(oom); i > 0; i--)
				printf("{\"type\":\"oom\",\"id\":%s}\n", qid);
	}
	return 0;
}

static void cg_freep(struct cg_manager **cg)
{
	cg_free(*cg);
}

int cmd_events(const struct brig_globals *g, int argc, char **argv, brig_error_t **err)
{
	struct events_opts o;
	cleanup_container struct container *ct = NULL;
	struct cg_manager *cg __attribute__((cleanup(cg_freep))) = NULL;
	cleanup_free char *qid = NULL;

	if (parse_events_args(argc, argv, &o, err) < 0)
		return -1;
	ct = container_open(g, o.id, false, err);
	if (ct == NULL || (cg = open_cgroup(ct, err)) == NULL)
		return -1;
	qid = spec_json_quote(ct->id);
	if (o.once)
		return print_stats(cg, qid, err);
	return stream_events(ct, cg, qid, o.interval, err);
}
