/*
 * Time since boot and timer events, arch-neutral.  The arch supplies a
 * calibrated monotonic counter and a one-shot alarm (arch.h); this file
 * turns them into nanoseconds and into any number of timer events kept
 * in deadline order (core/timer_queue.h), so the interrupt handler only
 * ever looks at the earliest one.
 *
 * Event callbacks and the tick handler run in interrupt context, with
 * interrupts disabled: they must be short and must not sleep.  They may
 * arm and cancel events, their own included.
 */
#ifndef CORE_TIME_H
#define CORE_TIME_H

#include <stdbool.h>
#include <stdint.h>

#include "core/timer_queue.h"

#define NSEC_PER_USEC 1000ull
#define NSEC_PER_MSEC 1000000ull
#define NSEC_PER_SEC  1000000000ull

/*
 * A timer event.  Embed it anywhere; all-zero is a valid disarmed event
 * (no init call needed).  While armed it belongs to the timer queue and
 * must not be freed or moved.
 */
struct time_event {
	struct tq_node node; /* in the deadline queue while armed */
	uint64_t deadline;
	void (*fn)(void *ctx);
	void *ctx;
	bool armed;
};

/* Calibrates the clock and starts the timer interrupt (after
 * arch_interrupts_init).  Panics when the machine has no usable timer. */
void time_init(void);
bool time_ready(void);

/* Nanoseconds since time_init (0 before).  Monotonic, never goes back. */
uint64_t time_now_ns(void);

/* "Never" as a deadline. */
#define WAIT_FOREVER UINT64_MAX

/* The deadline ns from now, saturating at WAIT_FOREVER: a long timeout
 * becomes "never", never a wrapped deadline in the past. */
static inline uint64_t
time_deadline_after(uint64_t ns)
{
	uint64_t now = time_now_ns();

	return ns >= WAIT_FOREVER - now ? WAIT_FOREVER : now + ns;
}

/*
 * Calls fn(ctx) from the timer interrupt at the first moment when
 * time_now_ns() >= deadline_ns (never earlier).  Arming an armed event
 * moves it.  Events with the same deadline fire in the order armed.
 */
void time_event_arm(struct time_event *ev, uint64_t deadline_ns, void (*fn)(void *ctx), void *ctx);
/* Disarms ev; true when it was armed (it will not fire), false when it
 * was not (it has fired, or is firing now, or was never armed). */
bool time_event_cancel(struct time_event *ev);
bool time_event_armed(const struct time_event *ev);
/* Deadline of an armed event. */
uint64_t time_event_deadline(const struct time_event *ev);

/*
 * The periodic tick, for the scheduler's time slices and CPU time:
 * fn(ctx, regs) every period_ns from now on, in interrupt context
 * (period_ns 0 stops it), regs what the timer interrupt interrupted.
 * One tick handler at a time; a later call replaces the earlier one.
 * Missed ticks (interrupts off too long) are not replayed: the next one
 * comes period_ns after the late one.
 */
struct arch_regs;
void time_set_tick_handler(void (*fn)(void *ctx, const struct arch_regs *regs), void *ctx,
			   uint64_t period_ns);

/* Spins until at least ns have passed (no interrupts needed). */
void time_delay_ns(uint64_t ns);

/* How many timer interrupts and fired events so far. */
uint64_t time_interrupts(void);
uint64_t time_events_fired(void);

#endif
