/*
 * Two TCP engines back to back through a simulated wire that loses,
 * reorders, duplicates and corrupts segments at seeded random rates:
 * 1 MiB each way must arrive intact and in order, both sides must see
 * the end of the stream, and every byte of memory must come back.  The
 * simulation is bounded in steps and in simulated time.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/tcp.h"
#include "tcp_host.h"
#include "themelios/errno.h"
#include "unit.h"

#define ADDR_A	  0x0a000001u
#define ADDR_B	  0x0a000002u
#define PORT_B	  7
#define TRANSFER  (1u << 20)
#define MAX_STEPS 4000000
#ifndef SEEDS
#define SEEDS 12
#endif

struct packet {
	uint64_t due;
	uint32_t src, dst;
	size_t len;
	struct packet *next;
	uint8_t bytes[];
};

struct wire {
	unsigned loss, reorder, dup, corrupt; /* per 10,000 */
	uint64_t latency;
	uint64_t now;
	struct packet *queue; /* sorted by due */
	unsigned long sent, lost, reordered, duplicated, corrupted;
};

struct side {
	struct tcp_stack stack;
	struct tcp_host_mem mem;
	struct tcp_conn *conn, *listener;
	uint64_t sent, received;
	bool eof, shut;
};

static struct wire wire;
static struct side sides[2];

static uint8_t
byte_at(int from, uint64_t i)
{
	return (uint8_t)((i * 2654435761u >> 13) ^ (uint64_t)from * 0x5a);
}

static void
enqueue(uint32_t src, uint32_t dst, const void *seg, size_t len, uint64_t due)
{
	struct packet *p = malloc(sizeof(*p) + len), **pp = &wire.queue;

	p->due = due;
	p->src = src;
	p->dst = dst;
	p->len = len;
	memcpy(p->bytes, seg, len);
	while (*pp && (*pp)->due <= due)
		pp = &(*pp)->next;
	p->next = *pp;
	*pp = p;
}

static void
wire_output(void *ctx, uint32_t src, uint32_t dst, const void *seg, size_t len)
{
	uint64_t due = wire.now + wire.latency;

	(void)ctx;
	wire.sent++;
	if (unit_rand() % 10000 < wire.loss) {
		wire.lost++;
		return;
	}
	if (unit_rand() % 10000 < wire.reorder) {
		wire.reordered++;
		due += wire.latency * (1 + unit_rand() % 4);
	}
	if (unit_rand() % 10000 < wire.corrupt) {
		uint8_t copy[TCP_MAX_HEADER_LEN + TCP_MAX_MSS];
		size_t bit = unit_rand() % (len * 8);

		wire.corrupted++;
		memcpy(copy, seg, len);
		copy[bit / 8] ^= (uint8_t)(1u << bit % 8);
		enqueue(src, dst, copy, len, due);
		return;
	}
	if (unit_rand() % 10000 < wire.dup) {
		wire.duplicated++;
		enqueue(src, dst, seg, len, due + unit_rand() % wire.latency);
	}
	enqueue(src, dst, seg, len, due);
}

static const struct tcp_ops ops = {
	.output = wire_output,
	.alloc = tcp_host_alloc,
	.free = tcp_host_free,
};

/* The owner's work on one side: send what fits, read what came. */
static void
app(int i)
{
	struct side *s = &sides[i];
	uint8_t buf[8192];
	long r;

	if (!s->conn && s->listener) {
		int err;

		s->conn = tcp_accept(s->listener, &err);
		if (!s->conn)
			return;
	}
	if (!s->conn)
		return;
	while (s->sent < TRANSFER) {
		size_t n = TRANSFER - s->sent < sizeof(buf) ? TRANSFER - s->sent : sizeof(buf);

		for (size_t k = 0; k < n; k++)
			buf[k] = byte_at(i, s->sent + k);
		r = tcp_send(s->conn, buf, n, wire.now);
		if (r <= 0)
			break;
		s->sent += (uint64_t)r;
	}
	if (s->sent == TRANSFER && !s->shut) {
		CHECK_EQ(tcp_shutdown(s->conn, wire.now), 0);
		s->shut = true;
	}
	while ((r = tcp_recv(s->conn, buf, sizeof(buf), wire.now)) > 0) {
		for (long k = 0; k < r; k++) {
			if (buf[k] != byte_at(1 - i, s->received + (uint64_t)k)) {
				CHECK(!"a received byte differs");
				r = -1;
				break;
			}
		}
		if (r < 0)
			break;
		s->received += (uint64_t)r;
	}
	if (r == 0)
		s->eof = true;
	else if (r != -E_AGAIN)
		CHECK_EQ(r, -E_AGAIN);
}

