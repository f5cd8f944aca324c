/*
 * The scheduler: one global lock (sched_lock) protects the run queue,
 * every thread's state and every wait queue; it is an IRQ-saving
 * spinlock, so interrupt handlers may wake threads.  A context switch
 * happens with the lock held; the thread switched to releases it.
 *
 * Preemption: the timer handler marks need_resched when the running
 * thread's slice is over and another thread is ready; the interrupt exit
 * hook then calls schedule() on the interrupted thread's stack.
 */
#include "sched/thread.h"

#include "linux/linux.h"
#include "mm/vm_space.h"
#include "object/process.h"
#include "object/release.h"

#include "arch/arch.h"
#include "core/irq.h"
#include "core/panic.h"
#include "core/printk.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/vm_flags.h"
#include "mm/vmm.h"
#include "sched/cputime.h"
#include "sched/percpu.h"
#include "sched/run_queue.h"
#include "sched/spinlock.h"
#include "themelios/errno.h"

static struct spinlock sched_lock = SPINLOCK_INIT("sched");
static struct run_queue run_queue; /* READY threads, round-robin order */
static struct list_node all_threads;
static struct list_node zombies;    /* detached threads to reap */
static struct wait_queue reaper_wq; /* the reaper, when it has nothing to do */
static uint64_t next_thread_id;
static struct cpu_local cpu0;
static struct thread boot_thread;

const char *
sched_current_name(void)
{
	struct cpu_local *cpu = arch_cpu_local();

	return cpu && cpu->current ? cpu->current->name : NULL;
}

uintptr_t
thread_kernel_stack_top(const struct thread *t)
{
	return t->stack_base + t->stack_pages * PAGE_SIZE_4K;
}

_Static_assert(sizeof(struct arch_regs) % 16 == 0, "the stack below the user frame stays aligned");

struct arch_regs *
thread_user_regs(const struct thread *t)
{
	return (struct arch_regs *)thread_kernel_stack_top(t) - 1;
}

/*
 * What a user thread needs beyond its kernel context: its FPU/SIMD
 * registers, its TLS pointer, its address space and the stack the CPU
 * enters the kernel on.  Kernel threads keep whatever user space was
 * active (the kernel half is the same in all of them).  Both switch
 * paths (schedule_locked, wait_queue_wake_switch) come through here.
 */
static void
switch_user_state(struct thread *prev, struct thread *next)
{
	if (prev->proc || next->proc)
		arch_tls_switch(prev->proc ? &prev->tls : NULL, next->proc ? &next->tls : NULL);
	if (prev->proc)
		arch_fpu_save(&prev->fpu);
	if (next->proc) {
		arch_fpu_restore(&next->fpu);
		arch_set_kernel_stack(thread_kernel_stack_top(next));
		if (!vm_space_is_active(next->vm))
			vm_space_activate(next->vm);
	}
}

/* Called with sched_lock held and interrupts off; returns with the same. */
static void
schedule_locked(void)
{
	struct cpu_local *cpu = arch_cpu_local();
	struct thread *prev = cpu->current, *next;
	struct list_node *e;
	uint64_t now = time_now_ns();

	if (prev->state == THREAD_RUNNING) {
		prev->state = THREAD_READY;
		if (prev != cpu->idle)
			rq_push(&run_queue, &prev->rq_link);
	}
	e = rq_pop(&run_queue);
	next = e ? container_of(e, struct thread, rq_link) : cpu->idle;
	prev->cpu_ns += now - cpu->run_start_ns;
	cpu->run_start_ns = now;
	/* A handoff continues the slice it was given from: an IPC pair that
	 * switches all the time still yields the CPU when the slice ends. */
	if (next != cpu->handoff)
		cpu->slice_start_ns = now;
	cpu->handoff = NULL;
	cpu->need_resched = false;
	next->state = THREAD_RUNNING;
	if (next == prev)
		return;
	next->dispatches++;
	cpu->current = next;
	cpu->context_switches++;
	switch_user_state(prev, next);
	arch_context_switch(&prev->ctx, &next->ctx);
}

static void
schedule(void)
{
	unsigned long flags = spin_lock_irqsave(&sched_lock);

	schedule_locked();
	spin_unlock_irqrestore(&sched_lock, flags);
}

