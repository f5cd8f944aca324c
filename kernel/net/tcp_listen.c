/*
 * Passive opens.  A listener keeps at most backlog half-open
 * connections (SYN_RECEIVED); a SYN past that is answered with a SYN
 * cookie, which keeps no state, or dropped when cookies are off.  So a
 * SYN flood costs at most backlog connection structures, whatever its
 * rate, and a real peer still gets through (RFC 4987).  While backlog
 * complete connections wait for tcp_accept, SYNs are dropped; a
 * half-open one whose handshake completes then still joins the queue,
 * which so holds at most 2 * backlog.
 */
#include "net/tcp_internal.h"

#include "net/tcp_seq.h"
#include "themelios/errno.h"

/* A new connection from a listener, for the SYN seg. */
static struct tcp_conn *
child(struct tcp_conn *l, uint32_t src, uint32_t dst, const struct tcp_segment *seg, uint64_t now)
{
	struct tcp_stack *s = l->stack;
	struct tcp_conn *c = tcp_conn_new(s, l->owner);

	if (!c)
		return NULL;
	c->local_addr = dst;
	c->local_port = seg->dst_port;
	c->remote_addr = src;
	c->remote_port = seg->src_port;
	c->nodelay = l->nodelay;
	c->keepalive = l->keepalive;
	c->keep_idle = l->keep_idle;
	c->keep_intvl = l->keep_intvl;
	c->keep_cnt = l->keep_cnt;
	c->offer_sack = l->offer_sack;
	c->offer_ts = l->offer_ts;
	c->offer_wscale = l->offer_wscale;
	c->sndbuf_size = l->sndbuf_size;
	c->rcvbuf_size = l->rcvbuf_size;
	c->sndbuf_max = l->sndbuf_max;
	c->rcvbuf_max = l->rcvbuf_max;
	c->sndbuf_locked = l->sndbuf_locked;
	c->rcvbuf_locked = l->rcvbuf_locked;
	c->local_mss = l->local_mss;
	c->listener = l;
	c->irs = seg->seq;
	c->rcv_nxt = seg->seq + 1;
	c->rcv_adv = c->rcv_nxt;
	c->last_rcv_time = now;
	c->ts_recent_time = now;
	c->iss = tcp_isn(s, c, now, &c->ts_offset);
	c->snd_una = c->snd_nxt = c->snd_max = c->iss;
	c->snd_buf_seq = c->iss + 1;
	s->stats.conns_opened++;
	return c;
}

static void
syn_input(struct tcp_conn *l, uint32_t src, uint32_t dst, const struct tcp_segment *seg,
	  uint64_t now)
{
	struct tcp_stack *s = l->stack;
	struct tcp_conn *c;

	if (l->syn_count >= l->backlog || l->accept_count >= l->backlog) {
		uint16_t mss = seg->opt.has_mss ? seg->opt.mss : TCP_DEFAULT_MSS;
		uint32_t cookie;

		if (!s->cfg.syn_cookies || l->accept_count >= l->backlog) {
			s->stats.syn_dropped++;
			return;
		}
		if (mss > l->local_mss)
			mss = l->local_mss;
		cookie = tcp_cookie_make(s, dst, seg->dst_port, src, seg->src_port, seg->seq, mss,
					 now);
		tcp_send_synack_cookie(s, dst, src, seg, cookie, mss, l->rcvbuf_size);
		return;
	}
	c = child(l, src, dst, seg, now);
	if (!c) {
		s->stats.syn_dropped++;
		return;
	}
	tcp_apply_syn_options(c, &seg->opt);
	c->snd_wnd = seg->window; /* never scaled in a SYN */
	c->max_snd_wnd = c->snd_wnd;
	c->snd_wl1 = seg->seq;
	c->snd_wl2 = c->iss;
	tcp_cc_init(c);
	c->state = TCP_SYN_RECEIVED;
	l->syn_count++;
	tcp_table_insert(s, c);
	tcp_output(c, now);
}

/* An ACK for no connection: the third step of a handshake we answered
 * with a cookie, or nothing (then a reset). */
