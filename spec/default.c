/* brig — the default config.json written by `brig spec`.
 *
 * The same starter file `runc spec` writes, key for key and in the same
 * order, with two differences:
 *  - process.terminal is false (runc: true), so the demo and the tests can
 *    `brig run` the result without a terminal;
 *  - hostname is "brig" (runc: "runc").
 *
 * With rootless, the same edits `runc spec --rootless` makes: a user
 * namespace (appended last) mapping container 0 to the caller's uid/gid
 * with size 1, no network namespace, /sys as a read-only rbind of the host's
 * /sys instead of a new sysfs (a user namespace cannot mount sysfs without
 * its own network namespace), no uid=/gid= mount options (the ids do not
 * exist in the namespace), and no linux.resources (no cgroup delegation is
 * assumed).  The cgroup namespace stays, as in runc.
 */
#include "spec.h"
#include "gen.h"
#include "default_seccomp.h"

#include <string.h>

#include <yajl/yajl_gen.h>

/* ---- the data ---------------------------------------------------------------- */

static const char *const default_args[] = { "sh", NULL };

static const char *const default_env[] = {
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	"TERM=xterm",
	NULL,
};

/* bounding, effective and permitted all get this list. */
static const char *const default_caps[] = {
	"CAP_AUDIT_WRITE",
	"CAP_KILL",
	"CAP_NET_BIND_SERVICE",
	NULL,
};

/* `brig spec --service`: what `docker run` gives a container by default
 * (moby's documented default set, docs "Docker Security defaults"), in
 * its order.  A daemon from a distribution (nginx, postgres) starts as
 * root and chowns its files, changes user, binds a low port: with the
 * three above it dies on chown(2) with EPERM. */
static const char *const service_caps[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
	"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
	"CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
	NULL,
};

struct mount_def {
	const char *destination, *type, *source;
	const char *const *options; /* NULL: no "options" key */
};

#define OPTS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static const struct mount_def default_mounts[] = {
	{ "/proc", "proc", "proc", NULL },
	{ "/dev", "tmpfs", "tmpfs",
	  OPTS("nosuid", "strictatime", "mode=755", "size=65536k") },
	{ "/dev/pts", "devpts", "devpts",
	  OPTS("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5") },
	{ "/dev/shm", "tmpfs", "shm",
	  OPTS("nosuid", "noexec", "nodev", "mode=1777", "size=65536k") },
	{ "/dev/mqueue", "mqueue", "mqueue", OPTS("nosuid", "noexec", "nodev") },
	{ "/sys", "sysfs", "sysfs", OPTS("nosuid", "noexec", "nodev", "ro") },
	{ "/sys/fs/cgroup", "cgroup", "cgroup",
	  OPTS("nosuid", "noexec", "nodev", "relatime", "ro") },
};

/* Rootless replacement for the /sys entry above. */
static const struct mount_def rootless_sys_mount = {
	"/sys", "none", "/sys", OPTS("rbind", "nosuid", "noexec", "nodev", "ro"),
};

/* In runc's order; rootless drops "network" and appends "user". */
static const char *const default_namespaces[] = {
	"pid", "network", "ipc", "uts", "mount", "cgroup", NULL,
};

static const char *const default_masked_paths[] = {
	"/proc/acpi",
	"/proc/asound",
	"/proc/kcore",
	"/proc/keys",
	"/proc/latency_stats",
	"/proc/timer_list",
	"/proc/timer_stats",
	"/proc/sched_debug",
	"/sys/firmware",
	"/proc/scsi",
	"/sys/devices/virtual/powercap",
	NULL,
};

static const char *const default_readonly_paths[] = {
	"/proc/bus",
	"/proc/fs",
	"/proc/irq",
	"/proc/sys",
	"/proc/sysrq-trigger",
	NULL,
};

/* ---- sections ---------------------------------------------------------------- */

static void gen_process(yajl_gen g, const char *const *caps)
{
	gen_key(g, "process");
	yajl_gen_map_open(g);
	gen_kv_bool(g, "terminal", false);

	gen_key(g, "user");
	yajl_gen_map_open(g);
	gen_kv_int(g, "uid", 0);
	gen_kv_int(g, "gid", 0);
	yajl_gen_map_close(g);

	gen_kv_strv(g, "args", default_args, NULL);
	gen_kv_strv(g, "env", default_env, NULL);
	gen_kv_str(g, "cwd", "/");

	gen_key(g, "capabilities");
	yajl_gen_map_open(g);
	gen_kv_strv(g, "bounding", caps, NULL);
	gen_kv_strv(g, "effective", caps, NULL);
	gen_kv_strv(g, "permitted", caps, NULL);
	yajl_gen_map_close(g);

	gen_key(g, "rlimits");
	yajl_gen_array_open(g);
	yajl_gen_map_open(g);
	gen_kv_str(g, "type", "RLIMIT_NOFILE");
	gen_kv_int(g, "hard", 1024);
	gen_kv_int(g, "soft", 1024);
	yajl_gen_map_close(g);
	yajl_gen_array_close(g);

	gen_kv_bool(g, "noNewPrivileges", true);
	yajl_gen_map_close(g);
}

