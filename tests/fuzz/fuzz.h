/* brig — tests/fuzz/: what every libFuzzer harness shares.
 *
 * A parser that refuses its input must say why: a NULL result with no
 * error (or an error with no text) is a bug, and aborts so libFuzzer
 * records it as a crash. */
#ifndef BRIG_FUZZ_H
#define BRIG_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spec/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The result is NULL exactly when an error with a message was set. */
static inline void fuzz_check(const void *result, brig_error_t **err)
{
	if (!result && (!*err || !(*err)->msg || !*(*err)->msg))
		abort();
	if (result && *err)
		abort();
	brig_err_free(err);
}

/* PREFIX + data + SUFFIX in a new buffer: the input becomes one value
 * inside a config.json (linux.seccomp, linux.uidMappings). */
static inline char *fuzz_wrap(const char *prefix, const uint8_t *data,
			      size_t size, const char *suffix, size_t *len)
{
	size_t a = strlen(prefix), b = strlen(suffix);
	char *buf = xmalloc(a + size + b + 1);
	memcpy(buf, prefix, a);
	memcpy(buf + a, data, size);
	memcpy(buf + a + size, suffix, b + 1);
	*len = a + size + b;
	return buf;
}

#endif
