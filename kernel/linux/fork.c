/*
 * fork, vfork and clone: a process is a copy-on-write copy of the
 * caller's address space (as_clone), its descriptors copied with a
 * reference to each description, its registers (the child's call
 * returns 0), TLS pointer and FPU state.  A child is charged to the
 * same Memory pool as its parent, so a fork bomb exhausts that pool and
 * the instance's process limit (LINUX_PROCS_MAX), not the machine.
 *
 * clone(CLONE_VM|CLONE_SIGHAND|CLONE_THREAD...) makes a thread of the
 * same process instead (linux/thread.c).  Sharing only some of it (the
 * memory without the thread group, the descriptor table between two
 * processes) has no ThemeliOS counterpart yet: -ENOSYS.
 * CLONE_VM|CLONE_VFORK, as posix_spawn uses it, gets a copy too, and
 * the parent waits until the child ends, as vfork does (the child's
 * writes to memory stay its own).
 */
#include "arch/arch.h"
#include "asm/layout.h"
#include "cap/lock.h"
#include "linux/errno.h"
#include "linux/proc.h"
#include "linux/signal.h"
#include "object/address_space.h"
#include "object/directory.h"
#include "object/process.h"
#include "proc/uaccess.h"
#include "proc/user_memory.h"
#include "sched/thread.h"
#include "syscall/syscall.h"
#include "themelios/errno.h"

#define LX_CSIGNAL		0xff
#define LX_CLONE_VM		0x100
#define LX_CLONE_FS		0x200
#define LX_CLONE_FILES		0x400
#define LX_CLONE_SIGHAND	0x800
#define LX_CLONE_VFORK		0x4000
#define LX_CLONE_THREAD		0x10000
#define LX_CLONE_SYSVSEM	0x40000
#define LX_CLONE_SETTLS		0x80000
#define LX_CLONE_PARENT_SETTID	0x100000
#define LX_CLONE_CHILD_CLEARTID 0x200000
#define LX_CLONE_DETACHED	0x400000
#define LX_CLONE_CHILD_SETTID	0x1000000

#define LX_CLONE_KNOWN                                                                \
	(LX_CSIGNAL | LX_CLONE_VM | LX_CLONE_FS | LX_CLONE_FILES | LX_CLONE_SIGHAND | \
	 LX_CLONE_VFORK | LX_CLONE_THREAD | LX_CLONE_SYSVSEM | LX_CLONE_SETTLS |      \
	 LX_CLONE_PARENT_SETTID | LX_CLONE_CHILD_CLEARTID | LX_CLONE_DETACHED |       \
	 LX_CLONE_CHILD_SETTID)
/* What a thread shares with its process here: all of it. */
#define LX_CLONE_THREAD_SHARES \
	(LX_CLONE_VM | LX_CLONE_FS | LX_CLONE_FILES | LX_CLONE_SIGHAND | LX_CLONE_THREAD)

/* The calling thread's TLS pointer as the CPU holds it now. */
static uint64_t
current_tls(void)
{
	struct thread *t = thread_current();
	unsigned long flags = arch_irq_save();
	uint64_t v;

	arch_tls_switch(&t->tls, NULL);
	v = arch_tls_saved(&t->tls);
	arch_irq_restore(flags);
	return v;
}