/* Makes a blocked thread runnable; sched_lock held. */
static void
make_ready_locked(struct thread *t, int reason)
{
	if (t->state != THREAD_BLOCKED)
		return;
	if (t->waiting_on) {
		list_del(&t->wait_link);
		t->waiting_on = NULL;
	}
	time_event_cancel(&t->timeout);
	t->wake_reason = reason;
	t->state = THREAD_READY;
	rq_push(&run_queue, &t->rq_link);
	/* Round-robin: a woken thread waits for its turn, unless the CPU idles. */
	if (arch_cpu_local()->current == arch_cpu_local()->idle)
		arch_cpu_local()->need_resched = true;
}

/* Timer event callback (interrupt context). */
static void
timeout_expired(void *ctx)
{
	struct thread *t = ctx;

	spin_lock_noirq(&sched_lock);
	make_ready_locked(t, -E_TIMEOUT);
	spin_unlock_noirq(&sched_lock);
}

/* Blocks the current thread until woken or until time_now_ns reaches
 * deadline_ns (WAIT_FOREVER: never); sched_lock held.  The deadline is
 * absolute all the way to the timer, so no clock reading in between can
 * make it early or wrap it.  Returns the wake reason. */
static int
block_locked(struct wait_queue *wq, uint64_t deadline_ns)
{
	struct thread *t = current_thread();

	t->state = THREAD_BLOCKED;
	t->wake_reason = 0;
	if (wq) {
		list_add_tail(&wq->waiters, &t->wait_link);
		t->waiting_on = wq;
	}
	if (deadline_ns != WAIT_FOREVER)
		time_event_arm(&t->timeout, deadline_ns, timeout_expired, t);
	schedule_locked();
	return t->wake_reason;
}

void
wait_queue_init(struct wait_queue *wq)
{
	list_init(&wq->waiters);
}

int
wait_queue_wait(struct wait_queue *wq, struct spinlock *lock, uint64_t timeout_ns)
{
	return wait_queue_wait_until(wq, lock,
				     timeout_ns ? time_deadline_after(timeout_ns) : WAIT_FOREVER);
}

int
wait_queue_wait_until(struct wait_queue *wq, struct spinlock *lock, uint64_t deadline_ns)
{
	int reason;

	/* The caller's lock disabled interrupts; keep them off throughout. */
	spin_lock_noirq(&sched_lock);
	spin_unlock_noirq(lock);
	reason = block_locked(wq, deadline_ns);
	spin_unlock_noirq(&sched_lock);
	spin_lock_noirq(lock);
	return reason;
}

/* An interruptible block (sched_lock held): at once when an interrupt
 * came since thread_interrupt_clear, else block_locked's wake. */
static int
block_interruptible_locked(struct wait_queue *wq, uint64_t deadline_ns)
{
	struct thread *t = current_thread();
	int reason;

	if (t->interrupted)
		return WAKE_INTERRUPTED;
	t->interruptible = true;
	reason = block_locked(wq, deadline_ns);
	t->interruptible = false;
	return reason;
}

int
wait_queue_wait_interruptible(struct wait_queue *wq, struct spinlock *lock, uint64_t deadline_ns)
{
	int reason;

	spin_lock_noirq(&sched_lock);
	spin_unlock_noirq(lock);
	reason = block_interruptible_locked(wq, deadline_ns);
	spin_unlock_noirq(&sched_lock);
	spin_lock_noirq(lock);
	return reason;
}

int
thread_sleep_interruptible(uint64_t deadline_ns)
{
	unsigned long flags = spin_lock_irqsave(&sched_lock);
	int reason = block_interruptible_locked(NULL, deadline_ns);

	spin_unlock_irqrestore(&sched_lock, flags);
	return reason;
}

void
thread_interrupt(struct thread *t)
{
	unsigned long flags = spin_lock_irqsave(&sched_lock);

	t->interrupted = true;
	if (t->interruptible)
		make_ready_locked(t, WAKE_INTERRUPTED);
	spin_unlock_irqrestore(&sched_lock, flags);
}

void
thread_interrupt_clear(void)
{
	unsigned long flags = spin_lock_irqsave(&sched_lock);

	current_thread()->interrupted = false;
	spin_unlock_irqrestore(&sched_lock, flags);
}

