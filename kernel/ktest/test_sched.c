/*
 * The scheduler on the real machine: preemption and fairness, sleeping,
 * a contended mutex, exit and join, wait-queue timeouts.
 */
#include "core/printk.h"
#include "core/time.h"
#include "ktest/ktest.h"
#include "mm/vmm.h"
#include "sched/mutex.h"
#include "sched/thread.h"
#include "themelios/errno.h"

/*
 * Fairness is checked on the order of events, not on time, so that a
 * slow or busy host cannot fail it: two threads that never yield are
 * dispatched alternately, so when one has been given the CPU
 * FAIR_DISPATCHES times the other has been too, give or take one (and
 * one more if the creating thread was preempted between the two
 * creations).  On one CPU; with several, each would keep its own.
 */
#define FAIR_DISPATCHES 20
#define FAIR_SLACK	2
#define FAIR_HANG_NS	(60 * NSEC_PER_SEC) /* only to end a broken run */

struct busy {
	struct thread *partner;
	volatile bool stop;
	volatile uint64_t iterations;
	uint64_t partner_dispatches; /* the partner's count when this one ended */
};

static uint64_t
dispatches_of(struct thread *t)
{
	return __atomic_load_n(&t->dispatches, __ATOMIC_RELAXED);
}

/* Never yields: only the timer can take the CPU away. */
static void
busy_until_dispatched(void *arg)
{
	struct busy *b = arg;
	struct thread *self = current_thread();

	while (!b->stop && dispatches_of(self) < FAIR_DISPATCHES)
		b->iterations++;
	b->partner_dispatches = dispatches_of(b->partner);
}

KTEST(sched_preemption_is_fair)
{
	struct busy a = { 0 }, b = { 0 };
	struct thread *ta, *tb;
	uint64_t start = time_now_ns();

	ta = thread_create("busy-a", busy_until_dispatched, &a);
	tb = thread_create("busy-b", busy_until_dispatched, &b);
	KTEST_CHECK(ta && tb);
	if (!ta || !tb) {
		a.stop = b.stop = true;
		if (ta)
			thread_join(ta, NULL);
		return;
	}
	a.partner = tb;
	b.partner = ta;
	/* A partner pointer is read only when its thread ends, twenty
	 * dispatches on: this thread is dispatched long before that. */
	while (ta->state != THREAD_ZOMBIE || tb->state != THREAD_ZOMBIE) {
		if (time_now_ns() - start > FAIR_HANG_NS) {
			KTEST_CHECK(!"busy threads still running after 60 s");
			a.stop = b.stop = true;
		}
		thread_sleep_ns(20 * NSEC_PER_MSEC);
	}
	printk("    busy-a ran %lu times (%lu iterations, %lu ms), busy-b %lu times (%lu, %lu "
	       "ms)\n",
	       ta->dispatches, a.iterations, (uint64_t)(ta->cpu_ns / NSEC_PER_MSEC), tb->dispatches,
	       b.iterations, (uint64_t)(tb->cpu_ns / NSEC_PER_MSEC));
	printk("    when each ended, the other had run %lu (a) and %lu (b) times\n",
	       a.partner_dispatches, b.partner_dispatches);
	KTEST_CHECK(a.iterations > 0 && b.iterations > 0);
	KTEST_CHECK(a.partner_dispatches + FAIR_SLACK >= FAIR_DISPATCHES);
	KTEST_CHECK(a.partner_dispatches <= FAIR_DISPATCHES + FAIR_SLACK);
	KTEST_CHECK(b.partner_dispatches + FAIR_SLACK >= FAIR_DISPATCHES);
	KTEST_CHECK(b.partner_dispatches <= FAIR_DISPATCHES + FAIR_SLACK);
	KTEST_CHECK_EQ(thread_join(ta, NULL), 0);
	KTEST_CHECK_EQ(thread_join(tb, NULL), 0);
}

KTEST(sched_sleep_is_not_early)
{
	static const uint64_t waits[] = { 1, 1000000, 20000000, 55000000 };

	for (unsigned int i = 0; i < sizeof(waits) / sizeof(waits[0]); i++) {
		uint64_t start = time_now_ns(), slept;

		thread_sleep_ns(waits[i]);
		slept = time_now_ns() - start;
		KTEST_CHECK(slept >= waits[i]);
		printk("    asked %lu ns, slept %lu ns\n", waits[i], slept);
	}
}

