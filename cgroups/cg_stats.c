/* brig — cgroups/: resource usage for `events`, read from the hierarchy
 * holding each controller (v1 or v2 files), in runc's units: CPU times in
 * nanoseconds, memory in bytes, "max" as UINT64_MAX.
 *
 * v1: cpuacct.usage, cpuacct.usage_percpu, cpuacct.stat (USER_HZ ticks),
 *     cpu.stat; memory.{usage,max_usage,limit,failcnt}, memsw.*, kmem.*,
 *     kmem.tcp.*, memory.stat; pids.current/max;
 *     blkio.*io_service{_bytes,d}_recursive; hugetlb.<size>.*.
 * v2: cpu.stat (usec); memory.current/peak/max, memory.events (max),
 *     memory.swap.*, memory.stat; pids.*; io.stat; hugetlb.<size>.*. */
#include "cgroups/cg_internal.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

static uint64_t u64(const char *dir, const char *file)
{
	uint64_t v = 0;

	if (cg_read_u64(dir, file, &v) < 0)
		return 0;
	return v;
}

/* The value of key in a "key value" per line file, or 0. */
static uint64_t keyed(const char *text, const char *key)
{
	size_t kl = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, key, kl) == 0 && p[kl] == ' ')
			return strtoull(p + kl + 1, NULL, 10);
	return 0;
}

static void raw_stats(const char *text, struct cg_stats *s)
{
	cleanup_free char *t = xstrdup(text);
	char *save = NULL, *line;

	for (line = strtok_r(t, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');

		if (sp == NULL)
			continue;
		*sp = '\0';
		s->mem_raw = xrealloc(s->mem_raw, (s->n_mem_raw + 1) * sizeof(*s->mem_raw));
		s->mem_raw[s->n_mem_raw].key = xstrdup(line);
		s->mem_raw[s->n_mem_raw].value = strtoull(sp + 1, NULL, 10);
		s->n_mem_raw++;
	}
}

static void io_add(struct cg_io_entry **v, size_t *n, uint64_t maj,
		   uint64_t min, const char *op, uint64_t value)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[*n] = (struct cg_io_entry){ maj, min, op, value };
	(*n)++;
}

static const char *io_op(const char *s)
{
	static const char *const ops[] = { "Read", "Write", "Sync", "Async",
					   "Discard", "Total" };

	for (size_t i = 0; i < ARRAY_SIZE(ops); i++)
		if (strcmp(s, ops[i]) == 0)
			return ops[i];
	return NULL;
}

/* v1 "8:0 Read 4096" lines; false when the file is missing. */
static bool blkio_v1_file(const char *dir, const char *file,
			  struct cg_io_entry **v, size_t *n)
{
	cleanup_free char *t = cg_read(dir, file);
	char *save = NULL, *line;

