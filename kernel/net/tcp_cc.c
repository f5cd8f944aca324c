/*
 * Congestion control: slow start and congestion avoidance (RFC 5681),
 * fast retransmit and NewReno fast recovery (RFC 6582).  cwnd and
 * ssthresh are in bytes.
 */
#include "net/tcp_internal.h"

#include "net/tcp_seq.h"

static uint32_t
flight_half(const struct tcp_conn *c)
{
	uint32_t half = (c->snd_max - c->snd_una) / 2, floor = 2 * tcp_mss(c);

	return half > floor ? half : floor;
}

/* RFC 5681 3.1: an initial window of 2 to 4 segments by MSS, unless set. */
void
tcp_cc_init(struct tcp_conn *c)
{
	uint32_t mss = tcp_mss(c);
	unsigned iw = c->stack->cfg.initial_window;

	if (!iw)
		iw = mss > 2190 ? 2 : mss > 1095 ? 3 : 4;
	c->cwnd = iw * mss;
	c->ssthresh = UINT32_MAX / 2;
	c->recover = c->iss;
	c->dupacks = 0;
	c->in_recovery = false;
}

/* A new cumulative ACK for acked bytes; snd_una has moved already. */
void
tcp_cc_ack(struct tcp_conn *c, uint32_t acked, uint64_t now)
{
	uint32_t mss = tcp_mss(c);

	if (c->in_recovery) {
		if (seq_geq(c->snd_una, c->recover)) {
			/* Full acknowledgment (RFC 6582 3.2 step 3): deflate. */
			uint32_t flight = c->snd_max - c->snd_una;

			c->cwnd = c->ssthresh < (flight > mss ? flight : mss) + mss
					  ? c->ssthresh
					  : (flight > mss ? flight : mss) + mss;
			c->in_recovery = false;
			c->dupacks = 0;
			return;
		}
		/* Partial: the next hole goes out now, the window deflates
		 * by what was acknowledged and grows by one segment. */
		tcp_retransmit_head(c, now);
		c->cwnd = acked < c->cwnd ? c->cwnd - acked : mss;
		if (acked >= mss)
			c->cwnd += mss;
		c->rto_deadline = now + c->rto;
		return;
	}
	c->dupacks = 0;
	if (c->cwnd < c->ssthresh) {
		c->cwnd += acked < mss ? acked : mss;
	} else {
		uint32_t inc = mss * mss / c->cwnd;

		c->cwnd += inc ? inc : 1;
	}
	if (c->cwnd > (1u << 30))
		c->cwnd = 1u << 30;
}

/* A duplicate ACK (RFC 5681 section 2's definition; the caller checks). */
void
tcp_cc_dupack(struct tcp_conn *c, uint64_t now)
{
	uint32_t mss = tcp_mss(c);

	c->dupacks++;
	if (c->in_recovery) {
		c->cwnd += mss;
		tcp_output(c, now);
		return;
	}
	/* After a timeout, duplicates of the old flight are no news (6582
	 * step 2: recover guards against a second reduction). */
	if (c->dupacks != 3 || !seq_geq(c->snd_una, c->recover))
		return;
	c->ssthresh = flight_half(c);
	c->recover = c->snd_max;
	c->in_recovery = true;
	tcp_retransmit_head(c, now);
	c->cwnd = c->ssthresh + 3 * mss;
	tcp_output(c, now);
}

/* RFC 5681 (4), RFC 6298 5.5: the window to one segment. */
void
tcp_cc_timeout(struct tcp_conn *c)
{
	if (c->retries <= 1)
		c->ssthresh = flight_half(c);
	c->cwnd = tcp_mss(c);
	c->in_recovery = false;
	c->dupacks = 0;
	c->recover = c->snd_max;
}
