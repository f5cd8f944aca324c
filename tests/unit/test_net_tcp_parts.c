/*
 * The TCP engine's parts on their own: the out-of-order queue against a
 * bitmap model (the buffers are test_net_tcp_buf.c's), initial sequence
 * numbers and SYN cookies, and a listener under a SYN flood, whose
 * memory must stay bounded while a real peer still gets through.
 */
#include <stdbool.h>
#include <string.h>

#include "net/tcp.h"
#include "net/tcp_internal.h"
#include "net/tcp_seq.h"
#include "tcp_host.h"
#include "themelios/errno.h"
#include "unit.h"

UNIT_TEST(reass_matches_a_bitmap)
{
	enum {
		SPAN = 512
	};

	unit_srand(5);
	for (int round = 0; round < 2000; round++) {
		struct tcp_reass q;
		bool have[SPAN] = { false };
		uint32_t base = (uint32_t)unit_rand(), nxt = base;

		tcp_reass_init(&q);
		for (int k = 0; k < 30; k++) {
			uint32_t start = 1 + (uint32_t)(unit_rand() % (SPAN - 40));
			uint32_t len = 1 + (uint32_t)(unit_rand() % 30);

			if (seq_leq(base + start, nxt))
				continue;
			if (tcp_reass_add(&q, base + start, base + start + len) == 0)
				for (uint32_t i = start; i < start + len; i++)
					have[i] = true;
			CHECK(q.n <= TCP_REASS_MAX);
			/* Ranges sorted, disjoint, not touching, matching the map. */
			for (unsigned i = 0; i < q.n; i++) {
				CHECK(seq_lt(q.r[i].start, q.r[i].end));
				if (i)
					CHECK(seq_lt(q.r[i - 1].end, q.r[i].start));
				CHECK(have[q.r[i].start - base] && have[q.r[i].end - 1 - base]);
				CHECK(q.r[i].end - base >= SPAN || !have[q.r[i].end - base]);
				CHECK(!have[q.r[i].start - 1 - base] ||
				      q.r[i].start - 1 - base == 0);
			}
			if (unit_rand() % 4 == 0) {
				/* In-order data up to a random point. */
				uint32_t upto = nxt - base + (uint32_t)(unit_rand() % 40);

				for (uint32_t i = nxt - base; i < upto && i < SPAN; i++)
					have[i] = true;
				nxt = base + upto;
				nxt = tcp_reass_advance(&q, nxt);
				while (nxt - base < SPAN && have[nxt - base])
					nxt++; /* the model has no gaps the queue forgot */
				CHECK(q.n == 0 || seq_gt(q.r[0].start, nxt));
			}
		}
	}
}

UNIT_TEST(sack_blocks_most_recent_first)
{
	struct tcp_reass q;
	struct tcp_sack_block blk[4];

	tcp_reass_init(&q);
	CHECK_EQ(tcp_reass_add(&q, 100, 200), 0);
	CHECK_EQ(tcp_reass_add(&q, 300, 400), 0);
	CHECK_EQ(tcp_reass_add(&q, 500, 600), 0);
	CHECK_EQ(tcp_reass_add(&q, 700, 800), 0);
	CHECK_EQ(tcp_reass_add(&q, 150, 250), 0); /* grows the first */
	CHECK_EQ(tcp_reass_sack(&q, blk, 3), 3);
	CHECK(blk[0].start == 100 && blk[0].end == 250);
	CHECK(blk[1].start == 700 && blk[2].start == 500);
	CHECK_EQ(tcp_reass_add(&q, 250, 300), 0); /* joins 100-250 and 300-400 */
	CHECK_EQ(q.n, 3);
	CHECK_EQ(tcp_reass_sack(&q, blk, 4), 3);
	CHECK(blk[0].start == 100 && blk[0].end == 400);
	for (uint32_t i = 0; i < TCP_REASS_MAX; i++)
		tcp_reass_add(&q, 1000 + 100 * i, 1050 + 100 * i);
	CHECK_EQ(q.n, TCP_REASS_MAX);
	CHECK_EQ(tcp_reass_add(&q, 5000, 5001), -E_NOMEM);
	CHECK_EQ(tcp_reass_advance(&q, 100), 400);
}

