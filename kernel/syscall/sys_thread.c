/* Threads: create (with a Thread capability if asked), kill, exit. */
#include "asm/layout.h"
#include "cap/cap.h"
#include "cap/cspace.h"
#include "cap/lock.h"
#include "proc/process.h"
#include "sched/thread.h"
#include "syscall/syscall.h"
#include "themelios/errno.h"

long
sys_thread_create(struct syscall_args *a)
{
	struct process *p = process_current();
	struct thread_handle *h = NULL;
	struct cap *dst;
	uint64_t tid = 0;
	unsigned long flags;
	long err;

	/* The stack and entry are the thread's own business: a bad one
	 * faults in user mode and ends the process, as in any thread. */
	if (a->a[0] >= USER_SPACE_END || a->a[1] > USER_SPACE_END)
		return -E_FAULT;
	flags = cap_lock_take();
	err = a->a[3] ? cspace_lookup_empty(p->cs, a->a[3], &dst) : 0;
	if (!err)
		err = process_thread_create(p, a->a[0], a->a[1], a->a[2], &tid,
					    a->a[3] ? &h : NULL);
	if (!err && h) {
		/* The thread already runs; a failed install only loses the handle. */
		cap_install(p->cs, a->a[3], &h->obj, CAP_RIGHTS_ALL, 0);
		kobject_unref(&h->obj);
	}
	cap_lock_drop(flags);
	return err ? err : (long)tid;
}

long
sys_thread_kill(struct syscall_args *a)
{
	struct process *p = process_current();
	unsigned long flags = cap_lock_take();
	struct cap *c;
	int err = cspace_lookup(p->cs, a->a[0], KOBJ_THREAD, CAP_RIGHT_WRITE, &c);
	bool self = false;

	if (!err) {
		self = ((struct thread_handle *)c->obj)->thread == thread_current();
		if (!self)
			err = process_thread_kill((struct thread_handle *)c->obj);
	}
	cap_lock_drop(flags);
	if (!err && self)
		process_thread_exit();
	return err;
}

long
sys_thread_exit(struct syscall_args *a)
{
	(void)a;
	process_thread_exit();
}
