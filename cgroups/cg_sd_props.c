/* brig — cgroups/cg_sd_props.c: what the systemd cgroup driver tells
 * systemd, apart from talking to it (cg_systemd.c) and the wire
 * (cg_dbus.c):
 *
 *   - cgroupsPath "slice:prefix:name" -> the unit name and the cgroup
 *     path systemd gives it (nested slices "a-b.slice" expanded as
 *     systemd does: /a.slice/a-b.slice);
 *   - linux.resources -> unit properties where systemd has one (runc's
 *     table, docs/cgroups.md), so a `systemctl daemon-reload` writes the
 *     same values back instead of undoing them;
 *   - annotations org.systemd.property.<Name> = a GVariant text value,
 *     as runc takes them ("uint64 123", "'inactive-or-failed'", "true",
 *     and <lower>Sec names turned into USec ones);
 *   - the device rules -> DevicePolicy and DeviceAllow.
 *
 * Nothing here does I/O: the unit tests call it directly. */
#include "cgroups/cg_systemd.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- names and paths ------------------------------------------------------ */

/* What systemd takes in a unit name: ASCII letters, digits, ":-_.\@". */
static bool unit_chars_ok(const char *s)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr(":-_.\\@", *s))
			return false;
	return true;
}

/* Would systemd's cg_escape() (v252) put a '_' before this unit's name in
 * its cgroup path?  A name starting with '_' or '.', a kernel file's name,
 * "cgroup.*", or one whose part before the last '.' is a controller's
 * ("cpu.slice", "bpf-firewall.scope"): systemd's cgroup is then not the
 * one brig would name, and brig's limits, device rules, freezer and kill
 * would act on an empty cgroup of brig's own beside it. */
static bool sd_escapes(const char *unit)
{
	static const char *const ctrls[] = {
		"cpu", "cpuacct", "cpuset", "io", "blkio", "memory", "devices", "pids",
		"bpf-firewall", "bpf-devices", "bpf-foreign", "bpf-socket-bind",
		"bpf-restrict-network-interfaces",
	};
	const char *dot = strrchr(unit, '.');

	if (unit[0] == '_' || unit[0] == '.' || strncmp(unit, "cgroup.", 7) == 0 ||
	    strcmp(unit, "notify_on_release") == 0 || strcmp(unit, "release_agent") == 0 ||
	    strcmp(unit, "tasks") == 0)
		return true;
	for (size_t i = 0; dot && i < sizeof(ctrls) / sizeof(ctrls[0]); i++)
		if (strlen(ctrls[i]) == (size_t)(dot - unit) &&
		    strncmp(unit, ctrls[i], (size_t)(dot - unit)) == 0)
			return true;
	return false;
}

bool cg_sd_unit_name_ok(const char *unit)
{
	size_t n = strlen(unit);

	return n > 6 && n <= 255 && unit_chars_ok(unit) &&
	       (strcmp(unit + n - 6, ".scope") == 0 || strcmp(unit + n - 6, ".slice") == 0);
}

char *cg_sd_expand_slice(const char *slice, brig_error_t **err)
{
	size_t n = strlen(slice);
	cleanup_free char *base = NULL;
	char *path = xstrdup(""), *p, *next;

	/* systemd's names end at 255 characters; a longer one, nested
	 * slices by the thousand, would cost us a quadratic path */
	if (n <= 6 || n > 255 || strcmp(slice + n - 6, ".slice") != 0 ||
	    strchr(slice, '/') || !unit_chars_ok(slice)) {
		free(path);
		brig_err(err, 0, "invalid slice name \"%s\"", slice);
		return NULL;
	}
	base = xstrdup(slice);
	base[n - 6] = '\0';
	if (strcmp(base, "-") == 0) /* the root slice */
		return path;
	/* each dash-separated prefix is a slice of its own: a-b-c.slice
	 * lives in /a.slice/a-b.slice/a-b-c.slice */
	for (p = base;; p = next + 1) {
		char *np;

		next = strchr(p, '-');
		if (next == p || *p == '\0') { /* "a--b", "-a", "a-" */
			free(path);
			brig_err(err, 0, "invalid slice name \"%s\"", slice);
			return NULL;
		}
		if (next)
			*next = '\0';
		np = xasprintf("%s/%s.slice", path, base);
		free(path);
		path = np;
		if (sd_escapes(strrchr(path, '/') + 1)) {
			brig_err(err, 0, "slice name \"%s\": systemd's cgroup for %s is "
				 "not named as the unit is (cgroup name escaped)", slice,
				 strrchr(path, '/') + 1);
			free(path);
			return NULL;
		}
		if (next == NULL)
			break;
		*next = '-';
	}
	return path;
}

