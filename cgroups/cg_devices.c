/* brig — cgroups/: linux.resources.devices on the v1 devices controller.
 *
 * The rules are written in order, each to devices.allow or devices.deny
 * ("c 1:3 rwm", "*" for a wildcard number; type "a" alone for all
 * devices, which also resets the cgroup's default).  After the spec's
 * rules come the devices every container gets, as runc adds them:
 * mknod of anything, /dev/null, zero, full, random, urandom, tty, ptmx,
 * the pts devices and /dev/net/tun's (not made: only allowed).  Devices listed in linux.devices are not known
 * here: the runtime adds allow rules for them to the resources it passes.
 * cgroup v2 has no such files: the same rules become an eBPF program
 * (cg_bpf_devices.c). */
#include "cgroups/cg_internal.h"

#include <inttypes.h>
#include <string.h>

const struct spec_device_cgroup cg_device_defaults[] = {
	{ true, 'c', -1, -1, "m" },
	{ true, 'b', -1, -1, "m" },
	{ true, 'c', 1, 3, "rwm" },   /* null */
	{ true, 'c', 1, 5, "rwm" },   /* zero */
	{ true, 'c', 1, 7, "rwm" },   /* full */
	{ true, 'c', 1, 8, "rwm" },   /* random */
	{ true, 'c', 1, 9, "rwm" },   /* urandom */
	{ true, 'c', 5, 0, "rwm" },   /* tty */
	{ true, 'c', 5, 2, "rwm" },   /* ptmx */
	{ true, 'c', 136, -1, "rwm" }, /* pts */
	{ true, 'c', 10, 200, "rwm" }, /* tun/tap (runc's default too) */
};
const size_t cg_n_device_defaults = ARRAY_SIZE(cg_device_defaults);

static char *num(int64_t v)
{
	return v < 0 ? xstrdup("*") : xasprintf("%" PRId64, v);
}

/* The devices.allow/deny line for one rule, or NULL when invalid. */
static char *rule_text(const struct spec_device_cgroup *d)
{
	const char *access = d->access && *d->access ? d->access : "rwm";
	char type = d->type ? d->type : 'a';
	cleanup_free char *maj = NULL, *min = NULL;

	if (!strchr("acb", type) || strspn(access, "rwm") != strlen(access))
		return NULL;
	if (type == 'a')
		return xstrdup("a");
	maj = num(d->major);
	min = num(d->minor);
	return xasprintf("%c %s:%s %s", type, maj, min, access);
}

static int write_rule(struct cg_hier *h, const struct spec_device_cgroup *d,
		      const char *json, size_t idx, brig_error_t **err)
{
	cleanup_free char *t = rule_text(d);

	if (t == NULL)
		return brig_err(err, 0, "%s[%zu]: invalid rule (type '%c', access "
				"\"%s\")", json, idx, d->type ? d->type : 'a',
				d->access ? d->access : "");
	if (cg_write(h->dir, d->allow ? "devices.allow" : "devices.deny", t, err) < 0)
		return brig_err_prefix(err, "%s[%zu]", json, idx);
	return 0;
}

int cg_apply_devices(struct cg_hier *h, const struct spec_resources *r,
		     brig_error_t **err)
{
	for (size_t i = 0; i < r->n_devices; i++)
		if (write_rule(h, &r->devices[i], "linux.resources.devices", i, err) < 0)
			return -1;
	for (size_t i = 0; i < cg_n_device_defaults; i++)
		if (write_rule(h, &cg_device_defaults[i], "default device rules", i, err) < 0)
			return -1;
	return 0;
}