static void gen_root(yajl_gen g)
{
	gen_key(g, "root");
	yajl_gen_map_open(g);
	gen_kv_str(g, "path", "rootfs");
	gen_kv_bool(g, "readonly", true);
	yajl_gen_map_close(g);
}

/* The user namespace has no ids to give to uid=/gid= options. */
static bool is_id_option(const char *opt)
{
	return strncmp(opt, "uid=", 4) == 0 || strncmp(opt, "gid=", 4) == 0;
}

static void gen_mounts(yajl_gen g, bool rootless)
{
	gen_key(g, "mounts");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < ARRAY_SIZE(default_mounts); i++) {
		const struct mount_def *m = &default_mounts[i];
		if (rootless && strcmp(m->destination, "/sys") == 0)
			m = &rootless_sys_mount;
		yajl_gen_map_open(g);
		gen_kv_str(g, "destination", m->destination);
		gen_kv_str(g, "type", m->type);
		gen_kv_str(g, "source", m->source);
		if (m->options)
			gen_kv_strv(g, "options", m->options, rootless ? is_id_option : NULL);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

/* One-entry id map: container 0 → host id. */
static void gen_idmap(yajl_gen g, const char *k, unsigned long id)
{
	gen_key(g, k);
	yajl_gen_array_open(g);
	yajl_gen_map_open(g);
	gen_kv_int(g, "containerID", 0);
	gen_kv_int(g, "hostID", (long long)id);
	gen_kv_int(g, "size", 1);
	yajl_gen_map_close(g);
	yajl_gen_array_close(g);
}

static void gen_namespaces(yajl_gen g, bool rootless)
{
	gen_key(g, "namespaces");
	yajl_gen_array_open(g);
	for (const char *const *ns = default_namespaces; *ns; ns++) {
		if (rootless && strcmp(*ns, "network") == 0)
			continue;
		yajl_gen_map_open(g);
		gen_kv_str(g, "type", *ns);
		yajl_gen_map_close(g);
	}
	if (rootless) {
		yajl_gen_map_open(g);
		gen_kv_str(g, "type", "user");
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

/* The default seccomp profile, generated from the data file
 * spec/seccomp-default.profile (see default_seccomp.c), where runc's struct
 * order puts "seccomp".  `runc spec` writes none; Docker and Podman do. */
static void gen_default_seccomp(yajl_gen g, bool rootless)
{
	(void)rootless;
	spec_gen_default_seccomp(g);
}

static void gen_linux(yajl_gen g, bool rootless, uid_t uid, gid_t gid)
{
	gen_key(g, "linux");
	yajl_gen_map_open(g);
	if (rootless) {
		gen_idmap(g, "uidMappings", uid);
		gen_idmap(g, "gidMappings", gid);
	} else {
		/* deny all devices, as runc does; the runtime always allows
		 * the standard /dev nodes a container needs */
		gen_key(g, "resources");
		yajl_gen_map_open(g);
		gen_key(g, "devices");
		yajl_gen_array_open(g);
		yajl_gen_map_open(g);
		gen_kv_bool(g, "allow", false);
		gen_kv_str(g, "access", "rwm");
		yajl_gen_map_close(g);
		yajl_gen_array_close(g);
		yajl_gen_map_close(g);
	}
	gen_namespaces(g, rootless);
	gen_default_seccomp(g, rootless);
	gen_kv_strv(g, "maskedPaths", default_masked_paths, NULL);
	gen_kv_strv(g, "readonlyPaths", default_readonly_paths, NULL);
	yajl_gen_map_close(g);
}

/* ---- entry point ---------------------------------------------------------- */

static char *gen_config(bool rootless, bool service, uid_t uid, gid_t gid)
{
	/* runc spec indents config.json with tabs */
	yajl_gen g = gen_new("\t");

	yajl_gen_map_open(g);
	gen_kv_str(g, "ociVersion", BRIG_OCI_VERSION);
	gen_process(g, service ? service_caps : default_caps);
	gen_root(g);
	gen_kv_str(g, "hostname", "brig");
	gen_mounts(g, rootless);
	gen_linux(g, rootless, uid, gid);
	yajl_gen_map_close(g);

	return gen_finish(g);
}

char *spec_default_config(bool rootless, uid_t uid, gid_t gid)
{
	return gen_config(rootless, false, uid, gid);
}

char *spec_service_config(bool rootless, uid_t uid, gid_t gid)
{
	return gen_config(rootless, true, uid, gid);
}
