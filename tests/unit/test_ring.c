/* lib/ring.c: the byte ring between the serial interrupt and readers. */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "lib/ring.h"
#include "themelios/errno.h"
#include "unit.h"

UNIT_TEST(init_rejects_bad_sizes)
{
	struct ring r;
	uint8_t buf[64];

	CHECK_EQ(ring_init(&r, buf, 0), -E_INVAL);
	CHECK_EQ(ring_init(&r, buf, 1), -E_INVAL);
	CHECK_EQ(ring_init(&r, buf, 3), -E_INVAL);
	CHECK_EQ(ring_init(&r, buf, 48), -E_INVAL);
	CHECK_EQ(ring_init(&r, NULL, 64), -E_INVAL);
	CHECK_EQ(ring_init(NULL, buf, 64), -E_INVAL);
	CHECK_EQ(ring_init(&r, buf, 2), 0);
	CHECK_EQ(ring_init(&r, buf, 64), 0);
	CHECK_EQ(ring_size(&r), 64);
	CHECK_EQ(ring_count(&r), 0);
	CHECK_EQ(ring_space(&r), 64);
}

UNIT_TEST(fifo_order_full_and_empty)
{
	struct ring r;
	uint8_t buf[8];

	ring_init(&r, buf, sizeof(buf));
	CHECK_EQ(ring_get(&r), -1);
	for (int i = 0; i < 8; i++)
		CHECK(ring_put(&r, (uint8_t)(0xf8 + i)));
	CHECK_EQ(ring_count(&r), 8);
	CHECK_EQ(ring_space(&r), 0);
	CHECK(!ring_put(&r, 1));
	CHECK(!ring_put(&r, 2));
	CHECK_EQ(r.dropped, 2);
	/* Bytes >= 0x80 come back as positive values, not as -1. */
	for (int i = 0; i < 8; i++)
		CHECK_EQ(ring_get(&r), 0xf8 + i);
	CHECK_EQ(ring_get(&r), -1);
	CHECK_EQ(ring_count(&r), 0);
	/* A zero byte is data too. */
	CHECK(ring_put(&r, 0));
	CHECK_EQ(ring_get(&r), 0);
	CHECK_EQ(ring_get(&r), -1);
}

UNIT_TEST(bulk_read_write_partial)
{
	struct ring r;
	uint8_t buf[16], out[32], in[32];

	for (int i = 0; i < 32; i++)
		in[i] = (uint8_t)(i * 7 + 1);
	ring_init(&r, buf, sizeof(buf));
	CHECK_EQ(ring_write(&r, in, 10), 10);
	CHECK_EQ(ring_write(&r, in + 10, 10), 6); /* only 6 fit */
	CHECK_EQ(r.dropped, 4);
	CHECK_EQ(ring_read(&r, out, 5), 5);
	CHECK(memcmp(out, in, 5) == 0);
	/* Wraps around the end of the buffer. */
	CHECK_EQ(ring_write(&r, in + 16, 5), 5);
	CHECK_EQ(ring_read(&r, out, 32), 16);
	CHECK(memcmp(out, in + 5, 11) == 0);
	CHECK(memcmp(out + 11, in + 16, 5) == 0);
	CHECK_EQ(ring_read(&r, out, 32), 0);
	CHECK_EQ(ring_write(&r, in, 0), 0);
}

UNIT_TEST(free_running_indices_wrap)
{
	struct ring r;
	uint8_t buf[4];

	ring_init(&r, buf, sizeof(buf));
	/* Just below the wrap of size_t: the arithmetic must still hold. */
	r.head = r.tail = SIZE_MAX - 2;
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 4; i++)
			CHECK(ring_put(&r, (uint8_t)(round * 4 + i)));
		CHECK(!ring_put(&r, 99));
		CHECK_EQ(ring_count(&r), 4);
		for (int i = 0; i < 4; i++)
			CHECK_EQ(ring_get(&r), round * 4 + i);
		CHECK_EQ(ring_count(&r), 0);
	}
}

/* Random operations checked against a plain array model. */
UNIT_TEST(random_against_model)
{
	enum {
		SIZE = 32,
		MODEL = 1 << 16
	};
	static uint8_t model[MODEL];
	struct ring r;
	uint8_t buf[SIZE], tmp[64];
	size_t mhead = 0, mtail = 0;
	uint64_t drops = 0;

	unit_srand(0x9e3779b97f4a7c15ull);
	ring_init(&r, buf, SIZE);
	for (int step = 0; step < 20000 && mhead + 64 < MODEL; step++) {
		unsigned int op = unit_rand() % 4, n = unit_rand() % 40;

		if (op == 0) {
			uint8_t c = (uint8_t)unit_rand();
			bool fits = mhead - mtail < SIZE;
			CHECK_EQ(ring_put(&r, c), fits);
			if (fits)
				model[mhead++] = c;
			else
				drops++;
		} else if (op == 1) {
			size_t fit = SIZE - (mhead - mtail);
			size_t want = n < fit ? n : fit;
			for (unsigned int i = 0; i < n; i++)
				tmp[i] = (uint8_t)unit_rand();
			CHECK_EQ(ring_write(&r, tmp, n), want);
			memcpy(model + mhead, tmp, want);
			mhead += want;
			drops += n - want;
		} else if (op == 2) {
			int c = ring_get(&r);
			if (mhead == mtail)
				CHECK_EQ(c, -1);
			else
				CHECK_EQ(c, model[mtail++]);
		} else {
			size_t avail = mhead - mtail;
			size_t want = n < avail ? n : avail;
			CHECK_EQ(ring_read(&r, tmp, n), want);
			CHECK(memcmp(tmp, model + mtail, want) == 0);
			mtail += want;
		}
		CHECK_EQ(ring_count(&r), mhead - mtail);
	}
	CHECK_EQ(r.dropped, drops);
}

/* One producer thread and one consumer thread, as interrupt and reader. */
#define SPSC_BYTES 2000000

static struct ring spsc;
static uint8_t spsc_buf[64];

static void *
producer(void *arg)
{
	(void)arg;
	for (uint32_t i = 0; i < SPSC_BYTES;) {
		if (ring_put(&spsc, (uint8_t)(i * 31 + (i >> 8))))
			i++;
	}
	return NULL;
}

UNIT_TEST(one_producer_one_consumer_threads)
{
	pthread_t t;
	uint32_t got = 0, bad = 0;

	ring_init(&spsc, spsc_buf, sizeof(spsc_buf));
	CHECK_EQ(pthread_create(&t, NULL, producer, NULL), 0);
	while (got < SPSC_BYTES) {
		int c = ring_get(&spsc);
		if (c < 0)
			continue;
		if (c != (uint8_t)(got * 31 + (got >> 8)))
			bad++;
		got++;
	}
	pthread_join(t, NULL);
	CHECK_EQ(bad, 0);
	CHECK_EQ(ring_get(&spsc), -1);
}

UNIT_MAIN()
