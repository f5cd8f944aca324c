/*
 * ARP packets (RFC 826) for IPv4 over Ethernet, the only pairing
 * handled: hardware type 1, protocol 0x0800, address lengths 6 and 4.
 * IPv4 addresses are host-order integers throughout kernel/net.
 */
#ifndef NET_ARP_H
#define NET_ARP_H

#include <stddef.h>
#include <stdint.h>

#include "net/ethernet.h"

#define ARP_PACKET_LEN 28
#define ARP_OP_REQUEST 1
#define ARP_OP_REPLY   2

struct arp_packet {
	uint16_t op;
	uint8_t sha[ETH_ADDR_LEN]; /* sender hardware address */
	uint32_t spa;		   /* sender protocol address */
	uint8_t tha[ETH_ADDR_LEN]; /* target hardware address */
	uint32_t tpa;		   /* target protocol address */
};

/*
 * -E_CORRUPT when shorter than 28 bytes (trailing Ethernet padding is
 * fine) or the operation is neither request nor reply; -E_NOTSUP for
 * other hardware or protocol types.
 */
int arp_parse(const void *buf, size_t len, struct arp_packet *out);

/* Writes 28 bytes; returns ARP_PACKET_LEN or -E_RANGE. */
int arp_build(void *buf, size_t cap, const struct arp_packet *p);

#endif
