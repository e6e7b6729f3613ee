/* brig — security/siphash.c: SipHash-2-4 (Aumasson and Bernstein,
 * "SipHash: a fast short-input PRF", 2012) in its 128-bit-output form
 * (0xee and 0xdd folded into the state, two output words).
 *
 * Why this and not SHA-256: a cache entry is sealed with a secret key
 * only its owner can read, so a keyed PRF is the right tool, and SipHash
 * reads the 20-40 KB of a large profile's entry in ~15 us where a plain
 * C SHA-256 takes ~250 us on the bench machine: 2% of a container start,
 * for a check made at every start.  Checked against the reference test
 * vectors in tests/unit/test_security.c. */
#include "siphash.h"

#include <string.h>

static inline uint64_t rotl(uint64_t x, unsigned b)
{
	return (x << b) | (x >> (64 - b));
}

static inline uint64_t load_le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static inline void store_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

struct sip {
	uint64_t v0, v1, v2, v3;
};

static inline void sip_round(struct sip *s)
{
	s->v0 += s->v1;
	s->v1 = rotl(s->v1, 13) ^ s->v0;
	s->v0 = rotl(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = rotl(s->v3, 16) ^ s->v2;
	s->v0 += s->v3;
	s->v3 = rotl(s->v3, 21) ^ s->v0;
	s->v2 += s->v1;
	s->v1 = rotl(s->v1, 17) ^ s->v2;
	s->v2 = rotl(s->v2, 32);
}

/* c = 2 rounds per message word */
static inline void sip_word(struct sip *s, uint64_t m)
{
	s->v3 ^= m;
	sip_round(s);
	sip_round(s);
	s->v0 ^= m;
}

/* d = 4 rounds per output word */
static inline uint64_t sip_out(struct sip *s)
{
	for (int i = 0; i < 4; i++)
		sip_round(s);
	return s->v0 ^ s->v1 ^ s->v2 ^ s->v3;
}

void siphash_128(const uint8_t key[SIPHASH_KEY_LEN], const void *in, size_t len,
		 uint8_t tag[SIPHASH_TAG_LEN])
{
	const uint8_t *p = in;
	uint64_t k0 = load_le64(key), k1 = load_le64(key + 8);
	struct sip s = {
		.v0 = k0 ^ 0x736f6d6570736575ULL,
		.v1 = k1 ^ 0x646f72616e646f6dULL ^ 0xee, /* 0xee: 128-bit output */
		.v2 = k0 ^ 0x6c7967656e657261ULL,
		.v3 = k1 ^ 0x7465646279746573ULL,
	};
	size_t whole = len & ~(size_t)7;
	uint8_t last[8] = {0};

	for (size_t i = 0; i < whole; i += 8)
		sip_word(&s, load_le64(p + i));
	memcpy(last, p + whole, len - whole);
	last[7] = (uint8_t)len;
	sip_word(&s, load_le64(last));
	s.v2 ^= 0xee;
	store_le64(tag, sip_out(&s));
	s.v1 ^= 0xdd;
	store_le64(tag + 8, sip_out(&s));
}
