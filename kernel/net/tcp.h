/*
 * TCP (RFC 9293) as a pure engine on the caller's clock.  The caller
 * hands in segments that IPv4 has validated (tcp_input), the time in
 * nanoseconds with every call, and polls the timers (tcp_next_deadline,
 * tcp_timer_run).  The engine hands out segments through ops->output,
 * already checksummed, and tells about changes through ops->event.  It
 * takes memory only from ops->alloc, on behalf of a connection's owner
 * (the kernel charges it to the owner's Memory; the host tests use
 * malloc): the connection itself, then its send and receive buffers
 * in chunks as they fill (tcp_autotune.c grows their sizes up to a
 * limit; a failed allocation stops the growth).  Nothing else grows, so
 * a peer cannot make the engine allocate beyond what the owners
 * allowed.
 *
 * Callbacks run inside engine calls and must not call back into the
 * engine; they record what happened (set notification bits, queue the
 * packet) and return.
 *
 * The pieces, one file each: tcp_header.c (the wire format), tcp_seq.h
 * (sequence arithmetic), tcp_buf.c (byte queues), tcp_reass.c (the
 * out-of-order queue and SACK blocks), tcp_isn.c (initial sequence
 * numbers and SYN cookies), tcp_table.c (lookup by address and port),
 * tcp_conn.c (the calls an owner makes), tcp_input.c (segment arrival),
 * tcp_output.c (what to send), tcp_timer.c (RTO, delayed ACK, persist,
 * keepalive, TIME_WAIT), tcp_cc.c (congestion control),
 * tcp_autotune.c (buffer sizes) and tcp_listen.c (passive opens under
 * a bounded backlog).
 */
#ifndef NET_TCP_H
#define NET_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/tcp_buf.h"
#include "net/tcp_header.h"
#include "net/tcp_reass.h"

enum tcp_state {
	TCP_CLOSED,
	TCP_LISTEN,
	TCP_SYN_SENT,
	TCP_SYN_RECEIVED,
	TCP_ESTABLISHED,
	TCP_FIN_WAIT_1,
	TCP_FIN_WAIT_2,
	TCP_CLOSE_WAIT,
	TCP_CLOSING,
	TCP_LAST_ACK,
	TCP_TIME_WAIT,
	TCP_NSTATES
};

/* Event bits passed to ops->event. */
#define TCP_EV_ESTABLISHED 0x01 /* a connect completed */
#define TCP_EV_READABLE	   0x02 /* data or the peer's FIN to read */
#define TCP_EV_WRITABLE	   0x04 /* send-buffer space was freed */
#define TCP_EV_ACCEPT	   0x08 /* a listener has a connection to accept */
#define TCP_EV_CLOSED	   0x10 /* the connection ended; tcp_error says how */

/* Options for tcp_setopt. */
enum tcp_sockopt {
	TCP_SO_NODELAY,	     /* 1: no Nagle */
	TCP_SO_KEEPALIVE,    /* 1: probe an idle connection */
	TCP_SO_KEEPIDLE,     /* seconds idle before the first probe */
	TCP_SO_KEEPINTVL,    /* seconds between probes */
	TCP_SO_KEEPCNT,	     /* unanswered probes before giving up */
	TCP_SO_SNDBUF,	     /* bytes, fixed (no autotuning); before connect or listen */
	TCP_SO_RCVBUF,	     /* bytes, fixed (no autotuning); before connect or listen */
	TCP_SO_MSS,	     /* the MSS we announce; before connect or listen */
	TCP_SO_SACK,	     /* 0: do not offer SACK */
	TCP_SO_TIMESTAMPS,   /* 0: do not offer timestamps */
	TCP_SO_WINDOW_SCALE, /* 0: do not offer window scaling */
};

