/*
 * Split-virtqueue bookkeeping against a fake device that reads the
 * available ring and writes the used ring as the spec says, then
 * misbehaves: a used index that runs ahead, an id not in flight, a
 * length past the chain's writable buffers.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dev/virtio/virtqueue.h"
#include "themelios/errno.h"
#include "unit.h"

#define PHYS 0x100000ull

static uint8_t *mem;
static struct virtq q;
static uint16_t dev_last_avail;

static void
setup(uint16_t size)
{
	free(mem);
	mem = aligned_alloc(16, (virtq_mem_size(size) + 15) & ~(size_t)15);
	memset(mem, 0, virtq_mem_size(size));
	CHECK_EQ(virtq_init(&q, size, mem, PHYS), 0);
	dev_last_avail = 0;
}

/* The fake device: takes the next available chain and returns it used
 * with len bytes written.  Returns the head, or -1. */
static int
dev_complete(uint32_t len)
{
	uint16_t head;
	struct virtq_used_elem *e;

	if (q.avail->idx == dev_last_avail)
		return -1;
	head = q.avail->ring[dev_last_avail % q.size];
	dev_last_avail++;
	e = &q.used->ring[q.used->idx % q.size];
	e->id = head;
	e->len = len;
	q.used->idx++;
	return head;
}

/* The chain at head as the device would walk it: buffers and flags. */
static int
chain_length(uint16_t head, uint32_t *writable)
{
	int n = 1;
	uint16_t i = head;

	*writable = 0;
	for (;;) {
		const struct virtq_desc *d = &q.desc[i];
		if (d->flags & VIRTQ_DESC_F_WRITE)
			*writable += d->len;
		if (!(d->flags & VIRTQ_DESC_F_NEXT))
			return n;
		i = d->next;
		n++;
		if (n > q.size)
			return -1;
	}
}

UNIT_TEST(layout_follows_the_spec)
{
	setup(8);
	CHECK_EQ((uint8_t *)q.avail - mem, 128);
	CHECK_EQ(((uint8_t *)q.used - mem) % 4, 0);
	CHECK((uint8_t *)q.used >= (uint8_t *)q.avail + 6 + 2 * 8);
	CHECK_EQ(q.desc_phys, PHYS);
	CHECK_EQ(q.avail_phys, PHYS + 128);
	CHECK_EQ(q.used_phys, PHYS + ((uint8_t *)q.used - mem));
	CHECK_EQ(virtq_mem_size(8), ((uint8_t *)q.used - mem) + 6 + 8 * 8);
	CHECK_EQ(virtq_init(&q, 0, mem, PHYS), -E_INVAL);
	CHECK_EQ(virtq_init(&q, 6, mem, PHYS), -E_INVAL);
	CHECK_EQ(virtq_init(&q, VIRTQ_MAX_SIZE * 2, mem, PHYS), -E_INVAL);
}

UNIT_TEST(a_block_request_round_trip)
{
	struct virtq_buf bufs[3] = { { 0x1000, 16, false },
				     { 0x2000, 512, true },
				     { 0x3000, 1, true } };
	int cookie, head;
	void *got;
	uint32_t len, writable;

	setup(8);
	head = virtq_add(&q, bufs, 3, &cookie);
	CHECK(head >= 0);
	CHECK_EQ(q.num_free, 5);
	CHECK_EQ(q.avail->idx, 1);
	CHECK_EQ(q.avail->ring[0], head);
	CHECK_EQ(chain_length((uint16_t)head, &writable), 3);
	CHECK_EQ(writable, 513);
	CHECK_EQ(q.desc[head].addr, 0x1000);
	CHECK(!(q.desc[head].flags & VIRTQ_DESC_F_WRITE));
	CHECK(virtq_should_notify(&q));
	CHECK_EQ(virtq_get_used(&q, &got, &len), 0);
	CHECK_EQ(dev_complete(513), head);
	CHECK_EQ(virtq_get_used(&q, &got, &len), 1);
	CHECK(got == &cookie);
	CHECK_EQ(len, 513);
	CHECK_EQ(q.num_free, 8);
	CHECK_EQ(virtq_get_used(&q, &got, &len), 0);
	q.used->flags = VIRTQ_USED_F_NO_NOTIFY;
	CHECK(!virtq_should_notify(&q));
}

