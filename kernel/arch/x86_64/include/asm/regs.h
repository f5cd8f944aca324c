/*
 * The register frame the interrupt stubs push and panic() captures.
 * The order matches the stubs in trap_entry.S: general registers pushed
 * last come first, then the vector and error code the stub pushed, then
 * the frame the CPU pushed (RIP, CS, RFLAGS, RSP, SS).  The offsets are
 * also used by arch_capture_regs in cpu.c.
 */
#ifndef ASM_REGS_H
#define ASM_REGS_H

#include <stdint.h>

struct arch_regs {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

/*
 * What arch_setjmp saves (setjmp.S): the callee-saved registers, the
 * stack pointer and return address of the caller, and RFLAGS so that
 * arch_longjmp puts the interrupt flag back as it was.
 */
struct arch_jmp_buf {
	uint64_t rbx, rbp, r12, r13, r14, r15;
	uint64_t rsp, rip, rflags;
};

#endif
