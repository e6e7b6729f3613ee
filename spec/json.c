/* brig — spec/: typed, path-aware getters over a yajl tree. */
#include "json.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>

void j_init(struct jctx *c, const char *name, brig_error_t **err)
{
	c->name = name ? name : "config.json";
	c->err = err;
	c->seccomp_deferred = false;
	c->cap = 128;
	c->len = 0;
	c->path = xmalloc(c->cap);
	c->path[0] = '\0';
}

void j_fini(struct jctx *c)
{
	free(c->path);
	c->path = NULL;
}

static void append(struct jctx *c, const char *s, size_t n)
{
	if (c->len + n + 1 > c->cap) {
		while (c->len + n + 1 > c->cap)
			c->cap *= 2;
		c->path = xrealloc(c->path, c->cap);
	}
	memcpy(c->path + c->len, s, n);
	c->len += n;
	c->path[c->len] = '\0';
}

static bool plain_key(const char *k)
{
	if (!*k)
		return false;
	for (; *k; k++)
		if (!isalnum((unsigned char)*k) && *k != '_' && *k != '-')
			return false;
	return true;
}

size_t j_push_key(struct jctx *c, const char *key)
{
	size_t saved = c->len;
	if (plain_key(key)) {
		if (c->len)
			append(c, ".", 1);
		append(c, key, strlen(key));
	} else {
		/* names with dots or odd bytes: linux.sysctl["net.ipv4.x"] */
		append(c, "[\"", 2);
		append(c, key, strlen(key));
		append(c, "\"]", 2);
	}
	return saved;
}

size_t j_push_idx(struct jctx *c, size_t i)
{
	size_t saved = c->len;
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "[%zu]", i);
	append(c, buf, (size_t)n);
	return saved;
}

void j_pop(struct jctx *c, size_t saved)
{
	c->len = saved;
	c->path[saved] = '\0';
}

