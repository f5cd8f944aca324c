/*
 * A round-robin run queue: ready threads in FIFO order, intrusive (the
 * node lives in the thread), one per CPU.  Pure code, host-tested.
 */
#ifndef SCHED_RUN_QUEUE_H
#define SCHED_RUN_QUEUE_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/list.h"

struct run_queue {
	struct list_node head;
	size_t count;
};

void rq_init(struct run_queue *rq);
/* Appends n: it runs after everything already waiting. */
void rq_push(struct run_queue *rq, struct list_node *n);
/* Puts n first: it runs next (a handoff, e.g. an IPC partner). */
void rq_push_front(struct run_queue *rq, struct list_node *n);
/* The longest-waiting node, removed; NULL when empty (the CPU idles). */
struct list_node *rq_pop(struct run_queue *rq);
/* Takes n out wherever it is (a thread that blocks or is killed). */
void rq_remove(struct run_queue *rq, struct list_node *n);
bool rq_empty(const struct run_queue *rq);
size_t rq_count(const struct run_queue *rq);

#endif