/* ---- with an engine ---- */

static struct tcp_stack stack;
static struct tcp_host_mem mem;
static unsigned nsent;
static uint8_t last[TCP_MAX_HEADER_LEN + TCP_MAX_MSS];
static size_t last_len;

static void
capture(void *ctx, uint32_t src, uint32_t dst, const void *seg, size_t len)
{
	(void)ctx, (void)src, (void)dst;
	nsent++;
	memcpy(last, seg, len);
	last_len = len;
}

static const struct tcp_ops ops = { .output = capture,
				    .alloc = tcp_host_alloc,
				    .free = tcp_host_free };

static const uint8_t key[32] = { 9, 9, 9 };

static int
send_data(uint32_t src, uint16_t sport, uint32_t seq, uint32_t ack, uint8_t flags, const void *data,
	  size_t len, uint64_t now)
{
	struct tcp_segment s;
	uint8_t buf[256];
	int n;

	memset(&s, 0, sizeof(s));
	s.src_port = sport;
	s.dst_port = 80;
	s.seq = seq;
	s.ack = ack;
	s.flags = flags;
	s.window = 65535;
	if (flags & TCP_SYN) {
		s.opt.has_mss = true;
		s.opt.mss = 1460;
	}
	n = tcp_build(buf, sizeof(buf), src, 0x0a000001, &s, data, len);
	return tcp_input(&stack, src, 0x0a000001, buf, (size_t)n, now);
}

static int
send_seg(uint32_t src, uint16_t sport, uint32_t seq, uint32_t ack, uint8_t flags, uint64_t now)
{
	return send_data(src, sport, seq, ack, flags, NULL, 0, now);
}

static struct tcp_segment
last_segment_to(uint32_t dst)
{
	struct tcp_segment s;

	memset(&s, 0, sizeof(s));
	CHECK_EQ(tcp_parse(last, last_len, 0x0a000001, dst, &s), 0);
	return s;
}

static struct tcp_segment
last_segment(void)
{
	return last_segment_to(0x0a000002);
}

/* Every timer due by t, however many times they rearm. */
static void
run_timers_until(uint64_t t)
{
	uint64_t d;

	while ((d = tcp_next_deadline(&stack)) <= t)
		tcp_timer_run(&stack, d);
}

UNIT_TEST(isns_differ_by_tuple_and_advance_with_the_clock)
{
	struct tcp_conn a, b2;
	uint32_t off, i1, i2, i3;

	tcp_stack_init(&stack, &ops, NULL, key);
	memset(&a, 0, sizeof(a));
	a.local_addr = 1, a.remote_addr = 2, a.local_port = 3, a.remote_port = 4;
	b2 = a;
	b2.remote_port = 5;
	i1 = tcp_isn(&stack, &a, 0, &off);
	i2 = tcp_isn(&stack, &a, 4000 * 1000, &off); /* 4 ms later: 1000 ticks */
	i3 = tcp_isn(&stack, &b2, 0, &off);
	CHECK_EQ(i2 - i1, 1000);
	CHECK(i1 != i3);
	tcp_stack_init(&stack, &ops, NULL, (const uint8_t[32]){ 1 });
	CHECK(tcp_isn(&stack, &a, 0, &off) != i1); /* the key matters */
}

UNIT_TEST(cookies_check_tuple_isn_and_age)
{
	uint64_t t = 1000 * TCP_NS_PER_S;
	uint32_t c;

	tcp_stack_init(&stack, &ops, NULL, key);
	c = tcp_cookie_make(&stack, 1, 80, 2, 999, 12345, 1460, t);
	CHECK_EQ(tcp_cookie_check(&stack, 1, 80, 2, 999, 12345, c, t), 1460);
	CHECK_EQ(tcp_cookie_check(&stack, 1, 80, 2, 999, 12345, c, t + 64 * TCP_NS_PER_S), 1460);
	CHECK_EQ(tcp_cookie_check(&stack, 1, 80, 2, 999, 12345, c, t + 200 * TCP_NS_PER_S), 0);
	CHECK_EQ(tcp_cookie_check(&stack, 1, 80, 2, 998, 12345, c, t), 0);
	CHECK_EQ(tcp_cookie_check(&stack, 1, 80, 2, 999, 12346, c, t), 0);
	CHECK_EQ(tcp_cookie_check(&stack, 1, 80, 2, 999, 12345, c ^ 0x100, t), 0);
	c = tcp_cookie_make(&stack, 1, 80, 2, 999, 12345, 600, t);
	CHECK_EQ(tcp_cookie_check(&stack, 1, 80, 2, 999, 12345, c, t), 536);
}

