/* brig — cgroups/cg_sd_annot.c: unit properties from annotations
 * (org.systemd.property.<Name>, GVariant text) and from the device rules.
 *
 * GVariant text (https://docs.gtk.org/glib/gvariant-text-format.html), the
 * part unit properties need: true/false, 'strings' and "strings", numbers
 * (a bare integer is an int32, one with a point or exponent a double),
 * the type keywords byte int16 uint16 int32 uint32 int64 uint64 double
 * boolean string objectpath before a value, "@t 5"-style annotations for
 * the basic types and as/au/ay, and arrays of strings ['a', 'b'].  Like
 * runc, a name ending in a lowercase letter then "Sec" (TimeoutStopSec)
 * is systemd's documented spelling of a USec property: the value, a
 * number of seconds, is converted. */
#include "cgroups/cg_systemd.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ANNOT_PREFIX "org.systemd.property."

struct gv {
	const char *p;
};

static void skip_ws(struct gv *g)
{
	while (isspace((unsigned char)*g->p))
		g->p++;
}

static bool eat_word(struct gv *g, const char *w)
{
	size_t n = strlen(w);

	if (strncmp(g->p, w, n) != 0 || isalnum((unsigned char)g->p[n]) || g->p[n] == '_')
		return false;
	g->p += n;
	skip_ws(g);
	return true;
}

/* 'text' or "text" with backslash escapes; caller frees. */
static char *parse_string(struct gv *g)
{
	char q = *g->p, *out, *o;

	if (q != '\'' && q != '"')
		return NULL;
	out = o = xmalloc(strlen(g->p) + 1);
	for (g->p++; *g->p && *g->p != q; g->p++) {
		if (*g->p == '\\' && g->p[1]) {
			g->p++;
			*o++ = *g->p == 'n' ? '\n' : *g->p == 't' ? '\t' : *g->p;
		} else {
			*o++ = *g->p;
		}
	}
	if (*g->p != q) {
		free(out);
		return NULL;
	}
	g->p++;
	*o = '\0';
	return out;
}

static const struct { const char *word; char sig; } type_words[] = {
	{ "boolean", 'b' }, { "byte", 'y' }, { "int16", 'n' }, { "uint16", 'q' },
	{ "int32", 'i' }, { "uint32", 'u' }, { "int64", 'x' }, { "uint64", 't' },
	{ "double", 'd' }, { "string", 's' }, { "objectpath", 's' },
};

static enum sdb_type type_of(char sig)
{
	switch (sig) {
	case 'b': return SDB_T_BOOL;
	case 'y': return SDB_T_BYTE;
	case 'n': return SDB_T_INT16;
	case 'q': return SDB_T_UINT16;
	case 'i': return SDB_T_INT32;
	case 'u': return SDB_T_UINT32;
	case 'x': return SDB_T_INT64;
	case 't': return SDB_T_UINT64;
	case 'd': return SDB_T_DOUBLE;
	default: return SDB_T_STRING;
	}
}

/* A number of D-Bus type sig ('\0': as the text says) into p. */
static int parse_number(struct gv *g, char sig, struct sdb_prop *p)
{
	static const struct { char sig; int64_t min; uint64_t max; } range[] = {
		{ 'y', 0, 255 }, { 'n', -32768, 32767 }, { 'q', 0, 65535 },
		{ 'i', INT32_MIN, INT32_MAX }, { 'u', 0, UINT32_MAX },
		{ 'x', INT64_MIN, INT64_MAX }, { 't', 0, UINT64_MAX },
	};
	const char *s = g->p;
	size_t n = strspn(s, "+-0123456789.eE");
	bool real = strcspn(s, ".eE") < n;
	char *end;

	if (n == 0)
		return -1;
	if (sig == '\0')
		sig = real ? 'd' : 'i';
	errno = 0;
	if (sig == 'd') {
		p->d = strtod(s, &end);
	} else if (real) {
		return -1;
	} else if (*s == '-') {
		p->i = strtoll(s, &end, 10);
	} else {
		p->u = strtoull(s, &end, 10);
		p->i = (int64_t)p->u;
	}
	if (end != s + n || errno)
		return -1;
	for (size_t i = 0; sig != 'd' && i < ARRAY_SIZE(range); i++) {
		if (range[i].sig != sig)
			continue;
		if (*s == '-' ? p->i < range[i].min : p->u > range[i].max)
			return -1;
	}
	p->type = type_of(sig);
	g->p += n;
	return 0;
}