#define TCP_NS_PER_MS	  1000000ull
#define TCP_NS_PER_S	  1000000000ull
#define TCP_TABLE_BUCKETS 256
#define TCP_MAX_MSS	  9000 /* what the scratch segment buffer holds */
#define TCP_DEFAULT_MSS	  536  /* RFC 9293: when the peer sends none */

struct tcp_conn;

struct tcp_ops {
	/* A whole segment, checksummed, to go from src to dst. */
	void (*output)(void *ctx, uint32_t src, uint32_t dst, const void *seg, size_t len);
	/* Something happened on c (TCP_EV_* bits); c's owner is tcp_owner(c). */
	void (*event)(void *ctx, struct tcp_conn *c, unsigned events);
	/* Memory on behalf of an owner: NULL when its budget is spent. */
	void *(*alloc)(void *owner, size_t size);
	void (*free)(void *owner, void *p, size_t size);
};

/* Stack-wide settings; tcp_stack_init sets the defaults (in brackets). */
struct tcp_config {
	uint64_t rto_initial, rto_min, rto_max; /* [1 s, 200 ms, 60 s] */
	uint64_t delack;			/* delayed-ACK timeout [40 ms] */
	uint64_t msl;				/* TIME_WAIT is 2 MSL [30 s] */
	unsigned syn_retries;			/* SYN retransmissions [6] */
	unsigned synack_retries;		/* SYN-ACK retransmissions [5] */
	unsigned data_retries;			/* data retransmissions [12] */
	unsigned challenge_acks_per_s;		/* RFC 5961 rate limit [100] */
	unsigned initial_window;		/* segments, 0: RFC 5681's [0] */
	bool syn_cookies;			/* [true] */
	uint32_t sndbuf, rcvbuf;		/* new sockets' initial sizes [64 KiB] */
	uint32_t sndbuf_max, rcvbuf_max;	/* what autotuning grows them to [1 MiB] */
	uint16_t mss;				/* announced [1460] */
};

/* Why a reset was sent (stats.rst_causes; `net` shows them), so that a
 * peer's "connection reset" can be traced to its cause. */
enum tcp_rst_cause {
	TCP_RST_RETRIES,     /* data retransmissions exhausted (the peer fell silent) */
	TCP_RST_PERSIST,     /* zero-window probes unanswered */
	TCP_RST_KEEPALIVE,   /* keepalive probes unanswered */
	TCP_RST_UNREAD,	     /* the owner closed with unread data */
	TCP_RST_AFTER_CLOSE, /* data arrived after the owner closed */
	TCP_RST_ABORT,	     /* the owner aborted (tcp_abort) */
	TCP_RST_LISTENER,    /* its listener closed before it was accepted */
	TCP_RST_ORPHAN,	     /* dropped by the stack, nobody holding it (net_quiesce) */
	TCP_RST_REPLY,	     /* an answer: a segment for no connection, a bad handshake ACK */
	TCP_RST_CAUSES
};

struct tcp_stats {
	uint64_t in_segs, out_segs, retransmits, bad_segs, rst_sent, challenge_acks,
		challenge_acks_limited, paws_drops, syn_dropped, cookies_sent, cookies_accepted,
		ooo_segs, conns_opened, conns_timed_out, mem_drops, rcv_grown;
	uint64_t rst_causes[TCP_RST_CAUSES]; /* rst_sent, by cause */
};

struct tcp_stack {
	const struct tcp_ops *ops;
	void *ctx;
	struct tcp_config cfg;
	struct tcp_stats stats;
	uint8_t isn_key[32];
	uint8_t cookie_key[32];
	uint32_t hash_salt;
	uint16_t next_port;			     /* the next ephemeral port to try */
	uint64_t challenge_window;		     /* start of the current second */
	unsigned challenge_count;		     /* challenge ACKs sent in it */
	struct tcp_conn *listeners;		     /* linked by next */
	struct tcp_conn *all;			     /* every connection, linked by all_next */
	bool need_reap;				     /* a connection nobody holds reached CLOSED */
	struct tcp_conn *buckets[TCP_TABLE_BUCKETS]; /* by 4-tuple, linked by next */
	uint8_t scratch[TCP_MAX_HEADER_LEN + TCP_MAX_MSS]; /* the segment being sent */
};

