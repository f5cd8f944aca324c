/*
 * The frame bitmap against a byte-per-frame model: random single and
 * contiguous allocations and frees over a memory map with holes and RAM
 * above 4 GiB, exhaustion and recovery, bad frees refused unchanged.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "mm/frame_bitmap.h"
#include "themelios/errno.h"
#include "unit.h"

enum {
	ABSENT,
	FREE,
	ALLOC,
	RESERVED
};

/* 6 GiB machine: RAM below 2 GiB with a hole, and 4..6 GiB. */
#define NFRAMES ((6ull << 30) / 4096)

static struct frame_bitmap bm;
static uint64_t *storage;
static unsigned char *model;

static void
setup(void)
{
	free(storage);
	free(model);
	storage = calloc(frame_bitmap_storage_words(NFRAMES), sizeof(uint64_t));
	model = calloc(NFRAMES, 1);
	frame_bitmap_init(&bm, storage, NFRAMES);
	frame_bitmap_add_usable(&bm, 0, 0x9f);
	frame_bitmap_add_usable(&bm, 0x100, 0x7fee0 - 0x100);
	frame_bitmap_add_usable(&bm, 0x100000, 0x80000);
	frame_bitmap_reserve(&bm, 0, 0x100);	 /* first MiB */
	frame_bitmap_reserve(&bm, 0x100, 0x200); /* "kernel" */
	for (uint64_t i = 0; i < NFRAMES; i++) {
		bool usable =
			i < 0x9f || (i >= 0x100 && i < 0x7fee0) || (i >= 0x100000 && i < 0x180000);
		model[i] = !usable ? ABSENT : i < 0x300 ? RESERVED : FREE;
	}
}

static int
stats_consistent(void)
{
	uint64_t f = 0, a = 0, r = 0;

	for (uint64_t i = 0; i < NFRAMES; i++) {
		f += model[i] == FREE;
		a += model[i] == ALLOC;
		r += model[i] == RESERVED;
	}
	return bm.free == f && bm.allocated == a && bm.nreserved == r &&
	       bm.total == bm.free + bm.allocated + bm.nreserved;
}

UNIT_TEST(initial_accounting)
{
	setup();
	CHECK(stats_consistent());
	CHECK_EQ(bm.total, 0x9f + (0x7fee0 - 0x100) + 0x80000);
	CHECK_EQ(bm.nreserved, 0x9f + 0x200);
}

UNIT_TEST(exhaust_and_recover_twice)
{
	static uint64_t got[NFRAMES];

	setup();
	for (int round = 0; round < 2; round++) {
		uint64_t before = bm.free, n = 0, pfn, high = 0;

		while (frame_bitmap_alloc(&bm, &pfn) == 0) {
			CHECK(model[pfn] == FREE);
			model[pfn] = ALLOC;
			got[n++] = pfn;
			if (pfn > high)
				high = pfn;
		}
		CHECK_EQ(n, before);
		CHECK_EQ(bm.free, 0);
		CHECK(high >= 0x100000); /* above 4 GiB is used */
		CHECK_EQ(frame_bitmap_alloc_run(&bm, 1, 1, &pfn), -E_NOMEM);
		for (uint64_t i = 0; i < n; i++) {
			uint64_t bad;
			CHECK_EQ(frame_bitmap_free(&bm, got[i], 1, &bad), 0);
			model[got[i]] = FREE;
		}
		CHECK_EQ(bm.free, before);
		CHECK(stats_consistent());
	}
}

UNIT_TEST(bad_frees_change_nothing)
{
	uint64_t pfn, bad;

	setup();
	CHECK_EQ(frame_bitmap_alloc_run(&bm, 8, 8, &pfn), 0);
	CHECK_EQ(frame_bitmap_free(&bm, pfn, 8, &bad), 0);
	CHECK_EQ(frame_bitmap_free(&bm, pfn, 1, &bad), -E_NOENT);
	CHECK_EQ(bad, pfn);
	CHECK_EQ(frame_bitmap_free(&bm, 0x50, 1, &bad), -E_INVAL);    /* reserved */
	CHECK_EQ(frame_bitmap_free(&bm, 0x90000, 1, &bad), -E_INVAL); /* hole */
	CHECK_EQ(frame_bitmap_free(&bm, NFRAMES + 5, 1, &bad), -E_INVAL);
	CHECK_EQ(frame_bitmap_free(&bm, pfn, 0, &bad), -E_INVAL);
	/* A run whose last frame is free: refused whole. */
	CHECK_EQ(frame_bitmap_alloc_run(&bm, 4, 1, &pfn), 0);
	model[pfn] = model[pfn + 1] = model[pfn + 2] = model[pfn + 3] = ALLOC;
	CHECK_EQ(frame_bitmap_free(&bm, pfn, 5, &bad), -E_NOENT);
	CHECK_EQ(bad, pfn + 4);
	CHECK(stats_consistent());
	CHECK_EQ(frame_bitmap_alloc_run(&bm, 4, 3, &pfn), -E_INVAL);
	CHECK_EQ(frame_bitmap_alloc_run(&bm, 0, 1, &pfn), -E_INVAL);
	CHECK_EQ(frame_bitmap_alloc_run(&bm, NFRAMES, 1, &pfn), -E_NOMEM);
}

struct run {
	uint64_t pfn;
	size_t count;
};

UNIT_TEST(random_runs_against_model)
{
	static struct run live[4096];
	size_t nlive = 0;
	int bad_steps = 0;

	unit_srand(99);
	setup();
	for (int step = 0; step < 40000 && bad_steps < 5; step++) {
		if (nlive < 4096 && (nlive == 0 || unit_rand() % 3)) {
			size_t count = 1 + unit_rand() % (unit_rand() % 4 ? 4 : 700);
			size_t align = 1ull << (unit_rand() % 10);
			uint64_t pfn;
			int r = unit_rand() % 2 && count == 1
					? frame_bitmap_alloc(&bm, &pfn)
					: frame_bitmap_alloc_run(&bm, count, align, &pfn);
			if (r) {
				bad_steps += r != -E_NOMEM;
				continue;
			}
			if (count > 1 && pfn % align)
				bad_steps++;
			for (size_t i = 0; i < count; i++) {
				bad_steps += model[pfn + i] != FREE;
				model[pfn + i] = ALLOC;
			}
			live[nlive++] = (struct run){ pfn, count };
		} else {
			size_t k = unit_rand() % nlive;
			uint64_t bad;
			bad_steps += frame_bitmap_free(&bm, live[k].pfn, live[k].count, &bad) != 0;
			for (size_t i = 0; i < live[k].count; i++)
				model[live[k].pfn + i] = FREE;
			live[k] = live[--nlive];
		}
		if (step % 1000 == 0)
			bad_steps += !stats_consistent();
	}
	CHECK_EQ(bad_steps, 0);
	CHECK(stats_consistent());
}

UNIT_MAIN()