/* [a, b] of strings (as) or, typed, of numbers (au, ay). */
static int parse_array(struct gv *g, char elem, struct sdb_prop *p)
{
	size_t n = 0;

	g->p++;
	skip_ws(g);
	p->type = elem == 'u' ? SDB_T_UINT32S : elem == 'y' ? SDB_T_BYTES : SDB_T_STRINGS;
	while (*g->p && *g->p != ']') {
		if (n && (*g->p != ',' || (g->p++, skip_ws(g), false)))
			return -1;
		if (elem == 'u' || elem == 'y') {
			struct sdb_prop v = {0};

			if (parse_number(g, elem, &v) < 0)
				return -1;
			if (elem == 'u') {
				p->u32s = xrealloc(p->u32s, (n + 1) * sizeof(uint32_t));
				p->u32s[n] = (uint32_t)v.u;
			} else {
				p->bytes = xrealloc(p->bytes, n + 1);
				p->bytes[n] = (uint8_t)v.u;
			}
		} else {
			char *s = parse_string(g);

			if (s == NULL)
				return -1;
			p->strs = xrealloc(p->strs, (n + 1) * sizeof(char *));
			p->strs[n] = s;
		}
		n++;
		if (elem == 'u')
			p->n_u32s = n;
		else if (elem == 'y')
			p->n_bytes = n;
		else
			p->n_strs = n;
		skip_ws(g);
	}
	if (*g->p != ']')
		return -1;
	g->p++;
	return 0;
}

int cg_sd_parse_gvariant(const char *text, struct sdb_prop *p)
{
	struct gv g = { text };
	char sig = '\0', elem = '\0';

	skip_ws(&g);
	if (*g.p == '@') {
		g.p++;
		if (*g.p == 'a' && g.p[1] && strchr("suy", g.p[1])) {
			elem = g.p[1];
			g.p += 2;
		} else if (*g.p && strchr("bynqiuxtds", *g.p)) {
			sig = *g.p++;
		} else {
			return -1;
		}
		if (!isspace((unsigned char)*g.p))
			return -1;
		skip_ws(&g);
	} else {
		for (size_t i = 0; i < ARRAY_SIZE(type_words); i++)
			if (eat_word(&g, type_words[i].word)) {
				sig = type_words[i].sig;
				break;
			}
	}
	if (*g.p == '[') {
		if (sig)
			return -1;
		if (parse_array(&g, elem, p) < 0)
			return -1;
	} else if (elem) {
		return -1;
	} else if ((sig == '\0' || sig == 'b') && eat_word(&g, "true")) {
		p->type = SDB_T_BOOL;
		p->b = true;
	} else if ((sig == '\0' || sig == 'b') && eat_word(&g, "false")) {
		p->type = SDB_T_BOOL;
		p->b = false;
	} else if (*g.p == '\'' || *g.p == '"') {
		if (sig && sig != 's')
			return -1;
		p->type = SDB_T_STRING;
		p->str = parse_string(&g);
		if (p->str == NULL)
			return -1;
	} else if (sig == 's' || sig == 'b' || parse_number(&g, sig, p) < 0) {
		return -1;
	}
	skip_ws(&g);
	return *g.p == '\0' ? 0 : -1;
}

/* As runc: letters only, at least three. */
static bool prop_name_ok(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!isalpha((unsigned char)s[n]) || (unsigned char)s[n] > 127)
			return false;
	return n >= 3;
}

/* <lower>Sec -> <lower>USec, seconds -> microseconds. */
static int sec_to_usec(char **name, struct sdb_prop *p)
{
	size_t n = strlen(*name);
	uint64_t us;

	if (n < 4 || strcmp(*name + n - 3, "Sec") != 0 || !islower((unsigned char)(*name)[n - 4]))
		return 0;
	switch (p->type) {
	case SDB_T_DOUBLE:
		/* 2^64 us is past uint64_t: the cast of it undefined */
		if (!(p->d >= 0) || p->d * 1e6 >= 18446744073709551616.0)
			return -1;
		us = (uint64_t)(p->d * 1000000);
		break;
	case SDB_T_BYTE: case SDB_T_UINT16: case SDB_T_UINT32: case SDB_T_UINT64:
		if (p->u > UINT64_MAX / 1000000)
			return -1;
		us = p->u * 1000000;
		break;
	case SDB_T_INT16: case SDB_T_INT32: case SDB_T_INT64:
		if (p->i < 0 || (uint64_t)p->i > UINT64_MAX / 1000000)
			return -1;
		us = (uint64_t)p->i * 1000000;
		break;
	default:
		return -1;
	}
	p->type = SDB_T_UINT64;
	p->u = us;
	(*name)[n - 3] = '\0';
	{
		char *u = xasprintf("%sUSec", *name);
		free(*name);
		*name = u;
	}
	return 0;
}