static void
cookie_ack_input(struct tcp_conn *l, uint32_t src, uint32_t dst, const struct tcp_segment *seg,
		 uint64_t now)
{
	struct tcp_stack *s = l->stack;
	struct tcp_conn *c;
	uint16_t mss = 0;

	if (s->cfg.syn_cookies)
		mss = tcp_cookie_check(s, dst, seg->dst_port, src, seg->src_port, seg->seq - 1,
				       seg->ack - 1, now);
	if (!mss) {
		tcp_send_rst_reply(s, src, dst, seg);
		return;
	}
	/* A good cookie while the accept queue is full: dropped, not reset
	 * (the peer believes it is connected).  Its next segment, data or
	 * a retransmission, carries the same cookie and gets in once the
	 * owner has accepted, as on Linux. */
	if (l->accept_count >= l->backlog) {
		s->stats.syn_dropped++;
		return;
	}
	/* The SYN that the cookie answered, rebuilt: seq one back. */
	{
		struct tcp_segment syn = *seg;

		syn.seq = seg->seq - 1;
		c = child(l, src, dst, &syn, now);
	}
	if (!c)
		return;
	c->iss = seg->ack - 1;
	c->snd_una = c->snd_nxt = c->snd_max = seg->ack;
	c->snd_buf_seq = seg->ack;
	c->peer_mss = mss;
	c->from_cookie = true;
	c->sack_ok = c->ts_ok = c->wscale_ok = false;
	c->snd_wscale = c->rcv_wscale = 0;
	if (c->rcvbuf_size > 0xffff)
		c->rcvbuf_size = 0xffff; /* the window cannot be scaled */
	if (c->rcvbuf_max > 0xffff)
		c->rcvbuf_max = 0xffff;
	c->snd_wnd = seg->window;
	c->max_snd_wnd = c->snd_wnd;
	c->snd_wl1 = seg->seq;
	c->snd_wl2 = seg->ack;
	tcp_cc_init(c);
	tcp_conn_buffers(c);
	s->stats.cookies_accepted++;
	c->state = TCP_SYN_RECEIVED;
	l->syn_count++;
	tcp_table_insert(s, c);
	tcp_conn_established(c, now);
	/* The rest of the segment (data, FIN) as on any connection. */
	tcp_conn_input(c, seg, now);
}

void
tcp_listen_input(struct tcp_conn *l, uint32_t src, uint32_t dst, const struct tcp_segment *seg,
		 uint64_t now)
{
	if (seg->flags & TCP_RST)
		return;
	if (seg->flags & TCP_ACK) {
		if (seg->flags & TCP_SYN)
			tcp_send_rst_reply(l->stack, src, dst, seg);
		else
			cookie_ack_input(l, src, dst, seg, now);
		return;
	}
	if (!(seg->flags & TCP_SYN))
		return;
	syn_input(l, src, dst, seg, now);
}

/* c completed its handshake: from the half-open count to the accept queue. */
void
tcp_listen_ready(struct tcp_conn *c)
{
	struct tcp_conn *l = c->listener;

	l->syn_count--;
	l->accept_count++;
	c->queue_next = NULL;
	*l->accept_tail = c;
	l->accept_tail = &c->queue_next;
	if (tcp_owned(l) && l->stack->ops->event)
		l->stack->ops->event(l->stack->ctx, l, TCP_EV_ACCEPT);
}

/* c ends before it was accepted. */
void
tcp_listen_unlink(struct tcp_conn *c)
{
	struct tcp_conn *l = c->listener, **pp;

	if (c->state == TCP_SYN_RECEIVED) {
		l->syn_count--;
		return;
	}
	for (pp = &l->accept_head; *pp; pp = &(*pp)->queue_next) {
		if (*pp == c) {
			*pp = c->queue_next;
			l->accept_count--;
			break;
		}
	}
	l->accept_tail = &l->accept_head;
	while (*l->accept_tail)
		l->accept_tail = &(*l->accept_tail)->queue_next;
	c->queue_next = NULL;
}

/* The listener closes: every connection not yet accepted is reset. */
void
tcp_listen_close(struct tcp_conn *l, uint64_t now)
{
	for (struct tcp_conn *c = l->stack->all; c; c = c->all_next) {
		if (c->listener != l || c->state == TCP_CLOSED)
			continue;
		tcp_send_rst(c, now, TCP_RST_LISTENER);
		tcp_conn_drop(c, E_CONNRESET);
	}
}