/*
 * One connection or listener.  The fields are the engine's; the owner
 * uses the calls below.  Names follow RFC 9293's variables.
 */
struct tcp_conn {
	struct tcp_stack *stack;
	void *owner;
	struct tcp_conn *next;	     /* hash bucket or listener list */
	struct tcp_conn *queue_next; /* a listener's accept queue */
	struct tcp_conn *all_next;   /* the stack's list of everything */
	enum tcp_state state;
	int error;	  /* why it closed: 0 or E_CONNRESET, ... (positive) */
	bool user_closed; /* the owner let go: freed when it reaches CLOSED */
	bool in_table;	  /* linked in a bucket or the listener list */
	bool shut_wr;	  /* the owner shut the sending side: a FIN follows the data */
	bool fin_rcvd;	  /* the peer's FIN is in (at rcv_nxt - 1) */
	bool nodelay, keepalive;
	bool offer_sack, offer_ts, offer_wscale;
	bool sack_ok, ts_ok;	   /* negotiated */
	bool ack_now, ack_delayed; /* an ACK is owed at once, or by the delack deadline */
	bool in_recovery;	   /* NewReno fast recovery */
	bool rtt_timing;	   /* rtt_seq's segment is being timed (no timestamps) */
	bool from_cookie;	   /* established from a SYN cookie: no options */
	bool wscale_ok;		   /* both sides sent window scale */

	uint32_t local_addr, remote_addr;
	uint16_t local_port, remote_port;

	/* Send side. */
	uint32_t iss, snd_una, snd_nxt, snd_max, snd_wl1, snd_wl2;
	uint32_t snd_wnd;     /* scaled */
	uint32_t max_snd_wnd; /* the largest window the peer offered */
	uint32_t snd_buf_seq; /* the sequence number of snd_buf's first byte */
	uint8_t snd_wscale;   /* the peer's shift */
	uint16_t peer_mss, local_mss;
	struct tcp_buf snd_buf;
	uint32_t sndbuf_size, sndbuf_max;  /* initial size, autotuning's limit */
	bool sndbuf_locked, rcvbuf_locked; /* set by the owner: no autotuning */

	/* Receive side. */
	uint32_t irs, rcv_nxt, rcv_adv; /* rcv_adv: the right edge we advertised */
	uint8_t rcv_wscale;		/* our shift */
	unsigned unacked_segs;		/* full segments received since our last ACK */
	struct tcp_buf rcv_buf;
	uint32_t rcvbuf_size, rcvbuf_max; /* initial size, autotuning's limit */
	uint32_t rcvq_seq;		  /* autotuning: the first byte read in this round */
	uint32_t rcvq_space;		  /* and the most read in one round so far */
	uint64_t rcvq_time;		  /* when the round began */
	struct tcp_reass reass;

	/* Timestamps (RFC 7323). */
	uint32_t ts_recent, last_ack_sent, ts_offset;
	uint64_t ts_recent_time;

	/* RTT and retransmission (RFC 6298). */
	uint64_t srtt, rttvar, rto; /* ns; srtt 0 before the first sample */
	uint32_t rtt_seq;
	uint64_t rtt_start;
	unsigned retries; /* consecutive timeouts of the same data */
	unsigned dupacks;

	/* Congestion control (RFC 5681, 6582). */
	uint32_t cwnd, ssthresh, recover;

	/* Timers: absolute deadlines, 0 when not armed. */
	uint64_t rto_deadline, delack_deadline, persist_deadline, keepalive_deadline, tw_deadline;
	unsigned persist_backoff, keep_probes;
	uint64_t keep_idle, keep_intvl;
	unsigned keep_cnt;
	uint64_t last_rcv_time;

