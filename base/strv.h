/* brig — base/strv.h: NULL-terminated lists of strings (char **), as
 * execve(2) takes them; spec/'s struct spec_strv keeps one with its count. */
#ifndef BRIG_BASE_STRV_H
#define BRIG_BASE_STRV_H

#include <stdbool.h>
#include <stddef.h>

/* Append a copy of s to the n-entry list *v, keeping it NULL-terminated. */
void brig_strv_append(char ***v, size_t *n, const char *s);

/* Is s in the list?  v may be NULL (an empty list). */
bool brig_strv_contains(char *const *v, const char *s);

/* Free every entry and the list; v may be NULL. */
void brig_strv_free(char **v);

#endif
