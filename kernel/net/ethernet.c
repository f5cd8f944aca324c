/* Ethernet II headers. */
#include "net/ethernet.h"

#include "lib/byteorder.h"
#include "lib/string.h"
#include "themelios/errno.h"

const uint8_t eth_broadcast[ETH_ADDR_LEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

int
eth_parse(const void *frame, size_t len, struct eth_frame *out)
{
	const uint8_t *p = frame;

	if (len < ETH_HEADER_LEN)
		return -E_CORRUPT;
	memcpy(out->dst, p, ETH_ADDR_LEN);
	memcpy(out->src, p + 6, ETH_ADDR_LEN);
	out->type = be16(p + 12);
	/* Below 0x0600 the field is an 802.3 length, not a type. */
	if (out->type < 0x0600 || out->type == ETH_TYPE_VLAN)
		return -E_NOTSUP;
	out->payload = p + ETH_HEADER_LEN;
	out->payload_len = len - ETH_HEADER_LEN;
	return 0;
}

int
eth_build(void *buf, size_t cap, const uint8_t dst[ETH_ADDR_LEN], const uint8_t src[ETH_ADDR_LEN],
	  uint16_t type)
{
	uint8_t *p = buf;

	if (cap < ETH_HEADER_LEN)
		return -E_RANGE;
	memcpy(p, dst, ETH_ADDR_LEN);
	memcpy(p + 6, src, ETH_ADDR_LEN);
	put_be16(p + 12, type);
	return ETH_HEADER_LEN;
}
