/*
 * How x86_64 uses its 256 interrupt vectors.  A higher vector has a
 * higher priority at the local APIC (priority class = vector >> 4).
 *   0x00-0x1f  CPU exceptions
 *   0x20-0x2f  the legacy 8259 PICs, remapped here and masked: only
 *              their spurious interrupts can arrive
 *   0x30-0xdf  device interrupts (ISA IRQ n at 0x30 + n, then GSIs)
 *   0xf0-0xff  the local APIC's own: timer, test IPI, error, spurious
 */
#ifndef ASM_IRQ_VECTORS_H
#define ASM_IRQ_VECTORS_H

#define IRQ_VECTORS	     256 /* vectors core/irq.c keeps state for */

#define VECTOR_EXCEPTIONS    32
#define VECTOR_PIC_BASE	     0x20
#define VECTOR_DEVICE_BASE   0x30
#define VECTOR_DEVICE_END    0xe0 /* exclusive */
#define VECTOR_TIMER	     0xf0
#define VECTOR_SELF_TEST     0xf1 /* self-IPI for tests and benchmarks */
#define VECTOR_APIC_ERROR    0xfe
#define VECTOR_SPURIOUS	     0xff /* low nibble all ones, as old APICs need */

/* An arch-neutral name for the test vector (core/irq.h users). */
#define IRQ_VECTOR_SELF_TEST VECTOR_SELF_TEST

#endif
