/* brig — base/error.c: the error object and allocation that cannot fail. */
#include "base/error.h"

#include <errno.h>
#include <string.h>

static char *vfmt(const char *fmt, va_list ap)
{
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	return s;
}

static int verr(brig_error_t **err, enum brig_err_kind kind, int errnum,
		const char *fmt, va_list ap)
{
	char *msg;

	if (err == NULL)
		return -1;
	msg = vfmt(fmt, ap);
	brig_err_free(err);
	*err = xcalloc(1, sizeof(**err));
	(*err)->code = errnum;
	(*err)->kind = kind;
	if (errnum) {
		/* in the words of Go's syscall package, which runc prints and
		 * the clients classify errors by ("no such file or directory",
		 * "permission denied": Docker's 127 and 126) */
		(*err)->msg = xasprintf("%s: %s", msg, strerror(errnum));
		char *t = (*err)->msg + strlen(msg) + 2;
		if (*t >= 'A' && *t <= 'Z' && !(t[1] >= 'A' && t[1] <= 'Z'))
			*t = (char)(*t - 'A' + 'a');
		free(msg);
	} else {
		(*err)->msg = msg;
	}
	return -1;
}

int brig_err(brig_error_t **err, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verr(err, BRIG_E_OTHER, errnum, fmt, ap);
	va_end(ap);
	return -1;
}

int brig_err_kind(brig_error_t **err, enum brig_err_kind kind, int errnum,
		  const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verr(err, kind, errnum, fmt, ap);
	va_end(ap);
	return -1;
}

int brig_err_set(brig_error_t **err, int errnum, enum brig_err_kind kind, const char *msg)
{
	if (err == NULL)
		return -1;
	brig_err_free(err);
	*err = xcalloc(1, sizeof(**err));
	(*err)->code = errnum;
	(*err)->kind = kind;
	(*err)->msg = xstrdup(msg);
	return -1;
}

int brig_err_prefix(brig_error_t **err, const char *fmt, ...)
{
	va_list ap;
	char *pre, *msg;

	if (err == NULL || *err == NULL)
		return -1;
	va_start(ap, fmt);
	pre = vfmt(fmt, ap);
	va_end(ap);
	msg = xasprintf("%s: %s", pre, (*err)->msg);
	free(pre);
	free((*err)->msg);
	(*err)->msg = msg;
	return -1;
}

void brig_err_free(brig_error_t **err)
{
	if (err && *err) {
		free((*err)->msg);
		free(*err);
		*err = NULL;
	}
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		abort();
	return p;
}

void *xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);
	if (!p)
		abort();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		abort();
	return p;
}

char *xstrdup(const char *s)
{
	char *r;
	if (!s)
		return NULL;
	r = strdup(s);
	if (!r)
		abort();
	return r;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	va_start(ap, fmt);
	s = vfmt(fmt, ap);
	va_end(ap);
	return s;
}
