/* Threads: create (with a Thread capability if asked), kill, exit, the
 * caller's TLS pointer, and through a Thread capability suspend, resume,
 * read and write the registers of a suspended thread. */
#include "arch/arch.h"
#include "asm/layout.h"
#include "cap/cap.h"
#include "cap/cspace.h"
#include "cap/lock.h"
#include "object/process.h"
#include "proc/uaccess.h"
#include "sched/thread.h"
#include "syscall/syscall.h"
#include "themelios/abi.h"
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

/*
 * The caller's TLS pointer (x86_64 FS base, aarch64 TPIDR_EL0): any
 * user address, 0 for none; the kernel never dereferences it.  Beyond
 * user space is -E_FAULT on both arches: on x86_64 a non-canonical FS
 * base would be a #GP in the kernel's wrmsr.
 */
long
sys_tls_set(struct syscall_args *a)
{
	unsigned long flags;

	if (a->a[0] >= USER_SPACE_END)
		return -E_FAULT;
	flags = arch_irq_save(); /* the state and the register change together */
	arch_tls_set(&thread_current()->tls, a->a[0]);
	arch_irq_restore(flags);
	return 0;
}

/* The live thread behind a Thread capability with rights (capability
 * lock held): -E_DEAD once it or its process has ended. */
static int
lookup_thread(uint64_t slot, uint32_t rights, struct thread_handle **h, struct thread **t)
{
	struct process *self = process_current();
	struct cap *c;
	int err = cspace_lookup(self->cs, slot, KOBJ_THREAD, rights, &c);

	if (err)
		return err;
	*h = (struct thread_handle *)c->obj;
	*t = (*h)->thread;
	return *t && (*t)->proc->state == PROCESS_LIVE ? 0 : -E_DEAD;
}

/* Suspended and not stopped yet: it will stop as soon as it runs
 * (it may be in user code, on its way). */
static bool
still_running(struct thread_handle *h)
{
	unsigned long flags = cap_lock_take();
	struct thread *t = h->thread;
	bool running =
		t && t->proc->state == PROCESS_LIVE && thread_suspend_state(t) == SUSPEND_PENDING;

	cap_lock_drop(flags);
	return running;
}

/*
 * Returns once the thread runs no user code: stopped, or blocked in a
 * system call that it finishes before it stops.  The caller yields to
 * it meanwhile (one CPU: it stops when it next runs).  A thread may
 * suspend itself: it stops on its way out of this call.  The caller
 * stops waiting when it is suspended or killed itself, so two threads
 * suspending each other both stop rather than wait for ever.
 */
long
sys_thread_suspend(struct syscall_args *a)
{
	struct thread_handle *h;
	struct thread *t;
	unsigned long flags = cap_lock_take();
	int err = lookup_thread(a->a[0], CAP_RIGHT_WRITE, &h, &t);
	bool self = !err && t == thread_current();

	if (!err) {
		thread_suspend(t);
		kobject_ref(&h->obj); /* ours, while we wait */
	}
	cap_lock_drop(flags);
	if (err)
		return err;
	while (!self && still_running(h) && !thread_current()->suspended && !thread_should_stop())
		thread_yield();
	flags = cap_lock_take();
	kobject_unref(&h->obj);
	cap_lock_drop(flags);
	return 0;
}

long
sys_thread_resume(struct syscall_args *a)
{
	struct thread_handle *h;
	struct thread *t;
	unsigned long flags = cap_lock_take();
	int err = lookup_thread(a->a[0], CAP_RIGHT_WRITE, &h, &t);

	if (!err)
		err = thread_resume(t);
	cap_lock_drop(flags);
	return err;
}

/* The registers of a thread that has stopped: -E_BUSY when it is not
 * suspended, -E_AGAIN while it finishes a system call. */
static int
stopped_regs(struct thread *t, struct arch_regs **regs)
{
	switch (thread_suspend_state(t)) {
	case SUSPEND_NONE:
		return -E_BUSY;
	case SUSPEND_STOPPED:
		*regs = thread_user_regs(t);
		return 0;
	default:
		return -E_AGAIN;
	}
}

long
sys_thread_read_regs(struct syscall_args *a)
{
	struct thread_regs out = { 0 };
	struct thread_handle *h;
	struct arch_regs *regs;
	struct thread *t;
	unsigned long flags = cap_lock_take();
	int err = lookup_thread(a->a[0], CAP_RIGHT_READ, &h, &t);

	if (!err)
		err = stopped_regs(t, &regs);
	if (!err) {
		arch_thread_regs_read(regs, &out);
		out.tls = arch_tls_saved(&t->tls); /* stopped: switched out */
	}
	cap_lock_drop(flags);
	return err ? err : copy_to_user(a->a[1], &out, sizeof(out));
}

/* A pc or stack outside user space is -E_FAULT, as for thread_create;
 * flags beyond the condition flags -E_INVAL. */
long
sys_thread_write_regs(struct syscall_args *a)
{
	struct thread_regs in;
	struct thread_handle *h;
	struct arch_regs *regs;
	struct thread *t;
	unsigned long flags;
	int err = copy_from_user(&in, a->a[1], sizeof(in));

	if (err)
		return err;
	if (in.pc >= USER_SPACE_END || in.sp > USER_SPACE_END || in.tls >= USER_SPACE_END)
		return -E_FAULT;
	if ((err = arch_thread_regs_valid(&in)))
		return err;
	flags = cap_lock_take();
	err = lookup_thread(a->a[0], CAP_RIGHT_WRITE, &h, &t);
	if (!err)
		err = stopped_regs(t, &regs);
	if (!err) {
		arch_thread_regs_write(regs, &in);
		arch_tls_replace(&t->tls, in.tls);
	}
	cap_lock_drop(flags);
	return err;
}
