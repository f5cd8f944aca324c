/* The longest interrupts-off stretch (kernel/core/irqs_off.c) on a fake
 * clock: stretches from the C calls and from traps, nesting traps,
 * stretches it cannot see the start of, the maximum against a model. */
#include "core/irqs_off.h"
#include "unit.h"

static uint64_t clock_now = 1000;

uint64_t arch_cycles(void);

uint64_t
arch_cycles(void)
{
	return clock_now;
}

static uint64_t
longest(void)
{
	struct irqs_off_max m;

	irqs_off_get(&m);
	return m.cycles;
}

UNIT_TEST(one_stretch_and_where)
{
	struct irqs_off_max m;

	irqs_off_reset();
	irqs_off_begin(0x10);
	clock_now += 50;
	irqs_off_end(0x20);
	irqs_off_get(&m);
	CHECK_EQ(m.cycles, 50);
	CHECK_EQ(m.from, 0x10);
	CHECK_EQ(m.to, 0x20);
	/* A shorter one changes nothing. */
	irqs_off_begin(0x30);
	clock_now += 10;
	irqs_off_end(0x40);
	irqs_off_get(&m);
	CHECK_EQ(m.cycles, 50);
	CHECK_EQ(m.from, 0x10);
}

UNIT_TEST(an_end_without_a_start_counts_nothing)
{
	irqs_off_reset();
	clock_now += 1000;
	irqs_off_end(0x50); /* on already, or off since a path we do not see */
	CHECK_EQ(longest(), 0);
	irqs_off_begin(0x10);
	clock_now += 5;
	irqs_off_end(0x20);
	clock_now += 1000;
	irqs_off_end(0x20); /* a second enable: still nothing more */
	CHECK_EQ(longest(), 5);
}

UNIT_TEST(traps)
{
	struct irqs_off_max m;

	irqs_off_reset();
	/* From code with interrupts on: the handler's time is a stretch. */
	irqs_off_trap_enter(true);
	clock_now += 30;
	irqs_off_trap_leave(true);
	irqs_off_get(&m);
	CHECK_EQ(m.cycles, 30);
	CHECK_EQ(m.from, 0);
	CHECK_EQ(m.to, 0);
	/* A trap inside a stretch (interrupts off where it came from) goes
	 * on with it, whatever it returns to: the stretch ends later. */
	irqs_off_begin(0x10);
	clock_now += 20;
	irqs_off_trap_enter(false);
	clock_now += 20;
	irqs_off_trap_leave(false);
	clock_now += 20;
	irqs_off_end(0x20);
	irqs_off_get(&m);
	CHECK_EQ(m.cycles, 60);
	CHECK_EQ(m.from, 0x10);
	/* A handler that turns interrupts on ends its stretch there. */
	irqs_off_trap_enter(true);
	clock_now += 7;
	irqs_off_end(0x30);
	clock_now += 500;
	irqs_off_begin(0x40);
	clock_now += 8;
	irqs_off_trap_leave(true);
	CHECK_EQ(longest(), 60);
}

UNIT_TEST(maximum_against_a_model)
{
	uint64_t model = 0;

	irqs_off_reset();
	unit_srand(12);
	for (int i = 0; i < 10000; i++) {
		uint64_t d = unit_rand() % 100000;

		irqs_off_begin((uintptr_t)i);
		clock_now += d;
		irqs_off_end((uintptr_t)i + 1);
		clock_now += unit_rand() % 1000000; /* on: never counted */
		if (d > model)
			model = d;
		CHECK_EQ(longest(), model);
	}
}

UNIT_MAIN();