UNIT_TEST(syn_flood_stays_within_the_backlog)
{
	struct tcp_conn *l, *c;
	uint64_t now = TCP_NS_PER_S;
	size_t after_listen;
	int err;

	memset(&mem, 0, sizeof(mem));
	tcp_stack_init(&stack, &ops, NULL, key);
	l = tcp_open(&stack, &mem);
	CHECK_EQ(tcp_listen(l, 0, 80, 8), 0);
	after_listen = mem.in_use;
	unit_srand(3);
	nsent = 0;
	for (int i = 0; i < 100000; i++) {
		send_seg((uint32_t)unit_rand(), (uint16_t)(1 + unit_rand() % 65535),
			 (uint32_t)unit_rand(), 0, TCP_SYN, now);
		now += 10000;
		if (i % 1000 == 0)
			tcp_timer_run(&stack, now);
	}
	/* Eight half-open connections at most, no buffers for any. */
	CHECK(mem.in_use - after_listen <= 8 * sizeof(struct tcp_conn));
	CHECK(mem.peak - after_listen <= 8 * sizeof(struct tcp_conn));
	CHECK(stack.stats.cookies_sent > 99000);
	/* A real peer still completes, through a cookie. */
	nsent = 0;
	CHECK_EQ(send_seg(0x0a000002, 5555, 777, 0, TCP_SYN, now), 0);
	CHECK_EQ(nsent, 1);
	{
		struct tcp_segment synack = last_segment();

		CHECK(synack.flags == (TCP_SYN | TCP_ACK) && synack.ack == 778);
		CHECK(!synack.opt.has_ts && !synack.opt.has_wscale);
		CHECK_EQ(send_seg(0x0a000002, 5555, 778, synack.seq + 1, TCP_ACK, now), 0);
	}
	CHECK_EQ(stack.stats.cookies_accepted, 1);
	c = tcp_accept(l, &err);
	CHECK(c != NULL);
	if (c) {
		CHECK_EQ(tcp_state(c), TCP_ESTABLISHED);
		CHECK(c->from_cookie);
		tcp_close(c, now);
	}
	/* A forged cookie gets a reset, and nothing else. */
	nsent = 0;
	CHECK_EQ(send_seg(0x0a000003, 5556, 1000, 123456, TCP_ACK, now), 0);
	CHECK_EQ(nsent, 1);
	CHECK_EQ(last_segment_to(0x0a000003).flags, TCP_RST);
	/* The half-open ones time out and are freed, and so does the
	 * closed one whose FIN nobody acknowledges. */
	run_timers_until(now + 3600 * TCP_NS_PER_S);
	CHECK_EQ(mem.in_use, after_listen);
	tcp_close(l, now);
	CHECK_EQ(mem.in_use, 0);
	tcp_stack_destroy(&stack);
}

UNIT_TEST(without_cookies_a_full_backlog_drops_syns)
{
	struct tcp_conn *l;
	uint64_t now = TCP_NS_PER_S;

	memset(&mem, 0, sizeof(mem));
	tcp_stack_init(&stack, &ops, NULL, key);
	stack.cfg.syn_cookies = false;
	l = tcp_open(&stack, &mem);
	CHECK_EQ(tcp_listen(l, 0, 80, 2), 0);
	nsent = 0;
	for (uint16_t p = 1; p <= 5; p++)
		send_seg(0x0a000002, p, 100, 0, TCP_SYN, now);
	CHECK_EQ(nsent, 2);
	CHECK_EQ(stack.stats.syn_dropped, 3);
	CHECK_EQ(l->syn_count, 2);
	tcp_stack_destroy(&stack);
}

