/* brig — base/error.h: the error object every module returns, allocation
 * that cannot fail, and the cleanup attributes.
 *
 * A function that can fail returns -1 (or NULL) and fills *err with a
 * message and the errno that caused it.  Callers add context on the way up
 * with brig_err_prefix(), so the final text reads
 * "create: rootfs: mount proc on /proc: Operation not permitted".
 * Only runtime/main.c prints.
 */
#ifndef BRIG_ERROR_H
#define BRIG_ERROR_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* What went wrong, for a caller that acts on it: errors are told apart
 * by kind (and errno), never by their text. */
enum brig_err_kind {
	BRIG_E_OTHER = 0,
	BRIG_E_NOT_FOUND, /* no such container */
	BRIG_E_KIND_COUNT
};

typedef struct brig_error {
	int code;  /* errno, or 0 */
	enum brig_err_kind kind;
	char *msg; /* full text, already including strerror(code) when set */
} brig_error_t;

/* Set *err to a new error; appends ": strerror(errnum)" when errnum != 0.
 * Always returns -1 so callers can write `return brig_err(err, errno, ...)`. */
int brig_err(brig_error_t **err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The same, of a kind (brig_err's errors are BRIG_E_OTHER). */
int brig_err_kind(brig_error_t **err, enum brig_err_kind kind, int errnum,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* An error whose text is complete already (sent by another process):
 * msg as it is, with its errno and kind.  Returns -1. */
int brig_err_set(brig_error_t **err, int errnum, enum brig_err_kind kind, const char *msg);

/* Is err an error of that kind? */
static inline int brig_err_is(const brig_error_t *err, enum brig_err_kind kind)
{
	return err != NULL && err->kind == kind;
}

/* Prepend "<prefix>: " to an existing error.  Returns -1. */
int brig_err_prefix(brig_error_t **err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void brig_err_free(brig_error_t **err);

/* Allocation that aborts on out-of-memory: a runtime cannot do anything
 * useful without memory, and this keeps every caller simple. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* cleanup attributes, as crun does: early returns free what they own. */
static inline void brig_freep(void *p) { free(*(void **)p); }
static inline void brig_closep(int *fd) { if (*fd >= 0) close(*fd); }
static inline void brig_fclosep(FILE **f) { if (*f) fclose(*f); }
#define cleanup_free __attribute__((cleanup(brig_freep)))
#define cleanup_close __attribute__((cleanup(brig_closep)))
#define cleanup_fclose __attribute__((cleanup(brig_fclosep)))
#define cleanup_err __attribute__((cleanup(brig_err_free)))

/* Take ownership out of a cleanup variable. */
#define steal_ptr(p) ({ __typeof__(p) _t = (p); (p) = NULL; _t; })
#define steal_fd(fd) ({ int _t = (fd); (fd) = -1; _t; })

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