static int
wake(struct wait_queue *wq, int max)
{
	unsigned long flags = spin_lock_irqsave(&sched_lock);
	int n = 0;

	while (n < max && !list_empty(&wq->waiters)) {
		struct thread *t = container_of(list_first(&wq->waiters), struct thread, wait_link);
		make_ready_locked(t, 0);
		n++;
	}
	spin_unlock_irqrestore(&sched_lock, flags);
	return n;
}

int
wait_queue_wake_handoff(struct wait_queue *wq)
{
	unsigned long flags = spin_lock_irqsave(&sched_lock);
	struct cpu_local *cpu = arch_cpu_local();
	struct thread *t;

	if (list_empty(&wq->waiters)) {
		spin_unlock_irqrestore(&sched_lock, flags);
		return 0;
	}
	t = container_of(list_first(&wq->waiters), struct thread, wait_link);
	make_ready_locked(t, 0);
	rq_remove(&run_queue, &t->rq_link);
	rq_push_front(&run_queue, &t->rq_link);
	cpu->handoff = t;
	spin_unlock_irqrestore(&sched_lock, flags);
	return 1;
}

/*
 * The IPC fastpath's switch: the woken thread gets the CPU at once, on
 * what is left of this slice, without the run queue or a pick.  It is
 * blocked (it waits on wake), so it last ran on this CPU, the only one
 * today; SMP will have to check that.  If nobody waits on wake any more
 * (a kill woke it already) the current thread just blocks.
 */
void
wait_queue_wake_switch(struct wait_queue *wake, struct wait_queue *wait, struct spinlock *lock)
{
	struct cpu_local *cpu = arch_cpu_local();
	struct thread *prev = cpu->current, *next;
	uint64_t now;

	spin_lock_noirq(&sched_lock);
	spin_unlock_noirq(lock);
	if (list_empty(&wake->waiters)) {
		block_locked(wait, WAIT_FOREVER);
		spin_unlock_noirq(&sched_lock);
		return;
	}
	next = container_of(list_first(&wake->waiters), struct thread, wait_link);
	list_del(&next->wait_link);
	next->waiting_on = NULL;
	next->wake_reason = 0;
	next->state = THREAD_RUNNING;
	if (time_event_armed(&next->timeout)) /* never for IPC waits */
		time_event_cancel(&next->timeout);

	prev->state = THREAD_BLOCKED;
	prev->wake_reason = 0;
	list_add_tail(&wait->waiters, &prev->wait_link);
	prev->waiting_on = wait;

	now = time_now_ns();
	prev->cpu_ns += now - cpu->run_start_ns;
	cpu->run_start_ns = now;
	next->dispatches++;
	cpu->current = next;
	cpu->context_switches++;
	switch_user_state(prev, next);
	arch_context_switch(&prev->ctx, &next->ctx);
	/* Woken, by this path or any other: the switcher left sched_lock to us. */
	spin_unlock_noirq(&sched_lock);
}

int
wait_queue_wake_one(struct wait_queue *wq)
{
	return wake(wq, 1);
}

int
wait_queue_wake_all(struct wait_queue *wq)
{
	return wake(wq, 1 << 30);
}

void
thread_yield(void)
{
	schedule();
}

void
thread_sleep_ns(uint64_t ns)
{
	thread_sleep_until(time_deadline_after(ns ? ns : 1));
}

void
thread_sleep_until(uint64_t deadline_ns)
{
	unsigned long flags = spin_lock_irqsave(&sched_lock);

	block_locked(NULL, deadline_ns);
	spin_unlock_irqrestore(&sched_lock, flags);
}

/* The first code a new thread runs, still holding sched_lock from the switch. */
static void
thread_trampoline(void)
{
	struct thread *t = current_thread();

	spin_unlock_noirq(&sched_lock);
	arch_irq_enable();
	t->entry(t->arg);
	thread_exit(0);
}

static struct thread *
create(const char *name, void (*entry)(void *), void *arg, bool detached, struct process *proc,
       struct vm_space *vm)
{
	struct thread *t = kcalloc(1, sizeof(*t));
	unsigned long flags;

