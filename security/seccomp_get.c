/* brig — security/seccomp_get.c: the filter for a profile, read back from
 * the cache of compiled filters (seccomp_cache.c) or compiled
 * (seccomp.c) and stored there.
 *
 * Two keys.  A parsed profile is keyed by its canonical text
 * (seccomp_cache_text).  A profile create's parent left unparsed
 * (spec_parse_config_deferred) is keyed, when it has no listenerPath, by
 * its JSON text as it stands in config.json, so that a hit needs no
 * parsing; with a listenerPath (a path per container, as a rule) it is
 * parsed and keyed as parsed, as exec's is: one entry, not one per
 * container. */
#include <stdbool.h>
#include <string.h>

#include "security/security.h"
#include "seccomp_cache.h"

/* The filter stored under key text `text`, or NULL. */
static struct sec_seccomp *from_cache(struct sec_seccomp_cache *cache, const char *text)
{
	struct sec_bpf bpf;

	if (seccomp_cache_read(cache, text, &bpf) < 0)
		return NULL;
	return seccomp_from_bpf(&bpf);
}

/* Compile, export and store under `text`. */
static struct sec_seccomp *compile_to_cache(const struct spec_seccomp *s,
					    struct sec_seccomp_cache *cache, const char *text,
					    brig_error_t **err)
{
	struct sec_seccomp *f = sec_seccomp_compile(s, err);

	if (!f)
		return NULL;
	if (seccomp_export(f, err) < 0) {
		sec_seccomp_free(f);
		return NULL;
	}
	seccomp_cache_write(cache, text, seccomp_bpf_of(f));
	return f;
}

struct sec_seccomp *seccomp_cache_prepare(const struct spec_seccomp *s,
					  struct sec_seccomp_cache *cache,
					  bool *hit, brig_error_t **err)
{
	struct sec_seccomp *f;

	if (hit)
		*hit = false;
	if (!s || !seccomp_cache_on(cache))
		return sec_seccomp_compile(s, err);
	cleanup_free char *text = seccomp_cache_text(s, sec_seccomp_version());
	f = from_cache(cache, text);
	if (f) {
		if (hit)
			*hit = true;
		return f;
	}
	return compile_to_cache(s, cache, text, err);
}

struct sec_seccomp *seccomp_cache_lookup_json(const char *json, size_t len,
					      struct sec_seccomp_cache *cache)
{
	if (!seccomp_cache_on(cache))
		return NULL;
	cleanup_free char *text = seccomp_cache_json_text(json, len, sec_seccomp_version());
	return from_cache(cache, text);
}

struct sec_seccomp *seccomp_cache_compile_json(const struct spec_seccomp *s,
					       const char *json, size_t len,
					       struct sec_seccomp_cache *cache,
					       brig_error_t **err)
{
	if (!seccomp_cache_on(cache))
		return sec_seccomp_compile(s, err);
	cleanup_free char *text = seccomp_cache_json_text(json, len, sec_seccomp_version());
	return compile_to_cache(s, cache, text, err);
}

/* A deferred profile: the rest of it is in text, the config.json it was
 * parsed from (the state's copy). */
static struct sec_seccomp *get_deferred(const struct spec_seccomp *s, const char *text,
					size_t len, const char *name,
					struct sec_seccomp_cache *cache, bool *hit,
					brig_error_t **err)
{
	struct spec_seccomp *full;
	struct sec_seccomp *f;
	const char *json;

	if (!text || s->json_len == 0 || s->json_off + s->json_len > len) {
		brig_err(err, 0, "the state's config.json is not the one parsed");
		return NULL;
	}
	json = text + s->json_off;
	if (!s->listener_path) {
		f = seccomp_cache_lookup_json(json, s->json_len, cache);
		*hit = f != NULL;
		if (f)
			return f;
	}
	full = spec_parse_seccomp(text, len, name ? name : "config.json", err);
	if (!full) {
		if (!*err)
			brig_err(err, 0, "the state's config.json has no linux.seccomp");
		return NULL;
	}
	f = s->listener_path ? seccomp_cache_prepare(full, cache, hit, err)
			     : seccomp_cache_compile_json(full, json, s->json_len, cache, err);
	spec_seccomp_free(full);
	if (!f && name)
		brig_err_prefix(err, "%s", name);
	return f;
}

struct sec_seccomp *sec_seccomp_get(const struct spec_seccomp *s, const char *text, size_t len,
				    const char *name, struct sec_seccomp_cache *cache,
				    char **note, brig_error_t **err)
{
	struct sec_seccomp *f;
	bool hit = false;

	if (s->deferred) {
		f = get_deferred(s, text, len, name, cache, &hit, err);
	} else {
		f = seccomp_cache_prepare(s, cache, &hit, err);
		if (!f && name)
			brig_err_prefix(err, "%s", name);
	}
	if (f && note)
		*note = seccomp_cache_report(cache, hit);
	return f;
}
