/* brig — rootfs/: mounts, devices, pivot_root/chroot, masked and readonly
 * paths.  Runs in the container's init, inside its new mount namespace.
 * Sees only spec/ structs. */
#ifndef BRIG_ROOTFS_H
#define BRIG_ROOTFS_H

#include <stdbool.h>
#include <stdint.h>

#include "spec/spec.h"

/* The cgroup hierarchies and our own cgroup in each, as seen before a new
 * cgroup namespace is entered: what a "cgroup" mount binds in it.  Taken
 * by the init once it is in its cgroups, before the unshare. */
struct rootfs_cgroups;
struct rootfs_cgroups *rootfs_cgroup_snapshot(void);
void rootfs_cgroup_free(struct rootfs_cgroups *s);

struct rootfs_opts {
	const char *rootfs;  /* absolute path of the root filesystem */
	const char *bundle;  /* absolute bundle path: relative mount sources */
	bool in_userns;      /* devices are bind-mounted, not mknod'ed */
	bool no_pivot;       /* chroot instead of pivot_root */
	/* NULL: read when the "cgroup" mount is made (in a cgroup
	 * namespace then, v1 hierarchies are mounted anew) */
	const struct rootfs_cgroups *cgroups;
	/* > 0: a detached procfs mount (rootfs_proc_of) of the pid namespace
	 * the container joins; each "proc" mount is a copy of it, as a new
	 * procfs made by the caller would show the caller's processes (0:
	 * none, a new procfs) */
	int proc_tree;
};

/* A detached copy of the procfs that process pid (in another mount
 * namespace) has at /proc, checked to be the procfs of the pid namespace
 * pidns_fd names; the caller's root and cwd are kept.  The caller is in a
 * mount namespace of its own.  Returns the mount's fd or -1. */
int rootfs_proc_of(pid_t pid, int pidns_fd, brig_error_t **err);

/* Before pivot: make / non-shared, bind the rootfs onto itself, do every
 * mount of c->mounts in order (destinations created and resolved inside
 * the rootfs), create the default and linux.devices and /dev symlinks. */
int rootfs_prepare(const struct spec_config *c, const struct rootfs_opts *o,
		   brig_error_t **err);

/* pivot_root into o->rootfs (or chroot with no_pivot); cwd becomes "/". */
int rootfs_pivot(const struct rootfs_opts *o, brig_error_t **err);

/* Before CRIU restores on rootfs: the mount points of c's mounts that
 * are not under one of its tmpfs, made inside it (a file for a bind
 * mount of a file); bind sources relative to bundle. */
int rootfs_restore_mountpoints(const struct spec_config *c, const char *rootfs,
			       const char *bundle, brig_error_t **err);

/* After pivot: maskedPaths, readonlyPaths, root.readonly and
 * rootfsPropagation. */
int rootfs_finalize(const struct spec_config *c, const struct rootfs_opts *o,
		    brig_error_t **err);

/* Parsed mount options (exposed for unit tests and for callers that need
 * to know the flags, e.g. features). */
struct rootfs_mount_opts {
	unsigned long flags;       /* MS_* to set */
	unsigned long clear;       /* MS_* explicitly cleared (rw, suid...) */
	unsigned long propagation; /* MS_SHARED|MS_SLAVE|... (| MS_REC) */
	bool bind, rbind, idmap, ridmap;
	uint64_t attr_set, attr_clr; /* mount_setattr attributes (recursive) */
	char *data;                /* remaining fs-specific options, joined */
};
int rootfs_parse_mount_options(const struct spec_strv *options,
			       struct rootfs_mount_opts *out, brig_error_t **err);
void rootfs_mount_opts_free(struct rootfs_mount_opts *o);

/* Names of every mount option rootfs_parse_mount_options knows
 * (NULL-terminated), for `brig features`. */
extern const char *const rootfs_known_mount_options[];

#endif
