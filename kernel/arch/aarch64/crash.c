/*
 * Deliberate faults for the tests (crash=... on the command line).
 * AArch64 does not trap integer division by zero, and has no general
 * protection fault; those words are refused.
 */
#include "arch/arch.h"

#include "asm/layout.h"
#include "core/printk.h"
#include "lib/string.h"

/* Above the stack area's slots and below the MMIO window: never mapped. */
#define CRASH_UNMAPPED_ADDR (KSTACK_AREA_BASE + KSTACK_AREA_SIZE + 0x1000)

/* Each frame keeps a live buffer, so the recursion stays a recursion. */
static __attribute__((noinline)) unsigned long
recurse(unsigned long depth)
{
	volatile char frame[256];

	frame[0] = (char)depth;
	if (depth == ~0ul)
		return 0;
	return recurse(depth + 1) + frame[0];
}

bool
arch_crash(const char *what)
{
	if (!strcmp(what, "stackoverflow")) {
		printk("recursing until the stack runs out (%lu)\n", recurse(0));
		return true;
	}
	if (!strcmp(what, "ud"))
		__asm__ volatile(".inst 0x00000000"); /* UDF #0 */
	else if (!strcmp(what, "pagefault"))
		(void)*(volatile uint64_t *)CRASH_UNMAPPED_ADDR;
	else if (!strcmp(what, "breakpoint"))
		__asm__ volatile("brk #1");
	else
		return false;
	return true;
}
