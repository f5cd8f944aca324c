/*
 * Cycle counts of the kernel's hot paths, measured with the arch cycle
 * counter (rdtsc, cntvct) over many iterations.  Under QEMU TCG the
 * numbers are emulation cycles; -icount shift=0 makes them repeatable.
 */
#include "core/bench.h"

#include "arch/arch.h"
#include "asm/layout.h"
#include "core/irq.h"
#include "core/printk.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/pmm.h"
#include "mm/vm_flags.h"
#include "mm/vmm.h"
#include "net/checksum.h"
#include "sched/thread.h"

#define ITERATIONS 10000
#define BENCH_VA   (MMIO_AREA_BASE + MMIO_AREA_SIZE - 4 * PAGE_SIZE_4K)

static void
report(const char *name, uint64_t start, uint64_t end, uint64_t ops)
{
	printk("bench: %s %lu cycles/op\n", name, (end - start) / ops);
}

static void
bench_frames(void)
{
	uint64_t pa, t0 = arch_cycles();

	for (int i = 0; i < ITERATIONS; i++) {
		pmm_alloc_frame(&pa);
		pmm_free_frame(pa);
	}
	report("frame_alloc_free", t0, arch_cycles(), ITERATIONS);
}

static void
bench_kmalloc(const char *name, size_t size)
{
	uint64_t t0 = arch_cycles();

	for (int i = 0; i < ITERATIONS; i++)
		kfree(kmalloc(size));
	report(name, t0, arch_cycles(), ITERATIONS);
}

static void
bench_map(void)
{
	uint64_t pa, t0;

	if (pmm_alloc_frame(&pa) != 0)
		return;
	t0 = arch_cycles();
	for (int i = 0; i < ITERATIONS; i++) {
		vmm_map_page(BENCH_VA, pa, VM_READ | VM_WRITE);
		vmm_unmap_page(BENCH_VA, NULL);
	}
	report("map_unmap_4k", t0, arch_cycles(), ITERATIONS);
	pmm_free_frame(pa);
}

static void
yielder(void *arg)
{
	(void)arg;
	for (int i = 0; i < ITERATIONS; i++)
		thread_yield();
}

static void
bench_context_switch(void)
{
	struct thread *a = thread_create("bench-a", yielder, NULL);
	struct thread *b = thread_create("bench-b", yielder, NULL);
	uint64_t s0 = sched_context_switches(), t0 = arch_cycles(), t1;

	if (!a || !b)
		return;
	thread_join(a, NULL);
	thread_join(b, NULL);
	t1 = arch_cycles();
	report("context_switch", t0, t1, sched_context_switches() - s0);
}

/*
 * What a full TCP segment's payload costs to checksum, beside copying
 * it: the case for (or against) checksum offload on virtio-net
 * (docs/network.md, "Offloads").
 */
static void
bench_segment_checksum(void)
{
	static uint8_t seg[1460], copy[1460];
	volatile uint16_t sink = 0;
	uint64_t t0;

	for (unsigned i = 0; i < sizeof(seg); i++)
		seg[i] = (uint8_t)(i * 7);
	t0 = arch_cycles();
	for (int i = 0; i < ITERATIONS; i++)
		sink = (uint16_t)(sink + inet_checksum(seg, sizeof(seg)));
	report("checksum_1460", t0, arch_cycles(), ITERATIONS);
	t0 = arch_cycles();
	for (int i = 0; i < ITERATIONS; i++) {
		memcpy(copy, seg, sizeof(seg));
		seg[i % sizeof(seg)] ^= copy[(i + 1) % sizeof(copy)];
	}
	report("copy_1460", t0, arch_cycles(), ITERATIONS);
}

void
run_benchmarks(void)
{
	bench_frames();
	bench_kmalloc("kmalloc_kfree_64", 64);
	bench_kmalloc("kmalloc_kfree_16k", 16384);
	bench_map();
	bench_context_switch();
	bench_segment_checksum();
	printk("bench: irq_roundtrip %lu cycles/op\n", irq_bench_roundtrip(ITERATIONS));
}