UNIT_TEST(full_queue_and_bad_chains)
{
	struct virtq_buf bufs[3] = { { 0x1000, 16, false },
				     { 0x2000, 512, true },
				     { 0x3000, 1, true } };
	struct virtq_buf backwards[2] = { { 0x2000, 512, true }, { 0x1000, 16, false } };

	setup(4);
	CHECK_EQ(virtq_add(&q, bufs, 0, NULL), -E_INVAL);
	CHECK_EQ(virtq_add(&q, backwards, 2, NULL), -E_INVAL);
	CHECK(virtq_add(&q, bufs, 3, NULL) >= 0);
	CHECK_EQ(virtq_add(&q, bufs, 3, NULL), -E_AGAIN);
	CHECK(virtq_add(&q, bufs, 1, NULL) >= 0);
	CHECK_EQ(q.num_free, 0);
	CHECK_EQ(virtq_add(&q, bufs, 1, NULL), -E_AGAIN);
}

/* Random traffic, completed out of order, with the device scribbling
 * over the descriptors' next fields: the free list must stay whole. */
UNIT_TEST(random_traffic_out_of_order)
{
	static int cookies[64];
	int outstanding[64], nout = 0, done = 0;
	uint32_t wlen[64];

	setup(16);
	unit_srand(42);
	for (int round = 0; round < 20000; round++) {
		if (nout < 64 && unit_rand() % 2) {
			struct virtq_buf bufs[3] = { { 0x1000, 16, false },
						     { 0x2000, 512, true },
						     { 0x3000, 1, true } };
			unsigned int n = 1 + unit_rand() % 3;
			int head = virtq_add(&q, bufs, n, &cookies[nout]);
			if (head == -E_AGAIN)
				continue;
			CHECK(head >= 0 && head < 16);
			wlen[nout] = n == 1 ? 0 : n == 2 ? 512 : 513;
			outstanding[nout++] = head;
			continue;
		}
		if (!nout)
			continue;
		/* The device completes a random chain in flight. */
		{
			int k = (int)(unit_rand() % (unsigned)nout), head = outstanding[k];
			struct virtq_used_elem *e = &q.used->ring[q.used->idx % q.size];
			uint32_t w = wlen[k];
			void *got;
			uint32_t len;

			e->id = (uint32_t)head;
			e->len = w;
			q.used->idx++;
			for (int i = 0; i < 16; i++)
				q.desc[i].next = (uint16_t)unit_rand();
			CHECK_EQ(virtq_get_used(&q, &got, &len), 1);
			CHECK_EQ(len, w);
			CHECK(got == &cookies[k] || got != NULL);
			outstanding[k] = outstanding[--nout];
			wlen[k] = wlen[nout];
			done++;
		}
	}
	CHECK(done > 1000);
	CHECK(nout <= 16);
}