	if (t == NULL)
		return false;
	for (line = strtok_r(t, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long maj, min;
		unsigned long long val;
		char op[16];

		if (sscanf(line, "%lu:%lu %15s %llu", &maj, &min, op, &val) == 4 &&
		    io_op(op))
			io_add(v, n, maj, min, io_op(op), val);
	}
	return true;
}

static void blkio_v1(const char *dir, struct cg_stats *s)
{
	static const char *const pre[] = { "blkio.", "blkio.bfq.", "blkio.throttle." };

	for (size_t i = 0; i < ARRAY_SIZE(pre); i++) {
		cleanup_free char *b = xasprintf("%sio_service_bytes_recursive", pre[i]);
		cleanup_free char *o = xasprintf("%sio_serviced_recursive", pre[i]);

		if (blkio_v1_file(dir, b, &s->io_bytes, &s->n_io_bytes)) {
			blkio_v1_file(dir, o, &s->io_ops, &s->n_io_ops);
			if (s->n_io_bytes || s->n_io_ops)
				return;
		}
	}
}

/* v2 io.stat: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0" */
static void io_v2(const char *dir, struct cg_stats *s)
{
	cleanup_free char *t = cg_read(dir, "io.stat");
	char *save = NULL, *line;

	if (t == NULL)
		return;
	for (line = strtok_r(t, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long maj, min;
		char *save2 = NULL, *kv;

		if (sscanf(line, "%lu:%lu", &maj, &min) != 2)
			continue;
		strtok_r(line, " ", &save2);
		while ((kv = strtok_r(NULL, " ", &save2)) != NULL) {
			char *eq = strchr(kv, '=');
			uint64_t val;

			if (eq == NULL)
				continue;
			val = strtoull(eq + 1, NULL, 10);
			*eq = '\0';
			if (strcmp(kv, "rbytes") == 0)
				io_add(&s->io_bytes, &s->n_io_bytes, maj, min, "Read", val);
			else if (strcmp(kv, "wbytes") == 0)
				io_add(&s->io_bytes, &s->n_io_bytes, maj, min, "Write", val);
			else if (strcmp(kv, "rios") == 0)
				io_add(&s->io_ops, &s->n_io_ops, maj, min, "Read", val);
			else if (strcmp(kv, "wios") == 0)
				io_add(&s->io_ops, &s->n_io_ops, maj, min, "Write", val);
		}
	}
}

static void cpu_v1(struct cg_manager *m, struct cg_hier *h, struct cg_stats *s)
{
	struct cg_hier *acct = cg_ctrl(m, "cpuacct");
	long hz = sysconf(_SC_CLK_TCK);

	if (hz <= 0)
		hz = 100;
	if (acct && !acct->v2) {
		cleanup_free char *st = cg_read(acct->dir, "cpuacct.stat");
		cleanup_free char *pc = cg_read(acct->dir, "cpuacct.usage_percpu");

		s->has_cpu = true;
		s->cpu_total = u64(acct->dir, "cpuacct.usage");
		if (st) {
			s->cpu_user = keyed(st, "user") * (1000000000ULL / (uint64_t)hz);
			s->cpu_kernel = keyed(st, "system") * (1000000000ULL / (uint64_t)hz);
		}
		for (char *p = pc, *end; p && *p; p = end) {
			uint64_t v = strtoull(p, &end, 10);

			if (end == p)
				break;
			s->percpu = xrealloc(s->percpu, (s->n_percpu + 1) * sizeof(uint64_t));
			s->percpu[s->n_percpu++] = v;
		}
	}
	if (h) {
		cleanup_free char *st = cg_read(h->dir, "cpu.stat");

		s->has_cpu = true;
		if (st) {
			s->throttle_periods = keyed(st, "nr_periods");
			s->throttled_periods = keyed(st, "nr_throttled");
			s->throttled_time = keyed(st, "throttled_time");
		}
	}
}

static void cpu_v2(struct cg_hier *h, struct cg_stats *s)
{
	cleanup_free char *st = cg_read(h->dir, "cpu.stat");

	if (st == NULL)
		return;
	s->has_cpu = true;
	s->cpu_total = keyed(st, "usage_usec") * 1000;
	s->cpu_user = keyed(st, "user_usec") * 1000;
	s->cpu_kernel = keyed(st, "system_usec") * 1000;
	s->throttle_periods = keyed(st, "nr_periods");
	s->throttled_periods = keyed(st, "nr_throttled");
	s->throttled_time = keyed(st, "throttled_usec") * 1000;
}

static void mem_v1_entry(const char *dir, const char *pre, struct cg_mem_usage *u)
{
	cleanup_free char *a = xasprintf("%s.usage_in_bytes", pre);
	cleanup_free char *b = xasprintf("%s.max_usage_in_bytes", pre);
	cleanup_free char *c = xasprintf("%s.limit_in_bytes", pre);
	cleanup_free char *d = xasprintf("%s.failcnt", pre);

	u->usage = u64(dir, a);
	u->max = u64(dir, b);
	u->limit = u64(dir, c);
	u->failcnt = u64(dir, d);
}

static void memory(struct cg_hier *h, struct cg_stats *s)
{
	cleanup_free char *st = cg_read(h->dir, "memory.stat");

	s->has_memory = true;
	if (st)
		raw_stats(st, s);
	if (!h->v2) {
		mem_v1_entry(h->dir, "memory", &s->mem);
		mem_v1_entry(h->dir, "memory.memsw", &s->swap);
		mem_v1_entry(h->dir, "memory.kmem", &s->kernel);
		mem_v1_entry(h->dir, "memory.kmem.tcp", &s->kernel_tcp);
		s->mem_cache = st ? keyed(st, "cache") : 0;
		return;
	}
	{
		cleanup_free char *ev = cg_read(h->dir, "memory.events");

		s->mem.usage = u64(h->dir, "memory.current");
		s->mem.max = u64(h->dir, "memory.peak");
		s->mem.limit = u64(h->dir, "memory.max");
		s->mem.failcnt = ev ? keyed(ev, "max") : 0;
		s->swap.usage = u64(h->dir, "memory.swap.current");
		s->swap.max = u64(h->dir, "memory.swap.peak");
		s->swap.limit = u64(h->dir, "memory.swap.max");
		s->mem_cache = st ? keyed(st, "file") : 0;
	}
}

/* hugetlb.<size>.<suffix> files present in the cgroup's directory. */
static void hugetlb(struct cg_hier *h, struct cg_stats *s)
{
	const char *suffix = h->v2 ? ".current" : ".usage_in_bytes";
	DIR *d = opendir(h->dir);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name), sl = strlen(suffix);
		struct cg_hugetlb_stat *x;
		cleanup_free char *size = NULL, *f = NULL;

		if (strncmp(e->d_name, "hugetlb.", 8) != 0 || len <= 8 + sl ||
		    strcmp(e->d_name + len - sl, suffix) != 0 ||
		    (h->v2 && strstr(e->d_name, ".rsvd.")))
			continue;
		size = xasprintf("%.*s", (int)(len - 8 - sl), e->d_name + 8);
		if (strchr(size, '.'))
			continue;
		s->hugetlb = xrealloc(s->hugetlb, (s->n_hugetlb + 1) * sizeof(*s->hugetlb));
		x = &s->hugetlb[s->n_hugetlb++];
		x->page_size = xstrdup(size);
		x->usage = u64(h->dir, e->d_name);
		if (h->v2) {
			cleanup_free char *ev = NULL;

			free(f);
			f = xasprintf("hugetlb.%s.max", size);
			x->max = u64(h->dir, f);
			free(f);
			f = xasprintf("hugetlb.%s.events", size);
			ev = cg_read(h->dir, f);
			x->failcnt = ev ? keyed(ev, "max") : 0;
		} else {
			f = xasprintf("hugetlb.%s.max_usage_in_bytes", size);
			x->max = u64(h->dir, f);
			free(f);
			f = xasprintf("hugetlb.%s.failcnt", size);
			x->failcnt = u64(h->dir, f);
		}
	}
	closedir(d);
}

