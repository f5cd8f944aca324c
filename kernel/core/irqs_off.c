#include "core/irqs_off.h"

#ifndef HOST_TEST
#include "arch/arch.h"
#include "core/ksyms.h"
#include "core/printk.h"
#else
uint64_t arch_cycles(void); /* the host test's clock */
#endif

/* This CPU's: when the current stretch began (0: interrupts are on),
 * where, and the longest so far.  Touched with interrupts off only. */
static uint64_t since;
static uintptr_t since_from;
static struct irqs_off_max longest;

void
irqs_off_begin(uintptr_t where)
{
	since = arch_cycles();
	since_from = where;
}

void
irqs_off_end(uintptr_t where)
{
	uint64_t d;

	if (!since)
		return; /* off since a path we do not see (the first switch to a thread) */
	d = arch_cycles() - since;
	since = 0;
	if (d > longest.cycles) {
		longest.cycles = d;
		longest.from = since_from;
		longest.to = where;
	}
}

void
irqs_off_trap_enter(bool was_on)
{
	if (was_on)
		irqs_off_begin(0);
}

void
irqs_off_trap_leave(bool to_on)
{
	if (to_on)
		irqs_off_end(0);
}

#ifdef HOST_TEST
void
irqs_off_get(struct irqs_off_max *out)
{
	*out = longest;
}

void
irqs_off_reset(void)
{
	longest = (struct irqs_off_max){ 0 };
}
#else
void
irqs_off_get(struct irqs_off_max *out)
{
	unsigned long flags = arch_irq_save();

	*out = longest;
	arch_irq_restore(flags);
}

void
irqs_off_reset(void)
{
	unsigned long flags = arch_irq_save();

	longest = (struct irqs_off_max){ 0 };
	arch_irq_restore(flags);
}

static void
print_place(uintptr_t at)
{
	uintptr_t off;
	const char *name = at ? ksyms_lookup(at, &off) : NULL;

	if (!at)
		printk("a trap");
	else if (name)
		printk("%s+%#lx", name, off);
	else
		printk("%016lx", at);
}

void
irqs_off_print(void)
{
	struct irqs_off_max m;

	irqs_off_get(&m);
	printk("irqs-off: longest %lu cycles (from ", m.cycles);
	print_place(m.from);
	printk(" to ");
	print_place(m.to);
	printk(")\n");
}
#endif
