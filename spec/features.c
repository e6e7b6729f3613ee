/* brig — spec/features.c: the `brig features` document (features.md,
 * features-linux.md) from a plain struct the runtime fills in. */
#include "spec.h"
#include "gen.h"

#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

/* "k": {"enabled": v} */
static void kv_enabled(yajl_gen g, const char *k, bool v)
{
	gen_key(g, k);
	yajl_gen_map_open(g);
	gen_kv_bool(g, "enabled", v);
	yajl_gen_map_close(g);
}

static void gen_linux(yajl_gen g, const struct spec_features *f)
{
	gen_key(g, "linux");
	yajl_gen_map_open(g);
	gen_kv_strv(g, "namespaces", f->linux.namespaces, NULL);
	gen_kv_strv(g, "capabilities", f->linux.capabilities, NULL);

	gen_key(g, "cgroup");
	yajl_gen_map_open(g);
	gen_kv_bool(g, "v1", f->linux.cgroup_v1);
	gen_kv_bool(g, "v2", f->linux.cgroup_v2);
	gen_kv_bool(g, "systemd", f->linux.cgroup_systemd);
	gen_kv_bool(g, "systemdUser", f->linux.cgroup_systemd_user);
	gen_kv_bool(g, "rdma", f->linux.cgroup_rdma);
	yajl_gen_map_close(g);

	gen_key(g, "seccomp");
	yajl_gen_map_open(g);
	gen_kv_bool(g, "enabled", f->linux.seccomp_enabled);
	gen_kv_strv(g, "actions", f->linux.seccomp_actions, NULL);
	gen_kv_strv(g, "operators", f->linux.seccomp_operators, NULL);
	gen_kv_strv(g, "archs", f->linux.seccomp_archs, NULL);
	gen_kv_strv(g, "knownFlags", f->linux.seccomp_known_flags, NULL);
	gen_kv_strv(g, "supportedFlags", f->linux.seccomp_supported_flags, NULL);
	yajl_gen_map_close(g);

	kv_enabled(g, "apparmor", f->linux.apparmor);
	kv_enabled(g, "selinux", f->linux.selinux);

	gen_key(g, "intelRdt");
	yajl_gen_map_open(g);
	gen_kv_bool(g, "enabled", f->linux.intel_rdt);
	if (f->linux.intel_rdt) {
		gen_kv_bool(g, "schemata", f->linux.intel_rdt_schemata);
		gen_kv_bool(g, "monitoring", f->linux.intel_rdt_monitoring);
	}
	yajl_gen_map_close(g);

	if (f->linux.memory_policy_modes || f->linux.memory_policy_flags) {
		gen_key(g, "memoryPolicy");
		yajl_gen_map_open(g);
		gen_kv_strv(g, "modes", f->linux.memory_policy_modes, NULL);
		gen_kv_strv(g, "flags", f->linux.memory_policy_flags, NULL);
		yajl_gen_map_close(g);
	}

	gen_key(g, "mountExtensions");
	yajl_gen_map_open(g);
	kv_enabled(g, "idmap", f->linux.idmap);
	yajl_gen_map_close(g);

	kv_enabled(g, "netDevices", f->linux.net_devices);
	yajl_gen_map_close(g);
}

char *spec_features_to_json(const struct spec_features *f)
{
	yajl_gen g = gen_new("    ");

	yajl_gen_map_open(g);
	gen_key(g, "ociVersionMin");
	gen_str(g, f->oci_version_min);
	gen_key(g, "ociVersionMax");
	gen_str(g, f->oci_version_max);
	gen_kv_strv(g, "hooks", f->hooks, NULL);
	gen_kv_strv(g, "mountOptions", f->mount_options, NULL);
	gen_linux(g, f);
	if (f->n_annotations) {
		gen_key(g, "annotations");
		yajl_gen_map_open(g);
		for (size_t i = 0; i < f->n_annotations; i++) {
			gen_key(g, f->annotations[i].key);
			gen_str(g, f->annotations[i].value);
		}
		yajl_gen_map_close(g);
	}
	gen_kv_strv(g, "potentiallyUnsafeConfigAnnotations", f->unsafe_annotations, NULL);
	yajl_gen_map_close(g);

	return gen_finish(g);
}
