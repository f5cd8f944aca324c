/* SHA-256 as FIPS 180-4 describes it: sections 4.1.2, 4.2.2, 5.1.1, 6.2. */
#include "lib/sha256.h"
#include "lib/string.h"

/* The first 32 bits of the fractional parts of the cube roots of the
 * first 64 primes (section 4.2.2). */
static const uint32_t k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
	0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
	0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
	0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2,
};

static uint32_t
rotr(uint32_t x, int n)
{
	return x >> n | x << (32 - n);
}

static uint32_t
load32_be(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4); /* one load, whatever the alignment */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap32(v);
#endif
	return v;
}

static void
store32_be(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

#define BSIG0(x)     (rotr(x, 2) ^ rotr(x, 13) ^ rotr(x, 22))
#define BSIG1(x)     (rotr(x, 6) ^ rotr(x, 11) ^ rotr(x, 25))
#define SSIG0(x)     (rotr(x, 7) ^ rotr(x, 18) ^ (x) >> 3)
#define SSIG1(x)     (rotr(x, 17) ^ rotr(x, 19) ^ (x) >> 10)
#define CH(x, y, z)  ((z) ^ ((x) & ((y) ^ (z))))
#define MAJ(x, y, z) (((x) & (y)) | ((z) & ((x) | (y))))

/* One round with the working variables named in place, so eight rounds
 * in a row need no register shuffling: the names rotate instead. */
#define ROUND(a, b, c, d, e, f, g, h, i)                                \
	do {                                                            \
		uint32_t t1 = h + BSIG1(e) + CH(e, f, g) + k[i] + w[i]; \
		d += t1;                                                \
		h = t1 + BSIG0(a) + MAJ(a, b, c);                       \
	} while (0)

static void
compress(uint32_t hs[8], const uint8_t block[SHA256_BLOCK_BYTES])
{
	uint32_t w[64];
	uint32_t a = hs[0], b = hs[1], c = hs[2], d = hs[3];
	uint32_t e = hs[4], f = hs[5], g = hs[6], h = hs[7];

	for (int t = 0; t < 16; t++)
		w[t] = load32_be(block + 4 * t);
	for (int t = 16; t < 64; t++)
		w[t] = w[t - 16] + SSIG0(w[t - 15]) + w[t - 7] + SSIG1(w[t - 2]);
	for (int t = 0; t < 64; t += 8) {
		ROUND(a, b, c, d, e, f, g, h, t);
		ROUND(h, a, b, c, d, e, f, g, t + 1);
		ROUND(g, h, a, b, c, d, e, f, t + 2);
		ROUND(f, g, h, a, b, c, d, e, t + 3);
		ROUND(e, f, g, h, a, b, c, d, t + 4);
		ROUND(d, e, f, g, h, a, b, c, t + 5);
		ROUND(c, d, e, f, g, h, a, b, t + 6);
		ROUND(b, c, d, e, f, g, h, a, t + 7);
	}
	hs[0] += a;
	hs[1] += b;
	hs[2] += c;
	hs[3] += d;
	hs[4] += e;
	hs[5] += f;
	hs[6] += g;
	hs[7] += h;
}

void
sha256_init(struct sha256_ctx *c)
{
	/* Fractional parts of the square roots of the first 8 primes. */
	static const uint32_t h0[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};

	memcpy(c->state, h0, sizeof(h0));
	c->bytes = 0;
}

void
sha256_update(struct sha256_ctx *c, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t used = c->bytes % SHA256_BLOCK_BYTES;

	if (len == 0)
		return; /* data may be NULL */
	c->bytes += len;
	if (used) {
		size_t n = SHA256_BLOCK_BYTES - used;

		if (n > len)
			n = len;
		memcpy(c->buf + used, p, n);
		p += n;
		len -= n;
		if (used + n < SHA256_BLOCK_BYTES)
			return;
		compress(c->state, c->buf);
	}
	for (; len >= SHA256_BLOCK_BYTES; p += SHA256_BLOCK_BYTES, len -= SHA256_BLOCK_BYTES)
		compress(c->state, p);
	memcpy(c->buf, p, len);
}

void
sha256_final(struct sha256_ctx *c, uint8_t out[SHA256_DIGEST_BYTES])
{
	/* A 1 bit, zeros up to 56 mod 64, then the length in bits (5.1.1). */
	uint64_t bits = c->bytes * 8;
	size_t used = c->bytes % SHA256_BLOCK_BYTES;

	c->buf[used++] = 0x80;
	if (used > 56) {
		memset(c->buf + used, 0, SHA256_BLOCK_BYTES - used);
		compress(c->state, c->buf);
		used = 0;
	}
	memset(c->buf + used, 0, 56 - used);
	store32_be(c->buf + 56, (uint32_t)(bits >> 32));
	store32_be(c->buf + 60, (uint32_t)bits);
	compress(c->state, c->buf);
	for (int i = 0; i < 8; i++)
		store32_be(out + 4 * i, c->state[i]);
	memset(c, 0, sizeof(*c));
}

void
sha256(const void *data, size_t len, uint8_t out[SHA256_DIGEST_BYTES])
{
	struct sha256_ctx c;

	sha256_init(&c);
	sha256_update(&c, data, len);
	sha256_final(&c, out);
}
