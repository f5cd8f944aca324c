/*
 * Deliberate faults for the tests (crash=... on the command line, and
 * the fault_catch tests).  Each one is a single instruction the CPU
 * refuses, written in assembly so the compiler cannot reason it away.
 */
#include "arch/arch.h"

#include "core/fault.h"
#include "core/printk.h"
#include "lib/string.h"

/* Far from anything the kernel maps: the direct map ends long before
 * (64 TiB at most), and the stack, MMIO and image areas lie above. */
#define CRASH_UNMAPPED_ADDR	0xffffc00000000000ul
#define CRASH_NONCANONICAL_ADDR 0x8000000000000000ul

static void
crash_divzero(void)
{
	__asm__ volatile("xorl %%ecx, %%ecx; divl %%ecx" : : : "eax", "ecx", "edx");
}

static void
crash_ud(void)
{
	__asm__ volatile("ud2");
}

static void
crash_pagefault(void)
{
	(void)*(volatile uint64_t *)CRASH_UNMAPPED_ADDR;
}

static void
crash_gpf(void)
{
	/* A non-canonical address: #GP, not a page fault. */
	(void)*(volatile uint64_t *)CRASH_NONCANONICAL_ADDR;
}

static void
crash_breakpoint(void)
{
	__asm__ volatile("int3");
}

/* Each frame keeps a live buffer, so the compiler can neither turn the
 * recursion into a loop nor drop the frames. */
static __attribute__((noinline)) unsigned long
recurse(unsigned long depth)
{
	volatile char frame[256];

	frame[0] = (char)depth;
	if (depth == ~0ul) /* never: keeps the compiler from calling it endless */
		return 0;
	return recurse(depth + 1) + frame[0];
}

extern char boot_stack_guard[], boot_stack_bottom[], boot_stack_top[];

static void
read_byte(void *p)
{
	(void)*(volatile char *)p;
}

/*
 * Overflows the current stack.  On the boot stack, only when the page
 * below it is really unmapped (the kernel's page tables are active):
 * otherwise the recursion would run through the kernel's data and code
 * before anything faulted.
 */
static void
crash_stackoverflow(void)
{
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
	struct fault_info fi;

	if (sp >= (uintptr_t)boot_stack_bottom && sp < (uintptr_t)boot_stack_top &&
	    fault_catch(read_byte, boot_stack_guard, &fi) == 0) {
		pr_err("crash=stackoverflow: the boot stack has no guard page yet "
		       "(kernel page tables not active); not overflowing it\n");
		return;
	}
	printk("recursing until the stack runs out (%lu)\n", recurse(0));
}

static const struct {
	const char *name;
	void (*fn)(void);
} crashes[] = {
	{ "divzero", crash_divzero },	    { "ud", crash_ud },
	{ "pagefault", crash_pagefault },   { "gpf", crash_gpf },
	{ "breakpoint", crash_breakpoint }, { "stackoverflow", crash_stackoverflow },
};

bool
arch_crash(const char *what)
{
	for (size_t i = 0; i < sizeof(crashes) / sizeof(crashes[0]); i++) {
		if (!strcmp(what, crashes[i].name)) {
			crashes[i].fn();
			return true;
		}
	}
	return false;
}