	if (!t)
		return NULL;
	t->stack_base = vmm_alloc_stack(THREAD_STACK_PAGES);
	if (!t->stack_base) {
		kfree(t);
		return NULL;
	}
	t->stack_pages = THREAD_STACK_PAGES;
	strlcpy(t->name, name, sizeof(t->name));
	t->entry = entry;
	t->arg = arg;
	t->detached = detached;
	t->proc = proc;
	t->vm = vm;
	if (proc)
		arch_fpu_init_state(&t->fpu);
	wait_queue_init(&t->joiners);
	/* A user thread's kernel code runs below the frame its user
	 * registers take (thread_user_regs), even before it first enters
	 * user mode. */
	arch_context_init(&t->ctx,
			  proc ? (uintptr_t)thread_user_regs(t) : thread_kernel_stack_top(t),
			  thread_trampoline);

	flags = spin_lock_irqsave(&sched_lock);
	t->id = ++next_thread_id;
	t->state = THREAD_READY;
	list_add_tail(&all_threads, &t->all_link);
	rq_push(&run_queue, &t->rq_link);
	spin_unlock_irqrestore(&sched_lock, flags);
	return t;
}

struct thread *
thread_create(const char *name, void (*entry)(void *), void *arg)
{
	return create(name, entry, arg, false, NULL, NULL);
}

struct thread *
thread_spawn_detached(const char *name, void (*entry)(void *), void *arg)
{
	return create(name, entry, arg, true, NULL, NULL);
}

struct thread *
thread_create_user(const char *name, void (*entry)(void *), void *arg, struct process *proc,
		   struct vm_space *vm)
{
	return create(name, entry, arg, true, proc, vm);
}

void
thread_exit(int code)
{
	struct thread *t = current_thread();

	if (t == &boot_thread || t == arch_cpu_local()->idle)
		panic("thread %s may not exit", t->name);
	release_run(); /* what it freed last, before it is gone */
	spin_lock_irqsave(&sched_lock);
	t->exit_code = code;
	t->state = THREAD_ZOMBIE;
	if (t->detached) {
		list_add_tail(&zombies, &t->wait_link);
		/* Freed soon, not whenever the CPU idles: a process's memory
		 * goes back to its parent's quota with it. */
		if (!list_empty(&reaper_wq.waiters))
			make_ready_locked(container_of(list_first(&reaper_wq.waiters),
						       struct thread, wait_link),
					  0);
	}
	/* Wake joiners directly: wait_queue_wake_* would retake the lock. */
	while (!list_empty(&t->joiners.waiters))
		make_ready_locked(
			container_of(list_first(&t->joiners.waiters), struct thread, wait_link), 0);
	schedule_locked();
	panic("zombie thread %s ran again", t->name);
}

static void
free_thread(struct thread *t)
{
	struct process *p = t->proc;

	/* The process may go with this thread: what it frees is freed
	 * here, after the capability lock (object/release.h). */
	if (p) {
		release_scope_begin();
		process_thread_reaped(t);
	}
	vmm_free_stack(t->stack_base, t->stack_pages);
	kfree(t);
	if (p) {
		process_thread_freed(p); /* the report, with everything back */
		release_scope_end();
	}
}

int
thread_join(struct thread *t, int *code)
{
	unsigned long flags;

	if (!t || t == current_thread() || t->detached)
		return -E_INVAL;
	flags = spin_lock_irqsave(&sched_lock);
	while (t->state != THREAD_ZOMBIE)
		block_locked(&t->joiners, WAIT_FOREVER);
	list_del(&t->all_link);
	spin_unlock_irqrestore(&sched_lock, flags);
	if (code)
		*code = t->exit_code;
	free_thread(t);
	return 0;
}

/* Frees detached threads that have exited; never called on their stacks. */
static void
reap_zombies(void)
{
	for (;;) {
		unsigned long flags = spin_lock_irqsave(&sched_lock);
		struct thread *t = NULL;

		if (!list_empty(&zombies)) {
			t = container_of(list_first(&zombies), struct thread, wait_link);
			list_del(&t->wait_link);
			list_del(&t->all_link);
		}
		spin_unlock_irqrestore(&sched_lock, flags);
		if (!t)
			return;
		free_thread(t);
	}
}

