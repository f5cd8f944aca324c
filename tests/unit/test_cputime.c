/* CPU time: the user/system split of lib/cputime.c (the ratio of the
 * samples, never going back, exact sums) and Linux's CPU clock ids
 * (kernel/linux/cpuclock.h), against clock ids made as glibc makes them. */
#include "lib/cputime.h"
#include "linux/cpuclock.h"
#include "unit.h"

#define MS 1000000ull

UNIT_TEST(no_samples_is_user_time)
{
	struct cputime_prev prev = { 0, 0 };
	uint64_t u, s;

	cputime_split(&prev, 5 * MS, 0, 0, &u, &s);
	CHECK_EQ(u, 5 * MS);
	CHECK_EQ(s, 0);
	cputime_split(&prev, 7 * MS, 10 * MS, 0, &u, &s);
	CHECK_EQ(u, 7 * MS);
	CHECK_EQ(s, 0);
}

UNIT_TEST(only_system_samples_is_system_time)
{
	struct cputime_prev prev = { 0, 0 };
	uint64_t u, s;

	cputime_split(&prev, 30 * MS, 0, 20 * MS, &u, &s);
	CHECK_EQ(u, 0);
	CHECK_EQ(s, 30 * MS);
}

UNIT_TEST(ratio_of_the_samples)
{
	struct cputime_prev prev = { 0, 0 };
	uint64_t u, s;

	/* Three user ticks, one system tick: a quarter is system time. */
	cputime_split(&prev, 400 * MS, 30 * MS, 10 * MS, &u, &s);
	CHECK_EQ(s, 100 * MS);
	CHECK_EQ(u, 300 * MS);
}

UNIT_TEST(neither_part_goes_back)
{
	struct cputime_prev prev = { 0, 0 };
	uint64_t u, s;

	/* All user time at first; then the samples say half is system
	 * time: the user part stays, the system part takes what is new. */
	cputime_split(&prev, 100 * MS, 10 * MS, 0, &u, &s);
	CHECK_EQ(u, 100 * MS);
	cputime_split(&prev, 120 * MS, 10 * MS, 10 * MS, &u, &s);
	CHECK_EQ(u, 100 * MS);
	CHECK_EQ(s, 20 * MS);
	/* A run time below what was reported (a reader that raced ahead):
	 * the last report again. */
	cputime_split(&prev, 110 * MS, 10 * MS, 10 * MS, &u, &s);
	CHECK_EQ(u, 100 * MS);
	CHECK_EQ(s, 20 * MS);
	/* The other way: system time holds when the user samples catch up. */
	cputime_split(&prev, 130 * MS, 1000 * MS, 10 * MS, &u, &s);
	CHECK_EQ(s, 20 * MS);
	CHECK_EQ(u, 110 * MS);
}

UNIT_TEST(random_runs_stay_monotonic_and_exact)
{
	unit_srand(13);
	for (int run = 0; run < 200; run++) {
		struct cputime_prev prev = { 0, 0 };
		uint64_t rtime = 0, user = 0, sys = 0, lu = 0, ls = 0;

		for (int step = 0; step < 500; step++) {
			uint64_t u, s;

			rtime += unit_rand() % (50 * MS);
			if (unit_rand() % 3 == 0)
				user += 10 * MS;
			if (unit_rand() % 5 == 0)
				sys += 10 * MS;
			cputime_split(&prev, rtime, user, sys, &u, &s);
			CHECK(u >= lu && s >= ls);
			CHECK_EQ(u + s, rtime > lu + ls ? rtime : lu + ls);
			if (!sys)
				CHECK_EQ(s, 0);
			lu = u;
			ls = s;
		}
	}
}

/* The scaling keeps the ratio for large values, where the product of
 * run time and samples is far beyond 64 bits. */
UNIT_TEST(large_values_scale_closely)
{
	unit_srand(7);
	for (int i = 0; i < 100000; i++) {
		struct cputime_prev prev = { 0, 0 };
		uint64_t rtime = unit_rand() >> (unit_rand() % 40);
		uint64_t user = unit_rand() >> (8 + unit_rand() % 50);
		uint64_t sys = unit_rand() >> (8 + unit_rand() % 50);
		uint64_t u, s, want, diff;

		if (!rtime || !user || !sys)
			continue;
		cputime_split(&prev, rtime, user, sys, &u, &s);
		want = (uint64_t)((unsigned __int128)sys * rtime / ((unsigned __int128)sys + user));
		diff = s > want ? s - want : want - s;
		CHECK(diff <= rtime / (1ull << 30) + 1);
		CHECK_EQ(u + s, rtime);
	}
}

UNIT_TEST(ticks_round_down)
{
	CHECK_EQ(cputime_ns_to_ticks(0, 100), 0);
	CHECK_EQ(cputime_ns_to_ticks(9999999, 100), 0);
	CHECK_EQ(cputime_ns_to_ticks(10000000, 100), 1);
	CHECK_EQ(cputime_ns_to_ticks(1234567890123ull, 100), 123456);
}

/* glibc's MAKE_PROCESS_CPUCLOCK and MAKE_THREAD_CPUCLOCK. */
static int32_t
process_clock(int32_t pid, int which)
{
	return (int32_t)((uint32_t)~pid << 3) | which;
}

static int32_t
thread_clock(int32_t tid, int which)
{
	return (int32_t)((uint32_t)~tid << 3) | 4 | which;
}

UNIT_TEST(cpu_clock_ids)
{
	struct lx_cpuclock c;

	CHECK_EQ(lx_cpuclock_decode(2, &c), 1);
	CHECK(c.pid == 0 && !c.thread && c.which == LX_CPUCLOCK_SCHED);
	CHECK_EQ(lx_cpuclock_decode(3, &c), 1);
	CHECK(c.pid == 0 && c.thread && c.which == LX_CPUCLOCK_SCHED);
	for (int32_t id = 0; id < 16; id++)
		if (id != 2 && id != 3)
			CHECK_EQ(lx_cpuclock_decode(id, &c), 0);
	/* clock_getcpuclockid(0) is -6. */
	CHECK_EQ(process_clock(0, LX_CPUCLOCK_SCHED), -6);
	CHECK_EQ(lx_cpuclock_decode(-6, &c), 1);
	CHECK(c.pid == 0 && !c.thread && c.which == LX_CPUCLOCK_SCHED);
	/* Which 3 is no CPU clock: a descriptor's dynamic clock on Linux. */
	CHECK_EQ(lx_cpuclock_decode(process_clock(5, 3), &c), -1);
	CHECK_EQ(lx_cpuclock_decode(thread_clock(5, 3), &c), -1);
	unit_srand(3);
	for (int i = 0; i < 10000; i++) {
		int32_t pid = (int32_t)(unit_rand() % 4194304);
		int which = (int)(unit_rand() % 3);

		CHECK_EQ(lx_cpuclock_decode(process_clock(pid, which), &c), 1);
		CHECK(c.pid == pid && !c.thread && (int)c.which == which);
		CHECK_EQ(lx_cpuclock_decode(thread_clock(pid, which), &c), 1);
		CHECK(c.pid == pid && c.thread && (int)c.which == which);
	}
}

UNIT_MAIN();
