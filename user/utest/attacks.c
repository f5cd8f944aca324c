/*
 * Attacks on memory and on the CPU's privilege: each case must never
 * get past its attack.  cases.list states the fault each one must end
 * with, and init checks the report against it; a case that returns
 * did not fault, and utest's main says so.
 */
#include "themelios.h"
#include "utest/utest.h"

/* Recurses until the stack runs into its guard page (the limit is far
 * beyond the stack: it only keeps the compiler from calling this an
 * infinite recursion). */
static uint64_t __attribute__((noinline)) recurse(volatile uint64_t depth)
{
	volatile uint8_t frame[512];

	frame[0] = (uint8_t)depth;
	if (depth > (1ull << 40))
		return 0;
	return recurse(depth + 1) + frame[0];
}

void
kernel_read(void)
{
	(void)*(volatile uint64_t *)UT_KERNEL_MEMORY;
}

void
kernel_write(void)
{
	*(volatile uint64_t *)(UT_KERNEL_MEMORY + 0x1000) = 0;
}

void
null_read(void)
{
	(void)*(volatile uint64_t *)0;
}

void
unmapped_write(void)
{
	*(volatile uint64_t *)UNMAPPED = 1;
}

void
exec_stack(void)
{
	uint8_t code[16];

#if defined(__x86_64__)
	code[0] = 0xc3; /* ret */
#else
	*(volatile uint32_t *)code = 0xd65f03c0; /* ret */
#endif
	((void (*)(void))(uintptr_t)code)();
}

/* The first byte of the program's code (user.ld puts it there). */
void
write_text(void)
{
	*(volatile uint8_t *)UT_TEXT_BASE = 0;
}

void
exec_kernel(void)
{
	((void (*)(void))UT_KERNEL_MEMORY)();
}

void
stack_overflow(void)
{
	recurse(0);
}

void
invalid_insn(void)
{
#if defined(__x86_64__)
	__asm__ volatile("ud2");
#else
	__asm__ volatile(".inst 0x00000000");	 /* udf #0 */
#endif
}

void
privileged_insn(void)
{
#if defined(__x86_64__)
	__asm__ volatile("cli; hlt");
#else
	__asm__ volatile("msr daifset, #2");	 /* masking interrupts: EL1 only */
	__asm__ volatile("mrs x0, sctlr_el1" : : : "x0");
#endif
}
