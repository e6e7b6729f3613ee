/* brig — security/: capabilities (libcap), seccomp (libseccomp), AppArmor
 * (libapparmor), no_new_privs.  The only module that includes those
 * libraries.  Sees only spec/ structs. */
#ifndef BRIG_SECURITY_H
#define BRIG_SECURITY_H

#include <stdbool.h>

#include "spec/spec.h"

/* Capabilities, around the switch to process.user:
 *   sec_caps_prepare()  before setgroups/setgid/setuid: drops the bounding
 *                       set to caps->bounding and sets PR_SET_KEEPCAPS;
 *   sec_caps_apply()    after: sets effective/permitted/inheritable, then
 *                       the ambient set, and clears KEEPCAPS.
 * caps == NULL keeps today's behaviour of runc: no change at all. */
int sec_caps_prepare(const struct spec_capabilities *caps, bool userns, brig_error_t **err);
int sec_caps_apply(const struct spec_capabilities *caps, brig_error_t **err);

/* Validate capability names (malformed = error with JSON path; unknown to
 * this kernel = a warning through warn()).  path_prefix like
 * "process.capabilities". */
int sec_caps_validate(const struct spec_capabilities *caps,
		      const char *path_prefix,
		      void (*warn)(const char *msg), brig_error_t **err);

/* ---- seccomp ----
 *
 *   parent, on the host:  sec_seccomp_cache_open
 *   create's init (whose memory cgroup pays), exec's parent:
 *                         sec_seccomp_get (from the cache, or compiled)
 *   in the child, last:   sec_seccomp_load, or the stub loads
 *                         sec_seccomp_program (with no_new_privs)
 *   SCMP_ACT_NOTIFY:      sec_seccomp_uses_notify; the listener fd comes
 *                         out of sec_seccomp_load, or of the stub's
 *                         seccomp(2) (SECCOMP_FILTER_FLAG_NEW_LISTENER
 *                         in sec_seccomp_program's flags)
 */
struct sec_seccomp;
struct sec_seccomp_cache;
/* The cache of compiled filters in directory `dir` (made 0700 if
 * missing).  Never NULL; the cache is off (nothing read or written) when
 * the directory cannot be trusted: a symlink, not owned by the euid, or
 * writable by group or others.  Everything later goes through the
 * directory descriptor opened here, so the init, which may have joined
 * another mount namespace by then, uses what the parent checked. */
struct sec_seccomp_cache *sec_seccomp_cache_open(const char *dir);
void sec_seccomp_cache_free(struct sec_seccomp_cache *c);
/* The filter for profile s: read back as BPF from the cache (NULL: none)
 * when it was compiled before, else compiled and stored there.  A
 * deferred s (spec_parse_config_deferred: only its listener fields read)
 * is completed from text/len, the config.json it was parsed from (the
 * state's copy); text is not read otherwise.  name ("config.json", or
 * NULL) prefixes the errors of the profile (the text's name it already).  On success *note (note may be
 * NULL; free it) is a --debug line on what the cache did: "seccomp
 * filter from the cache", "... compiled and cached", and why the
 * directory or an entry was not used when one was refused. */
struct sec_seccomp *sec_seccomp_get(const struct spec_seccomp *s, const char *text, size_t len,
				    const char *name, struct sec_seccomp_cache *cache,
				    char **note, brig_error_t **err);
/* Compile without the cache (the checks of every name, action, operator
 * and architecture; the unit tests and the fuzzer). */
struct sec_seccomp *sec_seccomp_compile(const struct spec_seccomp *s,
					brig_error_t **err);
/* Load the filter; *notify_fd receives the listener fd when the profile
 * uses SCMP_ACT_NOTIFY (else -1), for the agent at listenerPath. */
int sec_seccomp_load(struct sec_seccomp *f, int *notify_fd, brig_error_t **err);
/* The filter as a BPF program (struct sock_filter[n_insns]) and the
 * SECCOMP_FILTER_FLAG_* to load it with, for a loader without
 * libseccomp (brig's stub); valid while f lives. */
int sec_seccomp_program(struct sec_seccomp *f, const void **prog, unsigned int *n_insns,
			unsigned int *flags, brig_error_t **err);
/* Does the profile use SCMP_ACT_NOTIFY (a listener fd to hand over)? */
bool sec_seccomp_uses_notify(const struct sec_seccomp *f);
void sec_seccomp_free(struct sec_seccomp *f);

/* AppArmor: is it enabled on this host; set the profile for the next exec. */
bool sec_apparmor_enabled(void);
int sec_apparmor_apply(const char *profile, brig_error_t **err);
/* The same in two steps, for a process that will not see its own /proc
 * when it applies the profile (outside the container's pid namespace,
 * in its root): the attribute file, opened now (-1 without a profile),
 * and the write. */
int sec_apparmor_open(const char *profile, brig_error_t **err);
int sec_apparmor_apply_fd(int fd, const char *profile, brig_error_t **err);

int sec_no_new_privs(brig_error_t **err);

/* libseccomp's version at run time, "2.5.4" (for --version, features). */
const char *sec_seccomp_version(void);

/* ---- for `brig features` ---- */
enum sec_seccomp_name_kind {
	SEC_SECCOMP_ACTIONS, SEC_SECCOMP_OPERATORS, SEC_SECCOMP_ARCHS, SEC_SECCOMP_FLAGS,
};
/* The names linux.seccomp accepts, NULL-terminated (free the array only). */
const char **sec_seccomp_names(enum sec_seccomp_name_kind k);
/* Can a filter with this flag be loaded here (kernel and libseccomp)? */
bool sec_seccomp_flag_supported(const char *flag);
/* The capabilities this kernel knows ("CAP_CHOWN", ...), NULL-terminated;
 * the caller frees the strings and the array. */
char **sec_caps_known(void);
/* Was brig built with libapparmor? */
bool sec_apparmor_compiled(void);

/* Is SELinux enabled on this host (selinuxfs mounted)?  brig applies no
 * SELinux labels; without SELinux they are ignored, as runc does. */
bool sec_selinux_enabled(void);


#endif
