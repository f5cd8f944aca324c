/*
 * Timers as deadlines on the caller's clock: retransmission (RFC 6298,
 * with Karn's rule and exponential backoff), delayed ACK, persist
 * (zero-window probes), keepalive, and TIME_WAIT's 2 MSL (also the
 * limit on an orphaned FIN_WAIT_2).  The caller asks tcp_next_deadline
 * when to call tcp_timer_run.
 */
#include "net/tcp_internal.h"

#include "net/tcp_seq.h"
#include "themelios/errno.h"

#define CLOCK_GRANULARITY TCP_NS_PER_MS

/* RFC 6298, section 2: one measurement, in nanoseconds. */
void
tcp_rtt_sample(struct tcp_conn *c, uint64_t rtt)
{
	const struct tcp_config *cfg = &c->stack->cfg;
	uint64_t var;

	if (rtt == 0)
		rtt = 1;
	if (c->srtt == 0) {
		c->srtt = rtt;
		c->rttvar = rtt / 2;
	} else {
		uint64_t delta = c->srtt > rtt ? c->srtt - rtt : rtt - c->srtt;

		c->rttvar = (3 * c->rttvar + delta) / 4;
		c->srtt = (7 * c->srtt + rtt) / 8;
	}
	var = 4 * c->rttvar > CLOCK_GRANULARITY ? 4 * c->rttvar : CLOCK_GRANULARITY;
	c->rto = c->srtt + var;
	if (c->rto < cfg->rto_min)
		c->rto = cfg->rto_min;
	if (c->rto > cfg->rto_max)
		c->rto = cfg->rto_max;
}

void
tcp_keepalive_reset(struct tcp_conn *c, uint64_t now)
{
	c->keep_probes = 0;
	c->last_rcv_time = now;
	c->keepalive_deadline = 0;
	if (c->keepalive && (c->state == TCP_ESTABLISHED || c->state == TCP_CLOSE_WAIT))
		c->keepalive_deadline = now + c->keep_idle;
}

static bool
persist_wanted(const struct tcp_conn *c)
{
	uint32_t data_end = c->snd_buf_seq + c->snd_buf.len;
	bool pending = seq_lt(c->snd_nxt, data_end) ||
		       (c->shut_wr && c->snd_nxt == data_end && seq_leq(c->snd_max, data_end));

	return c->snd_wnd == 0 && pending && c->snd_nxt == c->snd_una &&
	       c->state >= TCP_ESTABLISHED;
}

/*
 * After sending or receiving: the retransmission timer runs while
 * anything is unacknowledged (and is not restarted by later sends, RFC
 * 6298 5.1); the persist timer instead when the peer's window is shut
 * with data waiting.
 */
void
tcp_timers_arm(struct tcp_conn *c, uint64_t now)
{
	uint64_t interval;

	if (c->state == TCP_CLOSED || c->state == TCP_LISTEN)
		return;
	if (persist_wanted(c)) {
		c->rto_deadline = 0;
		if (!c->persist_deadline) {
			interval = c->rto << (c->persist_backoff < 16 ? c->persist_backoff : 16);
			if (interval > c->stack->cfg.rto_max)
				interval = c->stack->cfg.rto_max;
			c->persist_deadline = now + interval;
		}
	} else {
		c->persist_deadline = 0;
		c->persist_backoff = 0;
		if (c->snd_max == c->snd_una)
			c->rto_deadline = 0;
		else if (!c->rto_deadline)
			c->rto_deadline = now + c->rto;
	}
	if (c->user_closed && c->state == TCP_FIN_WAIT_2 && !c->tw_deadline)
		c->tw_deadline = now + 2 * c->stack->cfg.msl;
}

static uint64_t
earliest(uint64_t a, uint64_t b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	return a < b ? a : b;
}

static uint64_t
conn_deadline(const struct tcp_conn *c)
{
	uint64_t d = earliest(c->rto_deadline, c->delack_deadline);

	d = earliest(d, c->persist_deadline);
	d = earliest(d, c->keepalive_deadline);
	return earliest(d, c->tw_deadline);
}

uint64_t
tcp_next_deadline(const struct tcp_stack *s)
{
	uint64_t best = UINT64_MAX;

	for (const struct tcp_conn *c = s->all; c; c = c->all_next) {
		uint64_t d = conn_deadline(c);

		if (d && d < best)
			best = d;
	}
	return best;
}

