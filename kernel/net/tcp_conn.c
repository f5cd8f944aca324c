/*
 * The owner's side of TCP: opening, listening, connecting, sending,
 * receiving and closing (RFC 9293, section 3.10.1 to 3.10.6), and the
 * life of a connection's memory.
 */
#include "net/tcp_internal.h"

#include "lib/string.h"
#include "net/tcp_seq.h"
#include "themelios/errno.h"

static const char *const state_names[TCP_NSTATES] = {
	[TCP_CLOSED] = "CLOSED",	   [TCP_LISTEN] = "LISTEN",
	[TCP_SYN_SENT] = "SYN_SENT",	   [TCP_SYN_RECEIVED] = "SYN_RECEIVED",
	[TCP_ESTABLISHED] = "ESTABLISHED", [TCP_FIN_WAIT_1] = "FIN_WAIT_1",
	[TCP_FIN_WAIT_2] = "FIN_WAIT_2",   [TCP_CLOSE_WAIT] = "CLOSE_WAIT",
	[TCP_CLOSING] = "CLOSING",	   [TCP_LAST_ACK] = "LAST_ACK",
	[TCP_TIME_WAIT] = "TIME_WAIT",
};

void
tcp_stack_init(struct tcp_stack *s, const struct tcp_ops *ops, void *ctx, const uint8_t key[32])
{
	memset(s, 0, sizeof(*s));
	s->ops = ops;
	s->ctx = ctx;
	s->cfg.rto_initial = TCP_NS_PER_S;
	s->cfg.rto_min = 200 * TCP_NS_PER_MS;
	s->cfg.rto_max = 60 * TCP_NS_PER_S;
	s->cfg.delack = 40 * TCP_NS_PER_MS;
	s->cfg.msl = 30 * TCP_NS_PER_S;
	s->cfg.syn_retries = 6;
	s->cfg.synack_retries = 5;
	s->cfg.data_retries = 12;
	s->cfg.challenge_acks_per_s = 100;
	s->cfg.syn_cookies = true;
	s->cfg.sndbuf = 64 * 1024;
	s->cfg.rcvbuf = 64 * 1024;
	s->cfg.sndbuf_max = 1024 * 1024;
	s->cfg.rcvbuf_max = 1024 * 1024;
	s->cfg.mss = 1460;
	tcp_isn_init(s, key);
}

static void
conn_free(struct tcp_conn *c)
{
	tcp_buf_release(&c->snd_buf);
	tcp_buf_release(&c->rcv_buf);
	c->stack->ops->free(c->owner, c, sizeof(*c));
}

/* A connection the owner let go keeps no buffers in TIME_WAIT. */
void
tcp_conn_release_buffers(struct tcp_conn *c)
{
	tcp_buf_release(&c->snd_buf);
	tcp_buf_release(&c->rcv_buf);
	memset(&c->snd_buf, 0, sizeof(c->snd_buf));
	memset(&c->rcv_buf, 0, sizeof(c->rcv_buf));
}

void
tcp_stack_destroy(struct tcp_stack *s)
{
	struct tcp_conn *c = s->all, *next;

	for (; c; c = next) {
		next = c->all_next;
		conn_free(c);
	}
	s->all = s->listeners = NULL;
	memset(s->buckets, 0, sizeof(s->buckets));
}

struct tcp_conn *
tcp_conn_new(struct tcp_stack *s, void *owner)
{
	struct tcp_conn *c = s->ops->alloc(owner, sizeof(*c));

	if (!c)
		return NULL;
	memset(c, 0, sizeof(*c));
	c->stack = s;
	c->owner = owner;
	c->state = TCP_CLOSED;
	c->offer_sack = c->offer_ts = c->offer_wscale = true;
	c->sndbuf_size = s->cfg.sndbuf;
	c->rcvbuf_size = s->cfg.rcvbuf;
	c->sndbuf_max = s->cfg.sndbuf_max > s->cfg.sndbuf ? s->cfg.sndbuf_max : s->cfg.sndbuf;
	c->rcvbuf_max = s->cfg.rcvbuf_max > s->cfg.rcvbuf ? s->cfg.rcvbuf_max : s->cfg.rcvbuf;
	c->local_mss = s->cfg.mss;
	c->peer_mss = TCP_DEFAULT_MSS;
	c->rto = s->cfg.rto_initial;
	c->keep_idle = 7200 * TCP_NS_PER_S;
	c->keep_intvl = 75 * TCP_NS_PER_S;
	c->keep_cnt = 9;
	tcp_reass_init(&c->reass);
	c->all_next = s->all;
	s->all = c;
	return c;
}

