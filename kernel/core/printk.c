/*
 * printk formats straight to the console, a character at a time, so it
 * needs no buffer and works from the first instruction of C to a panic.
 *
 * One message at a time: printk holds a lock with interrupts disabled,
 * so a line printed by an interrupt handler cannot tear a thread's line
 * apart.  The lock never deadlocks: the CPU that holds it (a fault, NMI
 * or panic that arrived in the middle of a printk) goes ahead without
 * it, and so does a CPU that has waited too long (the holder died).
 */
#include "core/printk.h"

#include <stdbool.h>

#include "arch/arch.h"
#include "core/console.h"
#include "lib/format.h"
#include "lib/string.h"

#define PRINTK_NO_OWNER	  (-1)
#define PRINTK_SPIN_LIMIT 100000000ul

static volatile int printk_owner = PRINTK_NO_OWNER;

static enum log_level printk_level = LOG_INFO;

static const char *const level_tag[] = {
	[LOG_ERR] = "error: ",
	[LOG_WARN] = "warning: ",
	[LOG_INFO] = "",
	[LOG_DEBUG] = "debug: ",
};

static void
console_emit(char c, void *ctx)
{
	(void)ctx;
	console_putc(c);
}

/* Returns the interrupt state for printk_unlock; *taken says whether
 * the lock is ours to release. */
static unsigned long
printk_lock(bool *taken)
{
	unsigned long flags = arch_irq_save();
	int me = 0; /* this CPU's id: only CPU 0 runs for now */
	unsigned long spins = 0;
	int expected;

	*taken = false;
	if (__atomic_load_n(&printk_owner, __ATOMIC_RELAXED) == me)
		return flags; /* re-entered on this CPU: go ahead */
	do {
		expected = PRINTK_NO_OWNER;
		if (__atomic_compare_exchange_n(&printk_owner, &expected, me, false,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
			*taken = true;
			break;
		}
	} while (++spins < PRINTK_SPIN_LIMIT);
	return flags;
}

static void
printk_unlock(unsigned long flags, bool taken)
{
	if (taken)
		__atomic_store_n(&printk_owner, PRINTK_NO_OWNER, __ATOMIC_RELEASE);
	arch_irq_restore(flags);
}

void
printk_write(const char *s, size_t len)
{
	bool taken;
	unsigned long flags = printk_lock(&taken);

	console_write(s, len);
	printk_unlock(flags, taken);
}

int
vprintk(const char *fmt, va_list ap)
{
	bool taken;
	unsigned long flags = printk_lock(&taken);
	int n = fmt_vformat(console_emit, NULL, fmt, ap);

	printk_unlock(flags, taken);
	return n;
}

int
printk(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintk(fmt, ap);
	va_end(ap);
	return n;
}

void
klog(enum log_level level, const char *fmt, ...)
{
	va_list ap;
	bool taken;
	unsigned long flags;

	if (level > printk_level)
		return;
	/* The tag and the message as one, under one lock. */
	flags = printk_lock(&taken);
	console_write(level_tag[level], strlen(level_tag[level]));
	va_start(ap, fmt);
	fmt_vformat(console_emit, NULL, fmt, ap);
	va_end(ap);
	printk_unlock(flags, taken);
}

void
printk_set_level(enum log_level level)
{
	if (level <= LOG_DEBUG)
		printk_level = level;
}
