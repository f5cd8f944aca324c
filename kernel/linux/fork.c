/*
 * fork, vfork and clone: a process in a copy-on-write copy of the
 * caller's address space (as_clone), its descriptors copied with a
 * reference to each description, its registers (the child's call
 * returns 0), TLS pointer and FPU state.  A child is charged to the
 * same Memory pool as its parent, so a fork bomb exhausts that pool and
 * the instance's process limit (LINUX_PROCS_MAX), not the machine.
 *
 * vfork and clone(CLONE_VM|CLONE_VFORK), as posix_spawn uses them, make
 * no copy: the child runs in the caller's own address space (glibc's
 * posix_spawn child writes its execve error there for the parent to
 * read), and the parent waits until the child has run execve or ended.
 * clone(CLONE_VM) without CLONE_VFORK is the same child, and the parent
 * runs on beside it.  That is safe because the child is a process of
 * its own that references the space: an execve loads a fresh space and
 * leaves the shared one untouched (process_exec), an exit or a kill
 * drops the one process's reference only, and the space ends with the
 * last process to leave it, whichever that is (a killed vfork parent
 * stops waiting and the child runs on).  Meanwhile the threads of both
 * run in the space as Linux lets them; the space's lock serializes its
 * faults and mappings as for threads of one process, its break is the
 * space's (brk_lock), and its pages are paid by the pool of both.  The
 * child's thread runs on the same vm_space as the parent's threads, so
 * the TLB needs what it needs for threads of one process
 * (user_memory.c).  CLONE_VFORK alone copies, and waits the same.
 *
 * CLONE_FILES and CLONE_FS share the caller's descriptor table and
 * working directory with the child instead of copying them
 * (linux/shared.c).  clone(CLONE_VM|CLONE_SIGHAND|CLONE_THREAD...)
 * makes a thread of the same process instead (linux/thread.c), with
 * its own copies of the table and directory when it asks for no
 * CLONE_FILES or CLONE_FS.  CLONE_PARENT makes the child its caller's
 * sibling.  Dispositions shared by two processes (CLONE_SIGHAND
 * without CLONE_THREAD) are not there yet: -ENOSYS.
 * clone3 is clone with its arguments in a struct (glibc's
 * pthread_create and posix_spawn try it first).
 */
#include "arch/arch.h"
#include "asm/layout.h"
#include "cap/lock.h"
#include "lib/string.h"
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
#define LX_CLONE_NEWTIME	0x80
#define LX_CLONE_PARENT		0x8000
#define LX_CLONE_CLEAR_SIGHAND	0x100000000ull /* clone3's alone */
#define LX_CLONE_INTO_CGROUP	0x200000000ull
#define LX_CLONE_PTRACE		0x2000
#define LX_CLONE_NEWNS		0x20000
#define LX_CLONE_UNTRACED	0x800000
#define LX_CLONE_NEWCGROUP	0x2000000
#define LX_CLONE_NEWUTS		0x4000000
#define LX_CLONE_NEWIPC		0x8000000
#define LX_CLONE_NEWUSER	0x10000000
#define LX_CLONE_NEWPID		0x20000000
#define LX_CLONE_NEWNET		0x40000000
#define LX_CLONE_IO		0x80000000
/* The namespaces that need CAP_SYS_ADMIN (copy_namespaces; clone3
 * refuses CLONE_NEWTIME before, clone has CSIGNAL in its bit). */
#define LX_CLONE_NEW_ADMIN                                                         \
	(LX_CLONE_NEWNS | LX_CLONE_NEWCGROUP | LX_CLONE_NEWUTS | LX_CLONE_NEWIPC | \
	 LX_CLONE_NEWPID | LX_CLONE_NEWNET)

/* CLONE_PTRACE, CLONE_UNTRACED (no tracer here) and CLONE_IO (no I/O
 * contexts) change nothing; the namespaces are refused below.  Not
 * here yet: CLONE_PIDFD (-EINVAL). */
