/*
 * Readiness: the signal state of a waitable object, and its bindings to
 * Notifications (docs/capabilities.md, "Readiness").
 *
 * A waitable object embeds a struct readiness: a word of signals (the
 * SIGNAL_* bits of themelios/abi.h), each asserted while its condition
 * holds, and up to READINESS_BINDINGS bindings.  A binding maps some of
 * the object's signals (its mask) to bits of a target, a Notification:
 * whenever one of those signals is asserted, by readiness_update or
 * already at bind time, the bits are ORed into the notification.  The
 * level is what counts, so no edge is lost between a check and a bind;
 * and every assertion signals, even of a signal already asserted, so an
 * event that recurs while the signal stays up (a second interrupt
 * before irq_ack, a second packet before a read) is not lost either.
 *
 * A binding references its target.  It goes when it is unbound, when the
 * source's last capability goes (object/object.c) and when the target's
 * does (readiness_target_drop): whichever object dies first, nothing
 * dangles and nothing is left charged.
 *
 * Pure bookkeeping under the capability lock: nothing here sleeps or
 * allocates (the host tests run it: tests/unit/test_readiness.c).
 */
#ifndef OBJECT_READINESS_H
#define OBJECT_READINESS_H

#include <stdint.h>

#include "lib/list.h"
#include "object/object.h"

#define READINESS_BINDINGS 4 /* per waitable object */

/* What a binding signals: embedded in a Notification. */
struct readiness_target {
	struct kobject *obj; /* each binding references it */
	void (*signal)(struct readiness_target *t, uint64_t bits);
	struct list_node bindings; /* readiness_binding.link */
};

struct readiness;

struct readiness_binding {
	struct list_node link;		 /* on target->bindings */
	struct readiness *source;	 /* the object it belongs to */
	struct readiness_target *target; /* referenced; NULL: unused */
	uint32_t mask;			 /* the source's signals that fire it */
	uint64_t bits;			 /* what it ORs into the target */
};

struct readiness {
	uint32_t signals;   /* asserted now */
	uint32_t supported; /* the signals this type ever asserts */
	struct readiness_binding bind[READINESS_BINDINGS];
};

/* No signal asserted, no binding; supported: the type's signals. */
void readiness_init(struct readiness *r, uint32_t supported);

void readiness_target_init(struct readiness_target *t, struct kobject *obj,
			   void (*signal)(struct readiness_target *t, uint64_t bits));

/*
 * signals = (signals & ~clear) | set, and every binding whose mask meets
 * set fires (clearing fires nothing).
 */
void readiness_update(struct readiness *r, uint32_t clear, uint32_t set);

/*
 * Binds r to t, or changes the mask and bits of the binding r already
 * has to t (one per pair); fires at once if a signal in mask is
 * asserted.  -E_INVAL: mask 0, bits 0, or a signal the type never
 * asserts; -E_BUSY: READINESS_BINDINGS other targets bound already.
 */
int readiness_bind(struct readiness *r, struct readiness_target *t, uint32_t mask, uint64_t bits);

/* Removes r's binding to t: 0, or -E_NOENT when there is none. */
int readiness_unbind(struct readiness *r, struct readiness_target *t);

/* Removes every binding of r (its object has no capability left). */
void readiness_unbind_all(struct readiness *r);

/* Removes every binding to t (its Notification has no capability left). */
void readiness_target_drop(struct readiness_target *t);

#endif
