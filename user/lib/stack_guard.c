/*
 * The stack protector for user programs (-fstack-protector-strong with a
 * global guard, as in the kernel): crt0 calls program_start, which sets
 * the guard (from the kernel's generator) before main runs.  A smashed stack ends the program with
 * status -E_CORRUPT, so its supervisor hears why.
 */
#include "themelios.h"

uintptr_t __stack_chk_guard = 0x6a09e667f3bcc900ull;

void __stack_chk_fail(void) __attribute__((noreturn));
int program_start(uint64_t arg);

void
__stack_chk_fail(void)
{
	static const char msg[] = "stack smashing detected: the program is stopped\n";

	sys_console_write(CAP_SLOT_CONSOLE, msg, sizeof(msg) - 1); /* if it has one */
	sys_exit(-E_CORRUPT);
	__builtin_unreachable();
}

/* No canary here: the guard changes under it, and it never returns. */
int __attribute__((no_stack_protector)) program_start(uint64_t arg)
{
	uint64_t entropy = 0;

	if (sys_random(&entropy, sizeof(entropy)) != 0) /* the kernel's generator */
		entropy = (uint64_t)sys_cycles() * 0x9e3779b97f4a7c15ull;
	__stack_chk_guard = (uintptr_t)entropy & ~(uintptr_t)0xff;
	return main(arg);
}
