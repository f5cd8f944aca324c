/* The Internet checksum (RFC 1071), incremental over several buffers. */
#include "net/checksum.h"

#include "lib/byteorder.h"

void
inet_csum_init(struct inet_csum *c)
{
	c->sum = 0;
	c->odd = false;
}

void
inet_csum_add(struct inet_csum *c, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t i = 0;

	/* A byte left over from the previous buffer is the high half of a
	 * word whose low half is our first byte. */
	if (c->odd && len) {
		c->sum += p[0];
		c->odd = false;
		i = 1;
	}
	for (; i + 1 < len; i += 2)
		c->sum += be16(p + i);
	if (i < len) {
		c->sum += (uint32_t)p[i] << 8;
		c->odd = true;
	}
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