int cg_sd_annotation_props(const struct spec_kv_list *a, struct sdb_props *l,
			   brig_error_t **err)
{
	for (size_t i = 0; i < a->n; i++) {
		const char *k = a->v[i].key, *v = a->v[i].value;
		struct sdb_props tmp = {0};
		struct sdb_prop *val, *dst;
		cleanup_free char *name = NULL;
		char *dst_name;

		if (strncmp(k, ANNOT_PREFIX, strlen(ANNOT_PREFIX)) != 0)
			continue;
		name = xstrdup(k + strlen(ANNOT_PREFIX));
		if (!prop_name_ok(name))
			return brig_err(err, 0, "annotations.%s: the property name must "
					"be at least three ASCII letters", k);
		/* brig's paths, files and limits follow the cgroupsPath's
		 * slice: a unit put elsewhere would run unlimited (v2) */
		if (strcmp(name, "Slice") == 0)
			return brig_err(err, 0, "annotations.%s: the slice is the one "
					"linux.cgroupsPath names (slice:prefix:name)", k);
		val = sdb_props_add(&tmp, "value", SDB_T_INT32);
		if (cg_sd_parse_gvariant(v, val) < 0 || sec_to_usec(&name, val) < 0) {
			sdb_props_free(&tmp);
			return brig_err(err, 0, "annotations.%s: \"%s\" is not a value of "
					"the GVariant text format systemd properties take "
					"(e.g. \"uint64 123\", \"'text'\", \"true\")%s", k, v,
					strstr(name, "Sec") ? " (a ...Sec property takes a "
					"number of seconds)" : "");
		}
		/* the value moves from tmp to l */
		dst = sdb_props_add(l, name, val->type);
		dst_name = dst->name;
		*dst = *val;
		dst->name = dst_name;
		free(val->name);
		free(tmp.p);
	}
	return 0;
}

/* ---- devices -------------------------------------------------------------- */

enum { P_R = 1, P_W = 2, P_M = 4, P_ALL = 7 };

struct dev_entry { char type; int64_t major, minor; unsigned perms; };

struct dev_emu {
	bool deny_default; /* an allow list (after a "deny all") */
	bool has_deny;     /* a deny rule in a deny list: systemd cannot say it */
	bool inexact;      /* a rule systemd cannot say */
	struct dev_entry *e;
	size_t n;
};

static unsigned perms_of(const char *a)
{
	unsigned p = 0;

	/* none given is all, as brig's own program and v1's files take it
	 * (cg_bpf_devices.c, cg_devices.c): "" too */
	if (a == NULL || *a == '\0')
		return P_ALL;
	for (; *a; a++)
		p |= *a == 'r' ? P_R : *a == 'w' ? P_W : *a == 'm' ? P_M : 0;
	return p;
}

static void emu_rule(struct dev_emu *d, const struct spec_device_cgroup *r)
{
	char type = r->type ? r->type : 'a';
	unsigned perms = perms_of(r->access);

	if (type == 'a' && r->major < 0 && r->minor < 0) {
		if (perms != P_ALL) {
			d->inexact = true;
			return;
		}
		d->deny_default = !r->allow;
		d->has_deny = false;
		d->n = 0;
		return;
	}
	if (type == 'a') { /* a specific number of either kind */
		d->inexact = true;
		return;
	}
	if (!d->deny_default) {
		if (!r->allow)
			d->has_deny = true;
		return;
	}
	for (size_t i = 0; i < d->n; i++) {
		struct dev_entry *e = &d->e[i];

		if (e->type != type || e->major != r->major || e->minor != r->minor)
			continue;
		e->perms = r->allow ? e->perms | perms : e->perms & ~perms;
		return;
	}
	if (!r->allow) {
		/* a deny narrower than an allow before it */
		d->inexact = true;
		return;
	}
	d->e = xrealloc(d->e, (d->n + 1) * sizeof(*d->e));
	d->e[d->n++] = (struct dev_entry){ type, r->major, r->minor, perms };
}

/* Does a rule of type, major, minor name a device of e? */
static bool overlaps(const struct dev_entry *e, char type, int64_t major, int64_t minor)
{
	return (type == 'a' || e->type == type) &&
	       (major < 0 || e->major < 0 || e->major == major) &&
	       (minor < 0 || e->minor < 0 || e->minor == minor);
}