int cg_stats(struct cg_manager *m, struct cg_stats *s, brig_error_t **err)
{
	struct cg_hier *h;

	memset(s, 0, sizeof(*s));
	/* the container's cgroup must still be there */
	if (access(m->h[0].dir, F_OK) < 0)
		return brig_err(err, errno, "cgroup %s", m->h[0].dir);
	h = cg_ctrl(m, "cpu");
	if (h && h->v2)
		cpu_v2(h, s);
	else
		cpu_v1(m, h, s);
	if ((h = cg_ctrl(m, "memory")) != NULL)
		memory(h, s);
	if ((h = cg_ctrl(m, "pids")) != NULL && cg_file_exists(h->dir, "pids.current")) {
		s->has_pids = true;
		s->pids_current = u64(h->dir, "pids.current");
		s->pids_limit = u64(h->dir, "pids.max");
		if (s->pids_limit == UINT64_MAX)
			s->pids_limit = 0; /* runc: 0 is "no limit" */
	}
	h = cg_ctrl(m, "blkio");
	if (h && !h->v2)
		blkio_v1(h->dir, s);
	else if ((h = cg_ctrl(m, "io")) != NULL && h->v2)
		io_v2(h->dir, s);
	if ((h = cg_ctrl(m, "hugetlb")) != NULL)
		hugetlb(h, s);
	return 0;
}

void cg_stats_free(struct cg_stats *s)
{
	for (size_t i = 0; i < s->n_mem_raw; i++)
		free(s->mem_raw[i].key);
	for (size_t i = 0; i < s->n_hugetlb; i++)
		free(s->hugetlb[i].page_size);
	free(s->mem_raw);
	free(s->hugetlb);
	free(s->percpu);
	free(s->io_bytes);
	free(s->io_ops);
	memset(s, 0, sizeof(*s));
}
