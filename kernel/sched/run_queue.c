#include "sched/run_queue.h"

void
rq_init(struct run_queue *rq)
{
	list_init(&rq->head);
	rq->count = 0;
}

void
rq_push(struct run_queue *rq, struct list_node *n)
{
	list_add_tail(&rq->head, n);
	rq->count++;
}

void
rq_push_front(struct run_queue *rq, struct list_node *n)
{
	list_add_head(&rq->head, n);
	rq->count++;
}

struct list_node *
rq_pop(struct run_queue *rq)
{
	struct list_node *n = list_first(&rq->head);

	if (n) {
		list_del(n);
		rq->count--;
	}
	return n;
}

void
rq_remove(struct run_queue *rq, struct list_node *n)
{
	list_del(n);
	rq->count--;
}

bool
rq_empty(const struct run_queue *rq)
{
	return list_empty(&rq->head);
}

size_t
rq_count(const struct run_queue *rq)
{
	return rq->count;
}
