/*
 * IRQ-saving spinlocks.  Taking one disables interrupts on this CPU (so
 * an interrupt handler that takes the same lock cannot deadlock against
 * the code it interrupted) and spins on an atomic flag (for SMP later;
 * with one CPU it is never contended).  Held for short, non-sleeping
 * sections only.
 */
#ifndef SCHED_SPINLOCK_H
#define SCHED_SPINLOCK_H

#include <stdbool.h>

#include "arch/arch.h"

struct spinlock {
	volatile int locked;
	const char *name;
};

#define SPINLOCK_INIT(n) \
	{                \
		0, n     \
	}

/* For callers that already run with interrupts disabled. */
static inline void
spin_lock_noirq(struct spinlock *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			arch_cpu_relax();
}

static inline void
spin_unlock_noirq(struct spinlock *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

static inline unsigned long
spin_lock_irqsave(struct spinlock *l)
{
	unsigned long flags = arch_irq_save();

	spin_lock_noirq(l);
	return flags;
}

static inline void
spin_unlock_irqrestore(struct spinlock *l, unsigned long flags)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	arch_irq_restore(flags);
}

static inline bool
spin_is_locked(const struct spinlock *l)
{
	return __atomic_load_n(&l->locked, __ATOMIC_RELAXED);
}

#endif
