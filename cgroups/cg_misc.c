/* brig — cgroups/: the small controllers.
 *
 * pids:    pids.max, -1 (any negative) → "max"; 0 is a real limit.
 * hugetlb: v1 hugetlb.<size>.limit_in_bytes, v2 hugetlb.<size>.max, and the
 *          reservation file (.rsvd.) beside it when the kernel has one.
 * network: v1 only, net_cls.classid and net_prio.ifpriomap "<if> <prio>".
 * rdma:    rdma.max "<dev> hca_handle=N hca_object=M" (same on v1 and v2).
 * (unified: cg_unified.c) */
#include "cgroups/cg_internal.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>

int cg_apply_pids(struct cg_hier *h, int64_t limit, brig_error_t **err)
{
	int r = limit < 0 ? cg_write(h->dir, "pids.max", "max", err)
			  : cg_writef(h->dir, "pids.max", err, "%" PRId64, limit);

	return r < 0 ? brig_err_prefix(err, "linux.resources.pids.limit") : 0;
}

/* "2MB", "1GB", "64KB": digits then K, M or G, then B. */
static bool page_size_ok(const char *s)
{
	size_t d = 0;

	while (isdigit((unsigned char)s[d]))
		d++;
	return d > 0 && strchr("KMG", s[d]) && s[d] != '\0' && s[d + 1] == 'B' &&
	       s[d + 2] == '\0';
}

int cg_apply_hugetlb(struct cg_hier *h, const struct spec_hugepage_limit *l,
		     size_t n, brig_error_t **err)
{
	const char *suffix = h->v2 ? "max" : "limit_in_bytes";

	for (size_t i = 0; i < n; i++) {
		cleanup_free char *f = NULL, *rsvd = NULL;

		if (l[i].page_size == NULL || !page_size_ok(l[i].page_size))
			return brig_err(err, 0, "linux.resources.hugepageLimits[%zu]."
					"pageSize: invalid page size \"%s\"", i,
					l[i].page_size ? l[i].page_size : "");
		f = xasprintf("hugetlb.%s.%s", l[i].page_size, suffix);
		if (cg_writef(h->dir, f, err, "%" PRIu64, l[i].limit) < 0)
			return brig_err_prefix(err, "linux.resources.hugepageLimits[%zu]"
					       ".limit", i);
		rsvd = xasprintf("hugetlb.%s.rsvd.%s", l[i].page_size, suffix);
		if (cg_file_exists(h->dir, rsvd) &&
		    cg_writef(h->dir, rsvd, err, "%" PRIu64, l[i].limit) < 0)
			return brig_err_prefix(err, "linux.resources.hugepageLimits[%zu]"
					       ".limit", i);
	}
	return 0;
}

int cg_apply_net_cls(struct cg_hier *h, uint64_t classid, brig_error_t **err)
{
	if (cg_writef(h->dir, "net_cls.classid", err, "%" PRIu64, classid) < 0)
		return brig_err_prefix(err, "linux.resources.network.classID");
	return 0;
}

int cg_apply_net_prio(struct cg_hier *h, const struct spec_net_priority *p,
		      size_t n, brig_error_t **err)
{
	for (size_t i = 0; i < n; i++)
		if (cg_writef(h->dir, "net_prio.ifpriomap", err, "%s %" PRIu32,
			      p[i].name ? p[i].name : "", p[i].priority) < 0)
			return brig_err_prefix(err, "linux.resources.network."
					       "priorities[%zu]", i);
	return 0;
}

int cg_apply_rdma(struct cg_hier *h, const struct spec_rdma *r, size_t n,
		  brig_error_t **err)
{
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *v = NULL;

		if (!r[i].hca_handles.set && !r[i].hca_objects.set)
			continue;
		v = xasprintf("%s", r[i].device ? r[i].device : "");
		if (r[i].hca_handles.set) {
			char *t = xasprintf("%s hca_handle=%" PRIu64, v, r[i].hca_handles.v);
			free(v);
			v = t;
		}
		if (r[i].hca_objects.set) {
			char *t = xasprintf("%s hca_object=%" PRIu64, v, r[i].hca_objects.v);
			free(v);
			v = t;
		}
		if (cg_write(h->dir, "rdma.max", v, err) < 0)
			return brig_err_prefix(err, "linux.resources.rdma.%s",
					       r[i].device ? r[i].device : "");
	}
	return 0;
}