static void
backoff(struct tcp_conn *c)
{
	c->rto *= 2;
	if (c->rto > c->stack->cfg.rto_max)
		c->rto = c->stack->cfg.rto_max;
}

static void
rto_expired(struct tcp_conn *c, uint64_t now)
{
	const struct tcp_config *cfg = &c->stack->cfg;

	c->rto_deadline = 0;
	c->retries++;
	c->rtt_timing = false; /* Karn */
	if (c->state == TCP_SYN_SENT || c->state == TCP_SYN_RECEIVED) {
		unsigned limit = c->state == TCP_SYN_SENT ? cfg->syn_retries : cfg->synack_retries;

		if (c->retries > limit) {
			c->stack->stats.conns_timed_out++;
			tcp_conn_drop(c, E_TIMEDOUT);
			return;
		}
		backoff(c);
		c->stack->stats.retransmits++;
		c->snd_nxt = c->iss;
		tcp_output(c, now);
		return;
	}
	if (c->retries > cfg->data_retries) {
		c->stack->stats.conns_timed_out++;
		tcp_send_rst(c, now, TCP_RST_RETRIES);
		tcp_conn_drop(c, E_TIMEDOUT);
		return;
	}
	backoff(c);
	tcp_cc_timeout(c);
	c->snd_nxt = c->snd_una; /* go back: resend from the first unacknowledged byte */
	tcp_output(c, now);
	/* A shut window sends nothing: the persist timer takes over, and
	 * its probes, not this timer, decide whether the peer is alive. */
	if (!c->rto_deadline && !c->persist_deadline && c->snd_max != c->snd_una)
		c->rto_deadline = now + c->rto;
}

static void
persist_expired(struct tcp_conn *c, uint64_t now)
{
	c->persist_deadline = 0;
	if (++c->retries > c->stack->cfg.data_retries) {
		c->stack->stats.conns_timed_out++;
		tcp_send_rst(c, now, TCP_RST_PERSIST);
		tcp_conn_drop(c, E_TIMEDOUT);
		return;
	}
	tcp_send_window_probe(c, now);
	if (c->persist_backoff < 16)
		c->persist_backoff++;
	tcp_timers_arm(c, now);
}

static void
keepalive_expired(struct tcp_conn *c, uint64_t now)
{
	c->keepalive_deadline = 0;
	if (c->snd_max != c->snd_una || c->persist_deadline) {
		/* Data in flight: the retransmission timer watches the peer. */
		c->keepalive_deadline = now + c->keep_idle;
		return;
	}
	if (c->keep_probes >= c->keep_cnt) {
		c->stack->stats.conns_timed_out++;
		tcp_send_rst(c, now, TCP_RST_KEEPALIVE);
		tcp_conn_drop(c, E_TIMEDOUT);
		return;
	}
	c->keep_probes++;
	tcp_send_keepalive(c, now);
	c->keepalive_deadline = now + c->keep_intvl;
}

static void
conn_timers(struct tcp_conn *c, uint64_t now)
{
	if (c->tw_deadline && c->tw_deadline <= now) {
		tcp_conn_drop(c, c->state == TCP_TIME_WAIT ? 0 : E_TIMEDOUT);
		return;
	}
	if (c->rto_deadline && c->rto_deadline <= now) {
		rto_expired(c, now);
		if (c->state == TCP_CLOSED)
			return;
	}
	if (c->persist_deadline && c->persist_deadline <= now) {
		persist_expired(c, now);
		if (c->state == TCP_CLOSED)
			return;
	}
	if (c->delack_deadline && c->delack_deadline <= now) {
		c->delack_deadline = 0;
		if (c->ack_delayed) {
			c->ack_now = true;
			tcp_output(c, now);
		}
	}
	if (c->keepalive_deadline && c->keepalive_deadline <= now)
		keepalive_expired(c, now);
}

void
tcp_timer_run(struct tcp_stack *s, uint64_t now)
{
	for (struct tcp_conn *c = s->all; c; c = c->all_next) {
		uint64_t d = conn_deadline(c);

		if (d && d <= now && c->state != TCP_CLOSED)
			conn_timers(c, now);
	}
	tcp_reap(s);
}