struct tcp_conn *
tcp_open(struct tcp_stack *s, void *owner)
{
	return tcp_conn_new(s, owner);
}

/* The buffers at their initial sizes; a passive open gets them when it
 * completes.  They take memory only as they fill. */
void
tcp_conn_buffers(struct tcp_conn *c)
{
	const struct tcp_ops *ops = c->stack->ops;

	if (!tcp_buf_ready(&c->snd_buf))
		tcp_buf_init(&c->snd_buf, c->sndbuf_size, c->sndbuf_max, ops->alloc, ops->free,
			     c->owner);
	if (!tcp_buf_ready(&c->rcv_buf))
		tcp_buf_init(&c->rcv_buf, c->rcvbuf_size, c->rcvbuf_max, ops->alloc, ops->free,
			     c->owner);
}

void
tcp_event(struct tcp_conn *c, unsigned events)
{
	if (tcp_owned(c) && c->stack->ops->event)
		c->stack->ops->event(c->stack->ctx, c, events);
}

/*
 * To CLOSED: out of the table and the listener's queues, every timer
 * off.  The memory stays until the owner closes (or, when nobody holds
 * the connection, until tcp_reap), so callers may still look at c.
 */
void
tcp_conn_drop(struct tcp_conn *c, int err)
{
	if (c->state == TCP_CLOSED)
		return;
	tcp_table_remove(c->stack, c);
	if (c->listener)
		tcp_listen_unlink(c);
	c->state = TCP_CLOSED;
	c->error = err;
	c->rto_deadline = c->delack_deadline = c->persist_deadline = 0;
	c->keepalive_deadline = c->tw_deadline = 0;
	c->ack_now = c->ack_delayed = false;
	if (tcp_owned(c))
		tcp_event(c, TCP_EV_CLOSED | TCP_EV_READABLE | TCP_EV_WRITABLE);
	else
		c->stack->need_reap = true;
}

void
tcp_reap(struct tcp_stack *s)
{
	struct tcp_conn **pp = &s->all;

	if (!s->need_reap)
		return;
	s->need_reap = false;
	while (*pp) {
		struct tcp_conn *c = *pp;

		if (c->state == TCP_CLOSED && !tcp_owned(c)) {
			*pp = c->all_next;
			conn_free(c);
		} else {
			pp = &c->all_next;
		}
	}
}

/* The three-way handshake is done (either side). */
void
tcp_conn_established(struct tcp_conn *c, uint64_t now)
{
	c->state = TCP_ESTABLISHED;
	c->retries = 0;
	c->rcvq_time = now;
	c->rcvq_seq = c->rcv_nxt;
	tcp_keepalive_reset(c, now);
	if (c->shut_wr)
		c->state = TCP_FIN_WAIT_1;
	if (c->listener)
		tcp_listen_ready(c);
	else
		tcp_event(c, TCP_EV_ESTABLISHED | TCP_EV_WRITABLE);
}

int
tcp_setopt(struct tcp_conn *c, enum tcp_sockopt opt, uint64_t value)
{
	bool fresh = c->state == TCP_CLOSED && !tcp_buf_ready(&c->snd_buf);

	switch (opt) {
	case TCP_SO_NODELAY:
		c->nodelay = value != 0;
		return 0;
	case TCP_SO_KEEPALIVE:
		c->keepalive = value != 0;
		tcp_keepalive_reset(c, c->last_rcv_time);
		return 0;
	case TCP_SO_KEEPIDLE:
	case TCP_SO_KEEPINTVL:
		if (value == 0 || value > 86400)
			return -E_INVAL;
		if (opt == TCP_SO_KEEPIDLE)
			c->keep_idle = value * TCP_NS_PER_S;
		else
			c->keep_intvl = value * TCP_NS_PER_S;
		tcp_keepalive_reset(c, c->last_rcv_time);
		return 0;
	case TCP_SO_KEEPCNT:
		if (value == 0 || value > 255)
			return -E_INVAL;
		c->keep_cnt = (unsigned)value;
		return 0;
	case TCP_SO_SNDBUF:
	case TCP_SO_RCVBUF:
		if (!fresh)
			return -E_ISCONN;
		/* Below one segment nothing would move; past 1 GiB the window
		 * scale (14) cannot say it. */
		if (value < 2 * TCP_MIN_MSS || value > (1u << 30))
			return -E_INVAL;
		if (opt == TCP_SO_SNDBUF) {
			c->sndbuf_size = c->sndbuf_max = (uint32_t)value;
			c->sndbuf_locked = true;
		} else {
			c->rcvbuf_size = c->rcvbuf_max = (uint32_t)value;
			c->rcvbuf_locked = true;
		}
		return 0;
	case TCP_SO_MSS:
		if (!fresh)
			return -E_ISCONN;
		if (value < TCP_MIN_MSS || value > TCP_MAX_MSS)
			return -E_INVAL;
		c->local_mss = (uint16_t)value;
		return 0;
	case TCP_SO_SACK:
	case TCP_SO_TIMESTAMPS:
	case TCP_SO_WINDOW_SCALE:
		if (!fresh)
			return -E_ISCONN;
		if (opt == TCP_SO_SACK)
			c->offer_sack = value != 0;
		else if (opt == TCP_SO_TIMESTAMPS)
			c->offer_ts = value != 0;
		else
			c->offer_wscale = value != 0;
		return 0;
	}
	return -E_INVAL;
}

