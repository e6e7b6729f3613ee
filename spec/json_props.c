/* brig — spec/: getters for the properties of a JSON object.
 *
 * Conventions (see json.h): 1 present, 0 absent, -1 error.  JSON null
 * counts as absent, as Go's encoding/json (which writes most configs)
 * treats it.  A key given twice in one object is an error rather than a
 * silent first-or-last pick: two parsers reading one config differently
 * is how security settings get lost.
 */
#include "json.h"

#include <string.h>

int j_get(struct jctx *c, yajl_val obj, const char *key, bool required,
	  yajl_val *out)
{
	yajl_val found = NULL;
	size_t n = 0;

	if (obj && YAJL_IS_OBJECT(obj)) {
		for (size_t i = 0; i < obj->u.object.len; i++) {
			if (strcmp(obj->u.object.keys[i], key) == 0) {
				found = obj->u.object.values[i];
				n++;
			}
		}
	}
	if (n > 1)
		return j_fail(c, "duplicate property \"%s\"", key);
	if (found && YAJL_IS_NULL(found))
		found = NULL;
	if (!found) {
		if (required)
			return j_fail(c, "missing required property \"%s\"", key);
		return 0;
	}
	*out = found;
	return 1;
}

/* Look up `key`, push it on the path and run check(v) on the value. */
#define WITH_KEY(c, obj, key, required, v, body)                        \
	do {                                                            \
		yajl_val v = NULL;                                      \
		int _r = j_get(c, obj, key, required, &v);              \
		size_t _saved;                                          \
		if (_r <= 0)                                            \
			return _r;                                      \
		_saved = j_push_key(c, key);                            \
		_r = (body);                                            \
		j_pop(c, _saved);                                       \
		return _r < 0 ? -1 : 1;                                 \
	} while (0)

int j_obj(struct jctx *c, yajl_val obj, const char *key, bool required,
	  yajl_val *out)
{
	WITH_KEY(c, obj, key, required, v,
		 YAJL_IS_OBJECT(v) ? (*out = v, 0)
				   : j_fail(c, "expected an object"));
}

int j_arr(struct jctx *c, yajl_val obj, const char *key, bool required,
	  yajl_val *out)
{
	WITH_KEY(c, obj, key, required, v,
		 YAJL_IS_ARRAY(v) ? (*out = v, 0)
				  : j_fail(c, "expected an array"));
}

int j_str(struct jctx *c, yajl_val obj, const char *key, bool required,
	  char **out)
{
	WITH_KEY(c, obj, key, required, v, j_val_str(c, v, out));
}

int j_bool(struct jctx *c, yajl_val obj, const char *key, bool required,
	   bool *out)
{
	WITH_KEY(c, obj, key, required, v, j_val_bool(c, v, out));
}

int j_opt_bool(struct jctx *c, yajl_val obj, const char *key,
	       spec_opt_bool *out)
{
	int r = j_bool(c, obj, key, false, &out->v);
	if (r > 0)
		out->set = true;
	return r;
}

int j_i64(struct jctx *c, yajl_val obj, const char *key, bool required,
	  int64_t min, int64_t max, int64_t *out)
{
	WITH_KEY(c, obj, key, required, v, j_val_i64(c, v, min, max, out));
}

int j_u64(struct jctx *c, yajl_val obj, const char *key, bool required,
	  uint64_t max, uint64_t *out)
{
	WITH_KEY(c, obj, key, required, v, j_val_u64(c, v, max, out));
}

int j_u32(struct jctx *c, yajl_val obj, const char *key, bool required,
	  uint32_t *out)
{
	uint64_t x = 0;
	int r = j_u64(c, obj, key, required, UINT32_MAX, &x);
	if (r > 0)
		*out = (uint32_t)x;
	return r;
}

int j_opt_i64(struct jctx *c, yajl_val obj, const char *key, int64_t min,
	      int64_t max, spec_opt_i64 *out)
{
	int r = j_i64(c, obj, key, false, min, max, &out->v);
	if (r > 0)
		out->set = true;
	return r;
}

int j_opt_u64(struct jctx *c, yajl_val obj, const char *key, uint64_t max,
	      spec_opt_u64 *out)
{
	int r = j_u64(c, obj, key, false, max, &out->v);
	if (r > 0)
		out->set = true;
	return r;
}

int j_strv(struct jctx *c, yajl_val obj, const char *key, bool required,
	   struct spec_strv *out)
{
	WITH_KEY(c, obj, key, required, v, j_val_strv(c, v, out));
}

