/*
 * Segment arrival (RFC 9293, section 3.10.7), with RFC 5961's defences
 * against blind resets, SYNs and ACKs, RFC 7323's PAWS, and the
 * receiving half of data transfer: in-order data into the receive
 * ring, early data to its place in it (tcp_reass.c), delayed ACKs.
 */
#include "net/tcp_internal.h"

#include "net/tcp_seq.h"
#include "themelios/errno.h"

#define PAWS_IDLE_LIMIT (24ull * 86400 * TCP_NS_PER_S) /* RFC 7323 5.5 */

static uint32_t
rcv_space(const struct tcp_conn *c)
{
	return tcp_buf_ready(&c->rcv_buf) ? tcp_buf_space(&c->rcv_buf) : c->rcvbuf_size;
}

void
tcp_apply_syn_options(struct tcp_conn *c, const struct tcp_options *o)
{
	c->peer_mss = o->has_mss && o->mss ? o->mss : TCP_DEFAULT_MSS;
	c->wscale_ok = c->offer_wscale && o->has_wscale;
	c->snd_wscale = c->wscale_ok ? o->wscale : 0;
	c->rcv_wscale = c->wscale_ok ? tcp_choose_wscale(c->rcvbuf_max) : 0;
	c->sack_ok = c->offer_sack && o->sack_permitted;
	c->ts_ok = c->offer_ts && o->has_ts;
	if (c->ts_ok)
		c->ts_recent = o->ts_val;
}

/* RFC 9293 3.10.7.4, first check; a shut window still takes a segment at
 * rcv_nxt, for its ACK and RST (its data is trimmed away later).  An old
 * segment that ends at rcv_nxt passes too (as in Linux), for its ACK: a
 * FIN sent again often carries the ACK of ours, and without it a
 * simultaneous close sat in CLOSING, buffers held, until our FIN was
 * sent again. */
static bool
acceptable(const struct tcp_conn *c, uint32_t seq, uint32_t seglen)
{
	uint32_t wnd = rcv_space(c), end = c->rcv_nxt + wnd;

	if (seglen && seq + seglen == c->rcv_nxt)
		return true;
	if (wnd == 0)
		return seq == c->rcv_nxt;
	if (seglen == 0)
		return seq_in(seq, c->rcv_nxt, end);
	return seq_in(seq, c->rcv_nxt, end) || seq_in(seq + seglen - 1, c->rcv_nxt, end);
}

static void
enter_time_wait(struct tcp_conn *c, uint64_t now)
{
	c->state = TCP_TIME_WAIT;
	c->rto_deadline = c->persist_deadline = c->keepalive_deadline = 0;
	c->delack_deadline = 0;
	c->tw_deadline = now + 2 * c->stack->cfg.msl;
	if (c->user_closed)
		tcp_conn_release_buffers(c);
}

static void
rtt_from_ack(struct tcp_conn *c, const struct tcp_segment *seg, uint64_t now)
{
	if (c->ts_ok && seg->opt.has_ts && seg->opt.ts_ecr) {
		uint32_t ms = tcp_ts_now(c, now) - seg->opt.ts_ecr;

		if (ms < 0x80000000u) /* an echo from the future is a forgery */
			tcp_rtt_sample(c, (uint64_t)ms * TCP_NS_PER_MS);
	} else if (c->rtt_timing && seq_gt(seg->ack, c->rtt_seq)) {
		tcp_rtt_sample(c, now - c->rtt_start);
	}
	if (c->rtt_timing && seq_gt(seg->ack, c->rtt_seq))
		c->rtt_timing = false;
}

/* The peer's FIN at rcv_nxt. */
static void
fin_input(struct tcp_conn *c, uint64_t now)
{
	c->rcv_nxt++;
	c->fin_rcvd = true;
	c->ack_now = true;
	switch (c->state) {
	case TCP_SYN_RECEIVED:
	case TCP_ESTABLISHED:
		c->state = TCP_CLOSE_WAIT;
		break;
	case TCP_FIN_WAIT_1:
		c->state = TCP_CLOSING;
		break;
	case TCP_FIN_WAIT_2:
		enter_time_wait(c, now);
		break;
	default:
		break;
	}
	tcp_event(c, TCP_EV_READABLE);
}

