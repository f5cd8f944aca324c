/*
 * Blocking console input for threads (the shell): sleeps on a wait queue
 * that the receive interrupt's notify callback wakes.  The check and the
 * sleep happen under one lock with interrupts off, so a byte arriving in
 * between cannot be missed.
 */
#include "core/console.h"
#include "core/console_rx.h"
#include "core/time.h"
#include "sched/spinlock.h"
#include "sched/thread.h"
#include "sched/wait.h"

static struct spinlock input_lock = SPINLOCK_INIT("console input");
static struct wait_queue input_wq;
static int input_ready;

static void
input_arrived(void)
{
	wait_queue_wake_all(&input_wq);
}

void
console_input_init(void)
{
	wait_queue_init(&input_wq);
	console_rx_set_notify(input_arrived);
	input_ready = 1;
}

int
console_getc_interruptible(void)
{
	unsigned long flags;
	int c;

	if (!input_ready)
		console_input_init();
	flags = spin_lock_irqsave(&input_lock);
	while ((c = console_getc()) < 0)
		if (wait_queue_wait_interruptible(&input_wq, &input_lock, WAIT_FOREVER) ==
		    WAKE_INTERRUPTED) {
			c = CONSOLE_INTERRUPTED;
			break;
		}
	spin_unlock_irqrestore(&input_lock, flags);
	return c;
}

int
console_getc_wait(void)
{
	unsigned long flags;
	int c;

	if (!input_ready)
		console_input_init();
	flags = spin_lock_irqsave(&input_lock);
	while ((c = console_getc()) < 0)
		wait_queue_wait(&input_wq, &input_lock, 0);
	spin_unlock_irqrestore(&input_lock, flags);
	return c;
}