int j_kv(struct jctx *c, yajl_val obj, const char *key,
	 struct spec_kv_list *out)
{
	WITH_KEY(c, obj, key, false, v, j_val_kv(c, v, out));
}

static int val_enum(struct jctx *c, yajl_val v, const char *const *names,
		    const char *what, char **out, int *idx)
{
	int i = 0;
	if (!YAJL_IS_STRING(v))
		return j_fail(c, "expected a string");
	if (j_val_enum(c, YAJL_GET_STRING(v), names, what, &i) < 0)
		return -1;
	free(*out);
	*out = xstrdup(YAJL_GET_STRING(v));
	if (idx)
		*idx = i;
	return 0;
}

int j_enum(struct jctx *c, yajl_val obj, const char *key, bool required,
	   const char *const *names, const char *what, char **out, int *idx)
{
	WITH_KEY(c, obj, key, required, v,
		 val_enum(c, v, names, what, out, idx));
}

static int strv_enum(struct jctx *c, struct spec_strv *out,
		     const char *const *names, const char *what)
{
	for (size_t i = 0; i < out->n; i++) {
		int idx;
		size_t saved = j_push_idx(c, i);
		int r = j_val_enum(c, out->v[i], names, what, &idx);
		j_pop(c, saved);
		if (r < 0)
			return -1;
	}
	return 0;
}

int j_strv_enum(struct jctx *c, yajl_val obj, const char *key,
		const char *const *names, const char *what,
		struct spec_strv *out)
{
	WITH_KEY(c, obj, key, false, v,
		 j_val_strv(c, v, out) < 0 ? -1
					   : strv_enum(c, out, names, what));
}

int j_check_abs(struct jctx *c, const char *key, const char *s)
{
	if (s && s[0] != '/')
		return j_fail_at(c, key, "must be an absolute path, not \"%s\"",
				 s);
	return 0;
}

int j_check_abs_strv(struct jctx *c, const char *key,
		     const struct spec_strv *v)
{
	for (size_t i = 0; i < v->n; i++) {
		if (v->v[i][0] != '/') {
			size_t saved = j_push_key(c, key);
			j_push_idx(c, i);
			j_fail(c, "must be an absolute path, not \"%s\"",
			       v->v[i]);
			j_pop(c, saved);
			return -1;
		}
	}
	return 0;
}

int j_objarray(struct jctx *c, yajl_val obj, const char *key, bool required,
	       size_t size, void **out, size_t *n, j_elem_fn fn)
{
	yajl_val arr = NULL;
	size_t len, saved;
	char *elems;
	int r = j_arr(c, obj, key, required, &arr);

	if (r <= 0)
		return r;
	len = arr->u.array.len;
	elems = len ? xcalloc(len, size) : NULL;
	*out = elems;
	*n = len;
	saved = j_push_key(c, key);
	for (size_t i = 0; i < len; i++) {
		yajl_val it = arr->u.array.values[i];
		size_t s2 = j_push_idx(c, i);
		if (!YAJL_IS_OBJECT(it))
			r = j_fail(c, "expected an object");
		else
			r = fn(c, it, elems + i * size);
		j_pop(c, s2);
		if (r < 0)
			break;
	}
	j_pop(c, saved);
	return r < 0 ? -1 : 1;
}

int j_objmap(struct jctx *c, yajl_val obj, const char *key, size_t size,
	     void **out, size_t *n, j_map_fn fn)
{
	yajl_val map = NULL;
	size_t len, saved;
	char *elems;
	int r = j_obj(c, obj, key, false, &map);

	if (r <= 0)
		return r;
	saved = j_push_key(c, key);
	if (j_check_dup_keys(c, map) < 0) {
		j_pop(c, saved);
		return -1;
	}
	len = map->u.object.len;
	elems = len ? xcalloc(len, size) : NULL;
	*out = elems;
	*n = len;
	for (size_t i = 0; i < len; i++) {
		yajl_val it = map->u.object.values[i];
		size_t s2 = j_push_key(c, map->u.object.keys[i]);
		if (!YAJL_IS_OBJECT(it))
			r = j_fail(c, "expected an object");
		else
			r = fn(c, map->u.object.keys[i], it, elems + i * size);
		j_pop(c, s2);
		if (r < 0)
			break;
	}
	j_pop(c, saved);
	return r < 0 ? -1 : 1;
}