static struct mutex counter_lock;
static volatile uint64_t counter;

#define MUTEX_THREADS 4
#define MUTEX_ROUNDS  2000

static void
increment(void *arg)
{
	(void)arg;
	for (int i = 0; i < MUTEX_ROUNDS; i++) {
		mutex_lock(&counter_lock);
		uint64_t v = counter;
		/* Give others a chance to run inside the critical section. */
		if (i % 64 == 0)
			thread_yield();
		counter = v + 1;
		mutex_unlock(&counter_lock);
	}
}

KTEST(sched_mutex_keeps_counter_exact)
{
	struct thread *t[MUTEX_THREADS];

	mutex_init(&counter_lock, "test");
	counter = 0;
	for (int i = 0; i < MUTEX_THREADS; i++)
		t[i] = thread_create("incr", increment, NULL);
	for (int i = 0; i < MUTEX_THREADS; i++)
		KTEST_CHECK(t[i] && thread_join(t[i], NULL) == 0);
	KTEST_CHECK_EQ(counter, MUTEX_THREADS * MUTEX_ROUNDS);
}

static void
exit_with(void *arg)
{
	thread_exit((int)(uintptr_t)arg);
}

static void
return_normally(void *arg)
{
	(void)arg;
}

KTEST(sched_exit_join_frees_stack)
{
	struct thread *t = thread_create("exiter", exit_with, (void *)42);
	uintptr_t stack;
	int code = 0;

	KTEST_CHECK(t != NULL);
	if (!t)
		return;
	stack = t->stack_base;
	KTEST_CHECK_EQ(vmm_translate(stack, NULL, NULL), 0);
	KTEST_CHECK_EQ(thread_join(t, &code), 0);
	KTEST_CHECK_EQ(code, 42);
	KTEST_CHECK_EQ(vmm_translate(stack, NULL, NULL), -E_NOENT);

	t = thread_create("returner", return_normally, NULL);
	KTEST_CHECK(t && thread_join(t, &code) == 0);
	KTEST_CHECK_EQ(code, 0);
	KTEST_CHECK_EQ(thread_join(thread_current(), &code), -E_INVAL);
}

KTEST(sched_wait_timeout)
{
	static struct spinlock lock = SPINLOCK_INIT("test");
	struct wait_queue wq;
	unsigned long flags;
	uint64_t start = time_now_ns();
	int r;

	wait_queue_init(&wq);
	flags = spin_lock_irqsave(&lock);
	r = wait_queue_wait(&wq, &lock, 5 * NSEC_PER_MSEC);
	spin_unlock_irqrestore(&lock, flags);
	KTEST_CHECK_EQ(r, -E_TIMEOUT);
	KTEST_CHECK(time_now_ns() - start >= 5 * NSEC_PER_MSEC);
	KTEST_CHECK_EQ(wait_queue_wake_one(&wq), 0);
}

static struct wait_queue ping_wq;
static volatile int ping_seen;

static void
waiter(void *arg)
{
	static struct spinlock lock = SPINLOCK_INIT("ping");
	unsigned long flags = spin_lock_irqsave(&lock);

	(void)arg;
	while (!ping_seen)
		wait_queue_wait(&ping_wq, &lock, 0);
	spin_unlock_irqrestore(&lock, flags);
}

KTEST(sched_many_threads)
{
	struct thread *t[32];
	int made = 0;

	wait_queue_init(&ping_wq);
	ping_seen = 0;
	for (int i = 0; i < 32; i++)
		if ((t[made] = thread_create("waiter", waiter, NULL)))
			made++;
	KTEST_CHECK_EQ(made, 32);
	thread_sleep_ns(2 * NSEC_PER_MSEC);
	ping_seen = 1;
	/* A waiter that had not gone to sleep yet sees the flag instead. */
	KTEST_CHECK(wait_queue_wake_all(&ping_wq) <= made);
	for (int i = 0; i < made; i++)
		KTEST_CHECK_EQ(thread_join(t[i], NULL), 0);
}
