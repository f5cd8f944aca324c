/*
 * Linux threads: clone(CLONE_THREAD), as glibc's and musl's
 * pthread_create call it, makes another kernel thread of the calling
 * process, in the same address space, with its own stack, TLS pointer,
 * signal mask and tid (numbered with the instance's pids).  Everything
 * else (descriptors, directories, dispositions, the process's pending
 * signals) is the process's struct linux_proc, shared by its threads.
 *
 * A thread's own state is a struct linux_thread: the first thread's is
 * inside the linux_proc (main), bound to its kernel thread at its first
 * call; a clone allocates one, charged to the process's pool.  It is on
 * the process's list of threads while it lives (under sig_lock, which
 * a signal's sender walks to wake them); exit takes it off and frees it,
 * and the process's end frees those whose threads were killed with it.
 *
 * exit ends one thread (the last one ends the process with its status),
 * exit_group all of them; CLONE_CHILD_CLEARTID's word gets 0 and a futex
 * wake when a thread ends by itself, which pthread_join waits for.
 */
#include "arch/arch.h"
#include "asm/layout.h"
#include "cap/lock.h"
#include "linux/errno.h"
#include "linux/futex.h"
#include "linux/proc.h"
#include "linux/signal.h"
#include "mm/kmalloc.h"
#include "mm/vm_flags.h"
#include "object/memory.h"
#include "object/process.h"
#include "proc/uaccess.h"
#include "sched/thread.h"
#include "syscall/syscall.h"
#include "themelios/errno.h"

#define LX_CLONE_FS		0x200
#define LX_CLONE_FILES		0x400
#define LX_CLONE_PARENT_SETTID	0x100000
#define LX_CLONE_CHILD_CLEARTID 0x200000
#define LX_CLONE_CHILD_SETTID	0x1000000

/* What a thread's own state is charged to its process's pool, and its
 * own descriptor table and working directory when it has them. */
#define LX_THREAD_PAGES		1
#define LX_THREAD_FDS_PAGES	((sizeof(struct fdtable) + PAGE_SIZE_4K - 1) / PAGE_SIZE_4K)
#define LX_THREAD_FS_PAGES	((sizeof(struct linux_fs) + PAGE_SIZE_4K - 1) / PAGE_SIZE_4K)

static uint64_t
thread_pages(uint64_t flags)
{
	return LX_THREAD_PAGES + (flags & LX_CLONE_FILES ? 0 : LX_THREAD_FDS_PAGES) +
	       (flags & LX_CLONE_FS ? 0 : LX_THREAD_FS_PAGES);
}

/* A clone's thread state goes, with its own table and directory
 * (locked: under the capability lock). */
static void
thread_free(struct linux_thread *lt, struct mempool *pool, bool locked)
{
	uint64_t pages = lt->pages;

	if (lt->fds)
		lx_files_put(lt->fds, locked);
	if (lt->fs)
		lx_fs_put(lt->fs);
	kfree(lt);
	mempool_uncharge(pool, pages);
}

/* The process's first thread, at its first call since its spawn or
 * fork: it is the one main stands for. */
struct linux_thread *
lx_thread_adopt_main(void)
{
	struct thread *t = thread_current();
	struct linux_proc *lp = t->proc->lx;
	unsigned long flags;

	flags = spin_lock_irqsave(&lp->sig_lock);
	lp->main.thread = t;
	t->lx = &lp->main;
	spin_unlock_irqrestore(&lp->sig_lock, flags);
	return t->lx;
}

void
linux_thread_init_main(struct linux_proc *lp)
{
	lp->main.tid = lp->pid;
	lp->main.altstack.flags = LX_SS_DISABLE;
	linux_sigpending_init(&lp->main.pending);
	list_init(&lp->threads);
	list_add_tail(&lp->threads, &lp->main.link);
	lp->nthreads = 1;
}

struct linux_thread *
linux_thread_find(struct linux_proc *lp, uint64_t tid)
{
	list_for_each (n, &lp->threads) {
		struct linux_thread *lt = container_of(n, struct linux_thread, link);

		if (lt->tid == tid)
			return lt;
	}
	return NULL;
}

