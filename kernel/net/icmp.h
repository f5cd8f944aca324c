/*
 * ICMP messages (RFC 792): parsing with the checksum checked, an echo
 * reply built from an echo request, and a destination unreachable
 * message quoting the offending datagram's header and first 8 bytes.
 * Builders write the ICMP message only; the caller puts an IPv4 header
 * in front (ipv4_build).
 */
#ifndef NET_ICMP_H
#define NET_ICMP_H

#include <stddef.h>
#include <stdint.h>

#define ICMP_HEADER_LEN	      8
#define ICMP_ECHO_REPLY	      0
#define ICMP_DEST_UNREACHABLE 3
#define ICMP_ECHO_REQUEST     8

/* Destination unreachable codes. */
#define ICMP_UNREACH_NET      0
#define ICMP_UNREACH_HOST     1
#define ICMP_UNREACH_PROTOCOL 2
#define ICMP_UNREACH_PORT     3

struct icmp_message {
	uint8_t type;
	uint8_t code;
	uint16_t id; /* echo only: the second word's halves */
	uint16_t seq;
	const uint8_t *data; /* after the 8-byte header, in the parsed buffer */
	size_t data_len;
};

/* -E_CORRUPT for fewer than 8 bytes or a wrong checksum. */
int icmp_parse(const void *buf, size_t len, struct icmp_message *out);

/*
 * An echo reply to the parsed echo request req: same id, sequence and
 * data.  buf may be the request's own buffer.  Returns the length, or
 * -E_INVAL when req is not an echo request, -E_RANGE when cap is short.
 */
int icmp_build_echo_reply(void *buf, size_t cap, const struct icmp_message *req);

/*
 * Destination unreachable with the given code, quoting the datagram at
 * ip (len bytes, starting at its IPv4 header): the header with its
 * options and the first 8 bytes of its payload, as RFC 792 asks.
 * Returns the length; -E_CORRUPT when ip does not start with a whole
 * IPv4 header, -E_RANGE when cap is short.
 */
int icmp_build_unreachable(void *buf, size_t cap, uint8_t code, const void *ip, size_t len);

#endif
