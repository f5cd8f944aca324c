/*
 * A static position-independent program (ET_DYN with no interpreter and
 * no relocations), for the loader's tests (user/utest/process.c,
 * pie_bases): it checks the auxiliary vector the kernel gave it against
 * itself, then exits with its own entry address (where the kernel
 * placed it), or with a small number naming the check that failed.
 * Built apart from libthemelios (which is not position-independent):
 * -fpie, no stack protector, its own entry and exit.
 */
#include <stdint.h>

#include "themelios/abi.h"
#include "lib/raw_exit.h"
#include "syscall_numbers.h"

void pie_start(uint64_t *sp) __attribute__((noreturn, used));
void _start(void) __attribute__((visibility("hidden")));

void
pie_start(uint64_t *sp)
{
	uint64_t argc = sp[0], *w = sp + 1 + argc + 1, entry = 0, phdr = 0, phnum = 0;
	uint64_t base = ~0ull, pagesz = 0, rnd = 0;
	uint64_t self = (uint64_t)(uintptr_t)&_start;

	if (argc < 1)
		raw_exit(1);
	while (*w)
		w++; /* the environment */
	for (w++; w[0] != AT_NULL; w += 2) {
		switch (w[0]) {
		case AT_ENTRY:
			entry = w[1];
			break;
		case AT_PHDR:
			phdr = w[1];
			break;
		case AT_PHNUM:
			phnum = w[1];
			break;
		case AT_BASE:
			base = w[1];
			break;
		case AT_PAGESZ:
			pagesz = w[1];
			break;
		case AT_RANDOM:
			rnd = w[1];
			break;
		}
	}
	if (entry != self)
		raw_exit(2);
	if (!phdr || !phnum || *(const uint32_t *)(uintptr_t)phdr == 0xdead)
		raw_exit(3);
	if (base != 0 || pagesz != 4096 || !rnd)
		raw_exit(4);
	if (self < (1ull << 40))
		raw_exit(5); /* not where the kernel puts a PIE (PIE_BASE) */
	raw_exit((long)self);
}

#if defined(__x86_64__)
__asm__(".text\n.global _start\n.hidden _start\n_start:\n"
	"	xorl %ebp, %ebp\n"
	"	movq %rsp, %rdi\n"
	"	andq $-16, %rsp\n"
	"	call pie_start\n"
	"	ud2\n");
#else
__asm__(".text\n.global _start\n.hidden _start\n_start:\n"
	"	mov x29, #0\n"
	"	mov x30, #0\n"
	"	mov x0, sp\n"
	"	bl pie_start\n"
	"	brk #0\n");
#endif