static int vfail(struct jctx *c, const char *fmt, va_list ap)
{
	char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	/* keep the message on one printable line */
	for (char *p = msg; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	for (char *p = c->path; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	if (c->len)
		brig_err(c->err, 0, "%s: %s: %s", c->name, c->path, msg);
	else
		brig_err(c->err, 0, "%s: %s", c->name, msg);
	free(msg);
	return -1;
}

int j_fail(struct jctx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(c, fmt, ap);
	va_end(ap);
	return -1;
}

int j_fail_at(struct jctx *c, const char *key, const char *fmt, ...)
{
	va_list ap;
	size_t saved = j_push_key(c, key);
	va_start(ap, fmt);
	vfail(c, fmt, ap);
	va_end(ap);
	j_pop(c, saved);
	return -1;
}

/* ---- values ------------------------------------------------------------ */

int j_val_str(struct jctx *c, yajl_val v, char **out)
{
	if (!YAJL_IS_STRING(v))
		return j_fail(c, "expected a string");
	free(*out);
	*out = xstrdup(YAJL_GET_STRING(v));
	return 0;
}

int j_val_bool(struct jctx *c, yajl_val v, bool *out)
{
	if (YAJL_IS_TRUE(v))
		*out = true;
	else if (YAJL_IS_FALSE(v))
		*out = false;
	else
		return j_fail(c, "expected a boolean");
	return 0;
}

/* Parse the number's text as an integer: sign and magnitude.  Fractions
 * and exponents are refused: the spec's numbers are all integers. */
static int val_int(struct jctx *c, yajl_val v, bool *neg, uint64_t *mag)
{
	const char *s;
	char *end;

	if (!YAJL_IS_NUMBER(v) || !v->u.number.r)
		return j_fail(c, "expected an integer");
	s = v->u.number.r;
	if (strpbrk(s, ".eE"))
		return j_fail(c, "expected an integer");
	*neg = (*s == '-');
	if (*neg)
		s++;
	if (!isdigit((unsigned char)*s))
		return j_fail(c, "expected an integer");
	errno = 0;
	*mag = strtoull(s, &end, 10);
	if (errno == ERANGE || *end)
		return j_fail(c, "value %s out of range", v->u.number.r);
	if (*mag == 0)
		*neg = false;
	return 0;
}

int j_val_i64(struct jctx *c, yajl_val v, int64_t min, int64_t max,
	      int64_t *out)
{
	bool neg;
	uint64_t mag;
	int64_t x;

	if (val_int(c, v, &neg, &mag) < 0)
		return -1;
	if (neg) {
		if (mag > (uint64_t)INT64_MAX + 1)
			goto range;
		x = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
	} else {
		if (mag > (uint64_t)INT64_MAX)
			goto range;
		x = (int64_t)mag;
	}
	if (x < min || x > max)
		goto range;
	*out = x;
	return 0;
range:
	return j_fail(c, "value %s out of range (%" PRId64 "..%" PRId64 ")",
		      v->u.number.r, min, max);
}

int j_val_u64(struct jctx *c, yajl_val v, uint64_t max, uint64_t *out)
{
	bool neg;
	uint64_t mag;

	if (val_int(c, v, &neg, &mag) < 0)
		return -1;
	if (neg)
		return j_fail(c, "expected a non-negative integer");
	if (mag > max)
		return j_fail(c, "value %s out of range (0..%" PRIu64 ")",
			      v->u.number.r, max);
	*out = mag;
	return 0;
}

static void strv_set(struct spec_strv *out, char **v, size_t n)
{
	if (out->v)
		for (size_t i = 0; i < out->n; i++)
			free(out->v[i]);
	free(out->v);
	out->v = v;
	out->n = n;
}

int j_val_strv(struct jctx *c, yajl_val v, struct spec_strv *out)
{
	size_t n;
	char **list;

	if (!YAJL_IS_ARRAY(v))
		return j_fail(c, "expected an array");
	n = v->u.array.len;
	list = xcalloc(n + 1, sizeof(char *));
	strv_set(out, list, 0);
	for (size_t i = 0; i < n; i++) {
		yajl_val it = v->u.array.values[i];
		if (!YAJL_IS_STRING(it)) {
			size_t saved = j_push_idx(c, i);
			j_fail(c, "expected a string");
			j_pop(c, saved);
			return -1;
		}
		list[i] = xstrdup(YAJL_GET_STRING(it));
		out->n = i + 1;
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A key present twice in an object: sort a copy of the keys. */
int j_check_dup_keys(struct jctx *c, yajl_val obj)
{
	size_t n = obj->u.object.len;
	const char **keys;
	int rc = 0;

	if (n < 2)
		return 0;
	keys = xcalloc(n, sizeof(*keys));
	memcpy(keys, obj->u.object.keys, n * sizeof(*keys));
	qsort(keys, n, sizeof(*keys), cmp_str);
	for (size_t i = 1; i < n; i++) {
		if (strcmp(keys[i - 1], keys[i]) == 0) {
			rc = j_fail(c, "duplicate property \"%s\"", keys[i]);
			break;
		}
	}
	free(keys);
	return rc;
}

int j_val_kv(struct jctx *c, yajl_val v, struct spec_kv_list *out)
{
	size_t n;

	if (!YAJL_IS_OBJECT(v))
		return j_fail(c, "expected an object");
	if (j_check_dup_keys(c, v) < 0)
		return -1;
	n = v->u.object.len;
	for (size_t i = 0; i < out->n; i++) {
		free(out->v[i].key);
		free(out->v[i].value);
	}
	free(out->v);
	out->v = n ? xcalloc(n, sizeof(*out->v)) : NULL;
	out->n = 0;
	for (size_t i = 0; i < n; i++) {
		const char *k = v->u.object.keys[i];
		yajl_val val = v->u.object.values[i];
		if (!YAJL_IS_STRING(val)) {
			size_t saved = j_push_key(c, k);
			j_fail(c, "expected a string");
			j_pop(c, saved);
			return -1;
		}
		out->v[i].key = xstrdup(k);
		out->v[i].value = xstrdup(YAJL_GET_STRING(val));
		out->n = i + 1;
	}
	return 0;
}

int j_val_enum(struct jctx *c, const char *s, const char *const *names,
	       const char *what, int *idx)
{
	for (int i = 0; names[i]; i++) {
		if (strcmp(s, names[i]) == 0) {
			*idx = i;
			return 0;
		}
	}
	return j_fail(c, "unknown %s \"%s\"", what, s);
}
