/* The round-robin run queue: order, removal, counts, against a model. */
#include <string.h>

#include "sched/run_queue.h"
#include "unit.h"

struct fake_thread {
	int id;
	struct list_node link;
	int queued;
};

#define N 64
static struct fake_thread t[N];

static int
id_of(struct list_node *n)
{
	return n ? container_of(n, struct fake_thread, link)->id : -1;
}

UNIT_TEST(fifo_round_robin)
{
	struct run_queue rq;

	rq_init(&rq);
	CHECK(rq_empty(&rq));
	CHECK(rq_pop(&rq) == NULL);
	for (int i = 0; i < 3; i++) {
		t[i].id = i;
		rq_push(&rq, &t[i].link);
	}
	/* Each thread that runs goes to the back: 0 1 2 0 1 2 ... */
	for (int round = 0; round < 9; round++) {
		struct list_node *n = rq_pop(&rq);
		CHECK_EQ(id_of(n), round % 3);
		rq_push(&rq, n);
	}
	CHECK_EQ(rq_count(&rq), 3);
}

UNIT_TEST(remove_anywhere)
{
	struct run_queue rq;

	rq_init(&rq);
	for (int i = 0; i < 5; i++) {
		t[i].id = i;
		rq_push(&rq, &t[i].link);
	}
	rq_remove(&rq, &t[2].link);
	rq_remove(&rq, &t[0].link);
	rq_remove(&rq, &t[4].link);
	CHECK_EQ(rq_count(&rq), 2);
	CHECK_EQ(id_of(rq_pop(&rq)), 1);
	CHECK_EQ(id_of(rq_pop(&rq)), 3);
	CHECK(rq_empty(&rq));
}

UNIT_TEST(push_front_runs_next)
{
	struct run_queue rq;

	rq_init(&rq);
	for (int i = 0; i < 3; i++) {
		t[i].id = i;
		rq_push(&rq, &t[i].link);
	}
	t[3].id = 3;
	rq_push_front(&rq, &t[3].link); /* a handoff */
	CHECK_EQ(rq_count(&rq), 4);
	CHECK_EQ(id_of(rq_pop(&rq)), 3);
	CHECK_EQ(id_of(rq_pop(&rq)), 0);
	rq_push_front(&rq, &t[0].link);
	CHECK_EQ(id_of(rq_pop(&rq)), 0);
	CHECK_EQ(id_of(rq_pop(&rq)), 1);
	CHECK_EQ(id_of(rq_pop(&rq)), 2);
	CHECK(rq_empty(&rq));
}

UNIT_TEST(random_against_model)
{
	struct run_queue rq;
	int model[N], len = 0, bad = 0;
	unsigned int s = 9;

	rq_init(&rq);
	memset(t, 0, sizeof(t));
	for (int i = 0; i < N; i++)
		t[i].id = i;
	for (int step = 0; step < 100000; step++) {
		s = s * 1103515245u + 12345u;
		int i = (int)((s >> 8) % N);
		switch ((s >> 20) % 3) {
		case 0:
			if (!t[i].queued) {
				rq_push(&rq, &t[i].link);
				t[i].queued = 1;
				model[len++] = i;
			}
			break;
		case 1:
			if (t[i].queued) {
				rq_remove(&rq, &t[i].link);
				t[i].queued = 0;
				for (int k = 0; k < len; k++)
					if (model[k] == i) {
						memmove(model + k, model + k + 1,
							sizeof(int) * (size_t)(len - k - 1));
						len--;
						break;
					}
			}
			break;
		default: {
			int got = id_of(rq_pop(&rq));
			int want = len ? model[0] : -1;
			bad += got != want;
			if (len) {
				t[want].queued = 0;
				memmove(model, model + 1, sizeof(int) * (size_t)(len - 1));
				len--;
			}
			break;
		}
		}
		bad += rq_count(&rq) != (size_t)len;
	}
	CHECK_EQ(bad, 0);
}

UNIT_MAIN()