int
tcp_listen(struct tcp_conn *c, uint32_t addr, uint16_t port, unsigned backlog)
{
	struct tcp_stack *s = c->stack;

	if (c->state != TCP_CLOSED || tcp_buf_ready(&c->snd_buf) || c->error)
		return -E_ISCONN;
	if (port == 0 || backlog == 0)
		return -E_INVAL;
	for (struct tcp_conn *l = s->listeners; l; l = l->next)
		if (l->local_port == port && (l->local_addr == addr || !l->local_addr || !addr))
			return -E_ADDRINUSE;
	c->local_addr = addr;
	c->local_port = port;
	c->backlog = backlog;
	c->accept_tail = &c->accept_head;
	c->state = TCP_LISTEN;
	tcp_table_insert(s, c);
	return 0;
}

struct tcp_conn *
tcp_accept(struct tcp_conn *l, int *err)
{
	struct tcp_conn *c = l->accept_head;

	if (l->state != TCP_LISTEN) {
		*err = -E_INVAL;
		return NULL;
	}
	if (!c) {
		*err = -E_AGAIN;
		return NULL;
	}
	l->accept_head = c->queue_next;
	if (!l->accept_head)
		l->accept_tail = &l->accept_head;
	l->accept_count--;
	c->queue_next = NULL;
	c->listener = NULL;
	*err = 0;
	return c;
}

int
tcp_connect(struct tcp_conn *c, uint32_t laddr, uint16_t lport, uint32_t raddr, uint16_t rport,
	    uint64_t now)
{
	struct tcp_stack *s = c->stack;
	int err;

	if (c->state != TCP_CLOSED || tcp_buf_ready(&c->snd_buf) || c->error)
		return -E_ISCONN;
	if (!raddr || !rport)
		return -E_INVAL;
	if (!lport) {
		err = tcp_table_pick_port(s, laddr, raddr, rport);
		if (err < 0)
			return err;
		lport = (uint16_t)err;
	} else if (tcp_table_lookup(s, laddr, lport, raddr, rport)) {
		return -E_ADDRINUSE;
	}
	tcp_conn_buffers(c);
	c->local_addr = laddr;
	c->local_port = lport;
	c->remote_addr = raddr;
	c->remote_port = rport;
	c->iss = tcp_isn(s, c, now, &c->ts_offset);
	c->snd_una = c->snd_nxt = c->snd_max = c->iss;
	c->snd_buf_seq = c->iss + 1;
	c->rcv_wscale = c->offer_wscale ? tcp_choose_wscale(c->rcvbuf_max) : 0;
	c->last_rcv_time = now;
	tcp_cc_init(c);
	c->state = TCP_SYN_SENT;
	tcp_table_insert(s, c);
	s->stats.conns_opened++;
	tcp_output(c, now);
	return 0;
}

/* The owner's view of an ended connection's error. */
static long
closed_error(const struct tcp_conn *c)
{
	return c->error ? -c->error : -E_NOTCONN;
}

