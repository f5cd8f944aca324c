/*
 * Ethernet II frames: destination and source MAC addresses and an
 * EtherType, then the payload.  The frame check sequence is the
 * device's business and never reaches us.
 */
#ifndef NET_ETHERNET_H
#define NET_ETHERNET_H

#include <stddef.h>
#include <stdint.h>

#define ETH_ADDR_LEN   6
#define ETH_HEADER_LEN 14
#define ETH_TYPE_IPV4  0x0800
#define ETH_TYPE_ARP   0x0806
#define ETH_TYPE_VLAN  0x8100

struct eth_frame {
	uint8_t dst[ETH_ADDR_LEN];
	uint8_t src[ETH_ADDR_LEN];
	uint16_t type;
	const uint8_t *payload; /* points into the parsed buffer */
	size_t payload_len;
};

extern const uint8_t eth_broadcast[ETH_ADDR_LEN];

/*
 * -E_CORRUPT for a frame shorter than the header; -E_NOTSUP for an
 * 802.3 length field (EtherType below 0x0600) or a VLAN tag, which
 * nothing here handles.
 */
int eth_parse(const void *frame, size_t len, struct eth_frame *out);

/* Writes the 14-byte header at buf; returns its length or -E_RANGE. */
int eth_build(void *buf, size_t cap, const uint8_t dst[ETH_ADDR_LEN],
	      const uint8_t src[ETH_ADDR_LEN], uint16_t type);

#endif
