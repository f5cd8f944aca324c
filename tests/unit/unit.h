/*
 * A minimal host unit-test harness.  Each test file defines tests with
 * UNIT_TEST(name) and ends with UNIT_MAIN(); the binary prints one line
 * per failure, "ok NAME" or "FAIL NAME" per case and a closing
 * "N passed, N failed" line, and exits non-zero when anything failed.
 * tests/test_unit.py checks every case in the source by name.  Built
 * with ASan and UBSan.
 */
#ifndef UNIT_H
#define UNIT_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

struct unit_case {
	const char *name;
	void (*fn)(void);
	struct unit_case *next;
};

/* Registration links each case into a list, in the order of the file:
 * there is no table to outgrow, so no case can be left out. */
extern struct unit_case *unit_first, **unit_last;
extern int unit_failed_checks;

#define UNIT_TEST(name)                                                          \
	static void unit_##name(void);                                           \
	static struct unit_case unit_case_##name = { #name, unit_##name, NULL }; \
	__attribute__((constructor)) static void unit_reg_##name(void)           \
	{                                                                        \
		*unit_last = &unit_case_##name;                                  \
		unit_last = &unit_case_##name.next;                              \
	}                                                                        \
	static void unit_##name(void)

/* Deterministic pseudo-random numbers (xorshift64) for the randomized
 * tests; each such test seeds them, so that it repeats when run alone. */
extern uint64_t unit_rand_state;

static inline void
unit_srand(uint64_t seed)
{
	unit_rand_state = seed ? seed : 1; /* zero is a fixed point */
}

static inline uint64_t
unit_rand(void)
{
	unit_rand_state ^= unit_rand_state << 13;
	unit_rand_state ^= unit_rand_state >> 7;
	unit_rand_state ^= unit_rand_state << 17;
	return unit_rand_state;
}

#define CHECK(cond)                                                              \
	do {                                                                     \
		if (!(cond)) {                                                   \
			printf("  FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
			unit_failed_checks++;                                    \
		}                                                                \
	} while (0)

#define CHECK_EQ(a, b)                                                                            \
	do {                                                                                      \
		long long unit_a_ = (long long)(a);                                               \
		long long unit_b_ = (long long)(b);                                               \
		if (unit_a_ != unit_b_) {                                                         \
			printf("  FAIL %s:%d: %s == %s (%lld != %lld)\n", __FILE__, __LINE__, #a, \
			       #b, unit_a_, unit_b_);                                             \
			unit_failed_checks++;                                                     \
		}                                                                                 \
	} while (0)

/* The first line gives the number of cases, so that a runner can tell
 * a binary that stopped early from one that ran them all. */
#define UNIT_MAIN()                                                      \
	struct unit_case *unit_first, **unit_last = &unit_first;         \
	int unit_failed_checks;                                          \
	uint64_t unit_rand_state = 1;                                    \
	int main(void)                                                   \
	{                                                                \
		int passed = 0, failed = 0, total = 0;                   \
		for (struct unit_case *c = unit_first; c; c = c->next)   \
			total++;                                         \
		printf("%d cases\n", total);                             \
		for (struct unit_case *c = unit_first; c; c = c->next) { \
			int before = unit_failed_checks;                 \
			c->fn();                                         \
			if (unit_failed_checks == before) {              \
				passed++;                                \
				printf("ok   %s\n", c->name);            \
			} else {                                         \
				failed++;                                \
				printf("FAIL %s\n", c->name);            \
			}                                                \
		}                                                        \
		printf("%d passed, %d failed\n", passed, failed);        \
		return failed ? 1 : 0;                                   \
	}

#endif