#define LX_CLONE_KNOWN                                                                          \
	(LX_CSIGNAL | LX_CLONE_VM | LX_CLONE_FS | LX_CLONE_FILES | LX_CLONE_SIGHAND |           \
	 LX_CLONE_VFORK | LX_CLONE_THREAD | LX_CLONE_SYSVSEM | LX_CLONE_SETTLS |                \
	 LX_CLONE_PARENT_SETTID | LX_CLONE_CHILD_CLEARTID | LX_CLONE_DETACHED |                 \
	 LX_CLONE_CHILD_SETTID | LX_CLONE_CLEAR_SIGHAND | LX_CLONE_PTRACE | LX_CLONE_UNTRACED | \
	 LX_CLONE_IO | LX_CLONE_NEW_ADMIN | LX_CLONE_NEWUSER | LX_CLONE_PARENT)

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
	struct linux_proc *lp = self->lx, *clp, *tree;
	/* entry and sp as the parent's: its arguments and stack are there
	 * in the copy (/proc's cmdline, stat and maps read them). */
	struct process_spec spec = {
		.name = self->name,
		.pool = self->pool,
		.entry = self->entry,
		.sp = self->initial_sp,
	};
	/* CLONE_VM: the child runs in our space, not in a copy of it. */
	bool share = flags & LX_CLONE_VM;
	struct address_space *as;
	struct arch_regs regs;
	unsigned long irq;
	uint32_t tid;
	long pid;
	int err;

	/* Linux's own checks first (copy_process), in its order. */
	if ((flags & (LX_CLONE_NEWNS | LX_CLONE_FS)) == (LX_CLONE_NEWNS | LX_CLONE_FS) ||
	    (flags & (LX_CLONE_NEWUSER | LX_CLONE_FS)) == (LX_CLONE_NEWUSER | LX_CLONE_FS))
		return -LX_EINVAL;
	if ((flags & LX_CLONE_THREAD) && !(flags & LX_CLONE_SIGHAND))
		return -LX_EINVAL;
	if ((flags & LX_CLONE_SIGHAND) && !(flags & LX_CLONE_VM))
		return -LX_EINVAL;
	/* Pid 1 (the instance's init, which has no parent) cannot give its
	 * own a sibling. */
	if (flags & LX_CLONE_PARENT) {
		irq = cap_lock_take();
		err = lp->parent ? 0 : -LX_EINVAL;
		cap_lock_drop(irq);
		if (err)
			return err;
	}
	if ((flags & LX_CLONE_THREAD) && (flags & (LX_CLONE_NEWUSER | LX_CLONE_NEWPID)))
		return -LX_EINVAL;
	if (flags & ~(uint64_t)LX_CLONE_KNOWN)
		return -LX_EINVAL;
	/* A new namespace needs a privilege no one has here (we are root
	 * inside a container, with no real one): EPERM, as Linux gives a
	 * program without CAP_SYS_ADMIN, and for a user namespace as a
	 * Linux that does not let unprivileged users make them. */
	if (flags & (LX_CLONE_NEW_ADMIN | LX_CLONE_NEWUSER))
		return -LX_EPERM;
	if (sp >= USER_SPACE_END)
		return -LX_EINVAL;
	if (!(flags & LX_CLONE_SETTLS))
		tls = current_tls();
	else if (tls >= USER_SPACE_END)
		tls = 0;
	if (flags & LX_CLONE_THREAD)
		return linux_thread_clone(flags, sp, ptid, ctid, tls);
	/*
	 * Not yet: dispositions shared between two processes.  They are the
	 * process's signal state (linux/signal.c), which has no counted
	 * part to share; this is the one place that refuses it.
	 */
	if (flags & LX_CLONE_SIGHAND)
		return -LX_ENOSYS;
	irq = cap_lock_take();
	pid = linux_family_new_pid(lp);
	cap_lock_drop(irq);
	if (pid < 0)
		return pid;
	tid = (uint32_t)pid;
	if (share) {
		/* Ours stays ours while we are in this call: an exec by
		 * another of our threads waits until we have left it. */
		as = self->as;
		irq = cap_lock_take();
		kobject_ref(&as->obj); /* the child's */
		cap_lock_drop(irq);
	} else {
		err = as_clone(self->as, self->pool, &as);
		if (err)
			return lx_err(err);
	}
	/* In the child's memory, before it runs (a bad address: no write, as Linux). */
	if (flags & LX_CLONE_CHILD_SETTID)
		(void)as_copy_in(as, ctid, &tid, sizeof(tid));
	clp = linux_proc_copy(lp, self->pool, flags & LX_CLONE_FILES, flags & LX_CLONE_FS);
	if (!clp) {
		irq = cap_lock_take();
		kobject_unref(&as->obj);
		cap_lock_drop(irq);
		return -LX_ENOMEM;
	}
	if (flags & LX_CLONE_CHILD_CLEARTID)
		clp->main.clear_child_tid = ctid;
	/* Handlers back to their default; ignored signals stay ignored. */
	if (flags & LX_CLONE_CLEAR_SIGHAND)
		for (int i = 0; i < LX_NSIG; i++)
			if (clp->act[i].handler != LX_SIG_IGN)
				memset(&clp->act[i], 0, sizeof(clp->act[i]));
	/* CLONE_PARENT: the child's end is told to our parent as ours is. */
	clp->exit_signal = flags & LX_CLONE_PARENT ? lp->exit_signal : (int)(flags & LX_CSIGNAL);
	regs = *thread_user_regs(thread_current());
	arch_user_regs_forked(&regs, 0, sp);
	spec.as = as;
	spec.share_as = share;
	irq = cap_lock_take();
	err = process_create(&spec, &child);
	if (err) {
		kobject_unref(&as->obj);
		cap_lock_drop(irq);
		linux_proc_copy_free(clp, self->pool);
		return lx_err(err);
	}
	clp->proc = child;
	/* CLONE_PARENT: a child of our parent (init, if we were orphaned),
	 * in our own group and session. */
	tree = flags & LX_CLONE_PARENT ? lp->parent : lp;
	err = tree ? linux_family_fork(tree, clp, (uint64_t)pid) : -LX_EAGAIN;
	if (!err) {
		clp->pgid = lp->pgid;
		clp->sid = lp->sid;
		if (flags & LX_CLONE_VFORK)
			clp->vfork_waiter = lp;
	}
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
		clp->vfork_waiter = NULL;
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
	/* Its flags are 32 bits wide: the rest is not looked at. */
	return do_fork(a->a[0] & 0xffffffffull, a->a[1], a->a[2], a->a[LX_CLONE_CTID_ARG],
		       a->a[LX_CLONE_TLS_ARG]);
}

