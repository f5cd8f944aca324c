/*
 * The user stack protector: a helper overflows a local buffer; its
 * canary stops it before it returns through what it wrote, and its
 * supervisor hears status -E_CORRUPT while everyone else carries on.
 */
#include "themelios.h"
#include "utest/utest.h"

int __attribute__((noinline)) smash_helper(void)
{
	char buffer[16];
	volatile size_t len = 96; /* volatile: the compiler must not see it coming */

	memset(buffer, 'A', len);
	__asm__ volatile("" : : "r"(buffer) : "memory");
	return 0; /* never reached: the check ends the program */
}

void
stack_smash(void)
{
	slot_t sup = 20;
	struct ipc_msg m;
	long pid;

	CHECK(sys_endpoint_create(sup), 0);
	pid = spawn("utest", UT_H_SMASH_HELPER, UT_IDLE_QUOTA, sup, 3, NULL, 0);
	CHECK(pid > 0, 1);
	CHECK(await_report(sup, &m), 0);
	CHECK(m.label, PROCESS_EVENT_EXIT);
	CHECK(m.words[0], pid);
	CHECK((long)m.words[1], -E_CORRUPT);
}