int
thread_request_stop(uint64_t id)
{
	unsigned long flags = spin_lock_irqsave(&sched_lock);
	int err = -E_NOENT;

	list_for_each (n, &all_threads) {
		struct thread *t = container_of(n, struct thread, all_link);
		if (t->id != id || t->state == THREAD_ZOMBIE)
			continue;
		if (t == &boot_thread || t == arch_cpu_local()->idle) {
			err = -E_PERM;
			break;
		}
		t->stop_requested = true;
		make_ready_locked(t, -E_DEAD);
		err = 0;
		break;
	}
	spin_unlock_irqrestore(&sched_lock, flags);
	return err;
}

void
thread_suspend(struct thread *t)
{
	unsigned long flags = spin_lock_irqsave(&sched_lock);

	t->suspended = true;
	spin_unlock_irqrestore(&sched_lock, flags);
}

int
thread_resume(struct thread *t)
{
	unsigned long flags = spin_lock_irqsave(&sched_lock);
	int err = 0;

	if (!t->suspended)
		err = -E_INVAL;
	t->suspended = false;
	if (t->parked)
		make_ready_locked(t, 0);
	spin_unlock_irqrestore(&sched_lock, flags);
	return err;
}

enum suspend_state
thread_suspend_state(struct thread *t)
{
	unsigned long flags = spin_lock_irqsave(&sched_lock);
	enum suspend_state st;

	if (!t->suspended)
		st = SUSPEND_NONE;
	else if (t->parked)
		st = SUSPEND_STOPPED;
	else if (t->state == THREAD_BLOCKED)
		st = SUSPEND_IN_CALL;
	else
		st = SUSPEND_PENDING;
	spin_unlock_irqrestore(&sched_lock, flags);
	return st;
}

bool
thread_park_if_suspended(void)
{
	struct thread *t = current_thread();
	unsigned long flags;
	bool waited = false;

	/* Every return to user mode passes here: no lock unless suspended.
	 * A suspend that lands just after this check is caught on the next
	 * way back (the suspender waits until the thread is parked). */
	if (!__atomic_load_n(&t->suspended, __ATOMIC_RELAXED))
		return false;
	flags = spin_lock_irqsave(&sched_lock);
	/* Woken by thread_resume, or by thread_request_stop: a suspended
	 * thread still ends with its process. */
	while (t->suspended && !t->stop_requested) {
		t->parked = true;
		waited = true;
		block_locked(NULL, WAIT_FOREVER);
	}
	t->parked = false;
	spin_unlock_irqrestore(&sched_lock, flags);
	return waited;
}

/* Frees exited detached threads, woken by thread_exit. */
static void
reaper_loop(void *arg)
{
	(void)arg;
	for (;;) {
		unsigned long flags;

		reap_zombies();
		flags = spin_lock_irqsave(&sched_lock);
		if (list_empty(&zombies))
			block_locked(&reaper_wq, WAIT_FOREVER);
		spin_unlock_irqrestore(&sched_lock, flags);
	}
}

static void
idle_loop(void *arg)
{
	(void)arg;
	for (;;) {
		reap_zombies();
		arch_irq_disable();
		if (rq_empty(&run_queue))
			arch_wait_for_interrupt(); /* returns with interrupts on */
		else
			arch_irq_enable();
		schedule();
	}
}

/* Timer tick (interrupt context): CPU time's sample, and is the slice
 * over with others waiting? */
static void
sched_tick(void *ctx, const struct arch_regs *regs)
{
	struct cpu_local *cpu = arch_cpu_local();

	(void)ctx;
	cputime_tick(regs, SCHED_SLICE_NS);
	if (cpu->current == cpu->idle || time_now_ns() - cpu->slice_start_ns >= SCHED_SLICE_NS)
		if (!rq_empty(&run_queue))
			cpu->need_resched = true;
}

