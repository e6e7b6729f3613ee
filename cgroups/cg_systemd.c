/* brig — cgroups/cg_systemd.c: the systemd cgroup driver's steps (see
 * cg_systemd.h for the why and the order).
 *
 * Rootless (euid not 0): the user's own systemd, whose units live under
 * its ControlGroup ("/user.slice/user-1000.slice/user@1000.service"),
 * asked once when the container is made.
 *
 * The unit is recorded in the state's cgroup path (";systemd=<unit>",
 * ";user"), so delete and update find it without the config. */
#include "cgroups/cg_systemd.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#define SD_PATH "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"
/* systemd answers within milliseconds; a loaded host (or a VM without
 * KVM) within seconds.  runc waits 30 s too. */
#define JOB_TIMEOUT_MS 30000
/* a unit of the same name being collected: 2 s of 20 ms waits */
#define UNIT_EXISTS_TRIES 100

static bool in_userns(void);

/* Which systemd is ours: the user's when not root, or root in a user
 * namespace other than the host's. */
static bool user_manager(void)
{
	return geteuid() != 0 || in_userns();
}

/* The connection cg_systemd_connect_early started. */
static struct sdb *early;
static bool early_user;

bool cg_devices_by_systemd(const struct cg_manager *m)
{
	return m && m->sd && m->sd->devices_by_systemd;
}

void cg_systemd_connect_early(void)
{
	brig_error_t *e = NULL;

	if (early)
		return;
	early_user = user_manager();
	early = sdb_open_early(early_user, &e);
	brig_err_free(&e); /* bus() tries again, and says why */
}

static int bus(struct cg_manager *m, brig_error_t **err)
{
	if (m->sd->bus)
		return 0;
	if (early && early_user == m->sd->user) {
		m->sd->bus = early;
		early = NULL;
		return 0;
	}
	m->sd->bus = sdb_open(m->sd->user, err);
	if (m->sd->bus == NULL)
		return brig_err_prefix(err, "--systemd-cgroup: cannot reach %s systemd",
				       m->sd->user ? "the user's" : "the system's");
	return 0;
}

/* "252.17-1~deb12u1" -> 252; 0 when unknown (then only what every
 * systemd since 240 knows is sent). */
static unsigned version(struct cg_manager *m)
{
	cleanup_free char *v = NULL;
	brig_error_t *e = NULL;
	const char *p;

	if (m->sd->version)
		return m->sd->version;
	if (sdb_get_property_string(m->sd->bus, SD_PATH, SD_MANAGER, "Version", &v, &e) < 0) {
		brig_err_free(&e);
		return m->sd->version = 240;
	}
	p = v + strspn(v, "v\"");
	m->sd->version = (unsigned)strtoul(p, NULL, 10);
	if (m->sd->version == 0)
		m->sd->version = 240;
	return m->sd->version;
}

/* In a user namespace other than the host's (rootless Podman runs brig
 * as uid 0 in one): the system's systemd is not ours to ask. */
static bool in_userns(void)
{
	unsigned long in, out, count;
	cleanup_fclose FILE *f = fopen("/proc/self/uid_map", "re");

	return f && fscanf(f, "%lu %lu %lu", &in, &out, &count) == 3 &&
	       !(in == 0 && out == 0 && count == 4294967295UL);
}

static void base_props(struct cg_manager *m, const char *id)
{
	struct cg_systemd *sd = m->sd;
	cleanup_free char *desc = xasprintf("brig container %s", id ? id : sd->u.unit);

	sdb_props_str(&sd->props, "Description", desc);
	if (sd->u.is_slice) {
		/* a slice's parent is the slice its name says; Wants= keeps
		 * it up (runc) */
		const char *w[] = { sd->u.slice };
		struct sdb_prop *p = sdb_props_add(&sd->props, "Wants", SDB_T_STRINGS);

		p->strs = xcalloc(1, sizeof(char *));
		p->strs[0] = xstrdup(w[0]);
		p->n_strs = 1;
	} else {
		sdb_props_str(&sd->props, "Slice", sd->u.slice);
		sdb_props_bool(&sd->props, "Delegate", true);
	}
	sdb_props_bool(&sd->props, "MemoryAccounting", true);
	sdb_props_bool(&sd->props, "CPUAccounting", true);
	sdb_props_bool(&sd->props, m->layout == CG_LAYOUT_V2 ? "IOAccounting"
			: "BlockIOAccounting", true);
	sdb_props_bool(&sd->props, "TasksAccounting", true);
	/* no ordering against shutdown.target and the like: the container
	 * stops when its runtime says so */
	sdb_props_bool(&sd->props, "DefaultDependencies", false);
	/* a unit that failed (OOM, ...) is collected like one that ended:
	 * nothing is left for a delete that does not talk to systemd (see
	 * stop()) */
	sdb_props_str(&sd->props, "CollectMode", "inactive-or-failed");
}