int cg_sd_parse_path(const char *cgroups_path, const char *id, bool user,
		     struct cg_sd_unit *u, brig_error_t **err)
{
	cleanup_free char *copy = NULL;
	const char *slice, *prefix, *name;
	char *c1, *c2;

	memset(u, 0, sizeof(*u));
	if (cgroups_path == NULL || *cgroups_path == '\0') {
		/* runc's default is ":runc:<id>"; ours names brig */
		slice = "";
		prefix = "brig";
		name = id;
	} else {
		copy = xstrdup(cgroups_path);
		c1 = strchr(copy, ':');
		c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (c1 == NULL || c2 == NULL || strchr(c2 + 1, ':'))
			return brig_err(err, 0, "linux.cgroupsPath: \"%s\" is not of the "
					"form slice:prefix:name the systemd cgroup driver "
					"takes", cgroups_path);
		*c1 = *c2 = '\0';
		slice = copy;
		prefix = c1 + 1;
		name = c2 + 1;
	}
	if (name == NULL || *name == '\0' || !unit_chars_ok(name) || !unit_chars_ok(prefix))
		return brig_err(err, 0, "linux.cgroupsPath: \"%s\": invalid unit name "
				"(systemd takes letters, digits and \":-_.\\@\")",
				cgroups_path ? cgroups_path : "");
	u->slice = xstrdup(*slice ? slice : user ? "user.slice" : "system.slice");
	{
		size_t n = strlen(name);

		u->is_slice = n > 6 && strcmp(name + n - 6, ".slice") == 0;
	}
	/* a name that is a slice is the unit itself, prefix ignored (runc) */
	u->unit = u->is_slice ? xstrdup(name) : xasprintf("%s-%s.scope", prefix, name);
	if (sd_escapes(u->unit)) {
		brig_err(err, 0, "linux.cgroupsPath: \"%s\": unit %s: systemd's cgroup "
			 "for it is not named as the unit is (cgroup name escaped)",
			 cgroups_path ? cgroups_path : "", u->unit);
		cg_sd_unit_free(u);
		return -1;
	}
	if (strlen(u->unit) > 255) {
		cg_sd_unit_free(u);
		return brig_err(err, 0, "linux.cgroupsPath: \"%s\": unit name longer "
				"than 255 characters", cgroups_path);
	}
	u->slice_path = cg_sd_expand_slice(u->slice, err);
	if (u->slice_path == NULL) {
		cg_sd_unit_free(u);
		return brig_err_prefix(err, "linux.cgroupsPath: \"%s\"",
				       cgroups_path ? cgroups_path : "");
	}
	if (u->is_slice) {
		/* its path is its own expansion, which must extend the
		 * parent's: "a-b.slice" under "a.slice" */
		cleanup_free char *own = cg_sd_expand_slice(u->unit, err);

		if (own == NULL) {
			cg_sd_unit_free(u);
			return brig_err_prefix(err, "linux.cgroupsPath");
		}
		u->rel = steal_ptr(own);
	} else {
		u->rel = xasprintf("%s/%s", u->slice_path, u->unit);
	}
	return 0;
}

void cg_sd_unit_free(struct cg_sd_unit *u)
{
	free(u->slice);
	free(u->slice_path);
	free(u->unit);
	free(u->rel);
	memset(u, 0, sizeof(*u));
}

/* ---- resources ------------------------------------------------------------ */

#define USEC_INFINITY UINT64_MAX

static uint64_t limit_value(int64_t v)
{
	return v < 0 ? USEC_INFINITY : (uint64_t)v;
}

/* cpus "0-2,5" -> the bitmask systemd's AllowedCPUs takes, byte 0 holding
 * cpus 0-7 (lowest bit first). */
