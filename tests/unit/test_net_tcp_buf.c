/*
 * The chunked byte queues behind TCP's buffers, against a flat model:
 * wraparound of the chunk ring, growing while holding data, shrinking,
 * early data past len, chunks freed as they drain, and allocations that
 * fail part way.  The host allocator counts every byte (tcp_host.h).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "net/tcp_buf.h"
#include "tcp_host.h"
#include "unit.h"

static struct tcp_host_mem mem;

static void
init(struct tcp_buf *b, uint32_t cap, uint32_t max)
{
	memset(&mem, 0, sizeof(mem));
	tcp_buf_init(b, cap, max, tcp_host_alloc, tcp_host_free, &mem);
}

static uint8_t
pattern(uint64_t i)
{
	return (uint8_t)(i * 131 + (i >> 9));
}

UNIT_TEST(nothing_allocated_until_bytes_arrive)
{
	struct tcp_buf b;
	uint8_t out[8];

	init(&b, 64 * 1024, 1024 * 1024);
	CHECK(tcp_buf_ready(&b));
	CHECK_EQ(b.csize, TCP_BUF_CHUNK);
	CHECK_EQ(tcp_buf_space(&b), 64 * 1024);
	CHECK_EQ(mem.in_use, 0);
	CHECK_EQ(tcp_buf_append(&b, "abcdefgh", 8), 8);
	CHECK_EQ(mem.in_use, TCP_BUF_CHUNK);
	tcp_buf_peek(&b, 2, out, 4);
	CHECK(!memcmp(out, "cdef", 4));
	/* Drained: one chunk kept for the next bytes, from its start. */
	tcp_buf_consume(&b, 8);
	CHECK_EQ(b.nchunks, 1);
	CHECK_EQ(b.head, 0);
	tcp_buf_release(&b);
	CHECK_EQ(mem.in_use, 0);
	CHECK_EQ(b.nchunks, 0);
	/* A maximum the ring cannot address in standard chunks takes
	 * larger ones. */
	init(&b, 1 << 20, 64u << 20);
	CHECK(b.csize > TCP_BUF_CHUNK);
	CHECK(tcp_buf_max(&b) >= 64u << 20);
}

UNIT_TEST(wraps_around_the_chunk_ring)
{
	static uint8_t in[40000], out[40000];
	struct tcp_buf b;
	uint64_t w = 0, r = 0;

	init(&b, 200000, 200000);
	/* Several times round the 72 slots, in pieces that straddle chunks. */
	while (r < 5ull * TCP_BUF_SLOTS * TCP_BUF_CHUNK) {
		uint32_t n = 1 + (uint32_t)(unit_rand() % sizeof(in)), got;

		for (uint32_t k = 0; k < n; k++)
			in[k] = pattern(w + k);
		got = tcp_buf_append(&b, in, n);
		CHECK(got <= n);
		w += got;
		n = (uint32_t)(unit_rand() % (b.len + 1));
		tcp_buf_peek(&b, 0, out, n < sizeof(out) ? n : sizeof(out));
		for (uint32_t k = 0; k < n && k < sizeof(out); k++)
			if (out[k] != pattern(r + k)) {
				CHECK(!"a byte differs");
				return;
			}
		if (n > sizeof(out))
			n = sizeof(out);
		tcp_buf_consume(&b, n);
		r += n;
		/* Never more chunks than the bytes held span, plus one. */
		CHECK(b.nchunks <= (b.head + b.hi + b.csize - 1) / b.csize + 1);
		CHECK_EQ(mem.in_use, (size_t)b.nchunks * b.csize);
	}
	tcp_buf_release(&b);
	CHECK_EQ(mem.in_use, 0);
}

/* Random appends, early placements, reads and resizes against a model
 * of what the window holds. */
