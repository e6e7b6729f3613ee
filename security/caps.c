/* brig — security/caps.c: process.capabilities and no_new_privs.
 *
 * The container's init runs as root with every capability and calls
 *   sec_caps_prepare()  bounding set, PR_SET_KEEPCAPS
 *   (setgroups/setresgid/setresuid to process.user, done by runtime/)
 *   sec_caps_apply()    permitted/effective/inheritable, ambient, KEEPCAPS 0
 *
 * As in runc, a list absent from the document is an empty list (so a
 * "capabilities" object without "bounding" empties the bounding set), and
 * caps == NULL changes nothing at all.
 *
 * Names must be spelled "CAP_XXX" (libcap alone would accept "chown",
 * numbers, even "cap_chown,cap_kill").  A well-formed name unknown to
 * libcap or to the running kernel is skipped; sec_caps_validate() reports
 * it through warn().
 *
 * What cannot be granted is left out rather than failing the container
 * (config.md: runtimes SHOULD NOT fail): permitted is limited to what the
 * process holds, effective to permitted, inheritable to what capset(2)
 * allows, ambient to permitted and inheritable.  sec_caps_validate() warns
 * about the inconsistencies it can see in the document itself.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "security/security.h"

#define CAPS_PATH "process.capabilities"

typedef uint64_t capmask_t;
#define CAPBIT(c) ((capmask_t)1 << (c))

/* Highest capability number this kernel (and libcap) knows. */
static int last_cap(void)
{
	int n = cap_max_bits();
	if (n <= 0 || n > 64)
		n = CAP_LAST_CAP + 1;
	return n - 1;
}

/* This process's bounding set, read once (a prctl a capability) and
 * kept as brig drops from it: a fork inherits both the set and this copy
 * of it.  Only a user namespace changes it otherwise (to a full set):
 * sec_caps_prepare reads it again there. */
static capmask_t bnd_cache;
static bool bnd_read;

static capmask_t own_bounding(void)
{
	if (!bnd_read) {
		int last = last_cap();

		for (int c = 0; c <= last; c++)
			if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 1)
				bnd_cache |= CAPBIT(c);
		bnd_read = true;
	}
	return bnd_cache;
}

/* "CAP_CHOWN" for messages; libcap's strings must go to cap_free(). */
static char *cap_display_name(int c)
{
	char *n = cap_to_name(c);
	char *r = xstrdup(n ? n : "capability");
	cap_free(n);
	for (char *p = r; *p; p++)
		*p = toupper((unsigned char)*p);
	return r;
}

