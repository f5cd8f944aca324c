/*
 * Buffer sizes that follow the connection (the idea of Linux's
 * tcp_rcv_space_adjust, "dynamic right-sizing", and tcp_sndbuf_expand).
 * A buffer starts at its initial size and grows up to its limit: the
 * receive buffer when the owner read, in one round trip, more than
 * half of it (the window, not the owner, held the transfer back); the
 * send buffer with the congestion window.  Growth costs nothing until
 * bytes fill the buffer (tcp_buf.c allocates as they arrive); when the
 * owner's Memory cannot pay, the buffer stops growing.  A size the
 * owner set (TCP_SO_SNDBUF, TCP_SO_RCVBUF) is never changed.
 */
#include "net/tcp_internal.h"

static uint32_t
min32(uint64_t a, uint32_t b)
{
	return a < b ? (uint32_t)a : b;
}

/* After the owner read: measure a round and grow the window if the
 * owner read more than the last rounds. */
void
tcp_rcv_space_adjust(struct tcp_conn *c, uint64_t now)
{
	uint32_t copied_seq = c->rcv_nxt - c->rcv_buf.len, copied;
	uint64_t rtt = c->srtt ? c->srtt : c->stack->cfg.rto_min;

	if (c->rcvbuf_locked || !tcp_buf_ready(&c->rcv_buf))
		return;
	if (rtt < TCP_NS_PER_MS)
		rtt = TCP_NS_PER_MS; /* below that, the clock's noise */
	if (now - c->rcvq_time < rtt)
		return;
	copied = copied_seq - c->rcvq_seq;
	if (copied > c->rcvq_space) {
		/* Twice a round's worth, so the window stays ahead of the
		 * sender's slow start, and a few segments of slack. */
		uint32_t want = min32(2ull * copied + 4ull * tcp_mss(c), c->rcvbuf_max);

		c->rcvq_space = copied;
		if (want > c->rcv_buf.cap) {
			tcp_buf_resize(&c->rcv_buf, want);
			c->stack->stats.rcv_grown++;
		}
	}
	c->rcvq_seq = copied_seq;
	c->rcvq_time = now;
}

/* A segment the receive buffer could not store: it is dropped (the
 * peer sends it again) and the window grows no further. */
void
tcp_rcv_buf_nomem(struct tcp_conn *c)
{
	c->stack->stats.mem_drops++;
	if (c->rcvbuf_max > c->rcv_buf.cap)
		c->rcvbuf_max = c->rcv_buf.cap;
}

/* After an ACK: room for two congestion windows, so the sender never
 * waits on the buffer while the network could take more.  true when
 * the buffer had been full and now has room. */
bool
tcp_snd_buf_expand(struct tcp_conn *c)
{
	uint32_t want, was_full;

	if (c->sndbuf_locked || !tcp_buf_ready(&c->snd_buf))
		return false;
	want = min32(2ull * c->cwnd, c->sndbuf_max);
	if (want < c->sndbuf_size)
		want = c->sndbuf_size;
	if (want <= c->snd_buf.cap)
		return false;
	was_full = tcp_buf_space(&c->snd_buf) == 0;
	tcp_buf_resize(&c->snd_buf, want);
	return was_full && tcp_buf_space(&c->snd_buf);
}

/* The send buffer could not take bytes it had room for: its size comes
 * down to what it holds, so the owner waits for ACKs to free memory
 * instead of being told there is room.  The next ACK may try again. */
void
tcp_snd_buf_clamp(struct tcp_conn *c)
{
	tcp_buf_resize(&c->snd_buf, c->snd_buf.len);
}
