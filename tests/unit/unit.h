/*
 * A minimal host unit-test harness.  Each test file defines tests with
 * UNIT_TEST(name) and ends with UNIT_MAIN(); the binary prints one line
 * per failure and a closing "N passed, N failed" line, and exits
 * non-zero when anything failed.  Built with ASan and UBSan.
 */
#ifndef UNIT_H
#define UNIT_H

#include <stdio.h>
#include <stdlib.h>

struct unit_case {
	const char *name;
	void (*fn)(void);
};

#define UNIT_MAX_CASES 256
extern struct unit_case unit_cases[UNIT_MAX_CASES];
extern int unit_ncases;
extern int unit_failed_checks;

#define UNIT_TEST(name)							\
	static void unit_##name(void);					\
	__attribute__((constructor)) static void unit_reg_##name(void)	\
	{								\
		if (unit_ncases < UNIT_MAX_CASES)			\
			unit_cases[unit_ncases++] =			\
				(struct unit_case){ #name, unit_##name }; \
	}								\
	static void unit_##name(void)

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			printf("  FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
			unit_failed_checks++;				\
		}							\
	} while (0)

#define CHECK_EQ(a, b)							\
	do {								\
		long long unit_a_ = (long long)(a);			\
		long long unit_b_ = (long long)(b);			\
		if (unit_a_ != unit_b_) {				\
			printf("  FAIL %s:%d: %s == %s (%lld != %lld)\n", \
			       __FILE__, __LINE__, #a, #b, unit_a_, unit_b_); \
			unit_failed_checks++;				\
		}							\
	} while (0)

#define UNIT_MAIN()							\
	struct unit_case unit_cases[UNIT_MAX_CASES];			\
	int unit_ncases;						\
	int unit_failed_checks;						\
	int main(void)							\
	{								\
		int passed = 0, failed = 0;				\
		for (int i = 0; i < unit_ncases; i++) {			\
			int before = unit_failed_checks;		\
			unit_cases[i].fn();				\
			if (unit_failed_checks == before) {		\
				passed++;				\
				printf("ok   %s\n", unit_cases[i].name);	\
			} else {					\
				failed++;				\
				printf("FAIL %s\n", unit_cases[i].name);	\
			}						\
		}							\
		printf("%d passed, %d failed\n", passed, failed);	\
		return failed ? 1 : 0;					\
	}

#endif
