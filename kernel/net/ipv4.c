/* IPv4 headers (RFC 791). */
#include "net/ipv4.h"

#include "lib/byteorder.h"
#include "net/checksum.h"
#include "themelios/errno.h"

#define IPV4_FLAG_RESERVED 0x8000
#define IPV4_FLAG_DF	   0x4000
#define IPV4_FLAG_MF	   0x2000
#define IPV4_OFFSET_MASK   0x1fff

int
ipv4_parse(const void *buf, size_t len, struct ipv4_header *out)
{
	const uint8_t *p = buf;
	uint16_t flags;

	if (len < IPV4_HEADER_LEN)
		return -E_CORRUPT;
	if (p[0] >> 4 != 4)
		return -E_CORRUPT;
	out->header_len = (size_t)(p[0] & 0xf) * 4;
	if (out->header_len < IPV4_HEADER_LEN || out->header_len > len)
		return -E_CORRUPT;
	out->total_len = be16(p + 2);
	if (out->total_len < out->header_len || out->total_len > len)
		return -E_CORRUPT;
	/* The checksum covers the options too, so check it before trusting
	 * anything else in the header. */
	if (inet_checksum(p, out->header_len) != 0)
		return -E_CORRUPT;
	flags = be16(p + 6);
	if (flags & IPV4_FLAG_RESERVED)
		return -E_CORRUPT;
	out->tos = p[1];
	out->id = be16(p + 4);
	out->dont_fragment = flags & IPV4_FLAG_DF;
	out->more_fragments = flags & IPV4_FLAG_MF;
	out->frag_offset = (uint16_t)((flags & IPV4_OFFSET_MASK) * 8);
	out->ttl = p[8];
	out->proto = p[9];
	out->src = be32(p + 12);
	out->dst = be32(p + 16);
	out->payload = p + out->header_len;
	out->payload_len = out->total_len - out->header_len;
	/* A fragment reaching past the largest datagram is an attack
	 * (the "ping of death"), not data. */
	if ((size_t)out->frag_offset + out->payload_len + IPV4_HEADER_LEN > IPV4_MAX_LEN)
		return -E_CORRUPT;
	return 0;
}

int
ipv4_build(void *buf, size_t cap, const struct ipv4_header *h, size_t payload_len)
{
	uint8_t *p = buf;
	uint16_t flags;

	if (cap < IPV4_HEADER_LEN || payload_len > IPV4_MAX_LEN - IPV4_HEADER_LEN)
		return -E_RANGE;
	if (h->frag_offset % 8)
		return -E_INVAL;
	flags = (uint16_t)(h->frag_offset / 8);
	if (h->dont_fragment)
		flags |= IPV4_FLAG_DF;
	if (h->more_fragments)
		flags |= IPV4_FLAG_MF;
	p[0] = 0x45;
	p[1] = h->tos;
	put_be16(p + 2, (uint16_t)(IPV4_HEADER_LEN + payload_len));
	put_be16(p + 4, h->id);
	put_be16(p + 6, flags);
	p[8] = h->ttl;
	p[9] = h->proto;
	put_be16(p + 10, 0);
	put_be32(p + 12, h->src);
	put_be32(p + 16, h->dst);
	put_be16(p + 10, inet_checksum(p, IPV4_HEADER_LEN));
	return IPV4_HEADER_LEN;
}
