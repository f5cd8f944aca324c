/*
 * Thread objects: what a Thread capability names.  A small handle that
 * points at the thread while it lives and says -E_DEAD once it has
 * ended (the thread clears the pointer on its way out), so a capability
 * never keeps a thread's stack and structures alive.
 */
#ifndef OBJECT_THREAD_H
#define OBJECT_THREAD_H

#include "object/object.h"

struct thread;

struct thread_handle {
	struct kobject obj;    /* KOBJ_THREAD */
	struct thread *thread; /* NULL once it has ended */
};

/* Makes h (zeroed storage) the Thread object of t (refs = 1). */
void thread_handle_init(struct thread_handle *h, struct thread *t);

#endif
