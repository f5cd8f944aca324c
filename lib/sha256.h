/*
 * SHA-256 (FIPS 180-4, section 6.2): streaming and one-shot.  Pure and
 * freestanding; the dm-verity tree and the boot checks use it, and the
 * host tests hold it to NIST's vectors and to the host's sha256sum.
 */
#ifndef LIB_SHA256_H
#define LIB_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_BYTES 32
#define SHA256_BLOCK_BYTES  64

struct sha256_ctx {
	uint32_t state[8];
	uint64_t bytes;			 /* message length so far */
	uint8_t buf[SHA256_BLOCK_BYTES]; /* a partial block: bytes % 64 used */
};

void sha256_init(struct sha256_ctx *c);
void sha256_update(struct sha256_ctx *c, const void *data, size_t len);
/* Pads, writes the digest and wipes the context. */
void sha256_final(struct sha256_ctx *c, uint8_t out[SHA256_DIGEST_BYTES]);
void sha256(const void *data, size_t len, uint8_t out[SHA256_DIGEST_BYTES]);

#endif