/* A cookie's ACK that finds the accept queue full is dropped, not reset:
 * the peer thinks it is connected, and its data (same cookie) gets in once
 * the owner has accepted.  (A reset here cost a loaded test connections.) */
UNIT_TEST(a_cookie_ack_waits_for_room_in_the_accept_queue)
{
	struct tcp_conn *l, *c;
	uint64_t now = TCP_NS_PER_S;
	uint32_t isn1, cookie;
	uint8_t got[8];
	int err;

	memset(&mem, 0, sizeof(mem));
	tcp_stack_init(&stack, &ops, NULL, key);
	l = tcp_open(&stack, &mem);
	CHECK_EQ(tcp_listen(l, 0, 80, 1), 0);
	send_seg(0x0a000002, 1, 100, 0, TCP_SYN, now);
	isn1 = last_segment().seq;
	/* The one half-open slot is taken: the next SYN gets a cookie. */
	send_seg(0x0a000002, 2, 500, 0, TCP_SYN, now);
	cookie = last_segment().seq;
	CHECK_EQ(stack.stats.cookies_sent, 1);
	send_seg(0x0a000002, 1, 101, isn1 + 1, TCP_ACK, now);
	CHECK_EQ(l->accept_count, 1); /* full */
	nsent = 0;
	send_seg(0x0a000002, 2, 501, cookie + 1, TCP_ACK, now);
	CHECK_EQ(nsent, 0); /* no reset */
	CHECK_EQ(stack.stats.cookies_accepted, 0);
	CHECK_EQ(stack.stats.syn_dropped, 1);
	c = tcp_accept(l, &err);
	CHECK(c != NULL && c->remote_port == 1);
	/* Room again: the peer's data, on the same cookie, opens it. */
	send_data(0x0a000002, 2, 501, cookie + 1, TCP_ACK | TCP_PSH, "hello", 5, now);
	CHECK_EQ(stack.stats.cookies_accepted, 1);
	c = tcp_accept(l, &err);
	CHECK(c != NULL);
	if (c) {
		CHECK_EQ(c->remote_port, 2);
		CHECK_EQ(tcp_recv(c, got, sizeof(got), now), 5);
		CHECK(!memcmp(got, "hello", 5));
	}
	/* A forged cookie is still reset, full queue or not. */
	send_seg(0x0a000002, 3, 100, 0, TCP_SYN, now);
	send_seg(0x0a000002, 3, 101, last_segment().seq + 1, TCP_ACK, now);
	nsent = 0;
	send_seg(0x0a000002, 4, 900, 4242, TCP_ACK, now);
	CHECK_EQ(nsent, 1);
	CHECK_EQ(last_segment_to(0x0a000002).flags, TCP_RST);
	tcp_stack_destroy(&stack);
}

UNIT_TEST(a_full_accept_queue_still_completes_handshakes)
{
	struct tcp_conn *l, *c;
	uint64_t now = TCP_NS_PER_S;
	uint32_t isn[4];
	uint8_t got[8];
	int err;

	memset(&mem, 0, sizeof(mem));
	tcp_stack_init(&stack, &ops, NULL, key);
	stack.cfg.syn_cookies = false;
	l = tcp_open(&stack, &mem);
	CHECK_EQ(tcp_listen(l, 0, 80, 2), 0);
	send_seg(0x0a000002, 1, 100, 0, TCP_SYN, now);
	isn[1] = last_segment().seq;
	send_seg(0x0a000002, 1, 101, isn[1] + 1, TCP_ACK, now);
	send_seg(0x0a000002, 2, 100, 0, TCP_SYN, now);
	isn[2] = last_segment().seq;
	send_seg(0x0a000002, 3, 100, 0, TCP_SYN, now);
	isn[3] = last_segment().seq;
	CHECK_EQ(l->syn_count, 2);
	send_seg(0x0a000002, 2, 101, isn[2] + 1, TCP_ACK, now);
	CHECK_EQ(l->accept_count, 2);
	nsent = 0;
	send_seg(0x0a000002, 4, 100, 0, TCP_SYN, now);
	CHECK_EQ(nsent, 0); /* the queue is full: SYNs are dropped */
	CHECK_EQ(l->syn_count, 1);
	/* The half-open one completes all the same, with its data kept. */
	send_data(0x0a000002, 3, 101, isn[3] + 1, TCP_ACK | TCP_PSH, "hello", 5, now);
	CHECK_EQ(l->accept_count, 3);
	CHECK_EQ(l->syn_count, 0);
	tcp_timer_run(&stack, now + TCP_NS_PER_S / 10); /* the delayed ACK */
	CHECK_EQ(last_segment_to(0x0a000002).ack, 106u);
	/* Still no room for new SYNs: the listener holds 2 * backlog at most. */
	nsent = 0;
	send_seg(0x0a000002, 5, 100, 0, TCP_SYN, now);
	CHECK_EQ(nsent, 0);
	CHECK(tcp_accept(l, &err) != NULL);
	CHECK(tcp_accept(l, &err) != NULL);
	c = tcp_accept(l, &err);
	CHECK(c != NULL);
	if (c) {
		CHECK_EQ(c->remote_port, 3);
		CHECK_EQ(tcp_recv(c, got, sizeof(got), now), 5);
		CHECK(!memcmp(got, "hello", 5));
	}
	CHECK(tcp_accept(l, &err) == NULL && err == -E_AGAIN);
	tcp_stack_destroy(&stack);
}

