/*
 * The Internet checksum (RFC 1071): the ones' complement of the ones'
 * complement sum of the data taken as big-endian 16-bit words.  IPv4,
 * ICMP, UDP and TCP all use it.  A sum can run over several buffers of
 * any lengths (an odd byte at the end of one pairs with the first byte
 * of the next), so a header, a pseudo-header and a payload need not be
 * contiguous.
 */
#ifndef NET_CHECKSUM_H
#define NET_CHECKSUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct inet_csum {
	uint64_t sum; /* folded only at the end; carries out of bit 63 added back */
	bool odd;     /* the last byte added was the high half of a word */
};

void inet_csum_init(struct inet_csum *c);
void inet_csum_add(struct inet_csum *c, const void *data, size_t len);

/*
 * The UDP/TCP pseudo-header: source and destination addresses, the
 * protocol number and the length of the UDP/TCP header plus data.
 */
void inet_csum_add_pseudo(struct inet_csum *c, uint32_t src, uint32_t dst, uint8_t proto,
			  uint16_t len);

/*
 * The checksum field's value (to be written big-endian): the complement
 * of the folded sum.  Over data that already holds a correct checksum
 * it is 0.
 */
uint16_t inet_csum_result(const struct inet_csum *c);

/* One buffer, start to end. */
uint16_t inet_checksum(const void *data, size_t len);

#endif