	/* Listener. */
	unsigned backlog, syn_count, accept_count;
	struct tcp_conn *accept_head, **accept_tail;
	struct tcp_conn *listener; /* a passive open's, until accepted */
};

/* The key seeds initial sequence numbers and SYN cookies (RFC 6528):
 * 32 secret random bytes. */
void tcp_stack_init(struct tcp_stack *s, const struct tcp_ops *ops, void *ctx,
		    const uint8_t key[32]);
/* Frees every connection, sending nothing. */
void tcp_stack_destroy(struct tcp_stack *s);

/* A new socket in CLOSED, charged to owner; NULL when out of memory. */
struct tcp_conn *tcp_open(struct tcp_stack *s, void *owner);

/* 0, or -E_INVAL for an unknown option or a value out of range, -E_ISCONN
 * for a buffer size or MSS after connect or listen. */
int tcp_setopt(struct tcp_conn *c, enum tcp_sockopt opt, uint64_t value);

/* addr 0 listens on every address.  -E_ADDRINUSE, -E_ISCONN, -E_NOMEM. */
int tcp_listen(struct tcp_conn *c, uint32_t addr, uint16_t port, unsigned backlog);

/* A completed passive open, or NULL with *err = -E_AGAIN (none yet) or
 * -E_INVAL (not listening). */
struct tcp_conn *tcp_accept(struct tcp_conn *listener, int *err);

/* Active open; port 0 picks an ephemeral port.  0 (the SYN is out;
 * TCP_EV_ESTABLISHED follows), -E_ISCONN, -E_ADDRINUSE, -E_NOMEM. */
int tcp_connect(struct tcp_conn *c, uint32_t laddr, uint16_t lport, uint32_t raddr, uint16_t rport,
		uint64_t now);

/* Bytes taken into the send buffer (possibly fewer than len), or
 * -E_AGAIN (full), -E_PIPE (shut down), -E_NOTCONN, or the error that
 * closed the connection. */
long tcp_send(struct tcp_conn *c, const void *buf, size_t len, uint64_t now);

/* Bytes read; 0 at the end of the stream (the peer's FIN); -E_AGAIN,
 * -E_NOTCONN, or the error that closed the connection. */
long tcp_recv(struct tcp_conn *c, void *buf, size_t len, uint64_t now);

/* Shut the sending side: a FIN after the data.  -E_NOTCONN. */
int tcp_shutdown(struct tcp_conn *c, uint64_t now);

/* The owner lets go: a graceful close (a reset if unread data is left,
 * RFC 2525); c must not be used again, the engine frees it when done. */
void tcp_close(struct tcp_conn *c, uint64_t now);

/* The owner lets go at once: a reset to the peer, c freed. */
void tcp_abort(struct tcp_conn *c, uint64_t now);

/*
 * A segment from IPv4: src and dst addresses, the TCP header and data.
 * 0 when it was processed, -E_CORRUPT when it was dropped as malformed
 * (counted in stats.bad_segs; never answered).
 */
int tcp_input(struct tcp_stack *s, uint32_t src, uint32_t dst, const void *seg, size_t len,
	      uint64_t now);

/* The earliest timer deadline (ns), UINT64_MAX when none is armed. */
uint64_t tcp_next_deadline(const struct tcp_stack *s);
/* Runs every timer whose deadline is at or before now. */
void tcp_timer_run(struct tcp_stack *s, uint64_t now);

enum tcp_state tcp_state(const struct tcp_conn *c);
const char *tcp_state_name(enum tcp_state st);
/* "retries", "persist", ...: the name `net` gives a cause. */
const char *tcp_rst_cause_name(enum tcp_rst_cause cause);
int tcp_error(const struct tcp_conn *c); /* 0 or -E_... */
void *tcp_owner(const struct tcp_conn *c);
size_t tcp_readable(const struct tcp_conn *c);
size_t tcp_writable(const struct tcp_conn *c);

#endif