int cg_sd_init(struct cg_manager *m, const char *cgroups_path, const char *id,
	       const struct spec_kv_list *annotations, brig_error_t **err)
{
	struct cg_systemd *sd = xcalloc(1, sizeof(*sd));
	cleanup_free char *base = NULL;

	m->sd = sd;
	sd->fs = m->ops;
	m->ops = &cg_systemd_ops;
	sd->user = user_manager();
	if (cg_sd_parse_path(cgroups_path, id, sd->user, &sd->u, err) < 0)
		return -1;
	if (bus(m, err) < 0)
		return -1;
	if (sd->user) {
		/* the user manager's units are under its own cgroup */
		if (sdb_get_property_string(sd->bus, SD_PATH, SD_MANAGER, "ControlGroup",
					    &base, err) < 0)
			return brig_err_prefix(err, "--systemd-cgroup: ask the user's "
					       "systemd for its cgroup");
		if (base[0] != '/' || strstr(base, "/..") || strcmp(base, "/") == 0 ||
		    strchr(base, ';')) {
			return brig_err(err, 0, "--systemd-cgroup: the user's systemd "
					"runs in cgroup \"%s\"", base);
		}
	}
	for (size_t i = 0; i < m->n; i++) {
		cleanup_free char *rel = xasprintf("%s%s", base ? base : "", sd->u.rel);

		cg_set_rel(&m->h[i], rel);
	}
	base_props(m, id);
	if (annotations && cg_sd_annotation_props(annotations, &sd->props, err) < 0)
		return -1;
	return 0;
}

void cg_sd_load(struct cg_manager *m, const char *unit, bool user)
{
	m->sd = xcalloc(1, sizeof(*m->sd));
	m->sd->fs = m->ops;
	m->ops = &cg_systemd_ops;
	m->sd->u.unit = xstrdup(unit);
	m->sd->u.is_slice = strlen(unit) > 6 && strcmp(unit + strlen(unit) - 6, ".slice") == 0;
	m->sd->user = user;
}

void cg_sd_child_close(struct cg_manager *m)
{
	if (m->sd->bus)
		close(sdb_fd(m->sd->bus));
}

void cg_sd_free(struct cg_manager *m)
{
	if (m->sd == NULL)
		return;
	sdb_close(m->sd->bus);
	sdb_props_free(&m->sd->props);
	cg_sd_unit_free(&m->sd->u);
	m->ops = m->sd->fs;
	free(m->sd);
	m->sd = NULL;
}

/* update --cpu-quota or --cpu-period alone: the other half is what the
 * container has, which the files keep; CPUQuotaPerSecUSec must be
 * reckoned with it, or systemd writes another ratio (100000 us of a
 * 200000 us period is 50 %, not the 100 % of the default period; a
 * period alone would be "no quota" to systemd, at once). */
static void complete_cpu_pair(struct cg_manager *m, struct spec_cpu *c)
{
	bool quota = c->quota.set, period = c->period.set && c->period.v;
	long long q = -1;
	unsigned long long p = 0;
	cleanup_free char *s = NULL, *s2 = NULL;
	struct cg_hier *h;
	char qs[32] = "";

	if (quota == period)
		return;
	h = cg_ctrl(m, "cpu");
	if (h && h->v2 && (s = cg_read(h->dir, "cpu.max")) != NULL &&
	    sscanf(s, "%31s %llu", qs, &p) == 2)
		q = strcmp(qs, "max") == 0 ? -1 : strtoll(qs, NULL, 10);
	else if (h && !h->v2 && (s = cg_read(h->dir, "cpu.cfs_period_us")) != NULL &&
		 (s2 = cg_read(h->dir, "cpu.cfs_quota_us")) != NULL)
		p = strtoull(s, NULL, 10), q = strtoll(s2, NULL, 10);
	if (p == 0)
		return;
	if (!period) {
		c->period.set = true;
		c->period.v = p;
	} else if (q > 0) {
		c->quota.set = true;
		c->quota.v = q;
	}
}

