/*
 * What to send and when (RFC 9293, section 3.8.6; RFC 1122 4.2.3.4 for
 * Nagle; RFC 7323 and 2018 for the options), and the building of every
 * segment the engine emits.
 */
#include "net/tcp_internal.h"

#include "lib/string.h"
#include "net/tcp_seq.h"
#include "themelios/errno.h"

uint32_t
tcp_ts_now(const struct tcp_conn *c, uint64_t now)
{
	return (uint32_t)(now / TCP_NS_PER_MS) + c->ts_offset;
}

/* The smallest shift that lets 16 bits say the whole buffer (at its
 * largest: the shift is fixed at the SYN, the buffer grows later). */
uint8_t
tcp_choose_wscale(uint32_t rcvbuf)
{
	uint8_t shift = 0;

	while (shift < TCP_WSCALE_MAX && (rcvbuf >> shift) > 0xffff)
		shift++;
	return shift;
}

static uint32_t
rcv_space(const struct tcp_conn *c)
{
	if (!tcp_buf_ready(&c->rcv_buf))
		return c->rcvbuf_size;
	return tcp_buf_space(&c->rcv_buf);
}

/* The receive buffer's size now (autotuning grows it). */
static uint32_t
rcv_size(const struct tcp_conn *c)
{
	return tcp_buf_ready(&c->rcv_buf) ? c->rcv_buf.cap : c->rcvbuf_size;
}

/*
 * The right edge to offer: all the free space, but never left of what
 * was offered (no shrinking, RFC 9293 3.8.6.2.2), and not moved right
 * by less than min(half the buffer, one MSS) (receiver-side silly
 * window avoidance).
 */
static uint32_t
rcv_right_edge(const struct tcp_conn *c)
{
	uint32_t right = c->rcv_nxt + rcv_space(c), step = rcv_size(c) / 2;

	if (tcp_mss(c) < step)
		step = tcp_mss(c);
	if (seq_lt(right, c->rcv_adv))
		return c->rcv_adv;
	if (right - c->rcv_adv < step)
		return c->rcv_adv;
	return right;
}

/* After the owner read: is the window worth announcing now? */
bool
tcp_window_update_due(const struct tcp_conn *c)
{
	uint32_t right = rcv_right_edge(c), grown = right - c->rcv_adv;

	if (!seq_gt(right, c->rcv_adv))
		return false;
	return c->rcv_adv == c->rcv_nxt || grown >= 2 * tcp_mss(c) || grown >= rcv_size(c) / 2;
}

static void
emit(struct tcp_stack *s, uint32_t src, uint32_t dst, const struct tcp_segment *seg,
     const void *data, size_t len)
{
	int n = tcp_build(s->scratch, sizeof(s->scratch), src, dst, seg, data, len);

	if (n < 0)
		return;
	s->stats.out_segs++;
	if (seg->flags & TCP_RST)
		s->stats.rst_sent++;
	s->ops->output(s->ctx, src, dst, s->scratch, (size_t)n);
}

/*
 * One segment of c: seq, flags, len bytes of the send buffer from seq
 * (for a SYN or a probe below snd_buf_seq, none).  Every segment but
 * the first SYN carries the ACK, the window and, as negotiated, a
 * timestamp and SACK blocks; sending it settles the ACK owed.
 */
