/*
 * The x86_64 segments.  Long mode ignores segment bases and limits, but
 * the GDT still says which code is kernel (ring 0) or user (ring 3), and
 * holds the TSS: the stacks the CPU switches to on a privilege change
 * (rsp0) and the interrupt stacks (IST) for exceptions that must not use
 * the current stack.
 *
 * The order is fixed by SYSCALL/SYSRET (Phase 2): SYSCALL loads CS from
 * STAR[47:32] and SS = that + 8; SYSRET to 64-bit mode loads SS from
 * STAR[63:48] + 8 and CS from STAR[63:48] + 16.  With STAR[63:48] =
 * GDT_KERNEL_DATA, user data must directly precede user code.
 */
#ifndef ASM_GDT_H
#define ASM_GDT_H

#define GDT_KERNEL_CODE	  0x08
#define GDT_KERNEL_DATA	  0x10
#define GDT_USER_DATA	  0x18 /* used with RPL 3: 0x1b */
#define GDT_USER_CODE	  0x20 /* used with RPL 3: 0x23 */
#define GDT_TSS		  0x28 /* a 16-byte system descriptor */
#define GDT_ENTRIES	  7

/* Interrupt stack table slots (1-based, as the IDT gate encodes them). */
#define IST_DOUBLE_FAULT  1
#define IST_NMI		  2
#define IST_MACHINE_CHECK 3

#ifndef __ASSEMBLY__
#include <stdint.h>

/* Loads the GDT, reloads the segment registers and the task register. */
void x86_gdt_init(void);

/* The stack the CPU loads on an interrupt from user mode (TSS.rsp0);
 * the scheduler sets it to the kernel stack top of the next thread. */
void x86_tss_set_kernel_stack(uint64_t top);
#endif

#endif