/* update --memory-swap without --memory on v2: memory.swap.max (swap
 * alone) is reckoned from the cgroup's memory.max, and so must
 * MemorySwapMax be, or a daemon-reload writes the old one back. */
static void complete_memory_pair(struct cg_manager *m, struct spec_memory *mem)
{
	struct cg_hier *h = cg_ctrl(m, "memory");
	uint64_t cur;

	if (!mem->swap.set || mem->swap.v < 0 || mem->limit.set ||
	    !h || !h->v2 || cg_read_u64(h->dir, "memory.max", &cur) < 0 ||
	    cur > INT64_MAX)
		return;
	mem->limit.set = true;
	mem->limit.v = (int64_t)cur;
}

/* r as both systemd and the files take it, in sd's one copy: at update
 * the halves of a pair completed from the cgroup, and the CPU quota
 * rounded as systemd keeps it. */
static const struct spec_resources *adjusted(struct cg_manager *m,
					     const struct spec_resources *r,
					     bool update)
{
	struct cg_systemd *sd = m->sd;

	if (r == NULL)
		return NULL;
	sd->res_copy = *r;
	if (r->memory) {
		sd->mem_copy = *r->memory;
		sd->res_copy.memory = &sd->mem_copy;
		if (update)
			complete_memory_pair(m, &sd->mem_copy);
	}
	if (r->cpu) {
		sd->cpu_copy = *r->cpu;
		sd->res_copy.cpu = &sd->cpu_copy;
		if (update)
			complete_cpu_pair(m, &sd->cpu_copy);
		cg_sd_round_quota(&sd->cpu_copy);
	}
	return &sd->res_copy;
}

/* Only some properties depend on systemd's version (CPUQuotaPeriodUSec
 * 242+, AllowedCPUs and AllowedMemoryNodes 244+): systemd is asked for
 * it only then, one round trip fewer for most containers. */
static bool needs_version(const struct spec_resources *r)
{
	const struct spec_cpu *c = r->cpu;

	if (c && ((c->period.set && c->period.v) || (c->cpus && *c->cpus) ||
		  (c->mems && *c->mems)))
		return true;
	for (size_t i = 0; i < r->unified.n; i++)
		if (strncmp(r->unified.v[i].key, "cpu", 3) == 0)
			return true;
	return false;
}

static int resource_props(struct cg_manager *m, const struct spec_resources *r,
			  struct sdb_props *l, bool devices, brig_error_t **err)
{
	if (r == NULL)
		return 0;
	if (cg_sd_resource_props(r, m->layout == CG_LAYOUT_V2,
				 needs_version(r) ? version(m) : UINT_MAX, l, err) < 0)
		return -1;
	if (devices && r->n_devices)
		m->sd->devices_exact = cg_sd_device_props(r->devices, r->n_devices,
							  m->layout == CG_LAYOUT_V2, l);
	return 0;
}

/* ---- the operations table ---------------------------------------------- */

static int sd_create(struct cg_manager *m, brig_error_t **err)
{
	(void)err;
	m->sd->start_pending = true;
	m->sd->not_ours = true;
	return 0;
}

static int sd_apply(struct cg_manager *m, const struct spec_resources *r,
		    brig_error_t **err)
{
	if (m->sd->start_pending) {
		m->sd->res = adjusted(m, r, false); /* once the unit exists */
		return 0;
	}
	return m->sd->fs->apply(m, adjusted(m, r, false), err);
}

/* Wait for job; anything but "done" is an error naming the result. */
static int wait_job(struct cg_manager *m, const char *what, const char *job,
		    brig_error_t **err)
{
	cleanup_free char *result = NULL;

	if (sdb_wait_job(m->sd->bus, job, JOB_TIMEOUT_MS, &result, err) < 0)
		return brig_err_prefix(err, "%s %s", what, m->sd->u.unit);
	if (result == NULL || strcmp(result, "done") != 0)
		return brig_err(err, 0, "%s %s: systemd's job ended \"%s\"", what,
				m->sd->u.unit, result ? result : "");
	return 0;
}