UNIT_TEST(misbehaving_device_is_caught)
{
	struct virtq_buf bufs[2] = { { 0x1000, 16, false }, { 0x2000, 512, true } };
	void *got;
	uint32_t len;
	int head;

	/* A used index far ahead of what is in flight. */
	setup(8);
	head = virtq_add(&q, bufs, 2, NULL);
	q.used->idx = 5;
	CHECK_EQ(virtq_get_used(&q, &got, &len), -E_CORRUPT);
	CHECK_EQ(q.num_free, 6);

	/* An id past the ring, and one that is not a chain in flight. */
	setup(8);
	head = virtq_add(&q, bufs, 2, NULL);
	q.used->ring[0].id = 8;
	q.used->idx = 1;
	CHECK_EQ(virtq_get_used(&q, &got, &len), -E_CORRUPT);
	q.used->ring[0].id = (uint32_t)head + 1; /* the chain's second descriptor */
	CHECK_EQ(virtq_get_used(&q, &got, &len), -E_CORRUPT);
	q.used->ring[0].id = 0xffffffff;
	CHECK_EQ(virtq_get_used(&q, &got, &len), -E_CORRUPT);

	/* A length past the writable buffers. */
	q.used->ring[0].id = (uint32_t)head;
	q.used->ring[0].len = 513;
	CHECK_EQ(virtq_get_used(&q, &got, &len), -E_CORRUPT);
	q.used->ring[0].len = 512;
	CHECK_EQ(virtq_get_used(&q, &got, &len), 1);

	/* The same id completed twice. */
	head = virtq_add(&q, bufs, 2, NULL);
	CHECK_EQ(dev_complete(0), head);
	CHECK_EQ(virtq_get_used(&q, &got, &len), 1);
	q.used->ring[q.used->idx % q.size] = (struct virtq_used_elem){ (uint32_t)head, 0 };
	q.used->idx++;
	CHECK_EQ(virtq_get_used(&q, &got, &len), -E_CORRUPT);
}

static int drained;

static void
count_drained(void *cookie, void *ctx)
{
	(void)cookie;
	(void)ctx;
	drained++;
}

UNIT_TEST(drain_after_reset)
{
	struct virtq_buf bufs[1] = { { 0x1000, 16, false } };

	setup(8);
	virtq_add(&q, bufs, 1, NULL);
	virtq_add(&q, bufs, 1, NULL);
	drained = 0;
	virtq_drain(&q, count_drained, NULL);
	CHECK_EQ(drained, 2);
	virtq_drain(&q, count_drained, NULL);
	CHECK_EQ(drained, 2);
	free(mem);
	mem = NULL;
}

/* The batched drain: interrupts off while the thread drains, and an
 * entry that lands between the last take and re-enabling is reported. */
UNIT_TEST(interrupt_suppression_reports_late_entries)
{
	struct virtq_buf bufs[1] = { { 0x1000, 64, true } };
	void *cookie;
	uint32_t len;

	setup(8);
	CHECK(!virtq_has_used(&q));
	virtq_add(&q, bufs, 1, NULL);
	virtq_add(&q, bufs, 1, NULL);
	virtq_disable_interrupts(&q);
	CHECK_EQ(q.avail->flags, VIRTQ_AVAIL_F_NO_INTERRUPT);
	dev_complete(10);
	CHECK(virtq_has_used(&q));
	CHECK_EQ(virtq_get_used(&q, &cookie, &len), 1);
	CHECK(!virtq_has_used(&q));
	dev_complete(20); /* after the drain, before interrupts are on */
	CHECK(virtq_enable_interrupts(&q));
	CHECK_EQ(q.avail->flags, 0);
	CHECK_EQ(virtq_get_used(&q, &cookie, &len), 1);
	CHECK_EQ(len, 20);
	CHECK(!virtq_enable_interrupts(&q));
	free(mem);
	mem = NULL;
}

/* Indirect tables: a chain of many buffers takes one ring slot, the
 * table holds the buffers in order, and the used length is still
 * checked against what the chain let the device write. */