/* struct clone_args (linux/sched.h): 64 bytes (VER0) up to tls, 88 with
 * cgroup (VER2). */
struct lx_clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	uint64_t set_tid, set_tid_size, cgroup;
};
#define LX_CLONE_ARGS_VER0 64
#define LX_CLONE_ARGS_VER2 88
#define LX_CLONE_ARGS_MAX  4096 /* PAGE_SIZE */
#define LX_PID_NS_LEVELS   32	/* MAX_PID_NS_LEVEL */

/* The bytes of a larger struct past ours, [from, to) at u: 0 when all
 * are zero (a newer program's fields left unset), -LX_E2BIG, or
 * -LX_EFAULT (copy_struct_from_user). */
static long
tail_is_zero(uintptr_t u, size_t from, size_t to)
{
	uint8_t buf[64];

	while (from < to) {
		size_t n = to - from < sizeof(buf) ? to - from : sizeof(buf);

		if (copy_from_user(buf, u + from, n))
			return -LX_EFAULT;
		for (size_t i = 0; i < n; i++)
			if (buf[i])
				return -LX_E2BIG;
		from += n;
	}
	return 0;
}

/* clone3(args, size): Linux's checks in its order
 * (copy_clone_args_from_user, clone3_args_valid), then clone's. */
long
lx_sys_clone3(struct syscall_args *a)
{
	struct lx_clone_args ca;
	uintptr_t u = a->a[0];
	size_t size = a->a[1];
	uint64_t flags;
	long r;

	if (size > LX_CLONE_ARGS_MAX)
		return -LX_E2BIG;
	if (size < LX_CLONE_ARGS_VER0)
		return -LX_EINVAL;
	memset(&ca, 0, sizeof(ca));
	if (copy_from_user(&ca, u, size < sizeof(ca) ? size : sizeof(ca)))
		return -LX_EFAULT;
	if (size > sizeof(ca) && (r = tail_is_zero(u, sizeof(ca), size)) < 0)
		return r;
	if (ca.set_tid_size > LX_PID_NS_LEVELS || (!ca.set_tid && ca.set_tid_size) ||
	    (ca.set_tid && !ca.set_tid_size))
		return -LX_EINVAL;
	if ((ca.exit_signal & ~(uint64_t)LX_CSIGNAL) || ca.exit_signal > LX_NSIG)
		return -LX_EINVAL;
	if ((ca.flags & LX_CLONE_INTO_CGROUP) &&
	    (ca.cgroup > INT32_MAX || size < LX_CLONE_ARGS_VER2))
		return -LX_EINVAL;
	flags = ca.flags;
	if (flags & ~(0xffffffffull | LX_CLONE_CLEAR_SIGHAND | LX_CLONE_INTO_CGROUP))
		return -LX_EINVAL;
	/* The CSIGNAL bits and CLONE_DETACHED have no meaning here. */
	if (flags & (LX_CLONE_DETACHED | (LX_CSIGNAL & ~LX_CLONE_NEWTIME)))
		return -LX_EINVAL;
	if ((flags & (LX_CLONE_SIGHAND | LX_CLONE_CLEAR_SIGHAND)) ==
	    (LX_CLONE_SIGHAND | LX_CLONE_CLEAR_SIGHAND))
		return -LX_EINVAL;
	if ((flags & (LX_CLONE_THREAD | LX_CLONE_PARENT)) && ca.exit_signal)
		return -LX_EINVAL;
	if (ca.stack ? !ca.stack_size || !user_range_ok(ca.stack, ca.stack_size) : ca.stack_size)
		return -LX_EINVAL;
	/* Choosing pids or a time namespace needs CAP_SYS_ADMIN, which no
	 * one has here; no descriptor names a cgroup. */
	if (ca.set_tid || (flags & LX_CLONE_NEWTIME))
		return -LX_EPERM;
	if (flags & LX_CLONE_INTO_CGROUP)
		return -LX_EBADF;
	/* The stack grows down from its end. */
	return do_fork(flags | ca.exit_signal, ca.stack ? ca.stack + ca.stack_size : 0,
		       ca.parent_tid, ca.child_tid, ca.tls);
}

