#include "proc/exec.h"

#include "arch/arch.h"
#include "cap/cap.h"
#include "cap/cspace.h"
#include "cap/lock.h"
#include "ipc/ipc.h"
#include "lib/string.h"
#include "object/address_space.h"
#include "object/process.h"
#include "object/release.h"
#include "sched/thread.h"
#include "themelios/abi.h"
#include "themelios/errno.h"

/* Asks every other thread of p not asked yet to end, alone (the
 * process goes on with the caller); each leaves its IPC queues now
 * (capability lock held). */
static void
stop_other_threads(struct process *p, struct thread *self)
{
	list_for_each (n, &p->threads) {
		struct thread *t = container_of(n, struct thread, proc_link);

		if (t != self && !__atomic_load_n(&t->stop_requested, __ATOMIC_RELAXED)) {
			t->stop_alone = true;
			thread_request_stop(t->id);
			ipc_thread_leave(t);
		}
	}
}

/* Slot CAP_SLOT_ADDRESS_SPACE follows the process to its new space,
 * unless the program put something else there (capability lock held). */
static void
replace_space_cap(struct process *p, struct address_space *old, struct address_space *as)
{
	struct cap *c;

	if (cspace_lookup(p->cs, CAP_SLOT_ADDRESS_SPACE, KOBJ_ADDRESS_SPACE, 0, &c) == 0 &&
	    c->obj == &old->obj)
		cap_delete(p->cs, CAP_SLOT_ADDRESS_SPACE);
	if (cspace_lookup_empty(p->cs, CAP_SLOT_ADDRESS_SPACE, &c) == 0)
		cap_install(p->cs, CAP_SLOT_ADDRESS_SPACE, &as->obj, CAP_RIGHTS_ALL, 0);
}

int
process_exec(struct process *p, struct address_space **as, const char *name, uintptr_t entry,
	     uintptr_t sp, uint64_t arg)
{
	struct thread *self = thread_current();
	struct address_space *old;
	unsigned long flags = cap_lock_take();

	/* Until the reaper has freed them: a thread that has left p may
	 * still be switched to in the old space on its way out.  Asked
	 * again each round: one may have made another meanwhile. */
	for (;;) {
		if (p->state != PROCESS_LIVE || thread_should_stop()) {
			cap_lock_drop(flags);
			return -E_DEAD;
		}
		stop_other_threads(p, self);
		if (p->unreaped <= 1)
			break;
		cap_lock_wait(&p->reaped_wq);
	}
	process_adopt_main(p, self);
	old = p->as;
	replace_space_cap(p, old, *as);
	/* A vfork child leaves its parent's space as it was: only the
	 * last process to leave a space ends it. */
	process_leave_space(p);
	p->as = *as;
	list_add_tail(&p->as->procs, &p->as_link);
	*as = NULL;
	self->vm = &p->as->vm;
	vm_space_activate(self->vm);
	strlcpy(p->name, name, sizeof(p->name));
	p->entry = entry;
	p->initial_sp = sp;
	arch_user_regs_init(thread_user_regs(self), entry, sp, arg);
	arch_tls_set(&self->tls, 0);
	arch_fpu_init_state(&self->fpu);
	arch_fpu_restore(&self->fpu);
	/* The old space goes with p's reference when it was the last (not
	 * while a vfork parent runs in it): its pages are freed after the
	 * lock is dropped (object/release.h). */
	kobject_unref(&old->obj);
	cap_lock_drop(flags);
	release_run();
	return 0;
}
