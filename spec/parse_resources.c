/* brig — spec/: linux.resources, also read alone by `update -r`. */
#include "parse.h"

#include <string.h>

static int parse_device_cgroup(struct jctx *c, yajl_val v, void *elem)
{
	struct spec_device_cgroup *d = elem;
	cleanup_free char *type = NULL;

	d->major = d->minor = -1;
	if (j_bool(c, v, "allow", true, &d->allow) < 0 ||
	    j_str(c, v, "type", false, &type) < 0)
		return -1;
	if (type) {
		if (strlen(type) != 1 || !strchr("acb", type[0]))
			return j_fail_at(c, "type", "invalid device type \"%s\" "
					 "(expected a, c or b)", type);
		d->type = type[0];
	}
	/* -1 is the wildcard ("*"), as runc writes it */
	if (j_i64(c, v, "major", false, -1, INT64_MAX, &d->major) < 0 ||
	    j_i64(c, v, "minor", false, -1, INT64_MAX, &d->minor) < 0 ||
	    j_str(c, v, "access", false, &d->access) < 0)
		return -1;
	if (d->access && d->access[strspn(d->access, "rwm")])
		return j_fail_at(c, "access", "invalid access \"%s\" "
				 "(expected a combination of r, w and m)",
				 d->access);
	return 0;
}

static int parse_memory(struct jctx *c, yajl_val v, struct spec_memory *m)
{
	if (j_opt_i64(c, v, "limit", INT64_MIN, INT64_MAX, &m->limit) < 0 ||
	    j_opt_i64(c, v, "reservation", INT64_MIN, INT64_MAX,
		      &m->reservation) < 0 ||
	    j_opt_i64(c, v, "swap", INT64_MIN, INT64_MAX, &m->swap) < 0 ||
	    j_opt_i64(c, v, "kernel", INT64_MIN, INT64_MAX, &m->kernel) < 0 ||
	    j_opt_i64(c, v, "kernelTCP", INT64_MIN, INT64_MAX,
		      &m->kernel_tcp) < 0 ||
	    j_opt_u64(c, v, "swappiness", 100, &m->swappiness) < 0 ||
	    j_opt_bool(c, v, "disableOOMKiller", &m->disable_oom_killer) < 0 ||
	    j_opt_bool(c, v, "useHierarchy", &m->use_hierarchy) < 0 ||
	    j_opt_bool(c, v, "checkBeforeUpdate", &m->check_before_update) < 0)
		return -1;
	return 0;
}

static int parse_cpu(struct jctx *c, yajl_val v, struct spec_cpu *p)
{
	if (j_opt_u64(c, v, "shares", UINT64_MAX, &p->shares) < 0 ||
	    j_opt_i64(c, v, "quota", INT64_MIN, INT64_MAX, &p->quota) < 0 ||
	    j_opt_u64(c, v, "burst", UINT64_MAX, &p->burst) < 0 ||
	    j_opt_u64(c, v, "period", UINT64_MAX, &p->period) < 0 ||
	    j_opt_i64(c, v, "realtimeRuntime", INT64_MIN, INT64_MAX,
		      &p->realtime_runtime) < 0 ||
	    j_opt_u64(c, v, "realtimePeriod", UINT64_MAX,
		      &p->realtime_period) < 0 ||
	    j_opt_i64(c, v, "idle", INT64_MIN, INT64_MAX, &p->idle) < 0 ||
	    j_str(c, v, "cpus", false, &p->cpus) < 0 ||
	    j_str(c, v, "mems", false, &p->mems) < 0)
		return -1;
	return 0;
}