void
linux_threads_release(struct linux_proc *lp)
{
	while (!list_empty(&lp->threads)) {
		struct linux_thread *lt =
			container_of(list_first(&lp->threads), struct linux_thread, link);

		list_del(&lt->link);
		if (lt != &lp->main)
			thread_free(lt, lp->proc->pool, true);
	}
	lp->nthreads = 0;
	/* The first thread's own table and directory (unshare's). */
	if (lp->main.fds)
		lx_files_put(lp->main.fds, true);
	if (lp->main.fs)
		lx_fs_put(lp->main.fs);
	lp->main.fds = NULL;
	lp->main.fs = NULL;
	mempool_uncharge(lp->proc->pool, lp->main.pages);
	lp->main.pages = 0;
}

void
linux_threads_exec_begin(struct linux_proc *lp, struct list_node *others)
{
	struct linux_thread *self = lx_thread_current();
	unsigned long flags = spin_lock_irqsave(&lp->sig_lock);

	list_init(others);
	list_del(&self->link);
	while (!list_empty(&lp->threads)) {
		struct list_node *n = list_first(&lp->threads);

		list_del(n);
		list_add_tail(others, n);
	}
	list_add_tail(&lp->threads, &self->link);
	spin_unlock_irqrestore(&lp->sig_lock, flags);
}

void
linux_threads_exec_end(struct linux_proc *lp, struct list_node *others, bool done)
{
	struct linux_thread *self = lx_thread_current(), *lt;
	struct process *p = process_current();
	unsigned long flags = spin_lock_irqsave(&lp->sig_lock);
	bool moved = false;

	if (!done) {
		/* They end with the process: freed with it. */
		while (!list_empty(others)) {
			struct list_node *n = list_first(others);

			list_del(n);
			list_add_tail(&lp->threads, n);
		}
		spin_unlock_irqrestore(&lp->sig_lock, flags);
		return;
	}
	/* Every other thread has been freed: their states can go, with
	 * those of threads made meanwhile (process_exec ended them too) and
	 * of a thread whose own execve lost to ours. */
	list_del(&self->link);
	while (!list_empty(&lp->threads)) {
		struct list_node *n = list_first(&lp->threads);

		list_del(n);
		list_add_tail(others, n);
	}
	while (!list_empty(others)) {
		lt = container_of(list_first(others), struct linux_thread, link);
		list_del(&lt->link);
		linux_signal_flush_thread_locked(lp, lt);
		if (lt != &lp->main)
			thread_free(lt, p->pool, false); /* their tables went before */
	}
	if (self != &lp->main) {
		/* The caller becomes the first thread, with the pid as its
		 * tid; its mask and pending signals go with it. */
		lp->main.thread = thread_current();
		lp->main.sigmask = self->sigmask;
		/* Its queue moves over whole: the nodes are relinked. */
		lp->main.pending.set = self->pending.set;
		while (!list_empty(&self->pending.queue)) {
			struct list_node *n = list_first(&self->pending.queue);

			list_del(n);
			list_add_tail(&lp->main.pending.queue, n);
		}
		self->pending.set = 0;
		lp->main.waitset = 0;
		lp->main.saved_mask_valid = false;
		lp->main.restart = false;
		lp->main.regs_changed = false;
		lp->main.tid = lp->pid;
		thread_current()->lx = &lp->main;
		moved = true;
	}
	list_add_tail(&lp->threads, &lp->main.link);
	lp->nthreads = 1;
	spin_unlock_irqrestore(&lp->sig_lock, flags);
	if (moved)
		thread_free(self, p->pool, false);
}