static int start_unit(struct cg_manager *m, pid_t pid, brig_error_t **err)
{
	struct cg_systemd *sd = m->sd;
	cleanup_free char *job = NULL;
	brig_error_t *e = NULL;
	int rc;

	if (!sd->u.is_slice) {
		uint32_t p = (uint32_t)pid;

		sdb_props_u32s(&sd->props, "PIDs", &p, 1);
	}
	rc = sdb_start_transient_unit(sd->bus, sd->u.unit, &sd->props, &job, &e);
	/* A unit of that name: a failed one systemd keeps (reset it, as
	 * runc does), or the previous container of that name, deleted a
	 * moment ago and still being collected (docker restart): try
	 * again for a while. */
	for (int i = 0; rc < 0 && e && strstr(e->msg, "UnitExists") && i < UNIT_EXISTS_TRIES; i++) {
		brig_err_free(&e);
		if (sdb_reset_failed_unit(sd->bus, sd->u.unit, &e) < 0)
			brig_err_free(&e);
		if (i)
			cg_sleep_ms(20);
		rc = sdb_start_transient_unit(sd->bus, sd->u.unit, &sd->props, &job, &e);
	}
	if (rc < 0) {
		*err = e;
		return brig_err_prefix(err, "--systemd-cgroup: start unit %s", sd->u.unit);
	}
	/* the unit is ours: what its stop and our rmdirs remove at delete */
	sd->not_ours = false;
	for (size_t i = 0; i < m->n; i++)
		m->h[i].created = true;
	if (wait_job(m, "--systemd-cgroup: start unit", job, err) < 0) {
		brig_error_t *e2 = NULL;

		if (sdb_reset_failed_unit(sd->bus, sd->u.unit, &e2) < 0)
			brig_err_free(&e2);
		return -1;
	}
	return 0;
}

/* v1: rules that do not begin with "a" (a deny list) are written over
 * the device list the cgroup has, and systemd's DevicePolicy=strict
 * (cg_sd_device_props) left it at its allow list: open it first, as a
 * new cgroup is, so the rules mean at start what they mean without
 * systemd.  (A daemon-reload narrows it back to systemd's list.) */
static void reopen_devices(struct cg_manager *m)
{
	const struct spec_resources *r = m->sd->res;
	struct cg_hier *h = cg_ctrl(m, "devices");
	brig_error_t *e = NULL;

	if (r == NULL || r->n_devices == 0 || h == NULL || h->v2 ||
	    ((r->devices[0].type == 'a' || r->devices[0].type == 0) &&
	     r->devices[0].major < 0 && r->devices[0].minor < 0))
		return;
	if (cg_write(h->dir, "devices.allow", "a", &e) < 0)
		brig_err_free(&e); /* the rules that follow still hold */
}

/* cgroup v2: systemd was given the device rules exactly (DevicePolicy=
 * strict, cg_sd_device_props) and its device program is on the unit's
 * cgroup now: it holds the rules as brig's own would, and brig loads no
 * second one (half a millisecond of the verifier's and the JIT's time).
 * No program there (a systemd without eBPF device control, one that
 * could not load it: it only logs that) and brig's is loaded. */
static bool own_devices(struct cg_manager *m)
{
	struct cg_hier *u = cg_unified(m);

	/* devices_exact is for v2 only (cg_sd_device_props) */
	return !(m->sd->devices_exact && u && cg_bpf_devices_attached(u->dir) > 0);
}

/* After the unit started: what systemd did not make (v1 hierarchies it
 * does not manage, a slice's own cgroup), pid in every hierarchy, the
 * controllers enabled down to it, and the files. */
static int complete(struct cg_manager *m, pid_t pid, brig_error_t **err)
{
	for (size_t i = 0; i < m->n; i++) {
		struct cg_hier *h = &m->h[i];
		bool made = false;

		if (h->v2)
			cg_v2_enable_ancestors(h);
		if (access(h->dir, F_OK) != 0 &&
		    (h->v2 ? cg_mkdir_p(h->dir, &made, err) : cg_v1_mkdir(h, err)) < 0)
			return brig_err_prefix(err, "create cgroup %s", h->rel);
		/* systemd put the init in the unit's cgroup of the trees it
		 * manages; writing it again elsewhere is what joins the rest */
		if (!h->v2 && cg_write_pid(h->dir, pid, err) < 0)
			return brig_err_prefix(err, "join cgroup %s", h->rel);
	}
	if (m->sd->u.is_slice) {
		struct cg_hier *u = cg_unified(m);

		if (u && cg_write_pid(u->dir, pid, err) < 0)
			return brig_err_prefix(err, "join cgroup %s", u->rel);
	}
	reopen_devices(m);
	if (m->sd->res == NULL)
		return 0;
	struct spec_resources r = *m->sd->res;

	if (!own_devices(m)) {
		m->sd->devices_by_systemd = true;
		r.devices = NULL;
		r.n_devices = 0;
	}
	return m->sd->fs->apply(m, &r, err);
}