/* The next event: a delivery or a timer.  false when there is none. */
static bool
step(void)
{
	uint64_t next = tcp_next_deadline(&sides[0].stack);
	uint64_t d = tcp_next_deadline(&sides[1].stack);

	if (d < next)
		next = d;
	if (wire.queue && wire.queue->due < next)
		next = wire.queue->due;
	if (next == UINT64_MAX)
		return false;
	if (next > wire.now)
		wire.now = next;
	while (wire.queue && wire.queue->due <= wire.now) {
		struct packet *p = wire.queue;
		struct side *to = p->dst == ADDR_A ? &sides[0] : &sides[1];

		wire.queue = p->next;
		tcp_input(&to->stack, p->src, p->dst, p->bytes, p->len, wire.now);
		free(p);
	}
	tcp_timer_run(&sides[0].stack, wire.now);
	tcp_timer_run(&sides[1].stack, wire.now);
	return true;
}

static uint32_t bufsize; /* 0: the default */
static size_t memlimit;	 /* each side's allocator, 0: none */
/* What the last run saw before closing: simulated time for the
 * transfer, each side's buffer sizes. */
static uint64_t transfer_time;
static uint32_t final_rcv[2], final_snd[2];

static void
run(uint64_t seed, unsigned loss, unsigned reorder, unsigned dup, unsigned corrupt)
{
	static const uint8_t key_a[32] = { 1 }, key_b[32] = { 2 };
	unsigned long steps = 0;

	unit_srand(seed);
	memset(&wire, 0, sizeof(wire));
	memset(sides, 0, sizeof(sides));
	wire.loss = loss;
	wire.reorder = reorder;
	wire.dup = dup;
	wire.corrupt = corrupt;
	wire.latency = 5 * TCP_NS_PER_MS;
	wire.now = TCP_NS_PER_S;
	tcp_stack_init(&sides[0].stack, &ops, NULL, key_a);
	tcp_stack_init(&sides[1].stack, &ops, NULL, key_b);
	sides[0].mem.limit = sides[1].mem.limit = memlimit;
	sides[1].listener = tcp_open(&sides[1].stack, &sides[1].mem);
	sides[0].conn = tcp_open(&sides[0].stack, &sides[0].mem);
	for (int i = 0; bufsize && i < 2; i++) {
		struct tcp_conn *c = i ? sides[1].listener : sides[0].conn;

		CHECK_EQ(tcp_setopt(c, TCP_SO_SNDBUF, bufsize), 0);
		CHECK_EQ(tcp_setopt(c, TCP_SO_RCVBUF, bufsize), 0);
	}
	CHECK_EQ(tcp_listen(sides[1].listener, ADDR_B, PORT_B, 4), 0);
	CHECK_EQ(tcp_connect(sides[0].conn, ADDR_A, 0, ADDR_B, PORT_B, wire.now), 0);

	while (!(sides[0].eof && sides[1].eof) && steps++ < MAX_STEPS) {
		if (!step())
			break; /* nothing will ever happen again */
		app(0);
		app(1);
	}
	CHECK(steps < MAX_STEPS);
	CHECK_EQ(sides[0].received, TRANSFER);
	CHECK_EQ(sides[1].received, TRANSFER);
	CHECK(sides[0].eof && sides[1].eof);
	CHECK(wire.now - TCP_NS_PER_S < 3600 * TCP_NS_PER_S);
	CHECK_EQ(sides[0].stack.stats.conns_timed_out + sides[1].stack.stats.conns_timed_out, 0);
	printf("  seed %llu: %.1f s simulated, %lu segments, %lu lost, %lu reordered, "
	       "%lu duplicated, %lu corrupted, %llu + %llu retransmitted, %llu bad\n",
	       (unsigned long long)seed, (double)(wire.now - TCP_NS_PER_S) / 1e9, wire.sent,
	       wire.lost, wire.reordered, wire.duplicated, wire.corrupted,
	       (unsigned long long)sides[0].stack.stats.retransmits,
	       (unsigned long long)sides[1].stack.stats.retransmits,
	       (unsigned long long)(sides[0].stack.stats.bad_segs + sides[1].stack.stats.bad_segs));
	/* Both close; memory stays within the buffers at their largest
	 * (and a chunk of slack each) and comes back. */
	transfer_time = wire.now - TCP_NS_PER_S;
	for (int i = 0; i < 2; i++) {
		const struct tcp_conn *c = sides[i].conn;

		final_rcv[i] = c->rcv_buf.cap;
		final_snd[i] = c->snd_buf.cap;
		size_t most = 2 * sizeof(struct tcp_conn) + c->snd_buf.cap + c->rcv_buf.cap +
			      4ul * c->rcv_buf.csize;

		CHECK(sides[i].mem.peak <= most);
		if (memlimit)
			CHECK(sides[i].mem.peak <= memlimit);
	}
	tcp_close(sides[0].conn, wire.now);
	if (sides[1].conn)
		tcp_close(sides[1].conn, wire.now);
	tcp_close(sides[1].listener, wire.now);
	/* The closing handshakes run on, over the same wire, until TIME_WAIT
	 * ends and nothing is left to happen. */
	steps = 0;
	while (steps++ < MAX_STEPS && step())
		;
	CHECK(steps < MAX_STEPS);
	CHECK(!wire.queue);
	CHECK_EQ(sides[0].mem.in_use, 0);
	CHECK_EQ(sides[1].mem.in_use, 0);
	tcp_stack_destroy(&sides[0].stack);
	tcp_stack_destroy(&sides[1].stack);
}

