/* brig — spec/features.c: the `brig features` document (features.md,
 * features-linux.md) from a plain struct the runtime fills in. */
#include "spec.h"

#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

static void key(yajl_gen g, const char *k)
{
	yajl_gen_string(g, (const unsigned char *)k, strlen(k));
}

static void str(yajl_gen g, const char *s)
{
	yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void kv_bool(yajl_gen g, const char *k, bool v)
{
	key(g, k);
	yajl_gen_bool(g, v);
}

/* "k": [...] when list is not NULL (an empty list is still written: it
 * says "none", which is not the same as "not reported"). */
static void kv_list(yajl_gen g, const char *k, const char *const *list)
{
	if (!list)
		return;
	key(g, k);
	yajl_gen_array_open(g);
	for (; *list; list++)
		str(g, *list);
	yajl_gen_array_close(g);
}

/* "k": {"enabled": v} */
static void kv_enabled(yajl_gen g, const char *k, bool v)
{
	key(g, k);
	yajl_gen_map_open(g);
	kv_bool(g, "enabled", v);
	yajl_gen_map_close(g);
}

static void gen_linux(yajl_gen g, const struct spec_features *f)
{
	key(g, "linux");
	yajl_gen_map_open(g);
	kv_list(g, "namespaces", f->linux.namespaces);
	kv_list(g, "capabilities", f->linux.capabilities);

	key(g, "cgroup");
	yajl_gen_map_open(g);
	kv_bool(g, "v1", f->linux.cgroup_v1);
	kv_bool(g, "v2", f->linux.cgroup_v2);
	kv_bool(g, "systemd", f->linux.cgroup_systemd);
	kv_bool(g, "systemdUser", f->linux.cgroup_systemd_user);
	kv_bool(g, "rdma", f->linux.cgroup_rdma);
	yajl_gen_map_close(g);

	key(g, "seccomp");
	yajl_gen_map_open(g);
	kv_bool(g, "enabled", f->linux.seccomp_enabled);
	kv_list(g, "actions", f->linux.seccomp_actions);
	kv_list(g, "operators", f->linux.seccomp_operators);
	kv_list(g, "archs", f->linux.seccomp_archs);
	kv_list(g, "knownFlags", f->linux.seccomp_known_flags);
	kv_list(g, "supportedFlags", f->linux.seccomp_supported_flags);
	yajl_gen_map_close(g);

	kv_enabled(g, "apparmor", f->linux.apparmor);
	kv_enabled(g, "selinux", f->linux.selinux);

	key(g, "intelRdt");
	yajl_gen_map_open(g);
	kv_bool(g, "enabled", f->linux.intel_rdt);
	if (f->linux.intel_rdt) {
		kv_bool(g, "schemata", f->linux.intel_rdt_schemata);
		kv_bool(g, "monitoring", f->linux.intel_rdt_monitoring);
	}
	yajl_gen_map_close(g);

	if (f->linux.memory_policy_modes || f->linux.memory_policy_flags) {
		key(g, "memoryPolicy");
		yajl_gen_map_open(g);
		kv_list(g, "modes", f->linux.memory_policy_modes);
		kv_list(g, "flags", f->linux.memory_policy_flags);
		yajl_gen_map_close(g);
	}

	key(g, "mountExtensions");
	yajl_gen_map_open(g);
	kv_enabled(g, "idmap", f->linux.idmap);
	yajl_gen_map_close(g);

	kv_enabled(g, "netDevices", f->linux.net_devices);
	yajl_gen_map_close(g);
}

char *spec_features_to_json(const struct spec_features *f)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	const unsigned char *buf;
	size_t len;
	char *out;

	if (!g)
		abort();
	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_config(g, yajl_gen_indent_string, "    ");

	yajl_gen_map_open(g);
	key(g, "ociVersionMin");
	str(g, f->oci_version_min);
	key(g, "ociVersionMax");
	str(g, f->oci_version_max);
	kv_list(g, "hooks", f->hooks);
	kv_list(g, "mountOptions", f->mount_options);
	gen_linux(g, f);
	if (f->n_annotations) {
		key(g, "annotations");
		yajl_gen_map_open(g);
		for (size_t i = 0; i < f->n_annotations; i++) {
			key(g, f->annotations[i].key);
			str(g, f->annotations[i].value);
		}
		yajl_gen_map_close(g);
	}
	kv_list(g, "potentiallyUnsafeConfigAnnotations", f->unsafe_annotations);
	yajl_gen_map_close(g);

	if (yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok)
		abort(); /* only a bug in the calls above can get here */
	out = xmalloc(len + 2);
	memcpy(out, buf, len);
	out[len] = '\0';
	yajl_gen_free(g);
	return out;
}