static void add_entry(struct dev_emu *d, char type, int64_t major, int64_t minor,
		      unsigned perms)
{
	for (size_t i = 0; i < d->n; i++) {
		struct dev_entry *e = &d->e[i];

		if (e->type == type && e->major == major && e->minor == minor) {
			e->perms |= perms;
			return;
		}
	}
	d->e = xrealloc(d->e, (d->n + 1) * sizeof(*d->e));
	d->e[d->n++] = (struct dev_entry){ type, major, minor, perms };
}

/* The rules as an allow list never larger than what they allow (an
 * allow systemd cannot say is left out, a deny takes its permissions
 * from every entry it touches, a deny after an allow-all denies all):
 * for v1, where DevicePolicy=auto makes systemd write "a" to
 * devices.allow at the next daemon-reload, and so undo every deny. */
static void safe_rule(struct dev_emu *d, const struct spec_device_cgroup *r)
{
	char type = r->type ? r->type : 'a';
	unsigned perms = perms_of(r->access);
	bool all = type == 'a' && r->major < 0 && r->minor < 0;

	if (all && perms == P_ALL) {
		d->deny_default = !r->allow;
		d->n = 0;
		return;
	}
	if (r->allow) {
		if (!d->deny_default)
			return;
		if (all) { /* "a *:* m": both kinds, some permissions */
			add_entry(d, 'c', -1, -1, perms);
			add_entry(d, 'b', -1, -1, perms);
		} else if (type != 'a') {
			add_entry(d, type, r->major, r->minor, perms);
		}
		return;
	}
	if (!d->deny_default) { /* a deny list: systemd cannot say it */
		d->deny_default = true;
		d->n = 0;
		return;
	}
	for (size_t i = 0; i < d->n; i++)
		if (overlaps(&d->e[i], type, r->major, r->minor))
			d->e[i].perms &= ~perms;
}

bool cg_sd_device_props(const struct spec_device_cgroup *rules, size_t n, bool v2,
			struct sdb_props *l)
{
	struct dev_emu d = {0};
	char **pairs;
	size_t np = 0;
	bool unsaid = false; /* an allow the list leaves out */

	for (size_t i = 0; i < n; i++)
		emu_rule(&d, &rules[i]);
	for (size_t i = 0; i < cg_n_device_defaults; i++)
		emu_rule(&d, &cg_device_defaults[i]);
	if (!v2 && (d.inexact || (!d.deny_default && d.has_deny))) {
		d.deny_default = false;
		d.n = 0;
		for (size_t i = 0; i < n; i++)
			safe_rule(&d, &rules[i]);
		for (size_t i = 0; i < cg_n_device_defaults; i++)
			safe_rule(&d, &cg_device_defaults[i]);
		d.inexact = false;
	}
	if (!d.deny_default || d.inexact) {
		/* Everything allowed, or (v2) rules systemd's list cannot
		 * say: no device policy from systemd; brig's own device
		 * program holds the rules, and systemd's reload leaves it
		 * alone.  (runc puts a deny-all here, which would contradict
		 * the rules.)  On v1 the same "auto" would be devices.allow
		 * "a" at the next reload: there only an allow-all gets it. */
		sdb_props_str(l, "DevicePolicy", "auto");
		free(d.e);
		return false;
	}
	pairs = xcalloc(2 * d.n + 1, sizeof(char *));
	for (size_t i = 0; i < d.n; i++) {
		const struct dev_entry *e = &d.e[i];
		const char *kind = e->type == 'c' ? "char" : "block";
		char perms[4], *o = perms;

		if (e->perms == 0)
			continue;
		if (e->major < 0 && e->minor >= 0) {
			unsaid = true;
			continue; /* "*:n": systemd has no word for it */
		}
		if (e->perms & P_R) *o++ = 'r';
		if (e->perms & P_W) *o++ = 'w';
		if (e->perms & P_M) *o++ = 'm';
		*o = '\0';
		if (e->major < 0)
			pairs[2 * np] = xasprintf("%s-*", kind);
		else if (e->minor < 0)
			pairs[2 * np] = xasprintf("%s-%lld", kind, (long long)e->major);
		else
			pairs[2 * np] = xasprintf("/dev/%s/%lld:%lld", kind,
						  (long long)e->major, (long long)e->minor);
		pairs[2 * np + 1] = xstrdup(perms);
		np++;
	}
	sdb_props_str(l, "DevicePolicy", "strict");
	sdb_props_pairs(l, "DeviceAllow", pairs, np);
	for (size_t i = 0; i < 2 * np; i++)
		free(pairs[i]);
	free(pairs);
	free(d.e);
	return v2 && !unsaid;
}
