/* brig — cgroups/: linux.resources → the controller renderers.
 *
 * Each resource goes to the hierarchy holding its controller (cg_ctrl):
 * a v1 one renders the v1 files, the unified one the v2 files.  That one
 * rule makes the hybrid backend: on this kind of host hugetlb lives in
 * the unified tree while memory, cpu, ... are v1.  A resource that is
 * requested but has no controller on the host is an error naming it.
 * The order is runc's: cpuset, devices, memory, cpu, pids, blkio, hugetlb,
 * network, rdma; unified last so it can override. */
#include "cgroups/cg_internal.h"

#include <string.h>

/* The hierarchy for ctrl, or an error naming the JSON path.  In the v2
 * tree the cgroup's own cgroup.controllers tells (read once per apply);
 * when unreadable, writing the file will tell. */
static int need(struct cg_manager *m, const char *ctrl, const char *json,
		struct cg_hier **h, char **leaf_ctrls, brig_error_t **err)
{
	*h = cg_ctrl(m, ctrl);
	if (*h && (*h)->v2) {
		if (*leaf_ctrls == NULL)
			*leaf_ctrls = cg_read((*h)->dir, "cgroup.controllers");
		if (*leaf_ctrls == NULL)
			*leaf_ctrls = xstrdup("?");
		if (strcmp(*leaf_ctrls, "?") != 0 && !cg_word_in(*leaf_ctrls, ctrl))
			return brig_err(err, 0, "%s: the %s cgroup controller is not "
					"available in %s", json, ctrl, (*h)->dir);
	}
	if (*h == NULL)
		return brig_err(err, 0, "%s: the %s cgroup controller is not "
				"available on this host", json, ctrl);
	return 0;
}

static bool memory_any(const struct spec_memory *x)
{
	return x->limit.set || x->reservation.set || x->swap.set ||
	       x->kernel_tcp.set || x->swappiness.set ||
	       x->disable_oom_killer.set;
}

static bool cpu_any(const struct spec_cpu *x)
{
	return x->shares.set || x->quota.set || x->period.set ||
	       x->realtime_period.set || x->realtime_runtime.set ||
	       x->burst.set || x->idle.set;
}

static bool blkio_any(const struct spec_blkio *b)
{
	return b->weight.set || b->leaf_weight.set || b->n_weight_device ||
	       b->n_throttle_read_bps || b->n_throttle_write_bps ||
	       b->n_throttle_read_iops || b->n_throttle_write_iops;
}

int cg_apply_resources(struct cg_manager *m, const struct spec_resources *r,
		       brig_error_t **err)
{
	cleanup_free char *lc = NULL; /* the v2 cgroup's controllers */
	struct cg_hier *h;

	/* unified is written last but checked first: a bad key changes
	 * nothing (an update is applied to a live container) */
	if (r->unified.n) {
		h = cg_unified(m);
		if (h == NULL)
			return brig_err(err, 0, "linux.resources.unified: no cgroup v2 "
					"(unified) hierarchy on this host");
		if (cg_check_unified(h, &r->unified, err) < 0)
			return -1;
	}
	if (r->cpu && ((r->cpu->cpus && *r->cpu->cpus) ||
		       (r->cpu->mems && *r->cpu->mems))) {
		if (need(m, "cpuset", "linux.resources.cpu.cpus", &h, &lc, err) < 0 ||
		    cg_apply_cpuset(h, r->cpu, err) < 0)
			return -1;
	}
	if (r->n_devices) {
		/* v1: devices.allow/deny; v2: an eBPF program (there is no
		 * "devices" controller to look up: it is always the unified
		 * tree on a pure v2 host). */
		h = cg_ctrl(m, "devices");
		if (h == NULL && m->layout == CG_LAYOUT_V2)
			h = cg_unified(m);
		if (h && !h->v2 && cg_apply_devices(h, r, err) < 0)
			return -1;
		if (h && h->v2 && cg_apply_devices_bpf(h, r, err) < 0)
			return -1;
	}
	if (r->memory && memory_any(r->memory)) {
		if (need(m, "memory", "linux.resources.memory", &h, &lc, err) < 0 ||
		    cg_apply_memory(h, r->memory, err) < 0)
			return -1;
	}
	if (r->cpu && cpu_any(r->cpu)) {
		if (need(m, "cpu", "linux.resources.cpu", &h, &lc, err) < 0 ||
		    cg_apply_cpu(h, r->cpu, err) < 0)
			return -1;
	}
	if (r->pids_limit.set) {
		if (need(m, "pids", "linux.resources.pids", &h, &lc, err) < 0 ||
		    cg_apply_pids(h, r->pids_limit.v, err) < 0)
			return -1;
	}
	if (r->block_io && blkio_any(r->block_io)) {
		h = cg_ctrl(m, "blkio");
		if (h == NULL && need(m, "io", "linux.resources.blockIO", &h, &lc, err) < 0)
			return -1;
		if (cg_apply_blkio(h, r->block_io, err) < 0)
			return -1;
	}
	if (r->n_hugepage_limits) {
		if (need(m, "hugetlb", "linux.resources.hugepageLimits", &h, &lc, err) < 0 ||
		    cg_apply_hugetlb(h, r->hugepage_limits, r->n_hugepage_limits, err) < 0)
			return -1;
	}
	if (r->net_class_id.set) {
		h = cg_ctrl(m, "net_cls");
		if (h == NULL || h->v2)
			return brig_err(err, 0, "linux.resources.network.classID: "
					"no net_cls cgroup v1 hierarchy on this host");
		if (cg_apply_net_cls(h, r->net_class_id.v, err) < 0)
			return -1;
	}
	if (r->n_net_priorities) {
		h = cg_ctrl(m, "net_prio");
		if (h == NULL || h->v2)
			return brig_err(err, 0, "linux.resources.network.priorities: "
					"no net_prio cgroup v1 hierarchy on this host");
		if (cg_apply_net_prio(h, r->net_priorities, r->n_net_priorities, err) < 0)
			return -1;
	}
	if (r->n_rdma) {
		if (need(m, "rdma", "linux.resources.rdma", &h, &lc, err) < 0 ||
		    cg_apply_rdma(h, r->rdma, r->n_rdma, err) < 0)
			return -1;
	}
	if (r->unified.n && cg_apply_unified(cg_unified(m), &r->unified, err) < 0)
		return -1;
	return 0;
}
