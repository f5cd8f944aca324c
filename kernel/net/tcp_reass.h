/*
 * The out-of-order queue (RFC 9293, section 3.10.7.4) and the SACK
 * blocks it yields (RFC 2018).  Early data is stored straight into the
 * receive ring at its place (it is inside the advertised window, which
 * never exceeds the ring's free space), so the queue itself is only a
 * fixed array of at most TCP_REASS_MAX disjoint ranges: its memory is
 * bounded by construction, whatever the peer sends.
 */
#ifndef NET_TCP_REASS_H
#define NET_TCP_REASS_H

#include <stdint.h>

#include "net/tcp_header.h"

#define TCP_REASS_MAX 8

struct tcp_reass {
	unsigned n;
	uint32_t clock; /* stamps each range when it last grew */
	struct {
		uint32_t start, end; /* sequence numbers, [start, end) */
		uint32_t stamp;
	} r[TCP_REASS_MAX]; /* sorted, disjoint, not touching */
};

static inline void
tcp_reass_init(struct tcp_reass *q)
{
	q->n = 0;
	q->clock = 0;
}

/*
 * Records [start, end), all after rcv_nxt, merging with the ranges it
 * touches.  0, or -E_NOMEM when it would make a range too many (the
 * caller then forgets the data: a retransmission brings it back).
 */
int tcp_reass_add(struct tcp_reass *q, uint32_t start, uint32_t end);

/*
 * rcv_nxt has moved to rcv_nxt: drops the ranges wholly before it and
 * returns the new rcv_nxt, past a range that starts at or before it.
 */
uint32_t tcp_reass_advance(struct tcp_reass *q, uint32_t rcv_nxt);

/*
 * Up to max SACK blocks: the most recently grown range first, then the
 * others, most recent first (RFC 2018, section 4).  Returns the count.
 */
unsigned tcp_reass_sack(const struct tcp_reass *q, struct tcp_sack_block *out, unsigned max);

#endif
