/* brig — cgroups/: linux.resources.blockIO.
 *
 * v1 (blkio): blkio.weight (blkio.bfq.weight when BFQ provides it),
 *     blkio.leaf_weight, blkio.[bfq.]weight_device, blkio.leaf_weight_device,
 *     blkio.throttle.{read,write}_{bps,iops}_device, "maj:min value".
 * v2 (io): io.bfq.weight as is when present, else io.weight converted from
 *     the 10..1000 blkio range to 1..10000 (as runc); per device the same;
 *     io.max "maj:min rbps=|wbps=|riops=|wiops=N" (0 → max); leaf weights
 *     ignored. */
#include "cgroups/cg_internal.h"

#include <inttypes.h>

#define J "linux.resources.blockIO."

uint64_t cg_blkio_to_io_weight(uint64_t w)
{
	if (w == 0)
		return 0;
	if (w < 10)
		w = 10;
	if (w > 1000)
		w = 1000;
	return 1 + (w - 10) * 9999 / 990;
}

static int wr(struct cg_hier *h, const char *file, brig_error_t **err,
	      const char *json, size_t idx, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* idx (size_t)-1: no index in the JSON path */
static int wr(struct cg_hier *h, const char *file, brig_error_t **err,
	      const char *json, size_t idx, const char *fmt, ...)
{
	cleanup_free char *v = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&v, fmt, ap) < 0)
		abort();
	va_end(ap);
	if (cg_write(h->dir, file, v, err) < 0) {
		if (idx == (size_t)-1)
			return brig_err_prefix(err, J "%s", json);
		return brig_err_prefix(err, J "%s[%zu]", json, idx);
	}
	return 0;
}

struct throttle {
	const char *json, *v1, *v2key;
	const struct spec_blkio_throttle *t;
	size_t n;
};

static void throttles(const struct spec_blkio *b, struct throttle t[4])
{
	t[0] = (struct throttle){ "throttleReadBpsDevice",
		"blkio.throttle.read_bps_device", "rbps",
		b->throttle_read_bps, b->n_throttle_read_bps };
	t[1] = (struct throttle){ "throttleWriteBpsDevice",
		"blkio.throttle.write_bps_device", "wbps",
		b->throttle_write_bps, b->n_throttle_write_bps };
	t[2] = (struct throttle){ "throttleReadIOPSDevice",
		"blkio.throttle.read_iops_device", "riops",
		b->throttle_read_iops, b->n_throttle_read_iops };
	t[3] = (struct throttle){ "throttleWriteIOPSDevice",
		"blkio.throttle.write_iops_device", "wiops",
		b->throttle_write_iops, b->n_throttle_write_iops };
}

/* Weights need an I/O scheduler or controller that provides them (CFQ,
 * gone since 5.0, or BFQ; on v2 also blk-iocost): without one there is no
 * weight file, and a weight asked for is refused in one line.  v2 has no
 * leaf weights (ignored there), so leaf asks for them only on v1. */
static int no_weights(const struct spec_blkio *b, bool leaf, const char *f1,
		      const char *f2, brig_error_t **err)
{
	const char *what = b->weight.set && b->weight.v != 0 ? "weight"
			   : leaf && b->leaf_weight.set && b->leaf_weight.v != 0 ? "leafWeight"
			   : b->n_weight_device > 0			 ? "weightDevice"
									 : NULL;

	if (!what)
		return 0;
	return brig_err(err, 0, J "%s: this kernel has no blkio weights (neither %s nor %s)",
			what, f1, f2);
}

