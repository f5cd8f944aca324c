/* ICMP echo and destination unreachable (RFC 792). */
#include "net/icmp.h"

#include "lib/byteorder.h"
#include "lib/string.h"
#include "net/checksum.h"
#include "net/ipv4.h"
#include "themelios/errno.h"

int
icmp_parse(const void *buf, size_t len, struct icmp_message *out)
{
	const uint8_t *p = buf;

	if (len < ICMP_HEADER_LEN)
		return -E_CORRUPT;
	if (inet_checksum(p, len) != 0)
		return -E_CORRUPT;
	out->type = p[0];
	out->code = p[1];
	out->id = be16(p + 4);
	out->seq = be16(p + 6);
	out->data = p + ICMP_HEADER_LEN;
	out->data_len = len - ICMP_HEADER_LEN;
	return 0;
}

int
icmp_build_echo_reply(void *buf, size_t cap, const struct icmp_message *req)
{
	uint8_t *p = buf;
	size_t len;

	if (req->type != ICMP_ECHO_REQUEST || req->code != 0)
		return -E_INVAL;
	if (cap < ICMP_HEADER_LEN || req->data_len > cap - ICMP_HEADER_LEN)
		return -E_RANGE;
	len = ICMP_HEADER_LEN + req->data_len;
	/* memmove: the reply may be written over the request. */
	memmove(p + ICMP_HEADER_LEN, req->data, req->data_len);
	p[0] = ICMP_ECHO_REPLY;
	p[1] = 0;
	put_be16(p + 2, 0);
	put_be16(p + 4, req->id);
	put_be16(p + 6, req->seq);
	put_be16(p + 2, inet_checksum(p, len));
	return (int)len;
}

int
icmp_build_unreachable(void *buf, size_t cap, uint8_t code, const void *ip, size_t len)
{
	const uint8_t *q = ip;
	uint8_t *p = buf;
	size_t hl, quote;

	if (len < IPV4_HEADER_LEN || q[0] >> 4 != 4)
		return -E_CORRUPT;
	hl = (size_t)(q[0] & 0xf) * 4;
	if (hl < IPV4_HEADER_LEN || hl > len)
		return -E_CORRUPT;
	quote = hl + 8 < len ? hl + 8 : len;
	if (cap < ICMP_HEADER_LEN || quote > cap - ICMP_HEADER_LEN)
		return -E_RANGE;
	memmove(p + ICMP_HEADER_LEN, q, quote);
	p[0] = ICMP_DEST_UNREACHABLE;
	p[1] = code;
	put_be16(p + 2, 0);
	put_be32(p + 4, 0); /* unused */
	put_be16(p + 2, inet_checksum(p, ICMP_HEADER_LEN + quote));
	return (int)(ICMP_HEADER_LEN + quote);
}
