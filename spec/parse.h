/* brig — spec/ private: the parsers of each part of config.json and the
 * matching free functions.  Each parser fills a zeroed struct that is
 * already linked into its parent, so on failure the caller frees the
 * whole document with the public free function. */
#ifndef BRIG_SPEC_PARSE_H
#define BRIG_SPEC_PARSE_H

#include "json.h"

int spec_parse_process_obj(struct jctx *c, yajl_val v, struct spec_process *p);
int spec_parse_linux_obj(struct jctx *c, yajl_val v, struct spec_linux *l);
int spec_parse_resources_obj(struct jctx *c, yajl_val v,
			     struct spec_resources *r);
int spec_parse_seccomp_obj(struct jctx *c, yajl_val v, struct spec_seccomp *s);
/* Only listenerPath and listenerMetadata; sets s->deferred. */
int spec_parse_seccomp_listener(struct jctx *c, yajl_val v, struct spec_seccomp *s);
/* One linux.uidMappings-style entry (also used by mounts[]). */
int spec_parse_idmap(struct jctx *c, yajl_val v, void *elem);

/* Parse the optional sub-object `key` of v with fn into a fresh *slot;
 * returns -1 from the calling function on error. */
#define J_SUBOBJ(c, v, key, slot, fn)                                    \
	do {                                                             \
		yajl_val _o = NULL;                                      \
		int _r = j_obj(c, v, key, false, &_o);                   \
		if (_r < 0)                                              \
			return -1;                                       \
		if (_r > 0) {                                            \
			size_t _s;                                       \
			*(slot) = xcalloc(1, sizeof(**(slot)));          \
			_s = j_push_key(c, key);                         \
			_r = fn(c, _o, *(slot));                         \
			j_pop(c, _s);                                    \
			if (_r < 0)                                      \
				return -1;                               \
		}                                                        \
	} while (0)

void spec_strv_clear(struct spec_strv *v);
void spec_kv_clear(struct spec_kv_list *kv);
void spec_process_clear(struct spec_process *p);
void spec_linux_free(struct spec_linux *l);

#endif
