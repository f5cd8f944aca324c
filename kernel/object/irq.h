/*
 * IRQ objects: one device interrupt line handed to a user-space driver
 * (seL4's IRQHandler).  Each interrupt asserts the object's SIGNAL_IRQ
 * until irq_ack; the driver binds the object to a Notification
 * (irq_bind, or object_bind: object/readiness.h), and each interrupt ORs
 * the chosen bits into its word.  A
 * level-triggered line is masked from the interrupt until the driver
 * calls irq_ack, after it has quietened the device, so an interrupt
 * that is still asserted cannot storm the CPU; an edge-triggered line
 * stays unmasked and interrupts between two waits coalesce in the word.
 * When the last capability goes the line is masked and given back.
 */
#ifndef OBJECT_IRQ_H
#define OBJECT_IRQ_H

#include <stdbool.h>
#include <stdint.h>

#include "object/object.h"
#include "object/readiness.h"

struct notification;
struct process;

struct irq_object {
	struct kobject obj; /* KOBJ_IRQ */
	unsigned int line;
	bool attached; /* the line is ours until last_cap */
	bool level;
	bool masked;		/* level line waiting for irq_ack */
	struct readiness ready; /* SIGNAL_IRQ: from an interrupt to irq_ack */
	uint64_t count;		/* interrupts taken */
	struct process *owner;	/* charged; referenced */
	char name[32];		/* in the shell's `irq` list */
};

/*
 * Capability lock held for all three.
 * claim: -E_INVAL (no such line), -E_BUSY (the kernel or another driver
 * has it), -E_NOMEM (owner's pool).
 */
int irq_object_claim(struct process *owner, unsigned int line, struct irq_object **out);
/* irq_bind: every binding of q goes, then n (unless NULL) is bound to
 * SIGNAL_IRQ with bits (!= 0). */
void irq_object_bind(struct irq_object *q, struct notification *n, uint64_t bits);
void irq_object_ack(struct irq_object *q);

#endif