/* Buffers take memory as they fill: a connection whose owner can pay for
 * the structure and one chunk connects, stores what it can pay for,
 * drops what it cannot (the peer sends it again) and stops growing its
 * window; a send with nothing held that cannot be paid for says so. */
UNIT_TEST(memory_limit_stops_the_buffers_not_the_connection)
{
	struct tcp_conn *l, *c;
	uint64_t now = TCP_NS_PER_S;
	uint8_t data[200], got[400];
	uint32_t isn;
	int err;

	memset(&mem, 0, sizeof(mem));
	tcp_stack_init(&stack, &ops, NULL, key);
	l = tcp_open(&stack, &mem);
	CHECK_EQ(tcp_listen(l, 0, 80, 2), 0);
	send_seg(0x0a000002, 1, 100, 0, TCP_SYN, now);
	isn = last_segment().seq;
	send_seg(0x0a000002, 1, 101, isn + 1, TCP_ACK, now);
	c = tcp_accept(l, &err);
	CHECK(c != NULL);
	if (!c)
		return;
	/* Established, nothing held: only the two structures. */
	CHECK_EQ(mem.in_use, 2 * sizeof(struct tcp_conn));
	memset(data, 'a', sizeof(data));
	send_data(0x0a000002, 1, 101, isn + 1, TCP_ACK, data, sizeof(data), now);
	CHECK_EQ(mem.in_use, 2 * sizeof(struct tcp_conn) + c->rcv_buf.csize);
	/* No more memory: the next chunk (early data far ahead) cannot be
	 * paid for, so the segment is dropped and remembered nowhere. */
	mem.limit = mem.in_use;
	send_data(0x0a000002, 1, 101 + 40000, isn + 1, TCP_ACK, data, sizeof(data), now);
	CHECK_EQ(stack.stats.mem_drops, 1);
	CHECK_EQ(c->reass.n, 0);
	CHECK_EQ(c->rcvbuf_max, c->rcv_buf.cap); /* the window grows no further */
	/* In-order data still fits the chunk already held. */
	send_data(0x0a000002, 1, 301, isn + 1, TCP_ACK, data, sizeof(data), now);
	CHECK_EQ(tcp_recv(c, got, sizeof(got), now), 400);
	/* Drained, it keeps that chunk for the next bytes. */
	CHECK_EQ(c->rcv_buf.nchunks, 1);
	/* Sending needs a chunk of its own: none can be had, nothing held. */
	CHECK_EQ(tcp_send(c, "x", 1, now), -E_NOMEM);
	mem.limit = 0;
	CHECK_EQ(tcp_send(c, "x", 1, now), 1);
	tcp_abort(c, now);
	tcp_close(l, now);
	CHECK_EQ(mem.in_use, 0);
	CHECK(tcp_open(&stack, &(struct tcp_host_mem){ .limit = 1 }) == NULL);
	tcp_stack_destroy(&stack);
}

UNIT_MAIN();
