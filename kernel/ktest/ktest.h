/*
 * In-kernel tests, run at boot in test mode (command-line word "test").
 * KTEST(name) { ... } registers a test in the .ktests section; checks
 * record failures and let the test go on.  "ktest=name" runs only tests
 * whose name starts with name.  The tests' descriptors are the symbols
 * ktest_desc_NAME in .ktests, which is how tests/system/test_ktest.py
 * knows the full list from the built kernel.
 */
#ifndef KTEST_KTEST_H
#define KTEST_KTEST_H

#include <stdbool.h>

struct ktest {
	const char *name;
	void (*fn)(void);
};

#define KTEST(tname)                                                                          \
	static void ktest_fn_##tname(void);                                                   \
	static const struct ktest ktest_desc_##tname                                          \
		__attribute__((used, section(".ktests"), aligned(8))) = { #tname,             \
									  ktest_fn_##tname }; \
	static void ktest_fn_##tname(void)

void ktest_fail(const char *file, int line, const char *what);

#define KTEST_CHECK(cond)                                      \
	do {                                                   \
		if (!(cond))                                   \
			ktest_fail(__FILE__, __LINE__, #cond); \
	} while (0)

#define KTEST_CHECK_EQ(a, b)                                              \
	do {                                                              \
		long long kt_a_ = (long long)(a), kt_b_ = (long long)(b); \
		if (kt_a_ != kt_b_) {                                     \
			ktest_fail(__FILE__, __LINE__, #a " == " #b);     \
			printk("    (%lld != %lld)\n", kt_a_, kt_b_);     \
		}                                                         \
	} while (0)

/* Runs the selected tests; returns the number that failed. */
int ktest_run_all(const char *filter);

#endif