static void
send_segment(struct tcp_conn *c, uint32_t seq, uint8_t flags, uint32_t len, uint64_t now)
{
	struct tcp_stack *s = c->stack;
	struct tcp_segment seg;
	struct tcp_options *o = &seg.opt;
	uint32_t right;
	size_t hlen;

	memset(&seg, 0, sizeof(seg));
	seg.src_port = c->local_port;
	seg.dst_port = c->remote_port;
	seg.seq = seq;
	seg.flags = flags;
	if (c->state != TCP_SYN_SENT || (flags & TCP_ACK)) {
		seg.flags |= TCP_ACK;
		seg.ack = c->rcv_nxt;
	}
	if (flags & TCP_SYN) {
		/* The window in a SYN is never scaled (RFC 7323, 2.2). */
		right = c->rcv_nxt + (rcv_space(c) > 0xffff ? 0xffff : rcv_space(c));
		seg.window = (uint16_t)(right - c->rcv_nxt);
		o->has_mss = true;
		o->mss = c->local_mss;
		if (c->state == TCP_SYN_SENT) {
			o->has_wscale = c->offer_wscale;
			o->sack_permitted = c->offer_sack;
			o->has_ts = c->offer_ts;
		} else {
			o->has_wscale = c->wscale_ok;
			o->sack_permitted = c->sack_ok;
			o->has_ts = c->ts_ok;
		}
		o->wscale = c->rcv_wscale;
	} else {
		uint32_t win = rcv_right_edge(c) - c->rcv_nxt;

		win >>= c->rcv_wscale;
		if (win > 0xffff)
			win = 0xffff;
		seg.window = (uint16_t)win;
		right = c->rcv_nxt + (win << c->rcv_wscale);
		o->has_ts = c->ts_ok;
		if (c->sack_ok && c->reass.n)
			o->nsack = tcp_reass_sack(&c->reass, o->sack, c->ts_ok ? 3 : 4);
	}
	if (o->has_ts) {
		o->ts_val = tcp_ts_now(c, now);
		o->ts_ecr = (flags & TCP_SYN) && c->state == TCP_SYN_SENT ? 0 : c->ts_recent;
	}
	if (seg.flags & TCP_ACK) {
		if (seq_gt(right, c->rcv_adv))
			c->rcv_adv = right;
		c->last_ack_sent = c->rcv_nxt;
		c->ack_now = c->ack_delayed = false;
		c->delack_deadline = 0;
		c->unacked_segs = 0;
	}
	hlen = TCP_HEADER_LEN + tcp_options_len(o);
	if (len) {
		if (len > TCP_MAX_MSS)
			len = TCP_MAX_MSS;
		tcp_buf_peek(&c->snd_buf, seq - c->snd_buf_seq, s->scratch + hlen, len);
	}
	emit(s, c->local_addr, c->remote_addr, &seg, s->scratch + hlen, len);
}

/* The options a data segment will carry, to take off the MSS. */
static uint32_t
data_options_len(const struct tcp_conn *c)
{
	uint32_t n = c->ts_ok ? 12 : 0;

	if (c->sack_ok && c->reass.n) {
		unsigned blocks =
			c->reass.n < (c->ts_ok ? 3u : 4u) ? c->reass.n : (c->ts_ok ? 3 : 4);

		n += 4 + 8 * blocks;
	}
	return n;
}

/*
 * The sequence number of a segment without data: snd_max, not snd_nxt,
 * which a timeout moved back.  The peer may hold everything up to
 * snd_max, and would find an older number outside its window, drop the
 * segment with its ACK unread and answer with an ACK of its own: two
 * such peers acknowledge each other for ever.  A probe in progress is
 * the exception: the peer's window ends at snd_nxt.
 */
static uint32_t
bare_seq(const struct tcp_conn *c)
{
	return c->persist_deadline ? c->snd_nxt : c->snd_max;
}

static bool
can_send_fin(const struct tcp_conn *c)
{
	return c->shut_wr &&
	       (c->state == TCP_FIN_WAIT_1 || c->state == TCP_CLOSING || c->state == TCP_LAST_ACK);
}

