/*
 * Address spaces as objects: lazy anonymous memory (vm_map), and
 * copy-on-write clones run by a child (as_clone, spawn_args.address_space):
 * each side sees only its own writes, the child pays for what it writes,
 * and a child that cannot pay faults alone.
 */
#include "themelios.h"
#include "utest/utest.h"

#define PAGE	   4096ull
#define GIB	   (1ull << 30)
#define SELF_AS	   CAP_SLOT_ADDRESS_SPACE
#define MEMORY	   CAP_SLOT_MEMORY
#define COW_QUOTA  96  /* the clone's pool: its object, tables, process and writes */
#define POOR_PAGES 100 /* pages the poor child tries to write */

void
lazy_memory(void)
{
	struct memory_info *mi;
	uint64_t before, va, t, x;
	volatile uint64_t *p;

	/* Arguments first. */
	CHECK(sys_vm_map(SELF_AS, 0, 1, 0x100, &va), -E_INVAL);
	CHECK(sys_vm_map(SELF_AS, PAGE, 1, 0, &va), -E_INVAL); /* an address needs MAP_FIXED */
	CHECK(sys_vm_map(SELF_AS, 0, 0, 0, &va), -E_INVAL);
	CHECK(sys_vm_map(SELF_AS, PAGE + 1, 1, MAP_FIXED, &va), -E_INVAL);
	CHECK(sys_vm_map(SELF_AS, KERNEL_TEXT, 1, MAP_FIXED, &va), -E_RANGE);
	CHECK(sys_vm_map(SELF_AS, 0, 1ull << 40, 0, &va), -E_NOMEM); /* more than user space */
	CHECK(sys_vm_map(CAP_SLOT_MEMORY, 0, 1, 0, &va), -E_TYPE);
	CHECK(sys_vm_map(SELF_AS, 0, 1, 0, (uint64_t *)KERNEL_TEXT), -E_FAULT);
	/* A gibibyte costs nothing until touched. */
	before = pool_used();
	CHECK(sys_vm_map(SELF_AS, 0, GIB / PAGE, MAP_WRITE, &va), 0);
	CHECK(va, UT_MAP_BASE);
	CHECK(pool_used(), before);
	p = (volatile uint64_t *)va;
	CHECK(p[0], 0); /* a read makes a zeroed page: it and its table */
	t = pool_used();
	CHECK(t, before + 2);
	p[PAGE / 8] = 1; /* the same table: a page each */
	p[5 * PAGE / 8] = 5;
	CHECK(pool_used(), t + 2);
	CHECK(p[PAGE / 8] + p[5 * PAGE / 8], 6);
	p[(GIB - PAGE) / 8] = 7; /* the far end: a page and its table */
	CHECK(pool_used(), t + 4);
	/* The kernel writes into an untouched page too (a fault on its copy). */
	mi = (struct memory_info *)(va + 100 * PAGE);
	CHECK(sys_memory_info(MEMORY, mi), 0);
	CHECK(mi->limit > 0, 1);
	CHECK(pool_used(), t + 5);
	/* Fixed mappings: not over another, but right after it. */
	CHECK(sys_vm_map(SELF_AS, va + 8 * PAGE, 1, MAP_FIXED, &x), -E_EXIST);
	CHECK(sys_vm_map(SELF_AS, va + GIB, 2, MAP_FIXED | MAP_WRITE, &x), 0);
	CHECK(x, va + GIB);
	((volatile uint64_t *)x)[0] = 9;
	CHECK(sys_vm_unmap(SELF_AS, x, 2), 0);
	/* Unmapped, every page and table goes back. */
	CHECK(sys_vm_unmap(SELF_AS, va, GIB / PAGE), 0);
	CHECK(pool_used(), before);
	/* An anywhere mapping reuses the range with a gap after the rest. */
	CHECK(sys_vm_map(SELF_AS, 0, 1, MAP_WRITE | MAP_COMMIT, &x), 0);
	CHECK(x, UT_MAP_BASE);
	CHECK(pool_used(), before + 2);
	CHECK(sys_vm_unmap(SELF_AS, x, 1), 0);
	CHECK(pool_used(), before);
}

/* What the clone's child finds and does: the values of the moment of
 * the clone, whatever the parent wrote since; then its own writes. */
static volatile uint64_t cow_word = 1;
static volatile uint64_t *cow_lazy;

static void __attribute__((noreturn)) cow_child(uint64_t arg)
{
	long status = 0;

	if (cow_word != 0x1111)
		status |= 1;
	if (cow_lazy[0] != 0xaaaa)
		status |= 2;
	if (cow_lazy[512] != 0) /* untouched at the clone: a fresh zero page */
		status |= 4;
	cow_word = 0x2222;
	cow_lazy[0] = 0xbbbb;
	if (cow_word != 0x2222 || cow_lazy[0] != 0xbbbb)
		status |= 8;
	sys_exit(status | (long)(arg != 77) << 4);
}

/* The poor child writes page after page of what it shares until its
 * pool cannot pay for the next copy: a fault, its alone. */
static void __attribute__((noreturn)) poor_child(uint64_t arg)
{
	volatile uint64_t *q = (volatile uint64_t *)arg;

	for (uint64_t i = 0; i < POOR_PAGES; i++)
		q[i * 512] = ~0ull;
	sys_exit(1); /* must not get here */
}

