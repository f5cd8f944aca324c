/*
 * Nanoseconds from the arch counter, and timer events on the one-shot
 * arch alarm.  The alarm is always set for the earliest armed event;
 * its interrupt fires every event that is due, then sets the alarm for
 * the next one.  Time is counter ticks converted with a 32.32 fixed-point
 * multiplier, so the hot path is one multiply and one shift.
 *
 * Locking: one CPU today, so disabling interrupts protects the queue.
 * With SMP this becomes a spinlock (and per-CPU queues).
 */
#include "core/time.h"

#include "core/timer_queue.h"
#include "lib/list.h"

#include <stddef.h>

#include "arch/arch.h"
#include "core/panic.h"
#include "core/printk.h"

#define MAX_EVENTS_PER_INTERRUPT 256 /* a storm of re-arms ends here */

static uint64_t counter_base; /* counter value at time 0 */
static uint64_t ns_mult;      /* ns = ticks * ns_mult >> 32 */
static uint64_t tick_mult;    /* ticks = ns * tick_mult >> tick_shift */
static unsigned int tick_shift;
static bool ready;

/* Armed events by deadline; all-zero is an empty queue. */
static struct timer_queue queue;
static uint64_t nr_interrupts, nr_fired;

static struct time_event tick_event;
static void (*tick_fn)(void *ctx, const struct arch_regs *regs);
static void *tick_ctx;
static uint64_t tick_period;
/* What the timer interrupt interrupted, for the tick (per CPU with SMP). */
static const struct arch_regs *tick_regs;

/* ---- the ordered queue (core/timer_queue.h) ---- */

static void
queue_insert(struct time_event *ev)
{
	tq_insert(&queue, &ev->node, ev->deadline);
}

static void
queue_remove(struct time_event *ev)
{
	tq_remove(&queue, &ev->node);
}

static struct time_event *
queue_first(void)
{
	struct tq_node *n = tq_peek(&queue);

	return n ? container_of(n, struct time_event, node) : NULL;
}

/* ---- conversions ---- */

uint64_t
time_now_ns(void)
{
	if (!ready)
		return 0;
	return (uint64_t)(((unsigned __int128)(arch_time_counter() - counter_base) * ns_mult) >>
			  32);
}

/* The counter value at which time_now_ns() reaches ns, rounded up. */
static uint64_t
ns_to_counter(uint64_t ns)
{
	unsigned __int128 ticks = ((unsigned __int128)ns * tick_mult) >> tick_shift;

	/* Beyond the counter's range ("never"): as late as it can say. */
	if (ticks >= (unsigned __int128)(ARCH_TIMER_OFF - 2 - counter_base))
		return ARCH_TIMER_OFF - 1;
	return counter_base + (uint64_t)ticks + 1;
}

/* Programs the alarm for the earliest event; interrupts disabled. */
static void
program_alarm(void)
{
	struct time_event *first = queue_first();

	arch_timer_arm(first ? ns_to_counter(first->deadline) : ARCH_TIMER_OFF);
}

/* ---- events ---- */

void
time_event_arm(struct time_event *ev, uint64_t deadline_ns, void (*fn)(void *ctx), void *ctx)
{
	unsigned long flags = arch_irq_save();

	if (ev->armed)
		queue_remove(ev);
	ev->fn = fn;
	ev->ctx = ctx;
	ev->deadline = deadline_ns;
	ev->armed = true;
	queue_insert(ev);
	if (ready && queue_first() == ev)
		program_alarm();
	arch_irq_restore(flags);
}

bool
time_event_cancel(struct time_event *ev)
{
	unsigned long flags = arch_irq_save();
	bool was = ev->armed;

	if (was) {
		bool first = queue_first() == ev;

		queue_remove(ev);
		ev->armed = false;
		if (ready && first)
			program_alarm();
	}
	arch_irq_restore(flags);
	return was;
}

bool
time_event_armed(const struct time_event *ev)
{
	return ev->armed;
}

uint64_t
time_event_deadline(const struct time_event *ev)
{
	return ev->deadline;
}

/* The timer interrupt: fire what is due, then set the next alarm. */
static void
time_interrupt(struct arch_regs *regs, void *ctx)
{
	struct time_event *ev;
	unsigned int n = 0;

	(void)ctx;
	nr_interrupts++;
	tick_regs = regs;
	while ((ev = queue_first()) && ev->deadline <= time_now_ns() &&
	       n++ < MAX_EVENTS_PER_INTERRUPT) {
		queue_remove(ev);
		ev->armed = false;
		nr_fired++;
		ev->fn(ev->ctx); /* may arm events, this one included */
	}
	tick_regs = NULL;
	program_alarm();
}

/* ---- the periodic tick ---- */

static void
tick_fire(void *ctx)
{
	uint64_t next = tick_event.deadline + tick_period, now;

	(void)ctx;
	if (tick_fn)
		tick_fn(tick_ctx, tick_regs);
	/* Late (interrupts were off)?  Skip, do not replay. */
	now = time_now_ns();
	if (next <= now)
		next = now + tick_period;
	if (tick_period)
		time_event_arm(&tick_event, next, tick_fire, NULL);
}

void
time_set_tick_handler(void (*fn)(void *ctx, const struct arch_regs *regs), void *ctx,
		      uint64_t period_ns)
{
	unsigned long flags = arch_irq_save();

	time_event_cancel(&tick_event);
	tick_fn = fn;
	tick_ctx = ctx;
	tick_period = fn ? period_ns : 0;
	if (tick_period)
		time_event_arm(&tick_event, time_now_ns() + tick_period, tick_fire, NULL);
	arch_irq_restore(flags);
}

/* ---- setup ---- */

void
time_init(void)
{
	unsigned long flags;
	uint64_t hz;
	int err = arch_time_init(time_interrupt, NULL);

	if (err)
		panic("time: no usable clock and timer (error %d)", err);
	hz = arch_time_counter_hz();
	if (hz < 1000000)
		panic("time: counter frequency %lu Hz is implausible", hz);
	/* 1e9 << 32 fits in 64 bits; so does hz << tick_shift. */
	ns_mult = (NSEC_PER_SEC << 32) / hz;
	tick_shift = 32;
	while (tick_shift > 0 && (hz >> (64 - tick_shift)) != 0)
		tick_shift--;
	tick_mult = (hz << tick_shift) / NSEC_PER_SEC;
	counter_base = arch_time_counter();
	ready = true;

	flags = arch_irq_save();
	program_alarm();
	arch_irq_restore(flags);
}

bool
time_ready(void)
{
	return ready;
}

void
time_delay_ns(uint64_t ns)
{
	uint64_t end;

	if (!ready) {
		/* Uncalibrated: each iteration takes well over 1 ns. */
		for (volatile uint64_t i = 0; i < ns; i++)
			;
		return;
	}
	end = time_now_ns() + ns;
	while (time_now_ns() < end)
		;
}

uint64_t
time_interrupts(void)
{
	return nr_interrupts;
}

uint64_t
time_events_fired(void)
{
	return nr_fired;
}