/* Steps six to eight: the data and the FIN, trimmed to the window. */
static void
data_input(struct tcp_conn *c, const struct tcp_segment *seg, uint64_t now)
{
	uint32_t seq = seg->seq, n = (uint32_t)seg->data_len, right;
	const uint8_t *data = seg->data;
	bool fin = seg->flags & TCP_FIN;

	if (!n && !fin)
		return;
	if (c->state != TCP_ESTABLISHED && c->state != TCP_FIN_WAIT_1 &&
	    c->state != TCP_FIN_WAIT_2) {
		c->ack_now = true; /* the peer's FIN is in: nothing more can be */
		return;
	}
	if (seq_lt(seq, c->rcv_nxt)) {
		uint32_t skip = c->rcv_nxt - seq;

		if (skip >= n) {
			if (fin && seq_lt(seq + n, c->rcv_nxt))
				fin = false;
			data += n;
			n = 0;
		} else {
			data += skip;
			n -= skip;
		}
		seq = c->rcv_nxt;
	}
	right = c->rcv_nxt + rcv_space(c);
	if (seq_gt(seq + n, right)) {
		n = seq_lt(seq, right) ? right - seq : 0;
		fin = false;
	}
	if (n && c->user_closed) {
		/* Nobody will read it: tell the peer (as RFC 9293 3.10.4 lets). */
		tcp_send_rst(c, now, TCP_RST_AFTER_CLOSE);
		tcp_conn_drop(c, 0);
		return;
	}
	if (seq != c->rcv_nxt) {
		/* Early: to its place in the ring, remembered as a range. */
		if (n) {
			uint32_t off = c->rcv_buf.len + (seq - c->rcv_nxt);

			/* Stored first: a range is remembered only with its bytes. */
			if (tcp_buf_place(&c->rcv_buf, off, data, n) < 0)
				tcp_rcv_buf_nomem(c);
			else
				tcp_reass_add(&c->reass, seq, seq + n);
			c->stack->stats.ooo_segs++;
		}
		c->ack_now = true; /* a duplicate ACK, with SACK blocks */
		return;
	}
	if (n) {
		bool filled = c->reass.n > 0;
		uint32_t next;

		if (tcp_buf_place(&c->rcv_buf, c->rcv_buf.len, data, n) < 0) {
			/* The Memory cannot pay: as if lost; the peer sends it again. */
			tcp_rcv_buf_nomem(c);
			return;
		}
		c->rcv_buf.len += n;
		c->rcv_nxt += n;
		next = tcp_reass_advance(&c->reass, c->rcv_nxt);
		if (next != c->rcv_nxt) {
			c->rcv_buf.len += next - c->rcv_nxt;
			c->rcv_nxt = next;
			fin = false; /* past a FIN: the peer contradicts itself */
		}
		if (filled) {
			c->ack_now = true; /* RFC 5681 4.2: a hole filled */
		} else if (++c->unacked_segs >= 2) {
			c->ack_now = true;
		} else {
			c->ack_delayed = true;
			if (!c->delack_deadline)
				c->delack_deadline = now + c->stack->cfg.delack;
		}
		tcp_event(c, TCP_EV_READABLE);
	}
	if (fin)
		fin_input(c, now);
	else if (!n)
		c->ack_now = true;
}

/* The ACK field in a synchronized state (step five).  false: drop. */
static bool
ack_input(struct tcp_conn *c, const struct tcp_segment *seg, uint64_t now)
{
	uint32_t ack = seg->ack, win = (uint32_t)seg->window << c->snd_wscale;
	uint32_t data_end = c->snd_buf_seq + c->snd_buf.len;
	bool dup, fin_acked = false;

	if (seq_gt(ack, c->snd_max) || seq_lt(ack, c->snd_una - c->max_snd_wnd)) {
		tcp_send_challenge_ack(c, now); /* RFC 5961 5.2 */
		return false;
	}
	/* RFC 5681's duplicate, but never with a shut window: the answer to
	 * a zero-window probe says the peer has no room, not that a segment
	 * was lost, and three of them made a fast retransmission into the
	 * shut window and shrank the congestion window. */
	dup = ack == c->snd_una && !seg->data_len && !(seg->flags & (TCP_SYN | TCP_FIN)) &&
	      win == c->snd_wnd && win != 0 && c->snd_max != c->snd_una;
	if (seq_lt(c->snd_wl1, seg->seq) || (c->snd_wl1 == seg->seq && seq_leq(c->snd_wl2, ack))) {
		c->snd_wnd = win;
		c->snd_wl1 = seg->seq;
		c->snd_wl2 = ack;
		if (win > c->max_snd_wnd)
			c->max_snd_wnd = win;
	}
	if (c->persist_deadline)
		c->retries = 0; /* the peer answers its probes: it is alive */
	if (seq_gt(ack, c->snd_una)) {
		uint32_t acked = ack - c->snd_una, bytes = 0;

		rtt_from_ack(c, seg, now);
		if (seq_gt(ack, c->snd_buf_seq)) {
			bytes = ack - c->snd_buf_seq;
			if (bytes > c->snd_buf.len)
				bytes = c->snd_buf.len;
			tcp_buf_consume(&c->snd_buf, bytes);
			c->snd_buf_seq += bytes;
		}
		fin_acked = c->shut_wr && seq_gt(ack, data_end);
		c->snd_una = ack;
		if (seq_lt(c->snd_nxt, c->snd_una))
			c->snd_nxt = c->snd_una;
		c->retries = 0;
		tcp_cc_ack(c, acked, now);
		c->rto_deadline = c->snd_una == c->snd_max ? 0 : now + c->rto;
		if (tcp_snd_buf_expand(c))
			bytes = 1;
		if (bytes && !c->shut_wr)
			tcp_event(c, TCP_EV_WRITABLE);
	} else if (dup) {
		tcp_cc_dupack(c, now);
	}
	if (!fin_acked)
		return true;
	switch (c->state) {
	case TCP_FIN_WAIT_1:
		c->state = TCP_FIN_WAIT_2;
		break;
	case TCP_CLOSING:
		enter_time_wait(c, now);
		break;
	case TCP_LAST_ACK:
		tcp_conn_drop(c, 0);
		return false;
	default:
		break;
	}
	return true;
}

