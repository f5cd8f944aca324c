/* ARP packets for IPv4 over Ethernet (RFC 826). */
#include "net/arp.h"

#include "lib/byteorder.h"
#include "lib/string.h"
#include "themelios/errno.h"

#define ARP_HTYPE_ETHERNET 1

int
arp_parse(const void *buf, size_t len, struct arp_packet *out)
{
	const uint8_t *p = buf;

	if (len < ARP_PACKET_LEN)
		return -E_CORRUPT;
	if (be16(p) != ARP_HTYPE_ETHERNET || be16(p + 2) != ETH_TYPE_IPV4 || p[4] != ETH_ADDR_LEN ||
	    p[5] != 4)
		return -E_NOTSUP;
	out->op = be16(p + 6);
	if (out->op != ARP_OP_REQUEST && out->op != ARP_OP_REPLY)
		return -E_CORRUPT;
	memcpy(out->sha, p + 8, ETH_ADDR_LEN);
	out->spa = be32(p + 14);
	memcpy(out->tha, p + 18, ETH_ADDR_LEN);
	out->tpa = be32(p + 24);
	return 0;
}

int
arp_build(void *buf, size_t cap, const struct arp_packet *a)
{
	uint8_t *p = buf;

	if (cap < ARP_PACKET_LEN)
		return -E_RANGE;
	put_be16(p, ARP_HTYPE_ETHERNET);
	put_be16(p + 2, ETH_TYPE_IPV4);
	p[4] = ETH_ADDR_LEN;
	p[5] = 4;
	put_be16(p + 6, a->op);
	memcpy(p + 8, a->sha, ETH_ADDR_LEN);
	put_be32(p + 14, a->spa);
	memcpy(p + 18, a->tha, ETH_ADDR_LEN);
	put_be32(p + 24, a->tpa);
	return ARP_PACKET_LEN;
}
