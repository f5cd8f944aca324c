/*
 * IPv4 headers (RFC 791).  Parsing checks every field a receiver
 * depends on and skips options without interpreting them; building
 * writes a 20-byte header without options.
 */
#ifndef NET_IPV4_H
#define NET_IPV4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IPV4_HEADER_LEN	 20 /* without options */
#define IPV4_MAX_LEN	 65535
#define IPV4_PROTO_ICMP	 1
#define IPV4_PROTO_TCP	 6
#define IPV4_PROTO_UDP	 17
#define IPV4_DEFAULT_TTL 64

struct ipv4_header {
	uint8_t tos;
	uint16_t total_len;
	uint16_t id;
	bool dont_fragment;
	bool more_fragments;
	uint16_t frag_offset; /* in bytes (the field counts 8-byte units) */
	uint8_t ttl;
	uint8_t proto;
	uint32_t src, dst;
	size_t header_len;	/* including options */
	const uint8_t *payload; /* points into the parsed buffer */
	size_t payload_len;	/* total_len - header_len */
};

/*
 * -E_CORRUPT when the buffer is shorter than the header, the version is
 * not 4, IHL < 5, the options run past the buffer, total length is
 * below the header or past the buffer, the reserved flag is set, the
 * fragment would end past 65535 bytes or the header checksum is wrong.
 * Bytes after total length (Ethernet padding) are ignored.
 */
int ipv4_parse(const void *buf, size_t len, struct ipv4_header *out);

/*
 * Writes a 20-byte header for payload_len bytes of payload from h's
 * tos, id, dont_fragment, more_fragments, frag_offset (a multiple of
 * 8), ttl, proto, src and dst, with its checksum.  Returns 20, or
 * -E_RANGE when cap is short or the packet would exceed 65535 bytes,
 * -E_INVAL for an unaligned fragment offset.
 */
int ipv4_build(void *buf, size_t cap, const struct ipv4_header *h, size_t payload_len);

#endif
