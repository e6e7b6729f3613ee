/* brig — spec/ private: writing JSON with yajl_gen (gen.c). */
#ifndef BRIG_SPEC_GEN_H
#define BRIG_SPEC_GEN_H

#include <stdbool.h>
#include <yajl/yajl_gen.h>

#include "spec.h"

/* A generator that indents each level with indent; gen_finish returns
 * the text (NUL-terminated, caller frees) and frees the generator. */
yajl_gen gen_new(const char *indent);
char *gen_finish(yajl_gen g);

void gen_key(yajl_gen g, const char *k);
/* s as a JSON string, NULL as "", invalid UTF-8 bytes as U+FFFD */
void gen_str(yajl_gen g, const char *s);
void gen_kv_str(yajl_gen g, const char *k, const char *v);
void gen_kv_int(yajl_gen g, const char *k, long long v);
void gen_kv_bool(yajl_gen g, const char *k, bool v);
/* "k": [ list... ] without the entries skip() (may be NULL) is true
 * for; nothing at all when list is NULL.  An empty list is written. */
void gen_kv_strv(yajl_gen g, const char *k, const char *const *list,
		 bool (*skip)(const char *));

#endif