UNIT_TEST(indirect_chains_take_one_slot)
{
	struct virtq_buf bufs[5] = {
		{ 0x1000, 16, false },	{ 0x2000, 4096, true }, { 0x3000, 4096, true },
		{ 0x4000, 4096, true }, { 0x5000, 1, true },
	};
	struct virtq_desc *tables;
	uint64_t tables_phys = 0x900000;
	void *cookie;
	uint32_t len;
	int head;

	setup(4);
	tables = aligned_alloc(16, virtq_indirect_size(4));
	memset(tables, 0, virtq_indirect_size(4));
	virtq_set_indirect(&q, tables, tables_phys);
	/* Four chains of five buffers fit a ring of four descriptors. */
	for (int k = 0; k < 4; k++) {
		head = virtq_add(&q, bufs, 5, (void *)(uintptr_t)(k + 1));
		CHECK(head >= 0);
		CHECK_EQ(q.desc[head].flags, VIRTQ_DESC_F_INDIRECT);
		CHECK_EQ(q.desc[head].len, 5 * sizeof(struct virtq_desc));
		CHECK_EQ(q.desc[head].addr, tables_phys + (uint64_t)head * VIRTQ_INDIRECT_MAX *
								  sizeof(struct virtq_desc));
		struct virtq_desc *t = tables + (size_t)head * VIRTQ_INDIRECT_MAX;
		for (int b = 0; b < 5; b++) {
			CHECK_EQ(t[b].addr, bufs[b].phys);
			CHECK_EQ(t[b].len, bufs[b].len);
			CHECK_EQ(!!(t[b].flags & VIRTQ_DESC_F_WRITE), bufs[b].device_writes);
			CHECK_EQ(!!(t[b].flags & VIRTQ_DESC_F_NEXT), b < 4);
			if (b < 4)
				CHECK_EQ(t[b].next, b + 1);
		}
	}
	CHECK_EQ(virtq_add(&q, bufs, 5, NULL), -E_AGAIN);
	/* A single buffer needs no table. */
	dev_complete(4096 * 3 + 1);
	CHECK_EQ(virtq_get_used(&q, &cookie, &len), 1);
	CHECK_EQ(len, 4096 * 3 + 1);
	head = virtq_add(&q, bufs, 1, NULL);
	CHECK(head >= 0);
	CHECK_EQ(q.desc[head].flags, 0);
	/* Past the chain's writable bytes: the device broke the protocol. */
	dev_complete(4096 * 3 + 2);
	CHECK_EQ(virtq_get_used(&q, &cookie, &len), -E_CORRUPT);
	free(tables);
	free(mem);
	mem = NULL;
}

/* Event indexes: the driver notifies only when the new available index
 * passes the device's avail_event, and asks for an interrupt at the
 * next used entry by moving used_event along (never when off). */
UNIT_TEST(event_index_notifications_and_interrupts)
{
	struct virtq_buf bufs[1] = { { 0x1000, 64, true } };
	volatile uint16_t *avail_ev, *used_ev;
	void *cookie;
	uint32_t len;

	setup(8);
	virtq_set_event_idx(&q);
	avail_ev = (volatile uint16_t *)&q.used->ring[8];
	used_ev = &q.avail->ring[8];
	*avail_ev = 0; /* the device wants to hear of index 0 -> 1 */
	virtq_add(&q, bufs, 1, NULL);
	CHECK(virtq_should_notify(&q));
	virtq_add(&q, bufs, 1, NULL);
	CHECK(!virtq_should_notify(&q)); /* it has not caught up: no news */
	*avail_ev = 2;
	virtq_add(&q, bufs, 1, NULL);
	virtq_add(&q, bufs, 1, NULL);
	CHECK(virtq_should_notify(&q)); /* 2 -> 4 passes 2 */
	/* Interrupts on: used_event follows what was taken. */
	dev_complete(1);
	CHECK_EQ(virtq_get_used(&q, &cookie, &len), 1);
	CHECK_EQ(*used_ev, 1);
	virtq_disable_interrupts(&q);
	CHECK_EQ(*used_ev, 0); /* passed already: no interrupt until it wraps */
	CHECK_EQ(q.avail->flags, 0);
	dev_complete(1);
	CHECK_EQ(virtq_get_used(&q, &cookie, &len), 1);
	CHECK_EQ(*used_ev, 0);
	dev_complete(1); /* lands while interrupts are off */
	CHECK(virtq_enable_interrupts(&q));
	CHECK_EQ(*used_ev, 2);
	CHECK_EQ(virtq_get_used(&q, &cookie, &len), 1);
	CHECK_EQ(*used_ev, 3);
	free(mem);
	mem = NULL;
}

UNIT_MAIN()
