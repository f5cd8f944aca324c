#include "object/irq.h"

#include "arch/arch.h"
#include "cap/lock.h"
#include "core/printk.h"
#include "object/notification.h"
#include "lib/format.h"
#include "object/process.h"
#include "themelios/abi.h"
#include "themelios/errno.h"

/* In interrupt context, interrupts off: the capability lock cannot be
 * held on this CPU, so taking it here never deadlocks. */
static void
irq_object_fire(struct arch_regs *regs, void *ctx)
{
	struct irq_object *q = ctx;
	unsigned long flags = cap_lock_take();

	(void)regs;
	q->count++;
	if (q->level) {
		arch_irq_mask(q->line, true);
		q->masked = true;
	}
	readiness_update(&q->ready, 0, SIGNAL_IRQ);
	cap_lock_drop(flags);
}

static void
irq_object_last_cap(struct kobject *obj)
{
	struct irq_object *q = (struct irq_object *)obj;

	if (q->attached) {
		arch_irq_detach(q->line);
		q->attached = false;
		pr_info("irq: line %u released by pid %lu after %lu interrupt(s)\n", q->line,
			q->owner->pid, q->count);
	}
}

static void
irq_object_destroy(struct kobject *obj)
{
	struct irq_object *q = (struct irq_object *)obj;

	process_object_free(q->owner, q);
}

static struct readiness *
irq_object_readiness(struct kobject *obj)
{
	return &((struct irq_object *)obj)->ready;
}

static int
irq_object_info(struct kobject *obj, struct object_info *info)
{
	info->id = ((struct irq_object *)obj)->line;
	return 0;
}

static const struct kobject_ops irq_object_ops = {
	.name = "irq",
	.last_cap = irq_object_last_cap,
	.destroy = irq_object_destroy,
	.info = irq_object_info,
	.readiness = irq_object_readiness,
};

int
irq_object_claim(struct process *owner, unsigned int line, struct irq_object **out)
{
	struct irq_object *q;
	int vector;

	if (!arch_irq_line_exists(line))
		return -E_INVAL;
	q = process_object_new(owner, sizeof(*q), KOBJ_IRQ, &irq_object_ops);
	if (!q)
		return -E_NOMEM;
	q->line = line;
	q->owner = owner;
	readiness_init(&q->ready, SIGNAL_IRQ);
	fmt_snprintf(q->name, sizeof(q->name), "user driver, pid %lu", owner->pid);
	vector = arch_irq_attach(line, q->name, irq_object_fire, q);
	if (vector < 0) {
		kobject_unref(&q->obj);
		return vector == -E_BUSY ? -E_BUSY : -E_INVAL;
	}
	q->attached = true;
	q->level = arch_irq_level_triggered(line);
	*out = q;
	return 0;
}

void
irq_object_bind(struct irq_object *q, struct notification *n, uint64_t bits)
{
	readiness_unbind_all(&q->ready);
	if (n)
		readiness_bind(&q->ready, &n->target, SIGNAL_IRQ, bits);
}

void
irq_object_ack(struct irq_object *q)
{
	readiness_update(&q->ready, SIGNAL_IRQ, 0);
	if (q->masked && q->attached) {
		q->masked = false;
		arch_irq_mask(q->line, false);
	}
}
