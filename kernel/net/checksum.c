/* The Internet checksum (RFC 1071), incremental over several buffers. */
#include "net/checksum.h"

#include "lib/byteorder.h"

/* One load from an 8-byte aligned p and a byte swap (both targets are
 * little-endian). */
static inline uint64_t
load_be64(const uint8_t *p)
{
	uint64_t w;

	__builtin_memcpy(&w, __builtin_assume_aligned(p, 8), sizeof(w));
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	w = __builtin_bswap64(w);
#endif
	return w;
}

void
inet_csum_init(struct inet_csum *c)
{
	c->sum = 0;
	c->odd = false;
}

/* sum + w with the carry out of bit 63 added back (2^64 is 1 modulo 0xffff). */
static inline uint64_t
add_carry(uint64_t sum, uint64_t w)
{
	uint64_t r;

	return __builtin_add_overflow(sum, w, &r) ? r + 1 : r;
}

void
inet_csum_add(struct inet_csum *c, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t sum = c->sum; /* a local: stores through p may not alias it */
	size_t i = 0;

	/* A byte left over from the previous buffer is the high half of a
	 * word whose low half is our first byte. */
	if (c->odd && len) {
		sum = add_carry(sum, p[0]);
		c->odd = false;
		i = 1;
	}
	/* Eight bytes at a time from an aligned address (aarch64's kernel
	 * is built with -mstrict-align): a big-endian 64-bit word is four
	 * 16-bit words whose weights 2^16, 2^32, 2^48 are all 1 modulo
	 * 0xffff, so the folded sum is the same as two bytes at a time, and
	 * several times cheaper.  Two bytes at a time up to the alignment,
	 * from an even address only (pairs must stay pairs; an odd one
	 * keeps the slow loop). */
	if (!((uintptr_t)(p + i) & 1))
		for (; i + 1 < len && ((uintptr_t)(p + i) & 7); i += 2)
			sum = add_carry(sum, be16(p + i));
	if (!((uintptr_t)(p + i) & 7)) {
		for (; i + 32 <= len; i += 32) {
			sum = add_carry(sum, load_be64(p + i));
			sum = add_carry(sum, load_be64(p + i + 8));
			sum = add_carry(sum, load_be64(p + i + 16));
			sum = add_carry(sum, load_be64(p + i + 24));
		}
		for (; i + 8 <= len; i += 8)
			sum = add_carry(sum, load_be64(p + i));
	}
	for (; i + 1 < len; i += 2)
		sum = add_carry(sum, be16(p + i));
	if (i < len) {
		sum = add_carry(sum, (uint64_t)p[i] << 8);
		c->odd = true;
	}
	c->sum = sum;
}

void
inet_csum_add_pseudo(struct inet_csum *c, uint32_t src, uint32_t dst, uint8_t proto, uint16_t len)
{
	uint8_t ph[12];

	put_be32(ph, src);
	put_be32(ph + 4, dst);
	ph[8] = 0;
	ph[9] = proto;
	put_be16(ph + 10, len);
	inet_csum_add(c, ph, sizeof(ph));
}

uint16_t
inet_csum_result(const struct inet_csum *c)
{
	uint64_t s = c->sum;

	/* End-around carry: fold until the sum fits in 16 bits. */
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

uint16_t
inet_checksum(const void *data, size_t len)
{
	struct inet_csum c;

	inet_csum_init(&c);
	inet_csum_add(&c, data, len);
	return inet_csum_result(&c);
}