static void
syn_sent_input(struct tcp_conn *c, const struct tcp_segment *seg, uint64_t now)
{
	bool has_ack = seg->flags & TCP_ACK;

	if (has_ack && (seq_leq(seg->ack, c->iss) || seq_gt(seg->ack, c->snd_max))) {
		tcp_send_rst_reply(c->stack, c->remote_addr, c->local_addr, seg);
		return;
	}
	if (seg->flags & TCP_RST) {
		if (has_ack)
			tcp_conn_drop(c, E_CONNREFUSED);
		return;
	}
	if (!(seg->flags & TCP_SYN))
		return;
	c->irs = seg->seq;
	c->rcv_nxt = seg->seq + 1;
	c->rcv_adv = c->rcv_nxt;
	tcp_apply_syn_options(c, &seg->opt);
	c->ts_recent_time = now;
	c->snd_wnd = seg->window;
	c->max_snd_wnd = c->snd_wnd;
	c->snd_wl1 = seg->seq;
	c->snd_wl2 = seg->ack;
	tcp_keepalive_reset(c, now);
	if (!has_ack) {
		/* Simultaneous open: answer with SYN-ACK, same ISN. */
		c->state = TCP_SYN_RECEIVED;
		c->snd_nxt = c->iss;
		c->rto_deadline = 0;
		tcp_output(c, now);
		return;
	}
	rtt_from_ack(c, seg, now);
	c->snd_una = seg->ack;
	c->rto_deadline = 0;
	c->retries = 0;
	tcp_cc_init(c);
	tcp_conn_established(c, now);
	c->ack_now = true;
	if (seg->data_len || (seg->flags & TCP_FIN)) {
		struct tcp_segment rest = *seg;

		rest.seq++;
		rest.flags &= (uint8_t)~TCP_SYN;
		data_input(c, &rest, now);
	}
	tcp_output(c, now);
}

static void
time_wait_input(struct tcp_conn *c, const struct tcp_segment *seg, uint64_t now)
{
	struct tcp_stack *s = c->stack;

	if (seg->flags & TCP_RST)
		return; /* RFC 1337: no assassination of TIME_WAIT */
	if ((seg->flags & TCP_SYN) && !(seg->flags & TCP_ACK)) {
		/* A new incarnation may start past the old one (RFC 9293
		 * 3.6.1, RFC 6191 with timestamps). */
		bool newer = seq_gt(seg->seq, c->rcv_nxt) ||
			     (c->ts_ok && seg->opt.has_ts && seq_gt(seg->opt.ts_val, c->ts_recent));
		struct tcp_conn *l = tcp_table_listener(s, c->local_addr, c->local_port);

		if (newer && l) {
			uint32_t src = c->remote_addr, dst = c->local_addr;

			tcp_conn_drop(c, 0);
			tcp_listen_input(l, src, dst, seg, now);
			return;
		}
		tcp_send_challenge_ack(c, now);
		return;
	}
	if (seg->flags & TCP_FIN)
		c->tw_deadline = now + 2 * s->cfg.msl; /* the peer missed our ACK */
	if (seg->data_len || (seg->flags & TCP_FIN)) {
		c->ack_now = true;
		tcp_output(c, now);
	}
}

