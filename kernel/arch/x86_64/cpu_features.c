/*
 * The CPU's features as Linux programs see them on x86_64: AT_HWCAP is
 * CPUID.1:EDX as Linux gives it, and no AT_HWCAP2 bit (Linux's two,
 * ring 3 MWAIT and FSGSBASE, are off here: user.c leaves CR4.FSGSBASE
 * clear).
 */
#include "arch/arch.h"

void
arch_linux_hwcaps(uint64_t *hwcap, uint64_t *hwcap2)
{
	uint32_t a = 1, b, c = 0, d;

	__asm__("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	*hwcap = d;
	*hwcap2 = 0;
}
