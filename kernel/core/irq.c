/*
 * The vector table: handler, argument, name and a counter per vector.
 * Registration happens at init, with interrupts disabled around the
 * update, so the dispatcher needs no lock on one CPU.
 */
#include "core/irq.h"

#include <stddef.h>

#include "core/printk.h"
#include "themelios/errno.h"

struct irq_slot {
	irq_handler_t fn;
	void *ctx;
	const char *name;
	bool reported; /* "unexpected interrupt" said once */
};

static struct irq_slot slots[IRQ_VECTORS];
static uint64_t counts[IRQ_VECTORS];
static void (*exit_hook)(struct arch_regs *regs);
static volatile unsigned int depth;

int
irq_register(unsigned int vector, const char *name, irq_handler_t fn, void *ctx)
{
	unsigned long flags;
	int err = 0;

	if (vector >= IRQ_VECTORS || !fn)
		return -E_INVAL;
	flags = arch_irq_save();
	if (slots[vector].fn) {
		err = -E_BUSY;
	} else {
		slots[vector].ctx = ctx;
		slots[vector].name = name ? name : "?";
		slots[vector].fn = fn;
	}
	arch_irq_restore(flags);
	return err;
}

void
irq_unregister(unsigned int vector)
{
	unsigned long flags;

	if (vector >= IRQ_VECTORS)
		return;
	flags = arch_irq_save();
	slots[vector].fn = NULL;
	slots[vector].ctx = NULL;
	slots[vector].name = "(released)"; /* the owner may free its name */
	arch_irq_restore(flags);
}

void
irq_dispatch(unsigned int vector, struct arch_regs *regs)
{
	struct irq_slot *s;

	if (vector >= IRQ_VECTORS)
		return;
	counts[vector]++;
	s = &slots[vector];
	if (!s->fn) {
		if (!s->reported) {
			s->reported = true;
			pr_warn("irq: unexpected interrupt on vector %#x\n", vector);
		}
		return;
	}
	depth++;
	s->fn(regs, s->ctx);
	depth--;
}

void
irq_exit(struct arch_regs *regs)
{
	if (exit_hook && depth == 0)
		exit_hook(regs);
}

void
irq_set_exit_hook(void (*fn)(struct arch_regs *regs))
{
	exit_hook = fn;
}

bool
irq_in_handler(void)
{
	return depth != 0;
}

uint64_t
irq_count(unsigned int vector)
{
	return vector < IRQ_VECTORS ? counts[vector] : 0;
}

uint64_t
irq_total(void)
{
	uint64_t n = 0;

	for (unsigned int v = 0; v < IRQ_VECTORS; v++)
		n += counts[v];
	return n;
}

void
irq_print_stats(void)
{
	printk("vector      count  handler\n");
	for (unsigned int v = 0; v < IRQ_VECTORS; v++) {
		if (!slots[v].fn && !counts[v])
			continue;
		printk("  %#4x %10lu  %s\n", v, counts[v], slots[v].fn ? slots[v].name : "(none)");
	}
}

#ifdef IRQ_VECTOR_SELF_TEST
static volatile uint64_t bench_seen;

static void
bench_handler(struct arch_regs *regs, void *ctx)
{
	(void)regs;
	(void)ctx;
	bench_seen++;
}

uint64_t
irq_bench_roundtrip(unsigned int iterations)
{
	unsigned long flags;
	uint64_t start, cycles;
	unsigned int i;

	if (!iterations ||
	    irq_register(IRQ_VECTOR_SELF_TEST, "self-test IPI", bench_handler, NULL) != 0)
		return 0;
	flags = arch_irq_save();
	bench_seen = 0;
	arch_irq_enable();
	start = arch_cycles();
	for (i = 0; i < iterations; i++) {
		unsigned long spins = 0;

		arch_irq_send_self(IRQ_VECTOR_SELF_TEST);
		while (bench_seen != i + 1 && ++spins < 100000000ul)
			;
		if (bench_seen != i + 1)
			break;
	}
	cycles = arch_cycles() - start;
	arch_irq_disable();
	arch_irq_restore(flags);
	irq_unregister(IRQ_VECTOR_SELF_TEST);
	if (i < iterations) {
		pr_err("irq: self-IPI %u of %u never arrived\n", i + 1, iterations);
		return 0;
	}
	return cycles / iterations;
}
#else
uint64_t
irq_bench_roundtrip(unsigned int iterations)
{
	(void)iterations;
	return 0;
}
#endif