void
tcp_conn_input(struct tcp_conn *c, const struct tcp_segment *in, uint64_t now)
{
	struct tcp_segment seg = *in;
	uint32_t seglen;

	switch (c->state) {
	case TCP_SYN_SENT:
		syn_sent_input(c, &seg, now);
		return;
	case TCP_TIME_WAIT:
		time_wait_input(c, &seg, now);
		return;
	case TCP_CLOSED:
	case TCP_LISTEN:
		return;
	default:
		break;
	}
	if (c->state == TCP_SYN_RECEIVED && (seg.flags & TCP_SYN) && seg.seq == c->irs &&
	    !(seg.flags & TCP_RST)) {
		if (!(seg.flags & TCP_ACK)) {
			c->snd_nxt = c->iss; /* the SYN again: so is our SYN-ACK */
			tcp_output(c, now);
			return;
		}
		/* Simultaneous open: the peer's SYN-ACK counts as its ACK. */
		seg.seq++;
		seg.flags &= (uint8_t)~TCP_SYN;
	}
	seglen = (uint32_t)seg.data_len + (seg.flags & TCP_SYN ? 1 : 0) +
		 (seg.flags & TCP_FIN ? 1 : 0);
	if (c->ts_ok && !(seg.flags & TCP_RST)) {
		if (!seg.opt.has_ts)
			return; /* RFC 7323 3.2 */
		if (seq_lt(seg.opt.ts_val, c->ts_recent) &&
		    now - c->ts_recent_time < PAWS_IDLE_LIMIT) {
			c->stack->stats.paws_drops++;
			tcp_send_ack(c, now);
			return;
		}
	}
	if (!acceptable(c, seg.seq, seglen)) {
		if (!(seg.flags & TCP_RST))
			tcp_send_ack(c, now);
		return;
	}
	if (seg.flags & TCP_RST) {
		/* RFC 5961 3.2: only an exact hit resets, the rest of the
		 * window earns a challenge. */
		if (seg.seq != c->rcv_nxt) {
			tcp_send_challenge_ack(c, now);
			return;
		}
		if (c->state == TCP_SYN_RECEIVED)
			tcp_conn_drop(c, c->listener ? 0 : E_CONNREFUSED);
		else if (c->state == TCP_CLOSING || c->state == TCP_LAST_ACK)
			tcp_conn_drop(c, 0);
		else
			tcp_conn_drop(c, E_CONNRESET);
		return;
	}
	if (seg.flags & TCP_SYN) {
		tcp_send_challenge_ack(c, now); /* RFC 5961 4.2 */
		return;
	}
	if (!(seg.flags & TCP_ACK))
		return;
	if (c->ts_ok && seq_geq(seg.opt.ts_val, c->ts_recent) &&
	    seq_leq(seg.seq, c->last_ack_sent)) {
		c->ts_recent = seg.opt.ts_val;
		c->ts_recent_time = now;
	}
	tcp_keepalive_reset(c, now);
	if (c->state == TCP_SYN_RECEIVED) {
		if (!seq_gt(seg.ack, c->snd_una) || seq_gt(seg.ack, c->snd_max)) {
			tcp_send_rst_reply(c->stack, c->remote_addr, c->local_addr, &seg);
			return;
		}
		/* A full accept queue takes it anyway: it was counted among
		 * the half-open ones, so the listener still holds at most
		 * 2 * backlog, and new SYNs wait while the queue is full.
		 * Dropping the ACK loses the data behind it, and a peer
		 * that thinks itself connected may not send it again soon
		 * (QEMU's slirp did not, for 150 s). */
		tcp_conn_buffers(c);
		/* Our SYN is acknowledged; it is no data, so no window growth. */
		rtt_from_ack(c, &seg, now);
		c->snd_una = c->iss + 1;
		c->snd_nxt = seq_max(c->snd_nxt, c->snd_una);
		c->rto_deadline = 0;
		c->snd_wnd = (uint32_t)seg.window << c->snd_wscale;
		c->max_snd_wnd = c->snd_wnd;
		c->snd_wl1 = seg.seq;
		c->snd_wl2 = seg.ack;
		tcp_conn_established(c, now);
	}
	if (!ack_input(c, &seg, now))
		return;
	data_input(c, &seg, now);
	if (c->state != TCP_CLOSED)
		tcp_output(c, now);
}

int
tcp_input(struct tcp_stack *s, uint32_t src, uint32_t dst, const void *buf, size_t len,
	  uint64_t now)
{
	struct tcp_segment seg;
	struct tcp_conn *c;

	s->stats.in_segs++;
	if (tcp_parse(buf, len, src, dst, &seg) < 0 || !seg.src_port || !seg.dst_port) {
		s->stats.bad_segs++;
		return -E_CORRUPT;
	}
	c = tcp_table_lookup(s, dst, seg.dst_port, src, seg.src_port);
	if (c) {
		tcp_conn_input(c, &seg, now);
	} else {
		struct tcp_conn *l = tcp_table_listener(s, dst, seg.dst_port);

		if (l)
			tcp_listen_input(l, src, dst, &seg, now);
		else
			tcp_send_rst_reply(s, src, dst, &seg);
	}
	tcp_reap(s);
	return 0;
}