void
tcp_output(struct tcp_conn *c, uint64_t now)
{
	bool sent = false;

	switch (c->state) {
	case TCP_CLOSED:
	case TCP_LISTEN:
		return;
	case TCP_SYN_SENT:
	case TCP_SYN_RECEIVED:
		if (c->snd_nxt == c->iss) {
			if (!c->rtt_timing && c->snd_max == c->iss) {
				c->rtt_timing = true;
				c->rtt_seq = c->iss;
				c->rtt_start = now;
			}
			send_segment(c, c->iss,
				     c->state == TCP_SYN_SENT ? TCP_SYN : TCP_SYN | TCP_ACK, 0,
				     now);
			c->snd_nxt = c->iss + 1;
			c->snd_max = seq_max(c->snd_max, c->snd_nxt);
		} else if (c->ack_now) {
			send_segment(c, bare_seq(c), TCP_ACK, 0, now);
		}
		tcp_timers_arm(c, now);
		return;
	case TCP_TIME_WAIT:
		if (c->ack_now)
			send_segment(c, bare_seq(c), TCP_ACK, 0, now);
		return;
	default:
		break;
	}
	for (;;) {
		uint32_t data_end = c->snd_buf_seq + c->snd_buf.len;
		uint32_t wnd = c->snd_wnd < c->cwnd ? c->snd_wnd : c->cwnd;
		uint32_t edge = c->snd_una + wnd;
		uint32_t avail = seq_lt(c->snd_nxt, data_end) ? data_end - c->snd_nxt : 0;
		uint32_t usable = seq_gt(edge, c->snd_nxt) ? edge - c->snd_nxt : 0;
		uint32_t maxseg = tcp_mss(c) - data_options_len(c);
		uint32_t len = avail;
		bool fin, retransmit = seq_lt(c->snd_nxt, c->snd_max);
		uint8_t flags = TCP_ACK;

		if (len > usable)
			len = usable;
		if (len > maxseg)
			len = maxseg;
		fin = can_send_fin(c) && c->snd_nxt + len == data_end;
		if (len == 0 && !fin)
			break;
		/* Nagle (RFC 1122 4.2.3.4) and sender-side silly window
		 * avoidance: a short segment only when it is all there is and
		 * nothing is in flight (or no-delay), or half the peer's
		 * largest window, or a retransmission. */
		if (len && len < maxseg && !fin && !retransmit && len < c->max_snd_wnd / 2 &&
		    !(len == avail && (c->nodelay || c->snd_nxt == c->snd_una)))
			break;
		if (fin)
			flags |= TCP_FIN;
		if (len && c->snd_nxt + len == data_end)
			flags |= TCP_PSH;
		if (retransmit)
			c->stack->stats.retransmits++;
		else if (!c->rtt_timing && !c->ts_ok) {
			c->rtt_timing = true;
			c->rtt_seq = c->snd_nxt;
			c->rtt_start = now;
		}
		send_segment(c, c->snd_nxt, flags, len, now);
		c->snd_nxt += len + (fin ? 1 : 0);
		c->snd_max = seq_max(c->snd_max, c->snd_nxt);
		sent = true;
		if (fin)
			break;
	}
	if (!sent && (c->ack_now || (c->ack_delayed && tcp_window_update_due(c))))
		send_segment(c, bare_seq(c), TCP_ACK, 0, now);
	tcp_timers_arm(c, now);
}

void
tcp_send_ack(struct tcp_conn *c, uint64_t now)
{
	send_segment(c, bare_seq(c), TCP_ACK, 0, now);
}

/* RFC 5961, section 7: at most challenge_acks_per_s for the whole stack. */
void
tcp_send_challenge_ack(struct tcp_conn *c, uint64_t now)
{
	struct tcp_stack *s = c->stack;

	if (now - s->challenge_window >= TCP_NS_PER_S || now < s->challenge_window) {
		s->challenge_window = now;
		s->challenge_count = 0;
	}
	if (s->challenge_count >= s->cfg.challenge_acks_per_s) {
		s->stats.challenge_acks_limited++;
		return;
	}
	s->challenge_count++;
	s->stats.challenge_acks++;
	tcp_send_ack(c, now);
}

void
tcp_send_rst(struct tcp_conn *c, uint64_t now, enum tcp_rst_cause cause)
{
	c->stack->stats.rst_causes[cause]++;
	send_segment(c, bare_seq(c), TCP_RST | TCP_ACK, 0, now);
}

const char *
tcp_rst_cause_name(enum tcp_rst_cause cause)
{
	static const char *const names[TCP_RST_CAUSES] = {
		[TCP_RST_RETRIES] = "retries",
		[TCP_RST_PERSIST] = "persist",
		[TCP_RST_KEEPALIVE] = "keepalive",
		[TCP_RST_UNREAD] = "unread",
		[TCP_RST_AFTER_CLOSE] = "after-close",
		[TCP_RST_ABORT] = "abort",
		[TCP_RST_LISTENER] = "listener",
		[TCP_RST_ORPHAN] = "orphan",
		[TCP_RST_REPLY] = "reply",
	};

	return (unsigned)cause < TCP_RST_CAUSES ? names[cause] : "?";
}