static int parse_weight_device(struct jctx *c, yajl_val v, void *elem)
{
	struct spec_blkio_weight_device *w = elem;
	if (j_i64(c, v, "major", true, 0, INT64_MAX, &w->major) < 0 ||
	    j_i64(c, v, "minor", true, 0, INT64_MAX, &w->minor) < 0 ||
	    j_opt_u64(c, v, "weight", UINT16_MAX, &w->weight) < 0 ||
	    j_opt_u64(c, v, "leafWeight", UINT16_MAX, &w->leaf_weight) < 0)
		return -1;
	if (!w->weight.set && !w->leaf_weight.set)
		return j_fail(c, "needs at least one of weight and leafWeight");
	return 0;
}

static int parse_throttle(struct jctx *c, yajl_val v, void *elem)
{
	struct spec_blkio_throttle *t = elem;
	if (j_i64(c, v, "major", true, 0, INT64_MAX, &t->major) < 0 ||
	    j_i64(c, v, "minor", true, 0, INT64_MAX, &t->minor) < 0 ||
	    j_u64(c, v, "rate", true, UINT64_MAX, &t->rate) < 0)
		return -1;
	return 0;
}

static int parse_blkio(struct jctx *c, yajl_val v, struct spec_blkio *b)
{
	if (j_opt_u64(c, v, "weight", UINT16_MAX, &b->weight) < 0 ||
	    j_opt_u64(c, v, "leafWeight", UINT16_MAX, &b->leaf_weight) < 0 ||
	    j_objarray(c, v, "weightDevice", false, sizeof(*b->weight_device),
		       (void **)&b->weight_device, &b->n_weight_device,
		       parse_weight_device) < 0)
		return -1;
#define THROTTLE(key, field)                                               \
	if (j_objarray(c, v, key, false, sizeof(struct spec_blkio_throttle), \
		       (void **)&b->field, &b->n_##field, parse_throttle) < 0) \
		return -1;
	THROTTLE("throttleReadBpsDevice", throttle_read_bps)
	THROTTLE("throttleWriteBpsDevice", throttle_write_bps)
	THROTTLE("throttleReadIOPSDevice", throttle_read_iops)
	THROTTLE("throttleWriteIOPSDevice", throttle_write_iops)
#undef THROTTLE
	return 0;
}

/* "^[1-9][0-9]*[KMG]B$" */
static bool valid_page_size(const char *s)
{
	size_t digits = strspn(s, "0123456789");
	return digits > 0 && s[0] != '0' && s[digits] && strchr("KMG", s[digits]) &&
	       s[digits + 1] == 'B' && s[digits + 2] == '\0';
}

static int parse_hugepage(struct jctx *c, yajl_val v, void *elem)
{
	struct spec_hugepage_limit *h = elem;
	if (j_str(c, v, "pageSize", true, &h->page_size) < 0)
		return -1;
	if (!valid_page_size(h->page_size))
		return j_fail_at(c, "pageSize", "invalid page size \"%s\" "
				 "(expected <size>KB, <size>MB or <size>GB)",
				 h->page_size);
	if (j_u64(c, v, "limit", true, UINT64_MAX, &h->limit) < 0)
		return -1;
	return 0;
}

static int parse_net_prio(struct jctx *c, yajl_val v, void *elem)
{
	struct spec_net_priority *p = elem;
	if (j_str(c, v, "name", true, &p->name) < 0 ||
	    j_u32(c, v, "priority", true, &p->priority) < 0)
		return -1;
	return 0;
}

static int parse_network(struct jctx *c, yajl_val v, struct spec_resources *r)
{
	r->has_network = true;
	if (j_opt_u64(c, v, "classID", UINT32_MAX, &r->net_class_id) < 0 ||
	    j_objarray(c, v, "priorities", false, sizeof(*r->net_priorities),
		       (void **)&r->net_priorities, &r->n_net_priorities,
		       parse_net_prio) < 0)
		return -1;
	return 0;
}

static int parse_rdma(struct jctx *c, const char *key, yajl_val v, void *elem)
{
	struct spec_rdma *d = elem;
	d->device = xstrdup(key);
	if (j_opt_u64(c, v, "hcaHandles", UINT32_MAX, &d->hca_handles) < 0 ||
	    j_opt_u64(c, v, "hcaObjects", UINT32_MAX, &d->hca_objects) < 0)
		return -1;
	if (!d->hca_handles.set && !d->hca_objects.set)
		return j_fail(c, "needs at least one of hcaHandles and hcaObjects");
	return 0;
}

#define UNSET_ZERO(o) do { if ((o).set && (o).v == 0) (o).set = false; } while (0)

void spec_resources_zero_unset(struct spec_resources *r)
{
	if (r->memory) {
		UNSET_ZERO(r->memory->limit);
		UNSET_ZERO(r->memory->reservation);
		UNSET_ZERO(r->memory->swap);
		UNSET_ZERO(r->memory->kernel);
		UNSET_ZERO(r->memory->kernel_tcp);
	}
	if (r->cpu) {
		UNSET_ZERO(r->cpu->shares);
		UNSET_ZERO(r->cpu->quota);
		UNSET_ZERO(r->cpu->period);
		UNSET_ZERO(r->cpu->realtime_runtime);
		UNSET_ZERO(r->cpu->realtime_period);
	}
	if (r->block_io) {
		UNSET_ZERO(r->block_io->weight);
		UNSET_ZERO(r->block_io->leaf_weight);
	}
	UNSET_ZERO(r->pids_limit);
}

int spec_parse_resources_obj(struct jctx *c, yajl_val v,
			     struct spec_resources *r)
{
	yajl_val o = NULL;
	int rc;

	if (j_objarray(c, v, "devices", false, sizeof(*r->devices),
		       (void **)&r->devices, &r->n_devices,
		       parse_device_cgroup) < 0)
		return -1;
	J_SUBOBJ(c, v, "memory", &r->memory, parse_memory);
	J_SUBOBJ(c, v, "cpu", &r->cpu, parse_cpu);
	J_SUBOBJ(c, v, "blockIO", &r->block_io, parse_blkio);
	if (j_objarray(c, v, "hugepageLimits", false,
		       sizeof(*r->hugepage_limits), (void **)&r->hugepage_limits,
		       &r->n_hugepage_limits, parse_hugepage) < 0)
		return -1;
	if ((rc = j_obj(c, v, "network", false, &o)) < 0)
		return -1;
	if (rc > 0) {
		size_t s = j_push_key(c, "network");
		rc = parse_network(c, o, r);
		j_pop(c, s);
		if (rc < 0)
			return -1;
	}
	if ((rc = j_obj(c, v, "pids", false, &o)) < 0)
		return -1;
	if (rc > 0) {
		size_t s = j_push_key(c, "pids");
		rc = j_opt_i64(c, o, "limit", INT64_MIN, INT64_MAX, &r->pids_limit);
		if (rc == 0)
			rc = j_fail(c, "missing required property \"limit\"");
		j_pop(c, s);
		if (rc < 0)
			return -1;
	}
	if (j_objmap(c, v, "rdma", sizeof(*r->rdma), (void **)&r->rdma,
		     &r->n_rdma, parse_rdma) < 0 ||
	    j_kv(c, v, "unified", &r->unified) < 0)
		return -1;
	spec_resources_zero_unset(r);
	return 0;
}

struct spec_resources *spec_parse_resources(const char *json, size_t len,
					    const char *name, brig_error_t **err)
{
	struct spec_resources *r;
	struct jctx c;
	yajl_val top;
	int rc;

	if (!name)
		name = "resources.json";
	top = j_parse(json, len, name, err);
	if (!top)
		return NULL;
	r = xcalloc(1, sizeof(*r));
	j_init(&c, name, err);
	rc = spec_parse_resources_obj(&c, top, r);
	j_fini(&c);
	j_free(top);
	if (rc < 0) {
		spec_resources_free(r);
		return NULL;
	}
	return r;
}
