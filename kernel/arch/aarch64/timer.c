/*
 * The EL1 virtual timer: CNTVCT_EL0 is the monotonic counter at
 * CNTFRQ_EL0, and CNTV_CVAL_EL0 raises its PPI when the counter passes
 * a deadline.  No calibration needed.
 */
#include <stddef.h>

#include "arch/arch.h"

#include "core/irq.h"
#include "core/printk.h"
#include "themelios/errno.h"

#define CTL_ENABLE	 1
#define CTL_IMASK	 2

/*
 * CNTKCTL_EL1, what EL0 may touch of the generic timer.  Its reset value
 * is architecturally unknown, so say it: nothing.  Not the counters
 * (user code reads time through clock_ns and cycles), and not either
 * timer's registers, so no user program can reprogram or silence the
 * kernel's alarm.  Event stream off.  (A Linux vDSO would want EL0VCTEN,
 * bit 1, one day.)
 */
#define CNTKCTL_EL0_NONE 0ull

extern uint32_t aarch64_timer_intid;

static void (*timer_fn)(struct arch_regs *regs, void *ctx);
static void *timer_ctx;

static void
timer_irq(struct arch_regs *regs, void *ctx)
{
	(void)ctx;
	/* Quiet until re-armed: the line is level-triggered. */
	__asm__ volatile("msr cntv_ctl_el0, %0; isb" : : "r"((uint64_t)CTL_IMASK));
	timer_fn(regs, timer_ctx);
}

int
arch_time_init(void (*fn)(struct arch_regs *regs, void *ctx), void *ctx)
{
	int err;

	timer_fn = fn;
	timer_ctx = ctx;
	__asm__ volatile("msr cntkctl_el1, %0; isb" : : "r"(CNTKCTL_EL0_NONE));
	__asm__ volatile("msr cntv_ctl_el0, %0" : : "r"((uint64_t)CTL_IMASK));
	err = arch_irq_attach(aarch64_timer_intid, "timer", timer_irq, NULL);
	if (err < 0)
		return err;
	printk("time: generic timer at %lu.%03lu MHz, virtual timer INTID %u\n",
	       arch_time_counter_hz() / 1000000, (arch_time_counter_hz() / 1000) % 1000,
	       aarch64_timer_intid);
	return 0;
}

uint64_t
arch_time_counter(void)
{
	uint64_t v;

	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
	return v;
}

uint64_t
arch_time_counter_hz(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(v));
	return v;
}

void
arch_timer_arm(uint64_t deadline)
{
	if (deadline == ARCH_TIMER_OFF) {
		__asm__ volatile("msr cntv_ctl_el0, %0; isb" : : "r"((uint64_t)CTL_IMASK));
		return;
	}
	__asm__ volatile("msr cntv_cval_el0, %0\n\t"
			 "msr cntv_ctl_el0, %1\n\t"
			 "isb"
			 :
			 : "r"(deadline), "r"((uint64_t)CTL_ENABLE));
}
