/* brig — cgroups/: linux.resources.memory.
 *
 * v1: memory.limit_in_bytes, memory.memsw.limit_in_bytes (= swap, which
 *     is memory+swap), memory.soft_limit_in_bytes, memory.swappiness,
 *     memory.oom_control, memory.kmem.tcp.limit_in_bytes.
 * v2: memory.max, memory.swap.max (= swap - limit, as runc), memory.low.
 *     swappiness, disableOOMKiller and kernelTCP have no v2 file: ignored.
 * kernel (kmem) is ignored everywhere: the kernel dropped it.
 * -1 means unlimited ("max" on v2). */
#include "cgroups/cg_internal.h"

#include <errno.h>
#include <inttypes.h>

#define J "linux.resources.memory."

static char *v2_value(int64_t v)
{
	return v < 0 ? xstrdup("max") : xasprintf("%" PRId64, v);
}

static int check_usage(struct cg_hier *h, const struct spec_memory *mem,
		       brig_error_t **err)
{
	uint64_t usage;

	if (!mem->check_before_update.set || !mem->check_before_update.v ||
	    !mem->limit.set || mem->limit.v < 0)
		return 0;
	if (cg_read_u64(h->dir, h->v2 ? "memory.current" : "memory.usage_in_bytes",
			&usage) < 0)
		return 0;
	if ((uint64_t)mem->limit.v < usage)
		return brig_err(err, 0, J "limit: %" PRId64 " is below the current "
				"usage %" PRIu64 " (checkBeforeUpdate)",
				mem->limit.v, usage);
	return 0;
}

static int w64(struct cg_hier *h, const char *file, const char *json,
	       int64_t v, brig_error_t **err)
{
	if (cg_writef(h->dir, file, err, "%" PRId64, v) < 0)
		return brig_err_prefix(err, J "%s", json);
	return 0;
}

static int apply_v1(struct cg_hier *h, const struct spec_memory *mem,
		    brig_error_t **err)
{
	bool lim = mem->limit.set, swp = mem->swap.set;
	int64_t swap = mem->swap.v;

	/* Unlimited memory without a swap value means unlimited swap too
	 * (when the kernel accounts swap at all). */
	if (lim && mem->limit.v == -1 && !swp &&
	    cg_file_exists(h->dir, "memory.memsw.limit_in_bytes")) {
		swp = true;
		swap = -1;
	}
	if (lim && swp) {
		/* The kernel wants memsw >= limit at every step: raise memsw
		 * first when the new swap is above the current limit. */
		uint64_t cur;

		if (cg_read_u64(h->dir, "memory.limit_in_bytes", &cur) < 0)
			cur = UINT64_MAX;
		if (swap == -1 || (swap >= 0 && cur < (uint64_t)swap)) {
			if (w64(h, "memory.memsw.limit_in_bytes", "swap", swap, err) < 0 ||
			    w64(h, "memory.limit_in_bytes", "limit", mem->limit.v, err) < 0)
				return -1;
		} else {
			if (w64(h, "memory.limit_in_bytes", "limit", mem->limit.v, err) < 0 ||
			    w64(h, "memory.memsw.limit_in_bytes", "swap", swap, err) < 0)
				return -1;
		}
	} else if (lim) {
		if (w64(h, "memory.limit_in_bytes", "limit", mem->limit.v, err) < 0)
			return -1;
	} else if (swp) {
		if (w64(h, "memory.memsw.limit_in_bytes", "swap", swap, err) < 0)
			return -1;
	}
	if (mem->reservation.set &&
	    w64(h, "memory.soft_limit_in_bytes", "reservation", mem->reservation.v, err) < 0)
		return -1;
	if (mem->kernel_tcp.set &&
	    w64(h, "memory.kmem.tcp.limit_in_bytes", "kernelTCP", mem->kernel_tcp.v, err) < 0)
		return -1;
	if (mem->swappiness.set) {
		if (mem->swappiness.v > 100)
			return brig_err(err, 0, J "swappiness: %" PRIu64 " is not "
					"between 0 and 100", mem->swappiness.v);
		if (w64(h, "memory.swappiness", "swappiness",
			(int64_t)mem->swappiness.v, err) < 0)
			return -1;
	}
	if (mem->disable_oom_killer.set &&
	    w64(h, "memory.oom_control", "disableOOMKiller",
		mem->disable_oom_killer.v ? 1 : 0, err) < 0)
		return -1;
	return 0;
}

/* memory.swap.max from the OCI memory+swap value, or -2 for "leave it".
 * cur: the cgroup's memory.max, for an update that gives a swap value and
 * leaves the limit as it is (runc takes it from the config it saved);
 * 0 when there is none. */
static int v2_swap(const struct spec_memory *mem, int64_t cur, int64_t *out,
		   brig_error_t **err)
{
	int64_t lim = mem->limit.set ? mem->limit.v : cur;

	*out = -2;
	if (!mem->swap.set) {
		if (mem->limit.set && lim == -1)
			*out = -1; /* unlimited memory: unlimited swap too */
		return 0;
	}
	if (mem->swap.v == -1) {
		*out = -1;
		return 0;
	}
	if (mem->swap.v < 0)
		return brig_err(err, 0, J "swap: invalid value %" PRId64, mem->swap.v);
	if (lim <= 0)
		return brig_err(err, 0, J "swap: cannot set a swap limit without "
				"a memory limit");
	if (mem->swap.v < lim)
		return brig_err(err, 0, J "swap: memory+swap limit %" PRId64
				" is below the memory limit %" PRId64,
				mem->swap.v, lim);
	*out = mem->swap.v - lim;
	return 0;
}

static int apply_v2(struct cg_hier *h, const struct spec_memory *mem,
		    brig_error_t **err)
{
	int64_t swap;
	uint64_t cur = 0;

	if (mem->swap.set && !mem->limit.set &&
	    (cg_read_u64(h->dir, "memory.max", &cur) < 0 || cur > INT64_MAX))
		cur = 0; /* unreadable or "max" */
	if (v2_swap(mem, (int64_t)cur, &swap, err) < 0)
		return -1;
	if (swap != -2) {
		cleanup_free char *v = v2_value(swap);
		if (cg_write(h->dir, "memory.swap.max", v, err) < 0) {
			/* No swap accounting: "no swap limit" and "no swap"
			 * both hold already (as runc). */
			if ((*err)->code != ENOENT || swap > 0)
				return brig_err_prefix(err, J "swap");
			brig_err_free(err);
		}
	}
	if (mem->limit.set) {
		cleanup_free char *v = v2_value(mem->limit.v);
		if (cg_write(h->dir, "memory.max", v, err) < 0)
			return brig_err_prefix(err, J "limit");
	}
	if (mem->reservation.set) {
		cleanup_free char *v = v2_value(mem->reservation.v);
		if (cg_write(h->dir, "memory.low", v, err) < 0)
			return brig_err_prefix(err, J "reservation");
	}
	return 0;
}

int cg_apply_memory(struct cg_hier *h, const struct spec_memory *mem,
		    brig_error_t **err)
{
	if (check_usage(h, mem, err) < 0)
		return -1;
	return h->v2 ? apply_v2(h, mem, err) : apply_v1(h, mem, err);
}
