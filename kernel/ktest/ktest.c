#include "ktest/ktest.h"

#include "core/printk.h"
#include "lib/string.h"

extern const struct ktest __ktests_start[], __ktests_end[];

static int current_failures;

void
ktest_fail(const char *file, int line, const char *what)
{
	printk("    FAIL %s:%d: %s\n", file, line, what);
	current_failures++;
}

/*
 * Announces how many tests run, then each test's name before it starts
 * (a crash report follows the name it belongs to) and its verdict after:
 * tests/system/test_ktest.py checks every registered test by name.
 */
int
ktest_run_all(const char *filter)
{
	int passed = 0, failed = 0, selected = 0;
	size_t flen = filter ? strlen(filter) : 0;
	const struct ktest *t;

	for (t = __ktests_start; t < __ktests_end; t++)
		if (!flen || strncmp(t->name, filter, flen) == 0)
			selected++;
	printk("ktest: running %d of %d tests\n", selected, (int)(__ktests_end - __ktests_start));
	for (t = __ktests_start; t < __ktests_end; t++) {
		if (flen && strncmp(t->name, filter, flen) != 0)
			continue;
		printk("ktest: %s\n", t->name);
		current_failures = 0;
		t->fn();
		if (current_failures) {
			failed++;
			printk("ktest: %s FAILED\n", t->name);
		} else {
			passed++;
			printk("ktest: %s ok\n", t->name);
		}
	}
	printk("ktest: %d passed, %d failed\n", passed, failed);
	return failed;
}