/* What unshare knows (check_unshare_flags). */
#define LX_UNSHARE_KNOWN                                                                   \
	(LX_CLONE_THREAD | LX_CLONE_FS | LX_CLONE_SIGHAND | LX_CLONE_VM | LX_CLONE_FILES | \
	 LX_CLONE_SYSVSEM | LX_CLONE_NEW_ADMIN | LX_CLONE_NEWUSER | LX_CLONE_NEWTIME)

/* Whether another live process runs in the caller's address space
 * (one that has ended has left it, as Linux's exit_mm). */
static bool
space_shared(void)
{
	struct process *self = process_current();
	unsigned long irq = cap_lock_take();
	bool shared = false;

	list_for_each (n, &self->as->procs) {
		struct process *p = container_of(n, struct process, as_link);

		if (p != self && p->state == PROCESS_LIVE)
			shared = true;
	}
	cap_lock_drop(irq);
	return shared;
}

/*
 * unshare: what the flags imply and Linux's checks first, in its order
 * (ksys_unshare, check_unshare_flags), then the namespaces (EPERM, as
 * for clone); CLONE_FILES and CLONE_FS give the caller copies of its
 * own (linux/shared.c).  CLONE_THREAD, CLONE_SIGHAND and CLONE_VM ask
 * for nothing more when the caller is the only thread and the space is
 * its process's alone; CLONE_SYSVSEM has nothing to undo.
 */
long
lx_sys_unshare(struct syscall_args *a)
{
	struct linux_proc *lp = lx_current();
	uint64_t flags = a->a[0];
	unsigned long irq;
	unsigned int threads;

	if (flags & LX_CLONE_NEWUSER)
		flags |= LX_CLONE_THREAD | LX_CLONE_FS;
	if (flags & LX_CLONE_VM)
		flags |= LX_CLONE_SIGHAND;
	if (flags & LX_CLONE_SIGHAND)
		flags |= LX_CLONE_THREAD;
	if (flags & LX_CLONE_NEWNS)
		flags |= LX_CLONE_FS;
	if (flags & ~(uint64_t)LX_UNSHARE_KNOWN)
		return -LX_EINVAL;
	irq = spin_lock_irqsave(&lp->sig_lock);
	threads = lp->nthreads;
	spin_unlock_irqrestore(&lp->sig_lock, irq);
	if ((flags & (LX_CLONE_THREAD | LX_CLONE_SIGHAND | LX_CLONE_VM)) && threads > 1)
		return -LX_EINVAL;
	if ((flags & LX_CLONE_VM) && space_shared())
		return -LX_EINVAL;
	if (flags & (LX_CLONE_NEW_ADMIN | LX_CLONE_NEWUSER | LX_CLONE_NEWTIME))
		return -LX_EPERM;
	return lx_unshare(lp, flags & LX_CLONE_FILES, flags & LX_CLONE_FS);
}