UNIT_TEST(matches_a_flat_model)
{
	enum {
		MAX = 600000
	};
	static uint8_t model[MAX], have[MAX], tmp[MAX];
	struct tcp_buf b;

	unit_srand(11);
	init(&b, 70000, MAX);
	memset(have, 0, sizeof(have));
	for (int step = 0; step < 20000; step++) {
		unsigned op = (unsigned)(unit_rand() % 5);

		if (op == 0) { /* append */
			uint32_t n = (uint32_t)(unit_rand() % 30000);

			for (uint32_t k = 0; k < n; k++)
				tmp[k] = (uint8_t)unit_rand();
			n = tcp_buf_append(&b, tmp, n);
			memcpy(model + b.len - n, tmp, n);
			memset(have + b.len - n, 1, n);
		} else if (op == 1 && b.cap > b.len + 1) { /* early data */
			uint32_t off = b.len + (uint32_t)(unit_rand() % (b.cap - b.len));
			uint32_t n = (uint32_t)(unit_rand() % 3000);

			if (n > b.cap - off)
				n = b.cap - off;
			for (uint32_t k = 0; k < n; k++)
				tmp[k] = (uint8_t)unit_rand();
			CHECK_EQ(tcp_buf_place(&b, off, tmp, n), 0);
			memcpy(model + off, tmp, n);
			memset(have + off, 1, n);
		} else if (op == 2) { /* read and check everything stored */
			uint32_t n = (uint32_t)(unit_rand() % (b.len + 1));

			tcp_buf_peek(&b, 0, tmp, b.hi);
			for (uint32_t k = 0; k < b.hi; k++)
				if (have[k] && tmp[k] != model[k]) {
					CHECK(!"a byte differs");
					return;
				}
			tcp_buf_consume(&b, n);
			memmove(model, model + n, MAX - n);
			memmove(have, have + n, MAX - n);
			memset(have + MAX - n, 0, n);
		} else if (op == 3) { /* grow or shrink, never below what is held */
			uint32_t want = (uint32_t)(unit_rand() % MAX),
				 got = tcp_buf_resize(&b, want);

			CHECK_EQ(got, want < b.hi ? b.hi : want);
		}
		CHECK(b.len <= b.hi && b.hi <= b.cap);
		CHECK_EQ(mem.in_use, (size_t)b.nchunks * b.csize);
	}
	tcp_buf_release(&b);
	CHECK_EQ(mem.in_use, 0);
}

UNIT_TEST(grows_while_holding_data)
{
	static uint8_t in[300000], out[300000];
	struct tcp_buf b;

	for (uint32_t k = 0; k < sizeof(in); k++)
		in[k] = pattern(k);
	init(&b, 65536, 1 << 20);
	tcp_buf_append(&b, in, 1000);
	tcp_buf_consume(&b, 1000); /* head is now inside a chunk */
	CHECK_EQ(tcp_buf_append(&b, in, sizeof(in)), 65536);
	CHECK_EQ(tcp_buf_space(&b), 0);
	CHECK_EQ(tcp_buf_resize(&b, 262144), 262144);
	CHECK_EQ(tcp_buf_append(&b, in + 65536, sizeof(in) - 65536), 262144 - 65536);
	tcp_buf_peek(&b, 0, out, 262144);
	CHECK(!memcmp(in, out, 262144));
	/* Shrinking stops at what is held, and past the ring's reach. */
	CHECK_EQ(tcp_buf_resize(&b, 1000), 262144);
	tcp_buf_consume(&b, 200000);
	CHECK_EQ(tcp_buf_resize(&b, 1000), 62144);
	CHECK_EQ(tcp_buf_resize(&b, 0xffffffffu), tcp_buf_max(&b));
	/* Consumed chunks went back. */
	CHECK(b.nchunks <= 62144 / b.csize + 2);
	tcp_buf_peek(&b, 0, out, 62144);
	CHECK(!memcmp(in + 200000, out, 62144));
	tcp_buf_release(&b);
	CHECK_EQ(mem.in_use, 0);
}

UNIT_TEST(failed_allocations_keep_what_fitted)
{
	static uint8_t in[100000], out[100000];
	struct tcp_buf b;

	for (uint32_t k = 0; k < sizeof(in); k++)
		in[k] = pattern(k);
	init(&b, 1 << 20, 1 << 20);
	mem.limit = 2 * TCP_BUF_CHUNK;
	/* Two chunks' worth fits, the third cannot be paid for. */
	CHECK_EQ(tcp_buf_append(&b, in, sizeof(in)), 2 * TCP_BUF_CHUNK);
	CHECK_EQ(mem.failures, 1);
	CHECK_EQ(tcp_buf_append(&b, in, 10), 0);
	/* Early data in a chunk not yet held: refused, len unchanged. */
	CHECK_EQ(tcp_buf_place(&b, 3 * TCP_BUF_CHUNK, in, 10), -1);
	CHECK_EQ(b.len, 2 * TCP_BUF_CHUNK);
	CHECK_EQ(b.hi, 2 * TCP_BUF_CHUNK);
	/* Draining the first chunk frees it: growth resumes. */
	tcp_buf_consume(&b, TCP_BUF_CHUNK);
	CHECK_EQ(b.nchunks, 1);
	CHECK_EQ(tcp_buf_append(&b, in + 2 * TCP_BUF_CHUNK, 500), 500);
	tcp_buf_peek(&b, 0, out, TCP_BUF_CHUNK + 500);
	CHECK(!memcmp(in + TCP_BUF_CHUNK, out, TCP_BUF_CHUNK + 500));
	/* A peek over a hole that was never stored reads zeros. */
	mem.limit = 0;
	CHECK_EQ(tcp_buf_place(&b, 4 * TCP_BUF_CHUNK, "z", 1), 0);
	tcp_buf_peek(&b, 3 * TCP_BUF_CHUNK, out, 2);
	CHECK(out[0] == 0 && out[1] == 0);
	tcp_buf_release(&b);
	CHECK_EQ(mem.in_use, 0);
}

UNIT_MAIN();
