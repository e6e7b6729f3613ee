/* brig — security/seccomp_cache.h: private to security/.  The on-disk
 * cache of compiled seccomp filters (seccomp_cache.c). */
#ifndef BRIG_SECURITY_SECCOMP_CACHE_H
#define BRIG_SECURITY_SECCOMP_CACHE_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>

#include "security/security.h"

/* A compiled filter, as seccomp(2) takes it. */
struct sec_bpf {
	struct sock_filter *prog;
	size_t n_insns;
	unsigned int kernel_flags; /* SECCOMP_FILTER_FLAG_* */
	bool uses_notify;
};

/* The profile's canonical text: the cache key (hashed) and the check. */
char *seccomp_cache_text(const struct spec_seccomp *s, const char *libseccomp_version);
/* The key text of a profile given as JSON text: brig's version is part of
 * it, as the meaning of the text is brig's parser's. */
char *seccomp_cache_json_text(const char *json, size_t len, const char *libseccomp_version);
/* The cache itself (struct sec_seccomp_cache) is opened, freed and
 * reported on through security.h. */
/* Is the cache in use (a trusted directory, its key read)? */
bool seccomp_cache_on(const struct sec_seccomp_cache *c);
/* 0 and *out filled on a hit; -1 on a miss: no entry (or no cache), or
 * one refused, with a note saying why. */
int seccomp_cache_read(struct sec_seccomp_cache *c, const char *text, struct sec_bpf *out);
/* Best effort: a failure only means a later compile.  Never writes when
 * the cache is off (an untrusted directory).  Prunes after. */
void seccomp_cache_write(struct sec_seccomp_cache *c, const char *text, const struct sec_bpf *bpf);
/* The filters kept at most; more, and the oldest are removed. */
#define SECCOMP_CACHE_MAX 64
/* Remove temp files older than a minute, and the oldest filters beyond
 * SECCOMP_CACHE_MAX. */
void seccomp_cache_prune(struct sec_seccomp_cache *c);

#endif
