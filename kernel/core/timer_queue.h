/*
 * An intrusive priority queue of timer deadlines: a pairing heap.
 * Insert and peek are O(1), pop and removal of any node O(log n)
 * amortized, with no fixed capacity and no allocation (the node lives
 * in the timer event).  Equal keys come out in insertion order.  Pure
 * code, host-tested against a sorted model.
 */
#ifndef CORE_TIMER_QUEUE_H
#define CORE_TIMER_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tq_node {
	struct tq_node *child; /* first child */
	struct tq_node *next;  /* next sibling */
	struct tq_node *prev;  /* previous sibling, or the parent for a first child */
	uint64_t key;
	uint64_t seq; /* insertion order, for ties */
	bool queued;
};

struct timer_queue {
	struct tq_node *root;
	uint64_t seq;
	size_t count;
};

void tq_init(struct timer_queue *q);
/* n must not be queued. */
void tq_insert(struct timer_queue *q, struct tq_node *n, uint64_t key);
/* Removes n if queued; returns whether it was. */
bool tq_remove(struct timer_queue *q, struct tq_node *n);
/* The earliest node, or NULL. */
struct tq_node *tq_peek(const struct timer_queue *q);
struct tq_node *tq_pop(struct timer_queue *q);

#endif
