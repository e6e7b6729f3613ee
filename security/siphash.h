/* brig — security/siphash.h: private to security/.  SipHash-2-4 with a
 * 128-bit output (siphash.c), the keyed hash that seals the entries of
 * the seccomp filter cache. */
#ifndef BRIG_SECURITY_SIPHASH_H
#define BRIG_SECURITY_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

#define SIPHASH_KEY_LEN 16
#define SIPHASH_TAG_LEN 16

/* The 16-byte tag of in[0..len) under key. */
void siphash_128(const uint8_t key[SIPHASH_KEY_LEN], const void *in, size_t len,
		 uint8_t tag[SIPHASH_TAG_LEN]);

#endif
