/* brig — spec/: the linux object, except resources and seccomp. */
#include "parse.h"

#include <string.h>

static const char *const propagations[] = {
	"shared", "slave", "private", "unbindable",
	"rshared", "rslave", "rprivate", "runbindable", NULL
};

/* Indexed by the kernel's MPOL_* numbers (linux/mempolicy.h). */
static const char *const mpol_modes[] = {
	"MPOL_DEFAULT", "MPOL_PREFERRED", "MPOL_BIND", "MPOL_INTERLEAVE",
	"MPOL_LOCAL", "MPOL_PREFERRED_MANY", "MPOL_WEIGHTED_INTERLEAVE", NULL
};

static const char *const mpol_flags[] = {
	"MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES",
	"MPOL_F_STATIC_NODES", NULL
};

static const char *const personality_domains[] = { "LINUX", "LINUX32", NULL };

static int parse_namespace(struct jctx *c, yajl_val v, void *elem)
{
	struct spec_namespace *ns = elem;
	cleanup_free char *type = NULL;
	int t;

	if (j_str(c, v, "type", true, &type) < 0)
		return -1;
	for (t = 0; t < SPEC_NS_COUNT; t++)
		if (strcmp(type, spec_ns_name((enum spec_ns_type)t)) == 0)
			break;
	if (t == SPEC_NS_COUNT)
		return j_fail_at(c, "type", "unknown namespace type \"%s\"", type);
	ns->type = (enum spec_ns_type)t;
	if (j_str(c, v, "path", false, &ns->path) < 0 ||
	    j_check_abs(c, "path", ns->path) < 0)
		return -1;
	return 0;
}

static int parse_namespaces(struct jctx *c, yajl_val v, struct spec_linux *l)
{
	bool seen[SPEC_NS_COUNT] = { false };

	if (j_objarray(c, v, "namespaces", false, sizeof(struct spec_namespace),
		       (void **)&l->namespaces, &l->n_namespaces,
		       parse_namespace) < 0)
		return -1;
	for (size_t i = 0; i < l->n_namespaces; i++) {
		enum spec_ns_type t = l->namespaces[i].type;
		if (seen[t]) {
			size_t saved = j_push_key(c, "namespaces");
			j_push_idx(c, i);
			j_fail(c, "duplicate namespace type \"%s\"",
			       spec_ns_name(t));
			j_pop(c, saved);
			return -1;
		}
		seen[t] = true;
	}
	return 0;
}

static int parse_offset(struct jctx *c, yajl_val v, struct spec_time_offset *o)
{
	uint32_t ns = 0;
	o->set = true;
	if (j_i64(c, v, "secs", false, INT64_MIN, INT64_MAX, &o->secs) < 0 ||
	    j_u32(c, v, "nanosecs", false, &ns) < 0)
		return -1;
	if (ns >= 1000000000u)
		return j_fail_at(c, "nanosecs",
				 "value %u out of range (0..999999999)", ns);
	o->nanosecs = ns;
	return 0;
}

static int parse_time_offsets(struct jctx *c, yajl_val v, struct spec_linux *l)
{
	/* Only these two clocks can be offset (time_namespaces(7)); another
	 * name is refused rather than silently not applied. */
	if (j_check_dup_keys(c, v) < 0)
		return -1;
	for (size_t i = 0; i < v->u.object.len; i++) {
		const char *k = v->u.object.keys[i];
		yajl_val o = v->u.object.values[i];
		struct spec_time_offset *dst;
		size_t saved;
		int r;

		if (strcmp(k, "monotonic") == 0)
			dst = &l->time_monotonic;
		else if (strcmp(k, "boottime") == 0)
			dst = &l->time_boottime;
		else
			return j_fail_at(c, k, "unknown clock (expected "
					 "\"monotonic\" or \"boottime\")");
		if (YAJL_IS_NULL(o))
			continue;
		saved = j_push_key(c, k);
		r = YAJL_IS_OBJECT(o) ? parse_offset(c, o, dst)
				      : j_fail(c, "expected an object");
		j_pop(c, saved);
		if (r < 0)
			return -1;
	}
	return 0;
}

static int parse_device(struct jctx *c, yajl_val v, void *elem)
{
	struct spec_device *d = elem;
	cleanup_free char *type = NULL;
	bool need_nums;

	d->major = d->minor = -1;
	if (j_str(c, v, "type", true, &type) < 0)
		return -1;
	if (strlen(type) != 1 || !strchr("cbup", type[0]))
		return j_fail_at(c, "type", "invalid device type \"%s\" "
				 "(expected c, b, u or p)", type);
	d->type = type[0];
	need_nums = d->type != 'p';
	if (j_str(c, v, "path", true, &d->path) < 0 ||
	    j_check_abs(c, "path", d->path) < 0 ||
	    j_i64(c, v, "major", need_nums, 0, INT64_MAX, &d->major) < 0 ||
	    j_i64(c, v, "minor", need_nums, 0, INT64_MAX, &d->minor) < 0 ||
	    /* Podman writes the type bits too (8576 = S_IFCHR|0600): as runc,
	     * the permission bits are what counts (rootfs/devices.c) */
	    j_opt_u64(c, v, "fileMode", UINT32_MAX, &d->file_mode) < 0 ||
	    j_opt_u64(c, v, "uid", UINT32_MAX, &d->uid) < 0 ||
	    j_opt_u64(c, v, "gid", UINT32_MAX, &d->gid) < 0)
		return -1;
	return 0;
}

