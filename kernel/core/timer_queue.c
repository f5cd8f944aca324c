/*
 * Pairing heap (Fredman, Sedgewick, Sleator, Tarjan).  Invariant: every
 * node orders before its children by (key, seq).  Melding makes the
 * later root the first child of the earlier one; removing the root
 * melds its children in two passes (left to right in pairs, then right
 * to left), done with loops so deep heaps cannot overflow the stack.
 */
#include "core/timer_queue.h"

static bool
before(const struct tq_node *a, const struct tq_node *b)
{
	return a->key < b->key || (a->key == b->key && a->seq < b->seq);
}

/* Melds two detached heaps; returns the new root. */
static struct tq_node *
meld(struct tq_node *a, struct tq_node *b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	if (before(b, a)) {
		struct tq_node *t = a;
		a = b;
		b = t;
	}
	b->prev = a;
	b->next = a->child;
	if (a->child)
		a->child->prev = b;
	a->child = b;
	a->next = a->prev = NULL;
	return a;
}

/* Melds a sibling list (first points to the first sibling) into one heap. */
static struct tq_node *
merge_siblings(struct tq_node *first)
{
	struct tq_node *pairs = NULL, *n = first;

	/* Pass 1: meld neighbours pairwise, stacking the results on 'pairs'
	 * (linked through next) so pass 2 walks them right to left. */
	while (n) {
		struct tq_node *a = n, *b = n->next, *rest = b ? b->next : NULL;

		a->next = a->prev = NULL;
		if (b)
			b->next = b->prev = NULL;
		a = meld(a, b);
		a->next = pairs;
		pairs = a;
		n = rest;
	}
	/* Pass 2: meld from the last pair back to the first. */
	struct tq_node *root = NULL;
	while (pairs) {
		struct tq_node *next = pairs->next;

		pairs->next = NULL;
		root = meld(root, pairs);
		pairs = next;
	}
	return root;
}

void
tq_init(struct timer_queue *q)
{
	q->root = NULL;
	q->seq = 0;
	q->count = 0;
}

void
tq_insert(struct timer_queue *q, struct tq_node *n, uint64_t key)
{
	n->child = n->next = n->prev = NULL;
	n->key = key;
	n->seq = q->seq++;
	n->queued = true;
	q->root = meld(q->root, n);
	q->count++;
}

struct tq_node *
tq_peek(const struct timer_queue *q)
{
	return q->root;
}

struct tq_node *
tq_pop(struct timer_queue *q)
{
	struct tq_node *n = q->root;

	if (n)
		tq_remove(q, n);
	return n;
}

bool
tq_remove(struct timer_queue *q, struct tq_node *n)
{
	struct tq_node *sub;

	if (!n->queued)
		return false;
	sub = merge_siblings(n->child);
	if (n == q->root) {
		q->root = sub;
		if (sub)
			sub->prev = NULL;
	} else {
		/* Unlink n from its parent's child list. */
		if (n->prev->child == n)
			n->prev->child = n->next;
		else
			n->prev->next = n->next;
		if (n->next)
			n->next->prev = n->prev;
		q->root = meld(q->root, sub);
	}
	n->child = n->next = n->prev = NULL;
	n->queued = false;
	q->count--;
	return true;
}
