/*
 * A program interpreter of our own, for the loader's PT_INTERP tests
 * (user/utest/exec.c): tools/mkbadelf.py gives a copy of utest the
 * PT_INTERP "/bin/interp".  A static PIE like user/pie, which the
 * kernel places at a base of its own: it checks the auxiliary vector
 * the way a dynamic linker relies on it (AT_BASE is where it is itself,
 * AT_ENTRY and AT_PHDR are the program's), then jumps to the program's
 * entry with the stack pointer and first argument the kernel gave it,
 * as ld.so does once it has relocated the program.  A failed check
 * exits with 100 + its number.
 */
#include <stdint.h>

#include "themelios/abi.h"
#include "lib/raw_exit.h"
#include "syscall_numbers.h"

#define PT_LOAD	    1
#define PT_INTERP   3
#define PT_PHDR	    6
#define PF_X	    1
#define INTERP_BASE ((1ull << 40) + (1ull << 36)) /* where the kernel puts interpreters */

void interp_start(uint64_t *sp, uint64_t arg) __attribute__((noreturn, used));
void _start(void) __attribute__((visibility("hidden")));
void interp_jump(uint64_t *sp, uint64_t arg, uint64_t entry) __attribute__((noreturn));
/* The linker's: our own ELF header, the first byte of our image. */
extern const uint8_t __ehdr_start[] __attribute__((visibility("hidden")));

struct phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

/* The program's headers: its entry in one of its executable segments
 * (placed at bias), and a PT_INTERP among them (ours has none). */
static int
program_ok(const struct phdr *ph, uint64_t phnum, uint64_t entry)
{
	uint64_t bias = 0;
	int interp = 0, text = 0;

	for (uint64_t i = 0; i < phnum; i++)
		if (ph[i].type == PT_PHDR)
			bias = (uint64_t)(uintptr_t)ph - ph[i].vaddr;
	for (uint64_t i = 0; i < phnum; i++) {
		if (ph[i].type == PT_INTERP)
			interp = 1;
		if (ph[i].type == PT_LOAD && (ph[i].flags & PF_X) && entry >= bias + ph[i].vaddr &&
		    entry < bias + ph[i].vaddr + ph[i].memsz)
			text = 1;
	}
	return interp && text;
}

void
interp_start(uint64_t *sp, uint64_t arg)
{
	uint64_t argc = sp[0], *w = sp + 1 + argc + 1;
	uint64_t base = 0, entry = 0, phdr = 0, phnum = 0, phent = 0;
	uint64_t self = (uint64_t)(uintptr_t)__ehdr_start;

	while (*w)
		w++; /* the environment */
	for (w++; w[0] != AT_NULL; w += 2) {
		if (w[0] == AT_BASE)
			base = w[1];
		else if (w[0] == AT_ENTRY)
			entry = w[1];
		else if (w[0] == AT_PHDR)
			phdr = w[1];
		else if (w[0] == AT_PHNUM)
			phnum = w[1];
		else if (w[0] == AT_PHENT)
			phent = w[1];
	}
	if (base != self)
		raw_exit(101);
	if (self < INTERP_BASE)
		raw_exit(102);
	if (!entry || entry == (uint64_t)(uintptr_t)&_start)
		raw_exit(103);
	if (!phdr || phent != sizeof(struct phdr) || !phnum)
		raw_exit(104);
	if (!program_ok((const struct phdr *)(uintptr_t)phdr, phnum, entry))
		raw_exit(105);
	interp_jump(sp, arg, entry);
}

#if defined(__x86_64__)
__asm__(".text\n.global _start\n.hidden _start\n_start:\n"
	"	xorl %ebp, %ebp\n"
	"	movq %rdi, %rsi\n"
	"	movq %rsp, %rdi\n"
	"	andq $-16, %rsp\n"
	"	call interp_start\n"
	"	ud2\n"
	".global interp_jump\n.hidden interp_jump\ninterp_jump:\n"
	"	movq %rdi, %rsp\n"
	"	movq %rsi, %rdi\n"
	"	xorl %esi, %esi\n"
	"	jmp *%rdx\n");
#else
__asm__(".text\n.global _start\n.hidden _start\n_start:\n"
	"	mov x29, #0\n"
	"	mov x30, #0\n"
	"	mov x1, x0\n"
	"	mov x0, sp\n"
	"	bl interp_start\n"
	"	brk #0\n"
	".global interp_jump\n.hidden interp_jump\ninterp_jump:\n"
	"	mov sp, x0\n"
	"	mov x0, x1\n"
	"	mov x1, #0\n"
	"	mov x30, #0\n"
	"	br x2\n");
#endif