long
spawn_in_clone(slot_t as_slot, slot_t pool, void (*fn)(uint64_t), uint64_t arg, uint64_t stack)
{
	struct spawn_args sa;

	memset(&sa, 0, sizeof(sa));
	sa.name = "clone";
	sa.name_len = 5;
	sa.memory = pool;
	sa.arg = arg;
	sa.supervisor = 3;
	sa.supervisor_badge = 3;
	sa.address_space = as_slot;
	sa.entry = (uint64_t)(uintptr_t)fn;
	sa.stack = stack;
	return sys_spawn(&sa);
}

uint64_t
child_stack(void)
{
	uint64_t s;

	if (sys_vm_map(SELF_AS, 0, 4, MAP_WRITE, &s))
		return 0;
	s += 4 * PAGE - 16;
#if defined(__x86_64__)
	s -= 8; /* as if called */
#endif
	return s;
}

void
cow_clone(void)
{
	struct ipc_msg m;
	struct spawn_args sa;
	uint64_t lazy, stack, cloned, mine;
	long pid;

	CHECK(sys_endpoint_create(3), 0);
	CHECK(sys_vm_map(SELF_AS, 0, 4, MAP_WRITE, &lazy), 0);
	cow_lazy = (volatile uint64_t *)lazy;
	cow_lazy[0] = 0xaaaa;
	cow_word = 0x1111;
	stack = child_stack();
	CHECK(stack != 0, 1);
	CHECK(sys_memory_split(MEMORY, 5, COW_QUOTA), 0);
	/* Bad arguments: nothing made. */
	CHECK(sys_as_clone(SELF_AS, 5, SELF_AS), -E_EXIST);
	CHECK(sys_as_clone(MEMORY, 5, 6), -E_TYPE);
	CHECK(sys_as_clone(SELF_AS, SELF_AS, 6), -E_TYPE);
	CHECK(pool_used_of(5), 0);
	/* The clone costs its object and page tables, not its pages. */
	CHECK(sys_as_clone(SELF_AS, 5, 6), 0);
	cloned = pool_used_of(5);
	CHECK(cloned > 0 && cloned < 16, 1);
	/* Our writes after the clone copy our pages, charged to us. */
	mine = pool_used();
	cow_word = 0x3333;
	cow_lazy[0] = 0xcccc;
	CHECK(pool_used() > mine, 1);
	/* A clone runs one process: with no program, no arguments. */
	memset(&sa, 0, sizeof(sa));
	sa.name = "clone";
	sa.name_len = 5;
	sa.memory = 5;
	sa.address_space = 6;
	sa.image_file = 1;
	CHECK(sys_spawn(&sa), -E_INVAL);
	pid = spawn_in_clone(6, 5, cow_child, 77, stack);
	CHECK(pid > 0, 1);
	CHECK(await_report(3, &m), 0);
	CHECK(m.label, PROCESS_EVENT_EXIT);
	CHECK(m.words[1], 0); /* it saw the clone's moment, and its own writes */
	CHECK(cow_word, 0x3333);
	CHECK(cow_lazy[0], 0xcccc);
	/* It paid for the pages it made: the untouched lazy page it read
	 * and its stack page.  The data and lazy pages we copied before it
	 * wrote were its alone by then: no copy, still charged to us (its
	 * process's structures went with it). */
	CHECK(pool_used_of(5), cloned + 2);
	CHECK(spawn_in_clone(6, 5, cow_child, 77, stack), -E_BUSY); /* used once */
	CHECK(sys_vm_unmap(6, lazy, 1), -E_DEAD);
	CHECK(sys_cap_delete(6), 0);
	CHECK(pool_used_of(5), 0); /* everything back with the last capability */
	CHECK(sys_cap_delete(5), 0);
}

void
cow_exhaustion(void)
{
	struct ipc_msg m;
	uint64_t region, stack;
	volatile uint64_t *q;
	long pid;

	CHECK(sys_endpoint_create(3), 0);
	CHECK(sys_vm_map(SELF_AS, 0, POOR_PAGES, MAP_WRITE | MAP_COMMIT, &region), 0);
	q = (volatile uint64_t *)region;
	for (uint64_t i = 0; i < POOR_PAGES; i++)
		q[i * 512] = i;
	stack = child_stack();
	CHECK(stack != 0, 1);
	CHECK(sys_memory_split(MEMORY, 5, POOR_PAGES / 2), 0);
	CHECK(sys_as_clone(SELF_AS, 5, 6), 0);
	pid = spawn_in_clone(6, 5, poor_child, region, stack);
	CHECK(pid > 0, 1);
	CHECK(await_report(3, &m), 0);
	CHECK_FAULT(&m, FAULT_KIND_MEMORY, FAULT_ACCESS_WRITE | FAULT_ACCESS_PRESENT, m.words[2]);
	CHECK(m.words[0], pid);
	CHECK(m.words[2] > region && m.words[2] < region + POOR_PAGES * PAGE, 1);
	/* Ours are untouched. */
	for (uint64_t i = 0; i < POOR_PAGES; i++)
		CHECK(q[i * 512], i);
	CHECK(sys_cap_delete(6), 0);
	CHECK(pool_used_of(5), 0);
	CHECK(sys_cap_delete(5), 0);
	CHECK(sys_vm_unmap(SELF_AS, region, POOR_PAGES), 0);
}
