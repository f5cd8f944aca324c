/* UDP (RFC 768). */
#include "net/udp.h"

#include "lib/byteorder.h"
#include "net/checksum.h"
#include "net/ipv4.h"
#include "themelios/errno.h"

static uint16_t
udp_checksum(const uint8_t *p, size_t len, uint32_t src, uint32_t dst)
{
	struct inet_csum c;

	inet_csum_init(&c);
	inet_csum_add_pseudo(&c, src, dst, IPV4_PROTO_UDP, (uint16_t)len);
	inet_csum_add(&c, p, len);
	return inet_csum_result(&c);
}

int
udp_parse(const void *buf, size_t len, uint32_t src, uint32_t dst, struct udp_datagram *out)
{
	const uint8_t *p = buf;
	size_t ulen;

	if (len < UDP_HEADER_LEN)
		return -E_CORRUPT;
	ulen = be16(p + 4);
	if (ulen < UDP_HEADER_LEN || ulen > len)
		return -E_CORRUPT;
	if (be16(p + 6) != 0 && udp_checksum(p, ulen, src, dst) != 0)
		return -E_CORRUPT;
	out->src_port = be16(p);
	out->dst_port = be16(p + 2);
	out->data = p + UDP_HEADER_LEN;
	out->data_len = ulen - UDP_HEADER_LEN;
	return 0;
}

int
udp_build(void *buf, size_t cap, uint32_t src, uint32_t dst, uint16_t src_port, uint16_t dst_port,
	  size_t data_len)
{
	uint8_t *p = buf;
	size_t len = UDP_HEADER_LEN + data_len;
	uint16_t sum;

	if (data_len > IPV4_MAX_LEN - IPV4_HEADER_LEN - UDP_HEADER_LEN || len > cap)
		return -E_RANGE;
	put_be16(p, src_port);
	put_be16(p + 2, dst_port);
	put_be16(p + 4, (uint16_t)len);
	put_be16(p + 6, 0);
	sum = udp_checksum(p, len, src, dst);
	/* Zero on the wire means "no checksum", so a computed zero is sent
	 * as its ones' complement twin. */
	put_be16(p + 6, sum ? sum : 0xffff);
	return (int)len;
}
