/*
 * The longest stretch with interrupts off (docs/memory.md, "Interrupts
 * off"): every place that turns them off or on in C tells us, and so do
 * the C entries and exits of traps and system calls, which the CPU runs
 * with interrupts off.  A stretch runs from the call that turned them
 * off (or the trap's C entry) to the one that turns them back on (or the
 * trap's C exit to code that runs with them on), in arch_cycles() units;
 * the few instructions of assembly around a trap are not counted.  One
 * CPU today: the state is this CPU's (it goes into struct cpu_local the
 * day there are more).  Cheap: a counter read at each change.
 */
#ifndef CORE_IRQS_OFF_H
#define CORE_IRQS_OFF_H

#include <stdbool.h>
#include <stdint.h>

/* Interrupts just went off at where (a return address), or are on
 * again at where. */
void irqs_off_begin(uintptr_t where);
void irqs_off_end(uintptr_t where);

/* A trap's or system call's C entry, with interrupts off: was_on says
 * they were on where it came from (user mode, or kernel code with them
 * on), and a stretch starts; else it goes on.  Its C exit: a stretch
 * ends when what it returns to runs with interrupts on. */
void irqs_off_trap_enter(bool was_on);
void irqs_off_trap_leave(bool to_on);

/* The longest stretch since boot or the last reset, and where it began
 * and ended (0: a trap's entry or exit). */
struct irqs_off_max {
	uint64_t cycles;
	uintptr_t from, to;
};
void irqs_off_get(struct irqs_off_max *out);
void irqs_off_reset(void);

/* Prints "irqs-off: longest N cycles (from F to T)" for the shell, the
 * test log and make bench. */
void irqs_off_print(void);

#endif
