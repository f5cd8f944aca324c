/*
 * The stack reserve (docs/memory.md, "Programs"): USER_STACK_PAGES by
 * default or spawn_args.stack_pages, anonymous and lazy (a page is made
 * and charged when first touched), with an unmappable guard below.
 */
#include "themelios.h"
#include "utest/utest.h"

#define PAGE	    4096ull
#define DEEP_PAGES  64 /* what the deep child touches beyond its start */
#define STACK_QUOTA 160
#define GIB_PAGES   USER_STACK_MAX_PAGES
#define SMALL_PAGES USER_STACK_MIN_PAGES

static uintptr_t deepest; /* the lowest frame dig reached */

/* About a page of stack per call, each page written. */
static __attribute__((noinline)) uint64_t
dig(unsigned int depth)
{
	volatile uint8_t frame[PAGE - 256];

	frame[0] = (uint8_t)depth;
	frame[sizeof(frame) - 1] = (uint8_t)depth;
	if (depth == 0) {
		deepest = (uintptr_t)frame;
		return frame[0];
	}
	return dig(depth - 1) + frame[sizeof(frame) - 1];
}

/* Until the guard stops it (the limit is far beyond any stack: it only
 * keeps the compiler from calling this an infinite recursion). */
static __attribute__((noinline)) uint64_t
dig_forever(volatile uint64_t depth)
{
	volatile uint8_t frame[PAGE - 256];

	frame[0] = (uint8_t)depth;
	if (depth > (1ull << 40))
		return 0;
	return dig_forever(depth + 1) + frame[0];
}

/* Default reserve: a deep recursion is paid page by page as it goes. */
int
stack_deep(void)
{
	volatile uint8_t here = 0;
	uint64_t before = pool_used(), after, span;

	dig(DEEP_PAGES);
	after = pool_used();
	/* The pages between here and the deepest frame, less the one we
	 * stood on, and perhaps a table: the reserve spans 8 MiB. */
	span = ((uintptr_t)&here - deepest) / PAGE;
	CHECK(span >= DEEP_PAGES / 2, 1);
	CHECK(after - before >= span - 1, 1);
	CHECK(after - before <= span + 2, 1);
	CHECK(after < STACK_QUOTA, 1); /* the 2048 pages of the reserve are not all paid */
	return utest_failures;
}

/* A 1 GiB reserve: its lowest page costs one page (and its tables)
 * when touched; the guard below faults. */
int
stack_gib(void)
{
	volatile uint64_t *low = (volatile uint64_t *)(USER_STACK_TOP - GIB_PAGES * PAGE);
	uint64_t before = pool_used(), after;

	CHECK(before < STACK_QUOTA / 2, 1);
	*low = 5;
	after = pool_used();
	CHECK(after - before >= 1, 1);
	CHECK(after - before <= 3, 1); /* the page, a table, perhaps a directory */
	CHECK(*low, 5);
	if (utest_failures)
		return utest_failures;
	low[-1] = 1; /* in the guard: a fault */
	return 100;
}

int
stack_small(void)
{
	return (int)dig_forever(0);
}

static long
spawn_stack(uint64_t id, uint64_t stack_pages)
{
	struct spawn_args sa;
	long pid;

	memset(&sa, 0, sizeof(sa));
	if (sys_memory_split(CAP_SLOT_MEMORY, CAP_SLOT_SCRATCH, STACK_QUOTA))
		return -E_NOMEM;
	sa.name = "utest";
	sa.name_len = 5;
	sa.memory = CAP_SLOT_SCRATCH;
	sa.arg = id;
	sa.supervisor = 3;
	sa.ncaps = 1;
	sa.caps[0] = 1;
	sa.stack_pages = stack_pages;
	pid = sys_spawn(&sa);
	sys_cap_delete(CAP_SLOT_SCRATCH);
	return pid;
}

void
lazy_stack(void)
{
	const uint64_t small_bottom = USER_STACK_TOP - SMALL_PAGES * PAGE;
	const uint64_t gib_bottom = USER_STACK_TOP - GIB_PAGES * PAGE;
	struct ipc_msg m;

	CHECK(sys_endpoint_create(3), 0);
	CHECK(spawn_stack(UT_H_STACK_DEEP, 0) > 0, 1);
	CHECK(await_report(3, &m), 0);
	CHECK(m.label, PROCESS_EVENT_EXIT);
	CHECK(m.words[1], 0);

	CHECK(spawn_stack(UT_H_STACK_GIB, GIB_PAGES) > 0, 1);
	CHECK(await_report(3, &m), 0);
	CHECK_FAULT(&m, FAULT_KIND_MEMORY, FAULT_ACCESS_WRITE, gib_bottom - 8);

	/* A small reserve overflows into its guard, not into anything else. */
	CHECK(spawn_stack(UT_H_STACK_SMALL, SMALL_PAGES) > 0, 1);
	CHECK(await_report(3, &m), 0);
	CHECK(m.label, PROCESS_EVENT_FAULT);
	CHECK(m.words[2] < small_bottom, 1);
	CHECK(m.words[2] >= small_bottom - USER_STACK_GUARD_PAGES * PAGE, 1);

	/* Reserves out of bounds. */
	CHECK(spawn_stack(UT_H_IDLE, 1), -E_RANGE);
	CHECK(spawn_stack(UT_H_IDLE, SMALL_PAGES - 1), -E_RANGE);
	CHECK(spawn_stack(UT_H_IDLE, GIB_PAGES + 1), -E_RANGE);
	CHECK(spawn_stack(UT_H_IDLE, 1ull << 60), -E_RANGE);
}