static int start_container(struct cg_manager *m, pid_t pid, brig_error_t **err)
{
	struct cg_systemd *sd = m->sd;

	sd->start_pending = false;
	if (resource_props(m, sd->res, &sd->props, true, err) < 0 ||
	    start_unit(m, pid, err) < 0 || complete(m, pid, err) < 0)
		return -1;
	sdb_props_free(&sd->props);
	return 0;
}

/* Rootless exec: the kernel may not let us move pid (the common ancestor
 * of our cgroup and the unit's is not ours): systemd does. */
static int attach(struct cg_manager *m, pid_t pid, brig_error_t **err)
{
	uint32_t p = (uint32_t)pid;

	if (m->sd->fs->enter(m, pid, err) == 0)
		return 0;
	if (!m->sd->user)
		return -1;
	if ((*err)->code != EACCES && (*err)->code != EPERM)
		return -1;
	brig_err_free(err);
	if (bus(m, err) < 0 ||
	    sdb_attach_processes(m->sd->bus, m->sd->u.unit, "/", &p, 1, err) < 0)
		return brig_err_prefix(err, "join unit %s", m->sd->u.unit);
	return 0;
}

static int sd_start(struct cg_manager *m, pid_t pid, brig_error_t **err)
{
	return m->sd->start_pending ? start_container(m, pid, err) : attach(m, pid, err);
}

static int sd_update(struct cg_manager *m, const struct spec_resources *r,
		     brig_error_t **err)
{
	struct sdb_props l = {0};
	const struct spec_resources *rr;
	int rc = -1;

	if (bus(m, err) < 0)
		return -1;
	rr = adjusted(m, r, true);
	if (resource_props(m, rr, &l, false, err) < 0)
		goto out;
	/* The files first, journalled: the kernel is the judge of the
	 * values, and a refusal there leaves systemd untouched.  Then the
	 * properties; should systemd refuse them, the files go back. */
	cg_journal_begin();
	if (m->sd->fs->apply(m, rr, err) < 0) {
		cg_journal_rollback();
		brig_err_prefix(err, "update cgroup %s", m->h[0].rel);
		goto out;
	}
	if (l.n && sdb_set_unit_properties(m->sd->bus, m->sd->u.unit, true, &l, err) < 0) {
		cg_journal_rollback();
		brig_err_prefix(err, "update unit %s", m->sd->u.unit);
		goto out;
	}
	cg_journal_commit();
	rc = 0;
out:
	sdb_props_free(&l);
	return rc;
}

/* The v1 hierarchies systemd makes units in (v252, legacy and hybrid
 * modes); in the others the slices' directories are brig's own. */
static bool systemd_manages(const struct cg_hier *h)
{
	static const char *const managed[] = { "cpu", "cpuacct", "blkio", "memory",
					       "devices", "pids" };

	if (h->v2 || strcmp(h->name, "name=systemd") == 0)
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(managed); i++)
		if (cg_word_in(h->name, managed[i]))
			return true;
	return false;
}

static void trim(struct cg_manager *m);

/* The scope left to systemd: its cgroups are systemd's to remove, which
 * it does once it has seen them empty (a directory removed before that
 * leaves the unit waiting for an event that never comes); brig removes
 * its own in the hierarchies systemd does not manage. */
static int remove_unmanaged(struct cg_manager *m, brig_error_t **err)
{
	int ret = 0;

	for (size_t i = 0; i < m->n; i++) {
		brig_error_t *e = NULL;

		if (systemd_manages(&m->h[i]))
			continue;
		if (cg_rmdir_tree(m->h[i].dir, &m->rmdir_budget_ms, &e) < 0) {
			cg_err_keep(err, &e);
			ret = -1;
		}
	}
	trim(m);
	return ret;
}

