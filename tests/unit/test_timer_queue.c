/* The pairing heap against a sorted model: random inserts, cancels, pops. */
#include <stdlib.h>
#include <string.h>

#include "core/timer_queue.h"
#include "unit.h"

#define N 2000

static struct tq_node nodes[N];
/* The model: the queued node that must come out next (smallest key, then seq). */
static struct tq_node *
model_min(void)
{
	struct tq_node *best = NULL;

	for (int i = 0; i < N; i++)
		if (nodes[i].queued && (!best || nodes[i].key < best->key ||
					(nodes[i].key == best->key && nodes[i].seq < best->seq)))
			best = &nodes[i];
	return best;
}

UNIT_TEST(empty_queue)
{
	struct timer_queue q;
	struct tq_node n;

	tq_init(&q);
	memset(&n, 0, sizeof(n));
	CHECK(tq_peek(&q) == NULL);
	CHECK(tq_pop(&q) == NULL);
	CHECK(!tq_remove(&q, &n));
}

UNIT_TEST(ties_come_out_in_insertion_order)
{
	struct timer_queue q;
	struct tq_node n[5];

	tq_init(&q);
	for (int i = 0; i < 5; i++)
		tq_insert(&q, &n[i], 100);
	for (int i = 0; i < 5; i++)
		CHECK(tq_pop(&q) == &n[i]);
}

UNIT_TEST(remove_root_middle_and_last)
{
	struct timer_queue q;
	struct tq_node n[6];
	uint64_t keys[6] = { 50, 10, 30, 20, 60, 40 };

	tq_init(&q);
	for (int i = 0; i < 6; i++)
		tq_insert(&q, &n[i], keys[i]);
	CHECK(tq_remove(&q, &n[1])); /* the root (10) */
	CHECK(tq_remove(&q, &n[5])); /* 40 */
	CHECK(tq_remove(&q, &n[4])); /* 60, the last */
	CHECK(!tq_remove(&q, &n[4]));
	CHECK_EQ(q.count, 3);
	CHECK(tq_pop(&q) == &n[3]);
	CHECK(tq_pop(&q) == &n[2]);
	CHECK(tq_pop(&q) == &n[0]);
	CHECK(tq_pop(&q) == NULL);
}

UNIT_TEST(random_against_model)
{
	struct timer_queue q;
	int bad = 0;

	unit_srand(123);
	tq_init(&q);
	memset(nodes, 0, sizeof(nodes));
	for (int step = 0; step < 200000 && bad < 5; step++) {
		int i = (int)(unit_rand() % N);
		switch (unit_rand() % 4) {
		case 0:
		case 1:
			if (!nodes[i].queued)
				tq_insert(&q, &nodes[i], unit_rand() % 500); /* many ties */
			break;
		case 2: {
			bool was = nodes[i].queued;
			bad += tq_remove(&q, &nodes[i]) != was;
			break;
		}
		default: {
			struct tq_node *want = model_min(), *got = tq_pop(&q);
			bad += want != got;
			break;
		}
		}
		if (step % 997 == 0)
			bad += tq_peek(&q) != model_min();
	}
	CHECK_EQ(bad, 0);
	/* Drain: everything comes out in order. */
	uint64_t last_key = 0, last_seq = 0, n = q.count;
	for (uint64_t k = 0; k < n; k++) {
		struct tq_node *x = tq_pop(&q);
		CHECK(x && (x->key > last_key || (x->key == last_key && x->seq >= last_seq)));
		last_key = x->key;
		last_seq = x->seq;
	}
	CHECK_EQ(q.count, 0);
}

UNIT_TEST(long_ascending_and_descending_runs)
{
	struct timer_queue q;

	tq_init(&q);
	memset(nodes, 0, sizeof(nodes));
	for (int i = 0; i < N; i++)
		tq_insert(&q, &nodes[i], (uint64_t)(i % 2 ? i : N - i));
	for (int i = 0; i < N; i++) {
		struct tq_node *want = model_min();
		CHECK(tq_pop(&q) == want);
		want->queued = false;
	}
}

UNIT_MAIN()
