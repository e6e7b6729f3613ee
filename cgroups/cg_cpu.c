/* brig — cgroups/: linux.resources.cpu (cpu and cpuset controllers).
 *
 * v1: cpu.shares, cpu.cfs_period_us, cpu.cfs_quota_us, cpu.cfs_burst_us,
 *     cpu.rt_period_us, cpu.rt_runtime_us, cpu.idle.
 * v2: cpu.weight (from shares, runc's formula), cpu.max "<quota|max>
 *     [period]", cpu.max.burst, cpu.idle; realtime is refused.
 * Both: cpuset.cpus, cpuset.mems. */
#include "cgroups/cg_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#define J "linux.resources.cpu."

/* shares [2, 262144] → weight [1, 10000], as runc and crun (before 1.23). */
uint64_t cg_shares_to_weight(uint64_t shares)
{
	if (shares == 0)
		return 0;
	if (shares < 2)
		shares = 2;
	if (shares > 262144)
		shares = 262144;
	return 1 + ((shares - 2) * 9999) / 262142;
}

static int wr(struct cg_hier *h, const char *file, const char *json,
	      brig_error_t **err, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int wr(struct cg_hier *h, const char *file, const char *json,
	      brig_error_t **err, const char *fmt, ...)
{
	cleanup_free char *v = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&v, fmt, ap) < 0)
		abort();
	va_end(ap);
	if (cg_write(h->dir, file, v, err) < 0)
		return brig_err_prefix(err, J "%s", json);
	return 0;
}

static int apply_v1(struct cg_hier *h, const struct spec_cpu *c,
		    brig_error_t **err)
{
	if (c->shares.set &&
	    wr(h, "cpu.shares", "shares", err, "%" PRIu64, c->shares.v) < 0)
		return -1;
	if (c->period.set && c->period.v != 0) {
		/* A shorter period can be refused until the quota shrinks
		 * too: then write the quota first and the period again. */
		if (cg_writef(h->dir, "cpu.cfs_period_us", err, "%" PRIu64,
			      c->period.v) < 0) {
			if (!((*err)->code == EINVAL && c->quota.set))
				return brig_err_prefix(err, J "period");
			brig_err_free(err);
			if (wr(h, "cpu.cfs_quota_us", "quota", err, "%" PRId64,
			       c->quota.v) < 0 ||
			    wr(h, "cpu.cfs_period_us", "period", err, "%" PRIu64,
			       c->period.v) < 0)
				return -1;
		}
	}
	if (c->quota.set &&
	    wr(h, "cpu.cfs_quota_us", "quota", err, "%" PRId64, c->quota.v) < 0)
		return -1;
	if (c->burst.set &&
	    wr(h, "cpu.cfs_burst_us", "burst", err, "%" PRIu64, c->burst.v) < 0)
		return -1;
	if (c->realtime_period.set &&
	    wr(h, "cpu.rt_period_us", "realtimePeriod", err, "%" PRIu64,
	       c->realtime_period.v) < 0)
		return -1;
	if (c->realtime_runtime.set &&
	    wr(h, "cpu.rt_runtime_us", "realtimeRuntime", err, "%" PRId64,
	       c->realtime_runtime.v) < 0)
		return -1;
	if (c->idle.set &&
	    wr(h, "cpu.idle", "idle", err, "%" PRId64, c->idle.v) < 0)
		return -1;
	return 0;
}

static int apply_v2(struct cg_hier *h, const struct spec_cpu *c,
		    brig_error_t **err)
{
	if ((c->realtime_runtime.set && c->realtime_runtime.v != 0) ||
	    (c->realtime_period.set && c->realtime_period.v != 0))
		return brig_err(err, 0, J "%s: realtime scheduling is not "
				"supported by cgroup v2",
				c->realtime_runtime.set ? "realtimeRuntime"
							: "realtimePeriod");
	if (c->shares.set && c->shares.v != 0 &&
	    wr(h, "cpu.weight", "shares", err, "%" PRIu64,
	       cg_shares_to_weight(c->shares.v)) < 0)
		return -1;
	if (c->quota.set || (c->period.set && c->period.v != 0)) {
		cleanup_free char *quota = NULL;

		if (c->quota.set) {
			quota = c->quota.v > 0 ? xasprintf("%" PRId64, c->quota.v)
					       : xstrdup("max");
		} else {
			/* period alone: keep the quota already there */
			quota = cg_read(h->dir, "cpu.max");
			if (quota == NULL || *quota == '\0') {
				free(quota);
				quota = xstrdup("max");
			}
			quota[strcspn(quota, " ")] = '\0';
		}
		if (c->period.set && c->period.v != 0) {
			if (wr(h, "cpu.max", c->quota.set ? "quota" : "period", err,
			       "%s %" PRIu64, quota, c->period.v) < 0)
				return -1;
		} else if (wr(h, "cpu.max", "quota", err, "%s", quota) < 0) {
			return -1;
		}
	}
	if (c->burst.set &&
	    wr(h, "cpu.max.burst", "burst", err, "%" PRIu64, c->burst.v) < 0)
		return -1;
	if (c->idle.set &&
	    wr(h, "cpu.idle", "idle", err, "%" PRId64, c->idle.v) < 0)
		return -1;
	return 0;
}

int cg_apply_cpu(struct cg_hier *h, const struct spec_cpu *c,
		 brig_error_t **err)
{
	return h->v2 ? apply_v2(h, c, err) : apply_v1(h, c, err);
}

int cg_apply_cpuset(struct cg_hier *h, const struct spec_cpu *c,
		    brig_error_t **err)
{
	if (c->cpus && *c->cpus &&
	    wr(h, "cpuset.cpus", "cpus", err, "%s", c->cpus) < 0)
		return -1;
	if (c->mems && *c->mems &&
	    wr(h, "cpuset.mems", "mems", err, "%s", c->mems) < 0)
		return -1;
	return 0;
}