long
tcp_send(struct tcp_conn *c, const void *buf, size_t len, uint64_t now)
{
	uint32_t n;

	if (c->error)
		return -c->error;
	if (c->state == TCP_CLOSED || c->state == TCP_LISTEN)
		return -E_NOTCONN;
	if (c->shut_wr)
		return -E_PIPE;
	if (len == 0)
		return 0;
	n = tcp_buf_append(&c->snd_buf, buf, len > UINT32_MAX ? UINT32_MAX : (uint32_t)len);
	if (n == 0 && tcp_buf_space(&c->snd_buf)) {
		/* Room, but the owner's Memory cannot pay for it. */
		if (!c->snd_buf.len)
			return -E_NOMEM;
		tcp_snd_buf_clamp(c);
	}
	if (n == 0)
		return -E_AGAIN;
	tcp_output(c, now);
	return n;
}

long
tcp_recv(struct tcp_conn *c, void *buf, size_t len, uint64_t now)
{
	uint32_t n = c->rcv_buf.len;

	if (c->error)
		return -c->error;
	if (n == 0) {
		if (c->fin_rcvd)
			return 0;
		if (c->state == TCP_CLOSED || c->state == TCP_LISTEN)
			return closed_error(c);
		return -E_AGAIN;
	}
	if (n > len)
		n = (uint32_t)len;
	tcp_buf_peek(&c->rcv_buf, 0, buf, n);
	tcp_buf_consume(&c->rcv_buf, n);
	/* OOO data sits past len, at offsets counted from head: consume keeps
	 * them in place, since head moves by n and their offsets drop by n. */
	tcp_rcv_space_adjust(c, now);
	if (c->state != TCP_CLOSED && tcp_window_update_due(c)) {
		c->ack_now = true;
		tcp_output(c, now);
	}
	return n;
}

int
tcp_shutdown(struct tcp_conn *c, uint64_t now)
{
	switch (c->state) {
	case TCP_CLOSED:
	case TCP_LISTEN:
		return (int)closed_error(c);
	case TCP_ESTABLISHED:
		c->state = TCP_FIN_WAIT_1;
		break;
	case TCP_CLOSE_WAIT:
		c->state = TCP_LAST_ACK;
		break;
	default:
		break; /* SYN states: the FIN follows the handshake */
	}
	c->shut_wr = true;
	tcp_output(c, now);
	return 0;
}

void
tcp_close(struct tcp_conn *c, uint64_t now)
{
	struct tcp_stack *s = c->stack;

	switch (c->state) {
	case TCP_LISTEN:
		tcp_listen_close(c, now);
		tcp_table_remove(s, c);
		c->state = TCP_CLOSED;
		break;
	case TCP_CLOSED:
		break;
	case TCP_SYN_SENT:
		tcp_conn_drop(c, 0);
		break;
	default:
		/* Unread data would be lost unannounced: say so with a reset. */
		if (c->rcv_buf.len) {
			tcp_send_rst(c, now, TCP_RST_UNREAD);
			tcp_conn_drop(c, 0);
		} else {
			tcp_shutdown(c, now);
		}
		break;
	}
	c->user_closed = true;
	s->need_reap = true;
	if (c->state == TCP_TIME_WAIT)
		tcp_conn_release_buffers(c);
	tcp_timers_arm(c, now);
	tcp_reap(s);
}

void
tcp_abort(struct tcp_conn *c, uint64_t now)
{
	if (c->state == TCP_LISTEN) {
		tcp_close(c, now);
		return;
	}
	if (c->state != TCP_CLOSED && c->state != TCP_SYN_SENT && c->state != TCP_TIME_WAIT)
		tcp_send_rst(c, now, TCP_RST_ABORT);
	tcp_conn_drop(c, 0);
	c->user_closed = true;
	c->stack->need_reap = true;
	tcp_reap(c->stack);
}

enum tcp_state
tcp_state(const struct tcp_conn *c)
{
	return c->state;
}

const char *
tcp_state_name(enum tcp_state st)
{
	return (unsigned)st < TCP_NSTATES ? state_names[st] : "?";
}

int
tcp_error(const struct tcp_conn *c)
{
	return -c->error;
}

void *
tcp_owner(const struct tcp_conn *c)
{
	return c->owner;
}

size_t
tcp_readable(const struct tcp_conn *c)
{
	return c->rcv_buf.len;
}

size_t
tcp_writable(const struct tcp_conn *c)
{
	if (c->shut_wr || c->state == TCP_CLOSED || c->state == TCP_LISTEN)
		return 0;
	return tcp_buf_space(&c->snd_buf);
}