/* 1 MiB over a 10 ms round trip is window-bound at 64 KiB: autotuning
 * grows both buffers, and the transfer takes less time for it. */
UNIT_TEST(clean_wire)
{
	uint64_t fixed;

	bufsize = 64 * 1024;
	run(1, 0, 0, 0, 0);
	fixed = transfer_time;
	bufsize = 0;
	run(1, 0, 0, 0, 0);
	for (int i = 0; i < 2; i++) {
		CHECK(final_rcv[i] > 2 * 64 * 1024);
		CHECK(final_snd[i] > 2 * 64 * 1024);
	}
	printf("  64 KiB fixed: %.2f s, autotuned: %.2f s\n", (double)fixed / 1e9,
	       (double)transfer_time / 1e9);
	CHECK(transfer_time < fixed);
}

/* Owners whose Memory holds little beyond the structures: the buffers
 * stop growing, segments that cannot be stored are dropped and sent
 * again, and everything still arrives. */
UNIT_TEST(a_small_memory_limits_growth_not_delivery)
{
	memlimit = 2 * sizeof(struct tcp_conn) + 6 * TCP_BUF_CHUNK;
	run(7, 0, 0, 0, 0);
	CHECK(sides[0].mem.failures + sides[1].mem.failures > 0); /* the limit was reached */
	printf("  %lu + %lu allocations refused, %llu + %llu segments dropped for memory\n",
	       sides[0].mem.failures, sides[1].mem.failures,
	       (unsigned long long)sides[0].stack.stats.mem_drops,
	       (unsigned long long)sides[1].stack.stats.mem_drops);
	run(8, 300, 200, 100, 10);
	memlimit = 0;
}

UNIT_TEST(lossy_wire)
{
	run(2, 500, 200, 100, 10);
}

UNIT_TEST(lossy_wire_other_seeds)
{
	run(3, 500, 200, 100, 10);
	run(4, 1000, 500, 200, 50);
}

/* Random rates up to 10 % loss, 5 % reordering, 2 % duplication and
 * 0.5 % corruption, a different seed each run. */
UNIT_TEST(many_seeds)
{
	for (uint64_t seed = 100; seed < 100 + SEEDS; seed++) {
		uint64_t r;

		unit_srand(seed * 7919);
		r = unit_rand();
		run(seed, (unsigned)(r % 1000), (unsigned)(r >> 16) % 500,
		    (unsigned)(r >> 32) % 200, (unsigned)(r >> 48) % 50);
	}
}

/* Buffers of 3000 bytes: zero windows, probes and silly-window rules
 * all the way. */
UNIT_TEST(small_buffers)
{
	bufsize = 3000;
	for (uint64_t seed = 500; seed < 500 + SEEDS / 2; seed++)
		run(seed, 300, 200, 100, 10);
	bufsize = 0;
}

UNIT_MAIN();
