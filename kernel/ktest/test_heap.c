/* The kernel heap on the real machine: sizes, alignment, leaks, bad frees. */
#include "core/printk.h"
#include "ktest/ktest.h"
#include "mm/heap.h"
#include "mm/kmalloc.h"
#include "mm/pmm.h"

KTEST(heap_sizes_alignment_and_no_leaks)
{
	static void *ptrs[256];
	uint64_t live = kmalloc_live();
	struct pmm_stats before, after;
	int n = 0;

	pmm_get_stats(&before);
	for (size_t size = 1; size <= 64 * 1024 && n < 256; size = size * 3 / 2 + 1) {
		uint8_t *p = kmalloc(size);
		KTEST_CHECK(p != NULL);
		if (!p)
			continue;
		KTEST_CHECK((uintptr_t)p % 16 == 0);
		for (size_t i = 0; i < size; i++)
			p[i] = (uint8_t)i;
		ptrs[n++] = p;
	}
	for (size_t size = 16; size <= 4096; size <<= 1) {
		void *p = kmalloc(size);
		KTEST_CHECK((uintptr_t)p % size == 0);
		kfree(p);
	}
	KTEST_CHECK_EQ(kmalloc_live(), live + (uint64_t)n);
	for (int i = 0; i < n; i++)
		kfree(ptrs[i]);
	KTEST_CHECK_EQ(kmalloc_live(), live);
	pmm_get_stats(&after);
	/* Freed slabs and large blocks go back, but for a few cached slabs. */
	KTEST_CHECK(after.free + 2 * HEAP_NCLASSES >= before.free);
}

KTEST(heap_bad_frees_are_refused)
{
	struct heap_stats st;
	uint64_t bad;
	int local;
	char *p = kmalloc(24);

	kmalloc_stats(&st);
	bad = st.bad_frees;
	printk("    (three refused frees are reported next)\n");
	kfree(&local);
	kfree(p + 1);
	kfree(p);
	kfree(p);
	kmalloc_stats(&st);
	KTEST_CHECK_EQ(st.bad_frees, bad + 3);
}

KTEST(heap_krealloc_and_kcalloc)
{
	uint8_t *p = kcalloc(100, 3);

	KTEST_CHECK(p != NULL);
	for (int i = 0; i < 300; i++)
		KTEST_CHECK(p[i] == 0);
	p[299] = 7;
	p = krealloc(p, 9000);
	KTEST_CHECK(p && p[299] == 7);
	kfree(p);
	KTEST_CHECK(kcalloc((size_t)1 << 62, 8) == NULL);
	KTEST_CHECK(kmalloc((size_t)1 << 50) == NULL);
}