static void trim(struct cg_manager *m)
{
	for (size_t i = 0; i < m->n; i++) {
		struct cg_hier *h = &m->h[i];
		cleanup_free char *dir = xstrdup(h->dir);
		char *slash;

		if (systemd_manages(h))
			continue;
		/* the slices' directories brig made there, when empty */
		while ((slash = strrchr(dir, '/')) != NULL && slash > dir + strlen(h->mnt)) {
			*slash = '\0';
			if (rmdir(dir) < 0)
				break;
		}
	}
}

/* Does any process remain in the unit's cgroup or below it?  (Its
 * directory gone: no.) */
static bool populated(struct cg_manager *m)
{
	cleanup_free pid_t *pids = NULL;
	brig_error_t *e = NULL;
	size_t n = 0;

	/* v2: cgroup.events counts the processes of sub-cgroups too, which
	 * the delegated scope's container may have made and moved into */
	if (m->layout == CG_LAYOUT_V2 && cg_unified(m) != NULL) {
		cleanup_free char *ev = cg_read(cg_unified(m)->dir, "cgroup.events");

		if (ev == NULL)
			return errno != ENOENT;
		return strstr(ev, "populated 1") != NULL;
	}
	if (m->sd->fs->pids(m, &pids, &n, &e) < 0) {
		bool gone = e && e->code == ENOENT;

		brig_err_free(&e);
		return !gone;
	}
	return n > 0;
}

/* An empty scope's cgroup: did systemd make the unit around it?  Only a
 * cgroup brig made early (cg_sd_make_scope_cgroup) can lack one: brig was
 * killed before StartTransientUnit, or systemd refused it; then it is
 * brig's to remove.  The cgroup of a scope systemd started (Delegate=yes)
 * carries its xattrs (trusted.delegate and user.delegate since systemd
 * 251; trusted.invocation_id where it sets one), read without a round
 * trip; without them systemd is asked (GetUnit).  Gone already, or
 * systemd unsure: yes, left to systemd as before. */
static bool systemd_knows(struct cg_manager *m)
{
	static const char *const names[] = { "trusted.delegate", "user.delegate",
					     "trusted.invocation_id", "user.invocation_id" };
	struct cg_hier *h = cg_unified(m);
	cleanup_free char *path = NULL;
	brig_error_t *e = NULL;
	int r;

	/* only where cg_sd_make_scope_cgroup makes one */
	if (m->sd->user || m->sd->u.is_slice || m->layout != CG_LAYOUT_V2 || h == NULL ||
	    access(h->dir, F_OK) != 0)
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (getxattr(h->dir, names[i], NULL, 0) >= 0)
			return true;
	if (bus(m, &e) < 0) {
		brig_err_free(&e);
		return true;
	}
	r = sdb_get_unit(m->sd->bus, m->sd->u.unit, &path, &e);
	if (r < 0 && brig_err_is(e, BRIG_E_NOT_FOUND)) {
		brig_err_free(&e);
		return false;
	}
	brig_err_free(&e);
	return true;
}

/* An empty scope left to systemd: make sure systemd looks at it.  systemd
 * collects a scope when its cgroup.events changes to "populated 0"; a
 * pid that exited just before systemd attached it (a create killed, or
 * an init that failed, while systemd made the unit: the kernel moves a
 * dying task without error) leaves the scope running, empty, with no
 * change to come.  Freezing and thawing the empty cgroup changes
 * cgroup.events twice: systemd then reads "populated 0" and collects
 * the scope (systemd ignores freezer changes it did not ask for).
 * cgroup v2 only; errors (the cgroup gone meanwhile) are of no matter. */
static void nudge_systemd(struct cg_manager *m)
{
	struct cg_hier *h = cg_unified(m);
	brig_error_t *e = NULL;

	if (m->layout != CG_LAYOUT_V2 || h == NULL)
		return;
	if (cg_write(h->dir, "cgroup.freeze", "1", &e) < 0) {
		brig_err_free(&e);
		return;
	}
	if (cg_write(h->dir, "cgroup.freeze", "0", &e) < 0)
		brig_err_free(&e);
}