/* The answer to a segment for no connection (RFC 9293 3.10.7.1). */
void
tcp_send_rst_reply(struct tcp_stack *s, uint32_t src, uint32_t dst, const struct tcp_segment *in)
{
	struct tcp_segment seg;

	if (in->flags & TCP_RST)
		return;
	s->stats.rst_causes[TCP_RST_REPLY]++;
	memset(&seg, 0, sizeof(seg));
	seg.src_port = in->dst_port;
	seg.dst_port = in->src_port;
	if (in->flags & TCP_ACK) {
		seg.seq = in->ack;
		seg.flags = TCP_RST;
	} else {
		seg.ack = in->seq + (uint32_t)in->data_len + (in->flags & TCP_SYN ? 1 : 0) +
			  (in->flags & TCP_FIN ? 1 : 0);
		seg.flags = TCP_RST | TCP_ACK;
	}
	emit(s, dst, src, &seg, NULL, 0);
}

/* A SYN-ACK holding a cookie: no state kept, so only the MSS option. */
void
tcp_send_synack_cookie(struct tcp_stack *s, uint32_t laddr, uint32_t raddr,
		       const struct tcp_segment *syn, uint32_t cookie, uint16_t mss,
		       uint32_t rcvbuf)
{
	struct tcp_segment seg;

	memset(&seg, 0, sizeof(seg));
	seg.src_port = syn->dst_port;
	seg.dst_port = syn->src_port;
	seg.seq = cookie;
	seg.ack = syn->seq + 1;
	seg.flags = TCP_SYN | TCP_ACK;
	seg.window = (uint16_t)(rcvbuf > 0xffff ? 0xffff : rcvbuf);
	seg.opt.has_mss = true;
	seg.opt.mss = mss;
	s->stats.cookies_sent++;
	emit(s, laddr, raddr, &seg, NULL, 0);
}

/* Fast retransmit: the first unacknowledged segment, snd_nxt untouched. */
void
tcp_retransmit_head(struct tcp_conn *c, uint64_t now)
{
	uint32_t data_end = c->snd_buf_seq + c->snd_buf.len;
	uint32_t len = seq_lt(c->snd_una, data_end) ? data_end - c->snd_una : 0;
	uint32_t maxseg = tcp_mss(c) - data_options_len(c);
	uint8_t flags = TCP_ACK;

	if (len > maxseg)
		len = maxseg;
	if (can_send_fin(c) && c->snd_una + len == data_end && seq_gt(c->snd_max, data_end))
		flags |= TCP_FIN;
	if (!len && !(flags & TCP_FIN))
		return;
	c->stack->stats.retransmits++;
	if (c->rtt_timing && seq_leq(c->snd_una, c->rtt_seq))
		c->rtt_timing = false; /* Karn: a retransmitted segment is never timed */
	send_segment(c, c->snd_una, flags, len, now);
}

/* A keepalive: one byte below snd_una, which the peer must acknowledge. */
void
tcp_send_keepalive(struct tcp_conn *c, uint64_t now)
{
	send_segment(c, c->snd_una - 1, TCP_ACK, 0, now);
}

/* A zero-window probe: the next byte, beyond the window (RFC 9293 3.8.6.1). */
void
tcp_send_window_probe(struct tcp_conn *c, uint64_t now)
{
	uint32_t data_end = c->snd_buf_seq + c->snd_buf.len;

	if (seq_lt(c->snd_una, data_end)) {
		send_segment(c, c->snd_una, TCP_ACK, 1, now);
		c->snd_max = seq_max(c->snd_max, c->snd_una + 1);
	} else if (can_send_fin(c)) {
		send_segment(c, c->snd_una, TCP_ACK | TCP_FIN, 0, now);
		c->snd_max = seq_max(c->snd_max, c->snd_una + 1);
	}
}
