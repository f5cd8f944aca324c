/*
 * What the TCP files share among themselves; the owner's interface is
 * tcp.h.
 */
#ifndef NET_TCP_INTERNAL_H
#define NET_TCP_INTERNAL_H

#include "net/tcp.h"

#define TCP_MIN_MSS 88 /* floor on a peer's MSS: no 1-byte segments */

static inline uint32_t
tcp_mss(const struct tcp_conn *c)
{
	uint32_t m = c->peer_mss < c->local_mss ? c->peer_mss : c->local_mss;

	return m < TCP_MIN_MSS ? TCP_MIN_MSS : m;
}

/* Whether a connection's owner holds it (else the engine frees it at CLOSED). */
static inline bool
tcp_owned(const struct tcp_conn *c)
{
	return !c->user_closed && !c->listener;
}

/* tcp_conn.c */
struct tcp_conn *tcp_conn_new(struct tcp_stack *s, void *owner);
void tcp_conn_buffers(struct tcp_conn *c);
void tcp_conn_release_buffers(struct tcp_conn *c);
void tcp_conn_drop(struct tcp_conn *c, int err);
void tcp_conn_established(struct tcp_conn *c, uint64_t now);
void tcp_event(struct tcp_conn *c, unsigned events);
void tcp_reap(struct tcp_stack *s);

/* tcp_table.c */
void tcp_table_insert(struct tcp_stack *s, struct tcp_conn *c);
void tcp_table_remove(struct tcp_stack *s, struct tcp_conn *c);
struct tcp_conn *tcp_table_lookup(struct tcp_stack *s, uint32_t laddr, uint16_t lport,
				  uint32_t raddr, uint16_t rport);
struct tcp_conn *tcp_table_listener(struct tcp_stack *s, uint32_t laddr, uint16_t lport);
int tcp_table_pick_port(struct tcp_stack *s, uint32_t laddr, uint32_t raddr, uint16_t rport);

/* tcp_isn.c */
void tcp_isn_init(struct tcp_stack *s, const uint8_t key[32]);
uint32_t tcp_isn(struct tcp_stack *s, const struct tcp_conn *c, uint64_t now, uint32_t *ts_offset);
uint32_t tcp_cookie_make(struct tcp_stack *s, uint32_t laddr, uint16_t lport, uint32_t raddr,
			 uint16_t rport, uint32_t irs, uint16_t mss, uint64_t now);
/* The MSS the cookie encoded, or 0 when it is not one of ours or too old. */
uint16_t tcp_cookie_check(struct tcp_stack *s, uint32_t laddr, uint16_t lport, uint32_t raddr,
			  uint16_t rport, uint32_t irs, uint32_t cookie, uint64_t now);

/* tcp_output.c */
void tcp_output(struct tcp_conn *c, uint64_t now);
void tcp_send_ack(struct tcp_conn *c, uint64_t now);
void tcp_send_challenge_ack(struct tcp_conn *c, uint64_t now);
void tcp_send_rst(struct tcp_conn *c, uint64_t now, enum tcp_rst_cause cause);
void tcp_send_rst_reply(struct tcp_stack *s, uint32_t src, uint32_t dst,
			const struct tcp_segment *seg);
void tcp_send_synack_cookie(struct tcp_stack *s, uint32_t laddr, uint32_t raddr,
			    const struct tcp_segment *syn, uint32_t cookie, uint16_t mss,
			    uint32_t rcvbuf);
void tcp_retransmit_head(struct tcp_conn *c, uint64_t now);
void tcp_send_keepalive(struct tcp_conn *c, uint64_t now);
void tcp_send_window_probe(struct tcp_conn *c, uint64_t now);
uint32_t tcp_ts_now(const struct tcp_conn *c, uint64_t now);
uint8_t tcp_choose_wscale(uint32_t rcvbuf);
bool tcp_window_update_due(const struct tcp_conn *c);

/* tcp_timer.c */
void tcp_rtt_sample(struct tcp_conn *c, uint64_t rtt);
void tcp_timers_arm(struct tcp_conn *c, uint64_t now);
void tcp_keepalive_reset(struct tcp_conn *c, uint64_t now);

/* tcp_cc.c */
void tcp_cc_init(struct tcp_conn *c);
void tcp_cc_ack(struct tcp_conn *c, uint32_t acked, uint64_t now);
void tcp_cc_dupack(struct tcp_conn *c, uint64_t now);
void tcp_cc_timeout(struct tcp_conn *c);

/* tcp_autotune.c */
void tcp_rcv_space_adjust(struct tcp_conn *c, uint64_t now);
void tcp_rcv_buf_nomem(struct tcp_conn *c);
bool tcp_snd_buf_expand(struct tcp_conn *c);
void tcp_snd_buf_clamp(struct tcp_conn *c);

/* tcp_listen.c */
void tcp_listen_input(struct tcp_conn *l, uint32_t src, uint32_t dst, const struct tcp_segment *seg,
		      uint64_t now);
void tcp_listen_ready(struct tcp_conn *c);
void tcp_listen_unlink(struct tcp_conn *c);
void tcp_listen_close(struct tcp_conn *l, uint64_t now);

/* tcp_input.c */
void tcp_conn_input(struct tcp_conn *c, const struct tcp_segment *seg, uint64_t now);
void tcp_apply_syn_options(struct tcp_conn *c, const struct tcp_options *o);

#endif
