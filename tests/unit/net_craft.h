/*
 * Packet crafting for the network unit tests, written independently of
 * kernel/net (byte by byte, with its own checksum), so that a parser is
 * checked against packets its own builder did not make.
 */
#ifndef NET_CRAFT_H
#define NET_CRAFT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint16_t
craft_csum(const uint8_t *p, size_t len, uint32_t start)
{
	uint32_t s = start;

	for (size_t i = 0; i < len; i += 2) {
		s += (uint32_t)p[i] << 8 | (i + 1 < len ? p[i + 1] : 0);
		s = (s & 0xffff) + (s >> 16);
	}
	return (uint16_t)~s;
}

static inline void
craft_put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
craft_put32(uint8_t *p, uint32_t v)
{
	craft_put16(p, v >> 16);
	craft_put16(p + 2, v & 0xffff);
}

/*
 * An IPv4 header with optlen bytes of options (NOPs, a multiple of 4)
 * in front of payload_len bytes; offset in bytes.  Returns its length.
 */
static inline size_t
craft_ipv4(uint8_t *p, size_t optlen, size_t payload_len, uint8_t proto, uint32_t src, uint32_t dst,
	   uint16_t id, unsigned offset, int more)
{
	size_t hl = 20 + optlen;

	memset(p, 0, hl);
	p[0] = (uint8_t)(0x40 | hl / 4);
	craft_put16(p + 2, (unsigned)(hl + payload_len));
	craft_put16(p + 4, id);
	craft_put16(p + 6, (more ? 0x2000 : 0) | offset / 8);
	p[8] = 64;
	p[9] = proto;
	craft_put32(p + 12, src);
	craft_put32(p + 16, dst);
	memset(p + 20, 1, optlen); /* NOP options */
	craft_put16(p + 10, craft_csum(p, hl, 0));
	return hl;
}

/* A UDP header in front of the len bytes of data already at p + 8. */
static inline size_t
craft_udp(uint8_t *p, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport, size_t len)
{
	uint32_t pseudo = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + 17 +
			  (uint32_t)(len + 8);
	uint16_t sum;

	craft_put16(p, sport);
	craft_put16(p + 2, dport);
	craft_put16(p + 4, (unsigned)(len + 8));
	craft_put16(p + 6, 0);
	sum = craft_csum(p, len + 8, pseudo);
	craft_put16(p + 6, sum ? sum : 0xffff);
	return len + 8;
}

#endif