static int parse_net_device(struct jctx *c, const char *key, yajl_val v,
			    void *elem)
{
	struct spec_net_device *n = elem;
	n->host_name = xstrdup(key);
	return j_str(c, v, "name", false, &n->name) < 0 ? -1 : 0;
}

static int parse_intel_rdt(struct jctx *c, yajl_val v, struct spec_intel_rdt *r)
{
	if (j_str(c, v, "closID", false, &r->clos_id) < 0 ||
	    j_str(c, v, "l3CacheSchema", false, &r->l3_cache_schema) < 0 ||
	    j_str(c, v, "memBwSchema", false, &r->mem_bw_schema) < 0 ||
	    j_strv(c, v, "schemata", false, &r->schemata) < 0 ||
	    j_opt_bool(c, v, "enableMonitoring", &r->enable_monitoring) < 0 ||
	    j_opt_bool(c, v, "enableCMT", &r->enable_cmt) < 0 ||
	    j_opt_bool(c, v, "enableMBM", &r->enable_mbm) < 0)
		return -1;
	if (r->mem_bw_schema && (strncmp(r->mem_bw_schema, "MB:", 3) != 0 ||
				 strchr(r->mem_bw_schema, '\n')))
		return j_fail_at(c, "memBwSchema",
				 "must start with \"MB:\" and hold one line");
	return 0;
}

static int parse_mempolicy(struct jctx *c, yajl_val v,
			   struct spec_memory_policy *m)
{
	if (j_enum(c, v, "mode", true, mpol_modes, "memory policy mode",
		   &m->mode, &m->mode_num) < 0 ||
	    j_str(c, v, "nodes", false, &m->nodes) < 0 ||
	    j_strv_enum(c, v, "flags", mpol_flags, "memory policy flag",
			&m->flags) < 0)
		return -1;
	return 0;
}

static int parse_personality(struct jctx *c, yajl_val v,
			     struct spec_personality *p)
{
	if (j_enum(c, v, "domain", true, personality_domains,
		   "personality domain", &p->domain, NULL) < 0 ||
	    j_strv(c, v, "flags", false, &p->flags) < 0)
		return -1;
	return 0;
}

int spec_parse_linux_obj(struct jctx *c, yajl_val v, struct spec_linux *l)
{
	yajl_val o = NULL;
	int r;

	if (parse_namespaces(c, v, l) < 0 ||
	    j_objarray(c, v, "uidMappings", false, sizeof(struct spec_idmap),
		       (void **)&l->uid_mappings, &l->n_uid_mappings,
		       spec_parse_idmap) < 0 ||
	    j_objarray(c, v, "gidMappings", false, sizeof(struct spec_idmap),
		       (void **)&l->gid_mappings, &l->n_gid_mappings,
		       spec_parse_idmap) < 0)
		return -1;
	if ((r = j_obj(c, v, "timeOffsets", false, &o)) < 0)
		return -1;
	if (r > 0) {
		size_t s = j_push_key(c, "timeOffsets");
		r = parse_time_offsets(c, o, l);
		j_pop(c, s);
		if (r < 0)
			return -1;
	}
	if (j_objarray(c, v, "devices", false, sizeof(struct spec_device),
		       (void **)&l->devices, &l->n_devices, parse_device) < 0 ||
	    j_objmap(c, v, "netDevices", sizeof(struct spec_net_device),
		     (void **)&l->net_devices, &l->n_net_devices,
		     parse_net_device) < 0 ||
	    j_str(c, v, "cgroupsPath", false, &l->cgroups_path) < 0)
		return -1;
	J_SUBOBJ(c, v, "resources", &l->resources, spec_parse_resources_obj);
	J_SUBOBJ(c, v, "intelRdt", &l->intel_rdt, parse_intel_rdt);
	J_SUBOBJ(c, v, "memoryPolicy", &l->memory_policy, parse_mempolicy);
	if (j_kv(c, v, "sysctl", &l->sysctl) < 0)
		return -1;
	J_SUBOBJ(c, v, "seccomp", &l->seccomp,
		 (c->seccomp_deferred ? spec_parse_seccomp_listener : spec_parse_seccomp_obj));
	if (j_enum(c, v, "rootfsPropagation", false, propagations,
		   "rootfs propagation", &l->rootfs_propagation, NULL) < 0 ||
	    j_strv(c, v, "maskedPaths", false, &l->masked_paths) < 0 ||
	    j_check_abs_strv(c, "maskedPaths", &l->masked_paths) < 0 ||
	    j_strv(c, v, "readonlyPaths", false, &l->readonly_paths) < 0 ||
	    j_check_abs_strv(c, "readonlyPaths", &l->readonly_paths) < 0 ||
	    j_str(c, v, "mountLabel", false, &l->mount_label) < 0)
		return -1;
	J_SUBOBJ(c, v, "personality", &l->personality, parse_personality);
	return 0;
}
