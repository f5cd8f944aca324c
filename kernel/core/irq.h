/*
 * Interrupt handlers by vector, arch-neutral.  The arch entry code calls
 * irq_dispatch() for every interrupt (not exceptions), sends the
 * end-of-interrupt itself, then calls irq_exit().  Handlers run with
 * interrupts disabled and must not sleep.
 *
 * A vector is the arch's number for an interrupt (x86_64: the IDT
 * vector; see asm/irq_vectors.h).  Device lines are connected to a
 * vector with arch_irq_attach().
 */
#ifndef CORE_IRQ_H
#define CORE_IRQ_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/arch.h"

#if __has_include("asm/irq_vectors.h")
#include "asm/irq_vectors.h"
#endif
#ifndef IRQ_VECTORS
#define IRQ_VECTORS 256
#endif

typedef void (*irq_handler_t)(struct arch_regs *regs, void *ctx);

/* Installs fn for vector; name shows in irq_print_stats.  -E_INVAL for a
 * bad vector or no fn, -E_BUSY when the vector has a handler already. */
int irq_register(unsigned int vector, const char *name, irq_handler_t fn, void *ctx);
void irq_unregister(unsigned int vector);

/* From the arch entry code: counts the interrupt and runs its handler
 * (an interrupt without one is reported once per vector). */
void irq_dispatch(unsigned int vector, struct arch_regs *regs);

/*
 * From the arch entry code after the end-of-interrupt, still with
 * interrupts disabled: runs the exit hook, where the scheduler switches
 * threads when the timer handler asked it to preempt.  The interrupted
 * thread resumes when it is switched back to, returning through its own
 * interrupt frame.
 */
void irq_exit(struct arch_regs *regs);
void irq_set_exit_hook(void (*fn)(struct arch_regs *regs));

/* True inside an interrupt handler. */
bool irq_in_handler(void);

uint64_t irq_count(unsigned int vector);
uint64_t irq_total(void);
/* One line per vector that has a handler or has fired (shell `irq`). */
void irq_print_stats(void);

/* Cycles per interrupt round trip (self-IPI to a handler and back),
 * averaged over iterations; 0 when interrupts are not set up. */
uint64_t irq_bench_roundtrip(unsigned int iterations);

#endif
