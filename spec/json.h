/* brig — spec/ private: a path-tracking walker over a yajl tree.
 *
 * Every getter reports errors as "<name>: <json.path>: <reason>", e.g.
 * "config.json: linux.resources.memory.limit: expected an integer".
 *
 * Property getters take the parent object and a key and return
 *   1  the property was present and stored in *out,
 *   0  the property was absent (or JSON null) and *out is untouched,
 *  -1  error (*c->err set).
 * A required property that is absent is an error ("missing required
 * property").  A key present more than once in an object is an error.
 */
#ifndef BRIG_SPEC_JSON_H
#define BRIG_SPEC_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <yajl/yajl_tree.h>

#include "spec.h"

#define J_MAX_DEPTH 64

struct jctx {
	const char *name;     /* file name for messages */
	brig_error_t **err;
	char *path;           /* current JSON path, "" at the top */
	size_t len, cap;
	bool seccomp_deferred; /* see spec_parse_config_deferred */
};

/* Validate and parse a document (strict JSON, no comments, no NUL
 * characters, depth <= J_MAX_DEPTH) whose top level must be an object.
 * Errors carry line and column.  Free with j_free(). */
yajl_val j_parse(const char *json, size_t len, const char *name,
		 brig_error_t **err);
void j_free(yajl_val tree);
/* The same, and where the object top.k1.k2 lies in the text; when
 * shallow, of that object only the scalar members are built (what is
 * nested in it is checked, not kept). */
struct j_span {
	const char *k1, *k2; /* in */
	bool shallow;        /* in */
	size_t off, len;     /* out: len 0 when there is no such object */
};
yajl_val j_parse_span(const char *json, size_t len, const char *name,
		      struct j_span *span, brig_error_t **err);

void j_init(struct jctx *c, const char *name, brig_error_t **err);
void j_fini(struct jctx *c);

/* Path stack: push returns the length to pass back to j_pop. */
size_t j_push_key(struct jctx *c, const char *key);
size_t j_push_idx(struct jctx *c, size_t i);
void j_pop(struct jctx *c, size_t saved);

/* Set the error for the current path; always returns -1. */
int j_fail(struct jctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Same, for property `key` of the current object. */
int j_fail_at(struct jctx *c, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- values (path already pushed) ---- */
int j_val_str(struct jctx *c, yajl_val v, char **out);
int j_val_bool(struct jctx *c, yajl_val v, bool *out);
int j_val_i64(struct jctx *c, yajl_val v, int64_t min, int64_t max,
	      int64_t *out);
int j_val_u64(struct jctx *c, yajl_val v, uint64_t max, uint64_t *out);
int j_val_strv(struct jctx *c, yajl_val v, struct spec_strv *out);
int j_val_kv(struct jctx *c, yajl_val v, struct spec_kv_list *out);
/* Error if an object holds a key twice. */
int j_check_dup_keys(struct jctx *c, yajl_val obj);
/* Index of `s` in the NULL-terminated `names`, or an error
 * `unknown <what> "<s>"`. */
int j_val_enum(struct jctx *c, const char *s, const char *const *names,
	       const char *what, int *idx);

/* ---- properties of an object ---- */
int j_get(struct jctx *c, yajl_val obj, const char *key, bool required,
	  yajl_val *out);
int j_obj(struct jctx *c, yajl_val obj, const char *key, bool required,
	  yajl_val *out);
int j_arr(struct jctx *c, yajl_val obj, const char *key, bool required,
	  yajl_val *out);
int j_str(struct jctx *c, yajl_val obj, const char *key, bool required,
	  char **out);
int j_bool(struct jctx *c, yajl_val obj, const char *key, bool required,
	   bool *out);
int j_opt_bool(struct jctx *c, yajl_val obj, const char *key,
	       spec_opt_bool *out);
int j_i64(struct jctx *c, yajl_val obj, const char *key, bool required,
	  int64_t min, int64_t max, int64_t *out);
int j_u64(struct jctx *c, yajl_val obj, const char *key, bool required,
	  uint64_t max, uint64_t *out);
int j_u32(struct jctx *c, yajl_val obj, const char *key, bool required,
	  uint32_t *out);
int j_opt_i64(struct jctx *c, yajl_val obj, const char *key, int64_t min,
	      int64_t max, spec_opt_i64 *out);
int j_opt_u64(struct jctx *c, yajl_val obj, const char *key, uint64_t max,
	      spec_opt_u64 *out);
int j_strv(struct jctx *c, yajl_val obj, const char *key, bool required,
	   struct spec_strv *out);
/* A string→string map (annotations, sysctl, unified). */
int j_kv(struct jctx *c, yajl_val obj, const char *key,
	 struct spec_kv_list *out);
/* A string that must be one of `names`; *out gets a copy, *idx its index. */
int j_enum(struct jctx *c, yajl_val obj, const char *key, bool required,
	   const char *const *names, const char *what, char **out, int *idx);
/* An array of strings each one of `names`. */
int j_strv_enum(struct jctx *c, yajl_val obj, const char *key,
		const char *const *names, const char *what,
		struct spec_strv *out);
/* Every entry of an already parsed list must be an absolute path. */
int j_check_abs_strv(struct jctx *c, const char *key,
		     const struct spec_strv *v);
/* An already parsed string property must be an absolute path. */
int j_check_abs(struct jctx *c, const char *key, const char *s);

/* Arrays of objects: allocates n zeroed elements of `size` bytes, stores
 * them in *out / *n before parsing (so a failure leaves everything to the
 * caller's free), then calls fn for each element with the index pushed. */
typedef int (*j_elem_fn)(struct jctx *c, yajl_val item, void *elem);
int j_objarray(struct jctx *c, yajl_val obj, const char *key, bool required,
	       size_t size, void **out, size_t *n, j_elem_fn fn);

/* Objects whose keys are names (netDevices, rdma): one element per key,
 * fn gets the key (already pushed) and the value, which is an object. */
typedef int (*j_map_fn)(struct jctx *c, const char *key, yajl_val item,
			void *elem);
int j_objmap(struct jctx *c, yajl_val obj, const char *key, size_t size,
	     void **out, size_t *n, j_map_fn fn);

#endif