long
linux_thread_clone(uint64_t flags, uintptr_t sp, uintptr_t ptid, uintptr_t ctid, uint64_t tls)
{
	struct process *p = process_current();
	struct linux_proc *lp = p->lx;
	struct linux_thread *self = lx_thread_current(), *lt;
	struct arch_regs regs;
	struct thread *t;
	unsigned long irq;
	uint32_t tid;
	long r = -LX_ENOMEM;
	int err;

	if (mempool_charge(p->pool, thread_pages(flags)))
		return -LX_ENOMEM;
	lt = kcalloc(1, sizeof(*lt));
	if (!lt) {
		mempool_uncharge(p->pool, thread_pages(flags));
		return -LX_ENOMEM;
	}
	lt->pages = thread_pages(flags);
	/* Without CLONE_FILES or CLONE_FS: copies of the caller's. */
	if (!(flags & LX_CLONE_FILES)) {
		lt->fds = lx_files_copy(lp, self->fds ? self->fds : lp->fds);
		if (!lt->fds)
			goto out_free;
	}
	if (!(flags & LX_CLONE_FS)) {
		lt->fs = lx_fs_copy(lx_fs(lp));
		if (!lt->fs)
			goto out_free;
	}
	irq = cap_lock_take();
	r = linux_family_new_pid(lp);
	cap_lock_drop(irq);
	if (r < 0)
		goto out_free;
	tid = (uint32_t)r;
	/* Before the thread can run (a bad address: no write, as Linux). */
	if (flags & LX_CLONE_PARENT_SETTID)
		(void)copy_to_user(ptid, &tid, sizeof(tid));
	if (flags & LX_CLONE_CHILD_SETTID)
		(void)copy_to_user(ctid, &tid, sizeof(tid));
	lt->tid = tid;
	if (flags & LX_CLONE_CHILD_CLEARTID)
		lt->clear_child_tid = ctid;
	/* The caller's mask; no alternate stack (Linux clears it for a
	 * thread that shares the memory). */
	lt->sigmask = __atomic_load_n(&self->sigmask, __ATOMIC_RELAXED);
	lt->altstack.flags = LX_SS_DISABLE;
	linux_sigpending_init(&lt->pending);
	regs = *thread_user_regs(thread_current());
	arch_user_regs_forked(&regs, 0, sp);
	irq = cap_lock_take();
	err = process_thread_create_forked(p, &regs, tls, &t);
	if (!err) {
		unsigned long f = spin_lock_irqsave(&lp->sig_lock);

		/* It runs only once the capability lock is dropped. */
		t->lx = lt;
		lt->thread = t;
		list_add_tail(&lp->threads, &lt->link);
		lp->nthreads++;
		spin_unlock_irqrestore(&lp->sig_lock, f);
	}
	cap_lock_drop(irq);
	if (err) {
		r = lx_err(err);
		goto out_free;
	}
	return (long)tid;

out_free:
	if (lt->fds)
		lx_files_exit(lp, lt->fds);
	thread_free(lt, p->pool, false);
	return r;
}

void
linux_clear_child_tid(struct linux_thread *lt)
{
	uint32_t zero = 0;

	/* A bad address is ignored, as Linux ignores it. */
	if (lt->clear_child_tid && !copy_to_user(lt->clear_child_tid, &zero, sizeof(zero)))
		linux_futex_wake(process_current()->as, lt->clear_child_tid, 1);
	lt->clear_child_tid = 0;
}

/* The descriptors close as the process ends (linux_proc_exiting), not
 * when its last reference goes: a pipe's reader sees the end at once. */
static void __attribute__((noreturn)) exit_process(uint64_t status)
{
	struct linux_proc *lp = lx_current();
	struct linux_thread *lt = lx_thread_current();

	linux_clear_child_tid(lt);
	lx_fds_exit(lp);
	if (lt->fds)
		lx_files_exit(lp, lt->fds); /* its memory goes with the process */
	process_exit((long)(status & 0xff));
}

long
lx_sys_exit_group(struct syscall_args *a)
{
	exit_process(a->a[0]);
}

/* One thread ends; the last one ends the process, with its status. */
long
lx_sys_exit(struct syscall_args *a)
{
	struct linux_proc *lp = lx_current();
	struct linux_thread *lt = lx_thread_current();
	unsigned long flags;
	bool last;

	flags = spin_lock_irqsave(&lp->sig_lock);
	last = lp->nthreads == 1;
	if (!last) {
		list_del(&lt->link);
		lp->nthreads--;
		linux_signal_flush_thread_locked(lp, lt);
	}
	spin_unlock_irqrestore(&lp->sig_lock, flags);
	if (last)
		exit_process(a->a[0]);
	/* Off the list: no signal reaches it any more; pthread_join's
	 * futex wake comes after its word is 0. */
	linux_clear_child_tid(lt);
	thread_current()->lx = NULL;
	if (lt->fds)
		lx_files_exit(lp, lt->fds);
	if (lt != &lp->main)
		thread_free(lt, process_current()->pool, false);
	process_thread_exit();
}

long
lx_sys_gettid(struct syscall_args *a)
{
	(void)a;
	return (long)lx_thread_current()->tid;
}

long
lx_sys_set_tid_address(struct syscall_args *a)
{
	struct linux_thread *lt = lx_thread_current();

	lt->clear_child_tid = a->a[0];
	return (long)lt->tid;
}

#define LX_ROBUST_LIST_HEAD_SIZE 24

long
lx_sys_set_robust_list(struct syscall_args *a)
{
	if (a->a[1] != LX_ROBUST_LIST_HEAD_SIZE)
		return -LX_EINVAL;
	lx_thread_current()->robust_list = a->a[0];
	return 0;
}
