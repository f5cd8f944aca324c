/*
 * UDP datagrams (RFC 768), checksummed over the IPv4 pseudo-header.
 */
#ifndef NET_UDP_H
#define NET_UDP_H

#include <stddef.h>
#include <stdint.h>

#define UDP_HEADER_LEN 8

struct udp_datagram {
	uint16_t src_port;
	uint16_t dst_port;
	const uint8_t *data; /* in the parsed buffer */
	size_t data_len;
};

/*
 * buf, len: the IPv4 payload; src and dst: the IPv4 addresses, for the
 * pseudo-header.  -E_CORRUPT when shorter than the header, when the
 * length field is below 8 or past the buffer, or when the checksum is
 * wrong (a zero checksum means the sender computed none).  Bytes past
 * the length field are ignored.
 */
int udp_parse(const void *buf, size_t len, uint32_t src, uint32_t dst, struct udp_datagram *out);

/*
 * Writes the header at buf for data_len bytes of data already at
 * buf + 8, with the checksum.  Returns 8 + data_len, or -E_RANGE when it
 * exceeds cap or what fits in an IPv4 datagram.
 */
int udp_build(void *buf, size_t cap, uint32_t src, uint32_t dst, uint16_t src_port,
	      uint16_t dst_port, size_t data_len);

#endif
