/*
 * TCP headers (RFC 9293, section 3.1) and the options this stack uses:
 * MSS (RFC 9293), window scale and timestamps (RFC 7323), SACK-permitted
 * and SACK blocks (RFC 2018).  The checksum covers the IPv4
 * pseudo-header.
 */
#ifndef NET_TCP_HEADER_H
#define NET_TCP_HEADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TCP_HEADER_LEN	   20
#define TCP_MAX_HEADER_LEN 60
#define TCP_MAX_SACK	   4 /* blocks an option can hold (3 beside timestamps) */

#define TCP_FIN		   0x01
#define TCP_SYN		   0x02
#define TCP_RST		   0x04
#define TCP_PSH		   0x08
#define TCP_ACK		   0x10
#define TCP_URG		   0x20

#define TCP_OPT_EOL	   0
#define TCP_OPT_NOP	   1
#define TCP_OPT_MSS	   2
#define TCP_OPT_WSCALE	   3
#define TCP_OPT_SACK_PERM  4
#define TCP_OPT_SACK	   5
#define TCP_OPT_TS	   8

#define TCP_WSCALE_MAX	   14 /* RFC 7323: a larger shift counts as 14 */

struct tcp_sack_block {
	uint32_t start, end; /* [start, end) */
};

struct tcp_options {
	bool has_mss, has_wscale, sack_permitted, has_ts;
	uint16_t mss;
	uint8_t wscale;
	uint32_t ts_val, ts_ecr;
	unsigned nsack;
	struct tcp_sack_block sack[TCP_MAX_SACK];
};

struct tcp_segment {
	uint16_t src_port, dst_port;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t window; /* as sent: not yet scaled */
	uint16_t urgent;
	struct tcp_options opt;
	const uint8_t *data; /* in the parsed buffer */
	size_t data_len;
};

/*
 * buf, len: the IPv4 payload; src, dst: the IPv4 addresses.  Returns 0,
 * or -E_CORRUPT when shorter than 20 bytes, when the data offset is
 * below 5 or past the buffer, when an option's length is below 2 or
 * runs past the header, when a known option has the wrong length, or
 * when the checksum is wrong.  Unknown options are skipped.
 */
int tcp_parse(const void *buf, size_t len, uint32_t src, uint32_t dst, struct tcp_segment *out);

/* The bytes the options take in a header (a multiple of 4, at most 40). */
size_t tcp_options_len(const struct tcp_options *o);

/*
 * Writes the header (with seg's options) and data_len bytes from data,
 * and the checksum.  Returns the segment's length, or -E_RANGE when it
 * exceeds cap or the options do not fit in 40 bytes.  seg->data is
 * ignored; data may already sit at its place in buf.
 */
int tcp_build(void *buf, size_t cap, uint32_t src, uint32_t dst, const struct tcp_segment *seg,
	      const void *data, size_t data_len);

#endif