/* 0: stopped; 1: left to systemd, the scope being empty; -1: error. */
static int stop(struct cg_manager *m, brig_error_t **err)
{
	struct cg_systemd *sd = m->sd;
	cleanup_free char *job = NULL;
	brig_error_t *e = NULL;

	/* A scope whose processes have all exited is stopped and collected
	 * by systemd on its own (CollectMode=inactive-or-failed, failed or
	 * not), so delete need not wait on systemd, which is busy with just
	 * that right after the container ended (0.27 s of each `run` in the
	 * VM).  A slice unit does not end by itself: it is stopped. */
	if (!sd->u.is_slice && !populated(m)) {
		if (!systemd_knows(m))
			return 0;
		nudge_systemd(m);
		return 1;
	}
	if (bus(m, err) < 0)
		return -1;
	if (sdb_stop_unit(sd->bus, sd->u.unit, &job, &e) < 0) {
		if (!brig_err_is(e, BRIG_E_NOT_FOUND)) {
			*err = e;
			return brig_err_prefix(err, "stop unit %s", sd->u.unit);
		}
		brig_err_free(&e); /* gone already: its processes exited */
		return 0;
	}
	if (wait_job(m, "stop unit", job, &e) < 0)
		brig_err_free(&e); /* the rmdir that follows tells */
	/* a unit that failed is kept by systemd until reset (units made
	 * before CollectMode was set, or annotated otherwise) */
	if (sdb_reset_failed_unit(sd->bus, sd->u.unit, &e) < 0)
		brig_err_free(&e);
	return 0;
}

/* delete: the unit first (systemd removes its cgroup), once; then the
 * layout's rmdirs take what systemd did not make, and the slices' empty
 * directories brig made. */
static int sd_destroy(struct cg_manager *m, brig_error_t **err)
{
	if (m->sd->not_ours) {
		/* StartTransientUnit refused: a unit of that name (in
		 * another slice, of another root) is not ours to stop */
		m->sd->stopped = true;
	}
	if (!m->sd->stopped) {
		int r = stop(m, err);

		if (r < 0) {
			brig_error_t *e = NULL;

			if (m->sd->fs->destroy(m, &e) < 0)
				brig_err_free(&e);
			return -1;
		}
		m->sd->stopped = true;
		m->sd->left_to_systemd = r == 1;
	}
	if (m->sd->left_to_systemd)
		return remove_unmanaged(m, err);
	if (m->sd->fs->destroy(m, err) < 0)
		return -1;
	trim(m);
	return 0;
}

static int sd_enter(struct cg_manager *m, pid_t pid, brig_error_t **err)
{
	return m->sd->fs->enter(m, pid, err);
}
static int sd_freeze(struct cg_manager *m, brig_error_t **err)
{
	return m->sd->fs->freeze(m, err);
}
static int sd_thaw(struct cg_manager *m, brig_error_t **err)
{
	return m->sd->fs->thaw(m, err);
}
static bool sd_is_frozen(struct cg_manager *m)
{
	return m->sd->fs->is_frozen(m);
}
static int sd_pids(struct cg_manager *m, pid_t **pids, size_t *n, brig_error_t **err)
{
	return m->sd->fs->pids(m, pids, n, err);
}

/* pause, ps, events, kill --all and the rest act on the cgroup as the
 * layout's table does; create, apply, start, update and destroy also talk
 * to systemd. */
const struct cg_ops cg_systemd_ops = {
	.name = "systemd",
	.create = sd_create,
	.enter = sd_enter,
	.apply = sd_apply,
	.freeze = sd_freeze,
	.thaw = sd_thaw,
	.is_frozen = sd_is_frozen,
	.pids = sd_pids,
	.destroy = sd_destroy,
	.start = sd_start,
	.update = sd_update,
};

bool cg_sd_moves_child(const struct cg_manager *m)
{
	return m->sd->start_pending || m->sd->user;
}

bool cg_sd_make_scope_cgroup(struct cg_manager *m)
{
	struct cg_hier *h = cg_unified(m);
	cleanup_free char *parent = NULL;
	char *slash;

	/* not the user's systemd: the kernel may not let a user's process be
	 * born where it could not move it either (rootless exec's attach) */
	if (!m->sd->start_pending || m->sd->user || m->sd->u.is_slice ||
	    m->layout != CG_LAYOUT_V2 || m->n != 1 || h == NULL)
		return false;
	/* the slice's cgroup systemd made already: a slice brig made would
	 * be its own to remove, and systemd's to start */
	parent = xstrdup(h->dir);
	slash = strrchr(parent, '/');
	if (slash == NULL || slash == parent)
		return false;
	*slash = '\0';
	if (access(parent, F_OK) != 0)
		return false;
	/* made by this call, or not ours to be born in */
	if (mkdir(h->dir, 0755) < 0)
		return false;
	h->created = true;
	return true;
}