/* Interrupt exit hook: preempt when asked to. */
static void
sched_irq_exit(struct arch_regs *regs)
{
	struct thread *t;

	if (arch_cpu_local()->need_resched)
		schedule();
	/* On the way back to user code: a suspended thread stops here, a
	 * killed one ends. */
	t = current_thread();
	if (t->proc && arch_regs_user_mode(regs)) {
		if (t->releases || t->vnode_releases) {
			/* Deferred by a kill on the way back (rare). */
			arch_irq_enable();
			release_run();
			arch_irq_disable();
		}
		process_user_return();
		if (t->proc->lx)
			linux_user_return(regs); /* a signal's handler, or its default */
	}
}

/* The time since t got the CPU counts too when it runs now (with SMP:
 * on whichever CPU runs it). */
static uint64_t
run_ns_locked(const struct thread *t)
{
	struct cpu_local *cpu = arch_cpu_local();

	return t->cpu_ns + (t == cpu->current ? time_now_ns() - cpu->run_start_ns : 0);
}

uint64_t
thread_run_ns(struct thread *t)
{
	unsigned long flags;
	uint64_t ns;

	/* The current thread's own time changes only on this CPU. */
	if (t == current_thread()) {
		flags = arch_irq_save();
		ns = run_ns_locked(t);
		arch_irq_restore(flags);
		return ns;
	}
	flags = spin_lock_irqsave(&sched_lock);
	ns = run_ns_locked(t);
	spin_unlock_irqrestore(&sched_lock, flags);
	return ns;
}

void
thread_cputime(struct thread *t, struct cputime *out)
{
	unsigned long flags = spin_lock_irqsave(&sched_lock);

	cputime_split(&t->cputime_prev, run_ns_locked(t),
		      __atomic_load_n(&t->user_sample_ns, __ATOMIC_RELAXED),
		      __atomic_load_n(&t->sys_sample_ns, __ATOMIC_RELAXED), &out->utime_ns,
		      &out->stime_ns);
	spin_unlock_irqrestore(&sched_lock, flags);
	out->run_ns = out->utime_ns + out->stime_ns;
}

static const char *const state_names[] = {
	[THREAD_READY] = "ready",
	[THREAD_RUNNING] = "running",
	[THREAD_BLOCKED] = "blocked",
	[THREAD_ZOMBIE] = "zombie",
};

void
sched_print_threads(void)
{
	unsigned long flags = spin_lock_irqsave(&sched_lock);
	struct cpu_local *cpu = arch_cpu_local();
	uint64_t now = time_now_ns();

	printk("  ID  NAME                     STATE      CPU(ms)      RUNS\n");
	list_for_each (n, &all_threads) {
		struct thread *t = container_of(n, struct thread, all_link);
		uint64_t ns = t->cpu_ns + (t == cpu->current ? now - cpu->run_start_ns : 0);
		printk("%4lu  %-24s %-9s %8lu  %8lu\n", t->id, t->name, state_names[t->state],
		       ns / 1000000, t->dispatches);
	}
	spin_unlock_irqrestore(&sched_lock, flags);
}

uint64_t
sched_context_switches(void)
{
	return arch_cpu_local()->context_switches;
}

void
sched_init(void)
{
	rq_init(&run_queue);
	list_init(&all_threads);
	list_init(&zombies);

	cpu0.id = 0;
	arch_cpu_local_init(&cpu0);
	boot_thread.id = 0;
	strlcpy(boot_thread.name, "main", sizeof(boot_thread.name));
	boot_thread.state = THREAD_RUNNING;
	wait_queue_init(&boot_thread.joiners);
	list_add_tail(&all_threads, &boot_thread.all_link);
	cpu0.current = &boot_thread;
	cpu0.slice_start_ns = time_now_ns();
	cpu0.run_start_ns = cpu0.slice_start_ns;

	cpu0.idle = thread_create("idle", idle_loop, NULL);
	if (!cpu0.idle)
		panic("sched: cannot create the idle thread");
	/* The idle thread runs only when nothing else can. */
	rq_remove(&run_queue, &cpu0.idle->rq_link);
	wait_queue_init(&reaper_wq);
	if (!thread_create("reaper", reaper_loop, NULL))
		panic("sched: cannot create the reaper thread");

	time_set_tick_handler(sched_tick, NULL, SCHED_SLICE_NS);
	irq_set_exit_hook(sched_irq_exit);
	pr_info("sched: round-robin, %llu ms slices\n", SCHED_SLICE_NS / 1000000);
}
