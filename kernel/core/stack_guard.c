#include "core/stack_guard.h"

#include <stddef.h>

#include "core/panic.h"
#include "lib/string.h"

/* Until stack_guard_init: any value works, one that is not a string's. */
uintptr_t __stack_chk_guard = 0x2f8d1e5b9c03a700ull;

void __stack_chk_fail(void) __attribute__((noreturn));

void
__stack_chk_fail(void)
{
	panic("stack smashing detected: a function's stack canary was overwritten");
}

void __attribute__((no_stack_protector)) stack_guard_init(uint64_t entropy)
{
	/* A zero low byte stops string copies, which end at NUL, from
	 * reading the guard out or writing it back whole. */
	__stack_chk_guard = (uintptr_t)(entropy ^ 0x2f8d1e5b9c03a7ffull) & ~(uintptr_t)0xff;
}

void __attribute__((noinline)) stack_guard_crash(void)
{
	char buffer[16];
	volatile size_t len = 64; /* volatile: the compiler must not see it coming */

	memset(buffer, 'A', len);
	__asm__ volatile("" : : "r"(buffer) : "memory");
}