static long
do_fork(uint64_t flags, uintptr_t sp, uintptr_t ptid, uintptr_t ctid, uint64_t tls)
{
	struct process *self = process_current(), *child;
	struct linux_proc *lp = self->lx, *clp;
	/* entry and sp as the parent's: its arguments and stack are there
	 * in the copy (/proc's cmdline, stat and maps read them). */
	struct process_spec spec = {
		.name = self->name,
		.pool = self->pool,
		.entry = self->entry,
		.sp = self->initial_sp,
	};
	struct address_space *as;
	struct arch_regs regs;
	unsigned long irq;
	uint32_t tid;
	long pid;
	int err;

	/* Linux's own checks first (copy_process), in its order. */
	if ((flags & LX_CLONE_THREAD) && !(flags & LX_CLONE_SIGHAND))
		return -LX_EINVAL;
	if ((flags & LX_CLONE_SIGHAND) && !(flags & LX_CLONE_VM))
		return -LX_EINVAL;
	if (flags & ~(uint64_t)LX_CLONE_KNOWN)
		return -LX_EINVAL;
	if (sp >= USER_SPACE_END)
		return -LX_EINVAL;
	if (!(flags & LX_CLONE_SETTLS))
		tls = current_tls();
	else if (tls >= USER_SPACE_END)
		tls = 0;
	if (flags & LX_CLONE_THREAD) {
		if ((flags & LX_CLONE_THREAD_SHARES) != LX_CLONE_THREAD_SHARES)
			return -LX_ENOSYS; /* a thread with its own tables: not yet */
		return linux_thread_clone(flags, sp, ptid, ctid, tls);
	}
	if (flags & (LX_CLONE_SIGHAND | LX_CLONE_FILES))
		return -LX_ENOSYS; /* shared tables between processes: not yet */
	if ((flags & LX_CLONE_VM) && !(flags & LX_CLONE_VFORK))
		return -LX_ENOSYS;
	irq = cap_lock_take();
	pid = linux_family_new_pid(lp);
	cap_lock_drop(irq);
	if (pid < 0)
		return pid;
	tid = (uint32_t)pid;
	err = as_clone(self->as, self->pool, &as);
	if (err)
		return lx_err(err);
	/* In the child's memory, before it runs (a bad address: no write, as Linux). */
	if (flags & LX_CLONE_CHILD_SETTID)
		(void)as_copy_in(as, ctid, &tid, sizeof(tid));
	clp = linux_proc_copy(lp, self->pool);
	if (!clp) {
		irq = cap_lock_take();
		kobject_unref(&as->obj);
		cap_lock_drop(irq);
		return -LX_ENOMEM;
	}
	if (flags & LX_CLONE_CHILD_CLEARTID)
		clp->main.clear_child_tid = ctid;
	clp->exit_signal = (int)(flags & LX_CSIGNAL);
	regs = *thread_user_regs(thread_current());
	arch_user_regs_forked(&regs, 0, sp);
	spec.as = as;
	irq = cap_lock_take();
	err = process_create(&spec, &child);
	if (err) {
		kobject_unref(&as->obj);
		cap_lock_drop(irq);
		linux_proc_copy_free(clp, self->pool);
		return lx_err(err);
	}
	clp->proc = child;
	err = linux_family_fork(lp, clp, (uint64_t)pid);
	if (err) {
		process_discard(child);
		cap_lock_drop(irq);
		linux_proc_copy_free(clp, self->pool);
		return err;
	}
	child->lx = clp;
	if (lp->root) {
		clp->root = lp->root;
		kobject_ref(&lp->root->obj);
	}
	/* From here the child's destroy frees clp, descriptors and all. */
	kobject_ref(&child->obj); /* ours, past a failed start */
	err = process_start_forked(child, &regs, tls);
	if (err) {
		list_del(&clp->sibling);
		clp->parent = NULL;
		kobject_unref(&child->obj); /* the parent's, from linux_family_fork */
	}
	/* A vfork parent keeps ours until its wait is over: a parent that
	 * ignores SIGCHLD no longer holds the child once it has ended. */
	if (err || !(flags & LX_CLONE_VFORK))
		kobject_unref(&child->obj);
	cap_lock_drop(irq);
	if (err)
		return -LX_ENOMEM;
	if (flags & LX_CLONE_PARENT_SETTID)
		(void)copy_to_user(ptid, &tid, sizeof(tid));
	if (flags & LX_CLONE_VFORK) {
		/* The parent waits until the child has run execve or ended. */
		irq = cap_lock_take();
		while (!clp->zombie && !clp->execed && !thread_should_stop())
			cap_lock_wait(&lp->child_wq);
		kobject_unref(&child->obj);
		cap_lock_drop(irq);
	}
	return pid;
}

long
lx_sys_fork(struct syscall_args *a)
{
	(void)a;
	return do_fork(LX_SIGCHLD, 0, 0, 0, 0);
}

long
lx_sys_vfork(struct syscall_args *a)
{
	(void)a;
	return do_fork(LX_CLONE_VM | LX_CLONE_VFORK | LX_SIGCHLD, 0, 0, 0, 0);
}

/* clone's arguments: (flags, stack, parent_tid, child_tid, tls) on
 * x86_64, (flags, stack, parent_tid, tls, child_tid) on aarch64
 * (asm/linux_abi.h says which through LX_CLONE_TLS_ARG). */
long
lx_sys_clone(struct syscall_args *a)
{
	return do_fork(a->a[0], a->a[1], a->a[2], a->a[LX_CLONE_CTID_ARG], a->a[LX_CLONE_TLS_ARG]);
}