int cg_sd_cpu_bits(const char *list, uint8_t **bits, size_t *n, brig_error_t **err)
{
	const char *p = list;

	*bits = NULL;
	*n = 0;
	while (*p) {
		char *end;
		unsigned long a, b;

		while (*p == ' ' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		errno = 0;
		a = strtoul(p, &end, 10);
		if (end == p || errno || a > 65535)
			goto bad;
		b = a;
		if (*end == '-') {
			p = end + 1;
			b = strtoul(p, &end, 10);
			if (end == p || errno || b > 65535 || b < a)
				goto bad;
		}
		p = end;
		if (*p && *p != ',' && *p != ' ')
			goto bad;
		if (b / 8 + 1 > *n) {
			*bits = xrealloc(*bits, b / 8 + 1);
			memset(*bits + *n, 0, b / 8 + 1 - *n);
			*n = b / 8 + 1;
		}
		for (unsigned long i = a; i <= b; i++)
			(*bits)[i / 8] |= (uint8_t)(1u << (i % 8));
	}
	return 0;
bad:
	free(*bits);
	*bits = NULL;
	*n = 0;
	return brig_err(err, 0, "invalid cpu list \"%s\"", list);
}

void cg_sd_round_quota(struct spec_cpu *c)
{
	uint64_t period, per_sec;

	if (!c->quota.set || c->quota.v <= 0)
		return;
	period = c->period.set && c->period.v ? c->period.v : 100000;
	per_sec = (uint64_t)c->quota.v * 1000000 / period;
	/* systemd keeps CPUQuota in 1% (10 ms per second) steps: round up,
	 * and write the same rounded quota to cpu.max, as runc does, so
	 * what systemd writes back on reload is what we wrote */
	if (per_sec % 10000) {
		per_sec = (per_sec / 10000 + 1) * 10000;
		c->quota.v = (int64_t)(per_sec * period / 1000000);
	}
}

static int cpu_props(const struct spec_cpu *c, bool v2, unsigned version,
		     struct sdb_props *l, brig_error_t **err)
{
	if (c->shares.set && c->shares.v) {
		if (v2)
			sdb_props_u64(l, "CPUWeight", cg_shares_to_weight(c->shares.v));
		else
			sdb_props_u64(l, "CPUShares", c->shares.v);
	}
	if (c->period.set && c->period.v && version >= 242)
		sdb_props_u64(l, "CPUQuotaPeriodUSec", c->period.v);
	if ((c->quota.set && c->quota.v != 0) || (c->period.set && c->period.v)) {
		uint64_t per_sec = USEC_INFINITY;

		if (c->quota.set && c->quota.v > 0)
			per_sec = (uint64_t)c->quota.v * 1000000 /
				  (c->period.set && c->period.v ? c->period.v : 100000);
		sdb_props_u64(l, "CPUQuotaPerSecUSec", per_sec);
	}
	if (version >= 244) {
		const char *lists[2] = { c->cpus, c->mems };
		const char *names[2] = { "AllowedCPUs", "AllowedMemoryNodes" };

		for (int i = 0; i < 2; i++) {
			cleanup_free uint8_t *bits = NULL;
			size_t n;

			if (lists[i] == NULL || *lists[i] == '\0')
				continue;
			if (cg_sd_cpu_bits(lists[i], &bits, &n, err) < 0)
				return brig_err_prefix(err, "linux.resources.cpu.%s",
						       i ? "mems" : "cpus");
			sdb_props_bytes(l, names[i], bits, n);
		}
	}
	return 0;
}

static void memory_props(const struct spec_memory *m, bool v2, struct sdb_props *l)
{
	if (!v2) {
		if (m->limit.set)
			sdb_props_u64(l, "MemoryLimit", limit_value(m->limit.v));
		return;
	}
	if (m->limit.set)
		sdb_props_u64(l, "MemoryMax", limit_value(m->limit.v));
	if (m->reservation.set)
		sdb_props_u64(l, "MemoryLow", limit_value(m->reservation.v));
	/* OCI's swap is memory+swap; systemd's MemorySwapMax is swap alone.
	 * Invalid pairs are refused when the files are written. */
	if (m->swap.set && m->swap.v == -1)
		sdb_props_u64(l, "MemorySwapMax", USEC_INFINITY);
	else if (m->swap.set && m->limit.set && m->limit.v > 0 && m->swap.v >= m->limit.v)
		sdb_props_u64(l, "MemorySwapMax", (uint64_t)(m->swap.v - m->limit.v));
}

/* "max" or a number; -1 when neither. */
static int unified_u64(const char *v, uint64_t *out)
{
	char *end;

	while (*v == ' ')
		v++;
	if (strncmp(v, "max", 3) == 0 && (v[3] == '\0' || isspace((unsigned char)v[3]))) {
		*out = USEC_INFINITY;
		return 0;
	}
	errno = 0;
	*out = strtoull(v, &end, 10);
	while (isspace((unsigned char)*end))
		end++;
	return end == v || *end || errno ? -1 : 0;
}

static int unified_props(const struct spec_kv_list *kv, unsigned version,
			 struct sdb_props *l, brig_error_t **err)
{
	static const struct { const char *key, *prop; } direct[] = {
		{ "memory.high", "MemoryHigh" }, { "memory.low", "MemoryLow" },
		{ "memory.min", "MemoryMin" }, { "memory.max", "MemoryMax" },
		{ "memory.swap.max", "MemorySwapMax" }, { "pids.max", "TasksMax" },
		{ "cpu.weight", "CPUWeight" },
	};

	for (size_t i = 0; i < kv->n; i++) {
		const char *k = kv->v[i].key, *v = kv->v[i].value;
		uint64_t u;
		bool known = false;

		for (size_t j = 0; j < ARRAY_SIZE(direct); j++) {
			if (strcmp(k, direct[j].key) != 0)
				continue;
			known = true;
			if (unified_u64(v, &u) < 0)
				return brig_err(err, 0, "linux.resources.unified.%s: "
						"invalid value \"%s\"", k, v);
			if (strcmp(k, "pids.max") == 0 && u == 0)
				u = 1; /* systemd refuses TasksMax=0 */
			sdb_props_u64(l, direct[j].prop, u);
		}
		if (!known && strcmp(k, "cpu.max") == 0) {
			struct spec_cpu c = {0};
			char q[32];
			uint64_t period = 100000;

			if (sscanf(v, "%31s %" SCNu64, q, &period) < 1)
				return brig_err(err, 0, "linux.resources.unified.cpu.max: "
						"invalid value \"%s\"", v);
			c.period.set = true;
			c.period.v = period;
			if (strcmp(q, "max") != 0) {
				char *end;

				c.quota.set = true;
				c.quota.v = strtoll(q, &end, 10);
				if (*end)
					return brig_err(err, 0, "linux.resources.unified.cpu.max: "
							"invalid value \"%s\"", v);
			}
			if (cpu_props(&c, true, version, l, err) < 0)
				return -1;
		} else if (!known && version >= 244 &&
			   (strcmp(k, "cpuset.cpus") == 0 || strcmp(k, "cpuset.mems") == 0)) {
			cleanup_free uint8_t *bits = NULL;
			size_t n;

			if (cg_sd_cpu_bits(v, &bits, &n, err) < 0)
				return brig_err_prefix(err, "linux.resources.unified.%s", k);
			sdb_props_bytes(l, k[7] == 'c' ? "AllowedCPUs" : "AllowedMemoryNodes",
					bits, n);
		}
		/* the rest only as files */
	}
	return 0;
}

int cg_sd_resource_props(const struct spec_resources *r, bool v2, unsigned version,
			 struct sdb_props *l, brig_error_t **err)
{
	if (r == NULL)
		return 0;
	if (r->memory)
		memory_props(r->memory, v2, l);
	if (r->cpu && cpu_props(r->cpu, v2, version, l, err) < 0)
		return -1;
	if (r->pids_limit.set)
		sdb_props_u64(l, "TasksMax", r->pids_limit.v < 0 ? USEC_INFINITY
				 : r->pids_limit.v == 0 ? 1 : (uint64_t)r->pids_limit.v);
	if (r->block_io && r->block_io->weight.set && r->block_io->weight.v) {
		if (v2)
			sdb_props_u64(l, "IOWeight", cg_blkio_to_io_weight(r->block_io->weight.v));
		else
			sdb_props_u64(l, "BlockIOWeight", r->block_io->weight.v);
	}
	if (v2 && unified_props(&r->unified, version, l, err) < 0)
		return -1;
	return 0;
}
