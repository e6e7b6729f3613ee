/* brig — runtime/features.c: `brig features`, what this build supports
 * (features.md), gathered from the modules and written by spec/. */
#include "cli.h"

#include <string.h>

#include "config.h"
#include "rootfs/rootfs.h"
#include "security/security.h"

static const char *const hooks[] = {
	"prestart", "createRuntime", "createContainer", "startContainer",
	"poststart", "poststop", NULL,
};

static const char *const namespaces[] = {
	"cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts", NULL,
};

/* Mount options brig accepts and applies; idmap and ridmap are parsed but
 * refused at mount time (no idmapped mounts yet), so they are left out. */
static const char **mount_options(void)
{
	size_t n = 0, k = 0;
	while (rootfs_known_mount_options[n])
		n++;
	const char **v = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		const char *o = rootfs_known_mount_options[i];
		if (strcmp(o, "idmap") != 0 && strcmp(o, "ridmap") != 0)
			v[k++] = o;
	}
	return v;
}

int cmd_features(const struct brig_globals *g, int argc, char **argv, brig_error_t **err)
{
	(void)g;
	if (argc > 1 && argv[1][0] == '-')
		return brig_err(err, 0, "features: takes no options");
	if (argc > 1)
		return brig_err(err, 0, "usage: brig features");

	const char *sver = sec_seccomp_version();
	cleanup_free const char **mopts = mount_options();
	char **caps = sec_caps_known();
	cleanup_free const char **actions = sec_seccomp_names(SEC_SECCOMP_ACTIONS);
	cleanup_free const char **ops = sec_seccomp_names(SEC_SECCOMP_OPERATORS);
	cleanup_free const char **archs = sec_seccomp_names(SEC_SECCOMP_ARCHS);
	cleanup_free const char **flags = sec_seccomp_names(SEC_SECCOMP_FLAGS);
	size_t nflags = 0;
	while (flags[nflags])
		nflags++;
	cleanup_free const char **supported = xcalloc(nflags + 1, sizeof(char *));
	for (size_t i = 0, k = 0; i < nflags; i++)
		if (sec_seccomp_flag_supported(flags[i]))
			supported[k++] = flags[i];
	const struct spec_kv annotations[] = {
		{(char *)"io.github.seccomp.libseccomp.version", (char *)sver},
		{(char *)"io.github.brig.version", (char *)BRIG_VERSION},
		/* checkpoint and restore through CRIU (criu.c), under the key
		 * clients know from runc, and brig's own */
		{(char *)"org.opencontainers.runc.checkpoint.enabled", (char *)"true"},
		{(char *)"io.github.brig.checkpoint.enabled", (char *)"true"},
	};
	/* annotations a client should pass only from whom it trusts, as
	 * runc lists them: systemd unit properties (cg_sd_annot.c), CRIU's
	 * options file, run as root at checkpoint and restore (criu.c) */
	static const char *const unsafe[] = {"org.systemd.property.", "org.criu.config", NULL};
	struct spec_features f = {
		.oci_version_min = "1.0.0",
		.oci_version_max = BRIG_OCI_VERSION,
		.hooks = hooks,
		.mount_options = mopts,
		.linux = {
			.namespaces = namespaces,
			.capabilities = (const char *const *)caps,
			.cgroup_v1 = true,
			.cgroup_v2 = true,
			.cgroup_systemd = true,
			.cgroup_systemd_user = true,
			.cgroup_rdma = true,
			.seccomp_enabled = true,
			.seccomp_actions = actions,
			.seccomp_operators = ops,
			.seccomp_archs = archs,
			.seccomp_known_flags = flags,
			.seccomp_supported_flags = supported,
			.apparmor = sec_apparmor_compiled(),
			.selinux = false,
			.intel_rdt = false,
			.idmap = false,
			.net_devices = false,
		},
		.annotations = annotations,
		.n_annotations = ARRAY_SIZE(annotations),
		.unsafe_annotations = unsafe,
	};
	cleanup_free char *json = spec_features_to_json(&f);
	brig_strv_free(caps);
	printf("%s\n", json);
	return 0;
}