static bool cap_name_wellformed(const char *s)
{
	if (strncmp(s, "CAP_", 4) != 0 || s[4] == '\0')
		return false;
	for (s += 4; *s; s++)
		if (!(isupper((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '_'))
			return false;
	return true;
}

/* 1: known, *value set; 0: well-formed but unknown here; -1: malformed. */
static int cap_lookup(const char *name, cap_value_t *value)
{
	if (!name || !cap_name_wellformed(name))
		return -1;
	if (cap_from_name(name, value) < 0 || *value < 0 || *value > last_cap())
		return 0;
	return 1;
}

/* Turn one list into a mask.  Malformed names are an error naming the JSON
 * path; unknown ones are skipped (and reported through warn when given). */
static int caps_to_mask(const struct spec_strv *l, const char *prefix,
			const char *field, void (*warn)(const char *msg),
			capmask_t *mask, brig_error_t **err)
{
	*mask = 0;
	for (size_t i = 0; i < l->n; i++) {
		cap_value_t v;
		int r = cap_lookup(l->v[i], &v);
		if (r < 0)
			return brig_err(err, 0, "%s.%s[%zu]: invalid capability name \"%s\"",
					prefix, field, i, l->v[i] ? l->v[i] : "");
		if (r == 0) {
			if (warn) {
				cleanup_free char *m = xasprintf(
					"%s.%s[%zu]: unknown capability \"%s\", skipped",
					prefix, field, i, l->v[i]);
				warn(m);
			}
			continue;
		}
		*mask |= CAPBIT(v);
	}
	return 0;
}

struct capsets {
	capmask_t bnd, eff, inh, prm, amb;
};

static int caps_parse(const struct spec_capabilities *c, const char *prefix,
		      void (*warn)(const char *msg), struct capsets *s,
		      brig_error_t **err)
{
	if (caps_to_mask(&c->bounding, prefix, "bounding", warn, &s->bnd, err) < 0 ||
	    caps_to_mask(&c->effective, prefix, "effective", warn, &s->eff, err) < 0 ||
	    caps_to_mask(&c->inheritable, prefix, "inheritable", warn, &s->inh, err) < 0 ||
	    caps_to_mask(&c->permitted, prefix, "permitted", warn, &s->prm, err) < 0 ||
	    caps_to_mask(&c->ambient, prefix, "ambient", warn, &s->amb, err) < 0)
		return -1;
	return 0;
}

/* Warn about entries of `l` missing from `need`. */
static void warn_not_in(const struct spec_strv *l, const char *prefix,
			const char *field, capmask_t need, const char *what,
			void (*warn)(const char *msg))
{
	for (size_t i = 0; i < l->n; i++) {
		cap_value_t v;
		if (cap_lookup(l->v[i], &v) != 1 || (need & CAPBIT(v)))
			continue;
		cleanup_free char *m = xasprintf("%s.%s[%zu]: %s is not in %s, not granted",
						 prefix, field, i, l->v[i], what);
		warn(m);
	}
}

int sec_caps_validate(const struct spec_capabilities *caps,
		      const char *path_prefix,
		      void (*warn)(const char *msg), brig_error_t **err)
{
	struct capsets s;

	if (!caps)
		return 0;
	if (!path_prefix)
		path_prefix = CAPS_PATH;
	if (caps_parse(caps, path_prefix, warn, &s, err) < 0)
		return -1;
	if (!warn)
		return 0;
	warn_not_in(&caps->effective, path_prefix, "effective", s.prm,
		    "the permitted set", warn);
	warn_not_in(&caps->inheritable, path_prefix, "inheritable", s.bnd,
		    "the bounding set", warn);
	warn_not_in(&caps->ambient, path_prefix, "ambient", s.prm & s.inh,
		    "both the permitted and inheritable sets", warn);
	/* what brig itself cannot hold (a host whose bounding set lacks it)
	 * is left out with a warning, as the spec asks (config.md: "MUST be
	 * logged as a warning", "SHOULD NOT fail"; runc 1.1 fails) */
	capmask_t own = own_bounding();
	warn_not_in(&caps->bounding, path_prefix, "bounding", own,
		    "brig's own bounding set", warn);
	warn_not_in(&caps->permitted, path_prefix, "permitted", own,
		    "brig's own bounding set", warn);
	return 0;
}

int sec_caps_prepare(const struct spec_capabilities *caps, bool userns, brig_error_t **err)
{
	struct capsets s;

	if (!caps)
		return 0;
	if (caps_parse(caps, CAPS_PATH, NULL, &s, err) < 0)
		return -1;
	/* a user namespace made or joined (clone, unshare, setns) gives a
	 * full bounding set: what brig's own lacked is not lacking there
	 * (found by the review of this cache) */
	if (userns) {
		bnd_read = false;
		bnd_cache = 0;
	}

	capmask_t drop = own_bounding() & ~s.bnd;
	int last = last_cap();
	for (int c = 0; c <= last; c++) {
		if (!(drop & CAPBIT(c)))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0) {
			int e = errno;
			cleanup_free char *name = cap_display_name(c);
			return brig_err(err, e, "drop %s from the bounding set", name);
		}
		bnd_cache &= ~CAPBIT(c);
	}
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return brig_err(err, errno, "prctl(PR_SET_KEEPCAPS)");
	return 0;
}

static void cap_freep(cap_t *c)
{
	if (*c)
		cap_free(*c);
}
#define cleanup_cap __attribute__((cleanup(cap_freep)))

static capmask_t cap_flag_mask(cap_t c, cap_flag_t flag, int last)
{
	capmask_t m = 0;
	for (int i = 0; i <= last; i++) {
		cap_flag_value_t v = CAP_CLEAR;
		if (cap_get_flag(c, i, flag, &v) == 0 && v == CAP_SET)
			m |= CAPBIT(i);
	}
	return m;
}

static int set_flag_mask(cap_t c, cap_flag_t flag, capmask_t m, int last)
{
	for (int i = 0; i <= last; i++) {
		if (!(m & CAPBIT(i)))
			continue;
		cap_value_t v = i;
		if (cap_set_flag(c, flag, 1, &v, CAP_SET) < 0)
			return -1;
	}
	return 0;
}

int sec_caps_apply(const struct spec_capabilities *caps, brig_error_t **err)
{
	struct capsets s;
	int last = last_cap();

	if (!caps)
		return 0;
	if (caps_parse(caps, CAPS_PATH, NULL, &s, err) < 0)
		return -1;

	/* What capset(2) will accept from this process. */
	cleanup_cap cap_t cur = cap_get_proc();
	if (!cur)
		return brig_err(err, errno, "read process capabilities");
	capmask_t cur_prm = cap_flag_mask(cur, CAP_PERMITTED, last);
	capmask_t cur_inh = cap_flag_mask(cur, CAP_INHERITABLE, last);
	capmask_t cur_bnd = own_bounding();

	s.prm &= cur_prm;
	s.eff &= s.prm;
	s.inh &= (cur_inh | cur_prm) & (cur_inh | cur_bnd);
	s.amb &= s.prm & s.inh;

	cleanup_cap cap_t want = cap_init();
	if (!want)
		return brig_err(err, errno, "cap_init");
	if (set_flag_mask(want, CAP_PERMITTED, s.prm, last) < 0 ||
	    set_flag_mask(want, CAP_EFFECTIVE, s.eff, last) < 0 ||
	    set_flag_mask(want, CAP_INHERITABLE, s.inh, last) < 0)
		return brig_err(err, errno, "build capability sets");
	if (cap_set_proc(want) < 0)
		return brig_err(err, errno, "set capabilities");

	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) {
		/* EINVAL: a kernel without ambient capabilities (< 4.3). */
		if (errno != EINVAL || s.amb)
			return brig_err(err, errno, "clear ambient capabilities");
	}
	for (int c = 0; c <= last; c++) {
		if (!(s.amb & CAPBIT(c)))
			continue;
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0) {
			int e = errno;
			cleanup_free char *name = cap_display_name(c);
			return brig_err(err, e, "raise ambient capability %s", name);
		}
	}

	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return brig_err(err, errno, "prctl(PR_SET_KEEPCAPS, 0)");
	return 0;
}

int sec_no_new_privs(brig_error_t **err)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return brig_err(err, errno, "prctl(PR_SET_NO_NEW_PRIVS)");
	return 0;
}

char **sec_caps_known(void)
{
	int last = last_cap();
	char **v = xcalloc((size_t)last + 2, sizeof(char *));

	for (int c = 0; c <= last; c++)
		v[c] = cap_display_name(c);
	return v;
}