static int apply_v1(struct cg_hier *h, const struct spec_blkio *b,
		    brig_error_t **err)
{
	bool bfq = cg_file_exists(h->dir, "blkio.bfq.weight");
	const char *wf = bfq ? "blkio.bfq.weight" : "blkio.weight";
	const char *wdf = bfq ? "blkio.bfq.weight_device" : "blkio.weight_device";
	struct throttle t[4];

	if (!bfq && !cg_file_exists(h->dir, "blkio.weight") &&
	    no_weights(b, true, "blkio.weight", "blkio.bfq.weight", err) < 0)
		return -1;
	/* 0 means "not set" (Docker sends it), as runc reads it */
	if (b->weight.set && b->weight.v != 0 &&
	    wr(h, wf, err, "weight", (size_t)-1, "%" PRIu64, b->weight.v) < 0)
		return -1;
	if (b->leaf_weight.set && b->leaf_weight.v != 0 &&
	    wr(h, "blkio.leaf_weight", err, "leafWeight", (size_t)-1, "%" PRIu64,
	       b->leaf_weight.v) < 0)
		return -1;
	for (size_t i = 0; i < b->n_weight_device; i++) {
		const struct spec_blkio_weight_device *d = &b->weight_device[i];

		if (d->weight.set &&
		    wr(h, wdf, err, "weightDevice", i, "%" PRId64 ":%" PRId64 " %" PRIu64,
		       d->major, d->minor, d->weight.v) < 0)
			return -1;
		if (d->leaf_weight.set &&
		    wr(h, "blkio.leaf_weight_device", err, "weightDevice", i,
		       "%" PRId64 ":%" PRId64 " %" PRIu64, d->major, d->minor,
		       d->leaf_weight.v) < 0)
			return -1;
	}
	throttles(b, t);
	for (int k = 0; k < 4; k++)
		for (size_t i = 0; i < t[k].n; i++)
			if (wr(h, t[k].v1, err, t[k].json, i,
			       "%" PRId64 ":%" PRId64 " %" PRIu64, t[k].t[i].major,
			       t[k].t[i].minor, t[k].t[i].rate) < 0)
				return -1;
	return 0;
}

static int apply_v2(struct cg_hier *h, const struct spec_blkio *b,
		    brig_error_t **err)
{
	bool bfq = cg_file_exists(h->dir, "io.bfq.weight");
	struct throttle t[4];

	if (!bfq && !cg_file_exists(h->dir, "io.weight") &&
	    no_weights(b, false, "io.weight", "io.bfq.weight", err) < 0)
		return -1;

	if (b->weight.set && b->weight.v != 0) {
		if (bfq ? wr(h, "io.bfq.weight", err, "weight", (size_t)-1,
			     "%" PRIu64, b->weight.v)
			: wr(h, "io.weight", err, "weight", (size_t)-1,
			     "default %" PRIu64, cg_blkio_to_io_weight(b->weight.v)))
			return -1;
	}
	for (size_t i = 0; i < b->n_weight_device; i++) {
		const struct spec_blkio_weight_device *d = &b->weight_device[i];

		if (!d->weight.set || d->weight.v == 0)
			continue;
		if (bfq ? wr(h, "io.bfq.weight", err, "weightDevice", i,
			     "%" PRId64 ":%" PRId64 " %" PRIu64, d->major, d->minor,
			     d->weight.v)
			: wr(h, "io.weight", err, "weightDevice", i,
			     "%" PRId64 ":%" PRId64 " %" PRIu64, d->major, d->minor,
			     cg_blkio_to_io_weight(d->weight.v)))
			return -1;
	}
	throttles(b, t);
	for (int k = 0; k < 4; k++)
		for (size_t i = 0; i < t[k].n; i++) {
			/* 0 lifts the limit, as it does on v1 */
			cleanup_free char *rate = t[k].t[i].rate
				? xasprintf("%" PRIu64, t[k].t[i].rate) : xstrdup("max");

			if (wr(h, "io.max", err, t[k].json, i,
			       "%" PRId64 ":%" PRId64 " %s=%s", t[k].t[i].major,
			       t[k].t[i].minor, t[k].v2key, rate) < 0)
				return -1;
		}
	return 0;
}

int cg_apply_blkio(struct cg_hier *h, const struct spec_blkio *b,
		   brig_error_t **err)
{
	return h->v2 ? apply_v2(h, b, err) : apply_v1(h, b, err);
}
