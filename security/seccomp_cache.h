/* brig — security/seccomp_cache.h: private to security/ (and its unit
 * tests).  The on-disk cache of compiled seccomp filters
 * (seccomp_cache.c), the filter through it (seccomp_get.c, behind
 * sec_seccomp_get), and what they need of seccomp.c. */
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
/* The --debug line of sec_seccomp_get (hit: the filter came from the
 * cache).  Free it. */
char *seccomp_cache_report(const struct sec_seccomp_cache *c, bool hit);
/* The filters kept at most; more, and the oldest are removed. */
#define SECCOMP_CACHE_MAX 64
/* Remove temp files older than a minute, and the oldest filters beyond
 * SECCOMP_CACHE_MAX. */
void seccomp_cache_prune(struct sec_seccomp_cache *c);

/* ---- seccomp_get.c: sec_seccomp_get's steps ---- */
/* sec_seccomp_compile() through the cache (NULL: none), keyed by the
 * parsed profile: a profile compiled before is read back as BPF (*hit
 * true) instead of compiled again; a new one is compiled, exported and
 * stored.  Either way the child loads the BPF program with seccomp(2),
 * flags preserved. */
struct sec_seccomp *seccomp_cache_prepare(const struct spec_seccomp *s,
					  struct sec_seccomp_cache *cache,
					  bool *hit, brig_error_t **err);
/* The same cache, keyed by the profile's JSON text (the value of
 * linux.seccomp as it stands in config.json) instead of the parsed
 * profile, so that a hit needs no parsing: the lookup (NULL on a miss),
 * and on a miss the compile of the profile parsed from that text, stored
 * under it. */
struct sec_seccomp *seccomp_cache_lookup_json(const char *json, size_t len,
					      struct sec_seccomp_cache *cache);
struct sec_seccomp *seccomp_cache_compile_json(const struct spec_seccomp *s,
					       const char *json, size_t len,
					       struct sec_seccomp_cache *cache,
					       brig_error_t **err);

/* ---- seccomp.c, for the cache ---- */
/* Keep only the BPF program of a compiled filter (libseccomp's context
 * released): what the cache stores and the child loads. */
int seccomp_export(struct sec_seccomp *f, brig_error_t **err);
const struct sec_bpf *seccomp_bpf_of(const struct sec_seccomp *f);
/* A filter of a program read from the cache; it takes over bpf->prog. */
struct sec_seccomp *seccomp_from_bpf(const struct sec_bpf *bpf);

#endif
