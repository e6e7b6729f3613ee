/* brig — cgroups/cg_systemd.h: the systemd cgroup driver (--systemd-cgroup),
 * private to cgroups/.
 *
 * systemd owns the cgroup tree on the hosts it boots: a cgroup made
 * behind its back is moved or trimmed by it, and limits written only to
 * the files are written over at the next `systemctl daemon-reload`.  So,
 * as runc and crun do, the container's cgroup is a transient scope unit
 * systemd makes for us (StartTransientUnit over D-Bus, Delegate=yes, the
 * init's pid), with every limit systemd has a property for given as that
 * property, and everything (those too) then written to the files by the
 * same renderers as the cgroupfs driver.  From there on the container's
 * cgroup is an ordinary one: pause, ps, events, kill --all and exec use
 * the layout's table (v1, hybrid, v2) unchanged; update sets the
 * properties and the files; delete stops the unit.
 *
 * In the create sequence (cgroups.h) the unit cannot exist before the
 * init does (systemd wants a pid): cg_create only builds the properties,
 * cg_apply keeps the resources, cg_spawn_begin lets the init be born in
 * brig's own cgroup, and cg_spawn_end starts the unit with its pid, waits
 * for the job, makes what systemd did not (v1 hierarchies it leaves
 * alone) and writes the files.  The init waits for brig before it runs
 * anything of the container's, so nothing of the container runs outside
 * its cgroup or its limits.
 *
 * On cgroup v2, for a scope, create goes faster (cg_spawn_begin_init):
 * brig makes the scope's cgroup itself, the init is born in it (its
 * namespaces and mounts charged to the container from the start, its
 * cgroup namespace rooted there), and it sets up while systemd makes the
 * unit around it: systemd finds the cgroup made (as it does after a
 * daemon-reexec) and the pid in it.  What the init runs of the
 * container's (hooks, the process) still waits for the unit and the
 * files.  A cgroup brig made whose unit systemd never heard of (brig
 * killed in between) is brig's to remove at delete (stop()).
 */
#ifndef BRIG_CG_SYSTEMD_H
#define BRIG_CG_SYSTEMD_H

#include "cgroups/cg_internal.h"
#include "cgroups/cg_dbus.h"

/* What a cgroupsPath names. */
struct cg_sd_unit {
	char *slice;      /* "system.slice" */
	char *slice_path; /* "/system.slice"; "" for the root slice "-.slice" */
	char *unit;       /* "docker-<id>.scope", or "<name>.slice" */
	char *rel;        /* the unit's cgroup under the manager's own:
			   * "/system.slice/docker-<id>.scope" */
	bool is_slice;    /* a slice unit (kubelet's pod slices), not a scope */
};

/* "slice:prefix:name" (NULL or "": ":brig:<id>") -> *u; user: the default
 * slice is user.slice, not system.slice. */
int cg_sd_parse_path(const char *cgroups_path, const char *id, bool user,
		     struct cg_sd_unit *u, brig_error_t **err);
void cg_sd_unit_free(struct cg_sd_unit *u);
/* A scope or slice name cg_sd_parse_path could have made. */
bool cg_sd_unit_name_ok(const char *unit);
/* "a-b.slice" -> "/a.slice/a-b.slice" ("-.slice" -> ""); NULL and *err
 * when it is not a slice name. */
char *cg_sd_expand_slice(const char *slice, brig_error_t **err);

/* linux.resources -> properties (v2: MemoryMax..., else the v1 names).
 * version: systemd's, to leave out what it does not know. */
int cg_sd_resource_props(const struct spec_resources *r, bool v2, unsigned version,
			 struct sdb_props *l, brig_error_t **err);
/* Round a CPU quota up to systemd's 10 ms-per-second steps, as the files
 * will then be written, so systemd and the files agree. */
void cg_sd_round_quota(struct spec_cpu *c);
/* "0-3,7" -> AllowedCPUs bytes (to free). */
int cg_sd_cpu_bits(const char *list, uint8_t **bits, size_t *n, brig_error_t **err);
/* annotations org.systemd.property.<Name> -> properties (replacing the
 * ones of the same name). */
int cg_sd_annotation_props(const struct spec_kv_list *a, struct sdb_props *l,
			   brig_error_t **err);
/* One GVariant text value -> p (type and value; name untouched). */
int cg_sd_parse_gvariant(const char *text, struct sdb_prop *p);
/* The device rules (then brig's defaults) -> DevicePolicy, DeviceAllow;
 * v2: the host's devices are brig's eBPF program's (else v1's files).
 * true when the list is the rules exactly (DevicePolicy=strict on v2,
 * nothing left out): systemd's device program then holds them as brig's
 * would. */
bool cg_sd_device_props(const struct spec_device_cgroup *rules, size_t n, bool v2,
			struct sdb_props *l);

/* The driver's state in a manager (m->sd). */
struct cg_systemd {
	const struct cg_ops *fs; /* the layout's table, which this one wraps */
	struct cg_sd_unit u;
	bool user;          /* the user's own systemd, not the system's */
	struct sdb *bus;    /* opened when first needed */
	unsigned version;   /* systemd's, 0 until asked */
	bool stopped;       /* destroy stopped the unit already */
	bool left_to_systemd; /* ... or left it, empty, to systemd */
	/* create: systemd has not made the unit for us (yet): a unit of
	 * that name is someone else's, never stopped by our undo */
	bool not_ours;
	/* create: between cg_create and cg_spawn_end */
	bool start_pending;
	/* create: systemd was given the device rules exactly (v2) */
	bool devices_exact;
	/* ... and its device program holds them: brig loaded none */
	bool devices_by_systemd;
	struct sdb_props props;
	const struct spec_resources *res; /* what cg_apply was given */
	struct spec_resources res_copy;   /* r adjusted (cg_systemd.c) */
	struct spec_cpu cpu_copy;
	struct spec_memory mem_copy;
};

/* cg_new_systemd: the unit, its path in every hierarchy, m->ops set to
 * cg_systemd_ops (over the layout's), the base properties and the
 * annotations'; connects to systemd. */
int cg_sd_init(struct cg_manager *m, const char *cgroups_path, const char *id,
	       const struct spec_kv_list *annotations, brig_error_t **err);
/* cg_load: the unit recorded in the path's ";systemd=" token. */
void cg_sd_load(struct cg_manager *m, const char *unit, bool user);
void cg_sd_free(struct cg_manager *m);
/* In a child of the clone: close its copy of the bus's socket (the
 * parent's stays open). */
void cg_sd_child_close(struct cg_manager *m);
/* Is a process spawned now moved by ops->start (the unit's start at
 * create; rootless exec), rather than born in the cgroup? */
bool cg_sd_moves_child(const struct cg_manager *m);
/* create, on cgroup v2, for a scope: make the unit's cgroup now, before
 * the unit, so that the init is born in it (cg_spawn_begin_init).  false
 * (nothing made) where that cannot be: a slice unit, v1 or hybrid, the
 * slice's cgroup not there yet, or the scope's there already (a unit of
 * that name still being collected). */
bool cg_sd_make_scope_cgroup(struct cg_manager *m);

#endif
