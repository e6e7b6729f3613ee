/* brig — namespaces/: clone/unshare/setns, user-namespace id maps, time
 * offsets, hostname and sysctl.  Sees only spec/ structs. */
#ifndef BRIG_NAMESPACES_H
#define BRIG_NAMESPACES_H

#include <stdbool.h>
#include <sys/types.h>

#include "spec/spec.h"

/* Runs in the new process; its return value becomes the exit status. */
typedef int (*ns_child_fn)(void *arg);

/* Start the container's init in the namespaces c->linux asks for: joined
 * ones (path) are entered first, new user and pid namespaces are created
 * by one clone3, the init makes the other new ones (ns_unshare).
 * cgroup_fd >= 0 asks for CLONE_INTO_CGROUP.  Returns the pid (a child of
 * the caller) or -1. */
pid_t ns_spawn(const struct spec_config *c, int cgroup_fd, ns_child_fn fn,
	       void *arg, brig_error_t **err);

/* A pid namespace joined by path that the init enters only at the end of
 * its set-up, so that nothing of the host is ever seen there (the
 * container it shares the namespace with is hostile): its path, or NULL
 * (a new pid namespace, none, or one a new user namespace could not
 * enter later: ns_spawn's helper enters that one before the clone). */
const char *ns_late_pid_path(const struct spec_config *c);

/* A live process in the pid namespace ns_fd names: the pid of a path
 * /proc/<pid>/ns/pid, else found in /proc.  0 when there is none. */
pid_t ns_pid_in(const char *path, int ns_fd);

/* CLONE_NEW* flags of the namespaces to create (no path). */
int ns_new_flags(const struct spec_config *c);

/* Parent side, while pid waits: write its uid_map/gid_map.  rootless (the
 * caller is not root): without CAP_SETUID/CAP_SETGID a map of the caller's
 * own id (size 1) is written directly, with setgroups "deny" for gid_map;
 * any other map (subordinate ranges of /etc/subuid, /etc/subgid) goes
 * through newuidmap/newgidmap found in PATH, and setgroups stays allowed. */
int ns_write_id_maps(pid_t pid, const struct spec_linux *l, bool rootless,
		     brig_error_t **err);

/* One mapping, of size 1, of host id own. */
bool ns_id_map_is_own(const struct spec_idmap *m, size_t n, uint32_t own);

/* Child side, once in the container's cgroups (they become the cgroup
 * namespace's root, and the memory cgroup pays for what is made): create
 * the new mount, network, IPC, UTS and cgroup namespaces, which ns_spawn
 * leaves out of clone. */
int ns_unshare(const struct spec_config *c, brig_error_t **err);

/* Child side, after ns_unshare, in order: become root of a new user
 * namespace, unshare the time namespace and write its offsets, set
 * hostname and domainname. */
int ns_setup_child(const struct spec_config *c, brig_error_t **err);

/* Child side, after the rootfs is in place: write linux.sysctl. */
int ns_apply_sysctl(const struct spec_config *c, brig_error_t **err);

/* Refuse a hostname or domainname without a uts namespace of the
 * container's own (new or joined), as runc does. */
int ns_validate_uts(const struct spec_config *c, brig_error_t **err);

/* Refuse a sysctl that would change the host: it must belong to a
 * namespace the container has of its own (net.* a network namespace,
 * IPC keys an IPC namespace, kernel.hostname/domainname a UTS one), as
 * runc does. */
int ns_validate_sysctl(const struct spec_config *c, brig_error_t **err);

/* Join the namespaces of a running process (exec): user first, mount
 * last; namespaces already shared with it are skipped.  The pid namespace
 * is only entered by children: start the process with ns_exec_spawn.
 * Returns 0. */
int ns_join_process(pid_t pid, const struct spec_config *c, brig_error_t **err);

/* exec: clone a helper, a child of the caller in the caller's pid
 * namespace (and, with cgroup_fd >= 0, straight in that v2 cgroup); it
 * runs fn, which joins the container (ns_join_process: the pid namespace
 * for its children) and starts the process with ns_fork_sibling.
 * Returns the helper's pid or -1. */
pid_t ns_exec_spawn(int cgroup_fd, ns_child_fn fn, void *arg, brig_error_t **err);

/* Fork a child of our own parent (CLONE_PARENT), in our pid namespace
 * for children: 0 in the child, its pid (as we see it) in the caller,
 * -1 with errno. */
pid_t ns_fork_sibling(void);

/* Format an id map as written to /proc/<pid>/uid_map ("0 1000 1\n...").
 * Exposed for the unit tests.  Caller frees. */
char *ns_format_id_map(const struct spec_idmap *m, size_t n);

#endif
