/* exit, yield, console_write, cycles. */
#include "arch/arch.h"
#include "cap/cspace.h"
#include "cap/lock.h"
#include "core/console.h"
#include "core/random.h"
#include "core/time.h"
#include "proc/process.h"
#include "proc/uaccess.h"
#include "sched/thread.h"
#include "syscall/syscall.h"
#include "themelios/abi.h"
#include "themelios/errno.h"

long
sys_exit(struct syscall_args *a)
{
	process_exit((long)a->a[0]);
}

long
sys_yield(struct syscall_args *a)
{
	(void)a;
	thread_yield();
	return 0;
}

/* For user-space benchmarks: the cycle counter user mode may not read. */
long
sys_cycles(struct syscall_args *a)
{
	(void)a;
	return (long)arch_cycles();
}

/* Monotonic nanoseconds since boot: the clock wait_until's deadlines use. */
long
sys_clock_ns(struct syscall_args *a)
{
	(void)a;
	return (long)time_now_ns();
}

/* Random bytes, no capability needed (as Zircon's cprng_draw): they
 * reveal nothing and name nothing. */
long
sys_random(struct syscall_args *a)
{
	uint8_t buf[RANDOM_MAX];
	long err;

	if (a->a[1] > RANDOM_MAX)
		return -E_RANGE;
	if (!user_range_ok(a->a[0], a->a[1]))
		return -E_FAULT;
	random_fill(buf, a->a[1]);
	err = copy_to_user(a->a[0], buf, a->a[1]);
	random_state_wipe(buf, sizeof(buf));
	return err;
}

long
sys_console_write(struct syscall_args *a)
{
	struct process *p = process_current();
	uint64_t slot = a->a[0], buf = a->a[1], len = a->a[2];
	char chunk[256];
	unsigned long flags;
	struct cap *c;
	int err;

	flags = cap_lock_take();
	err = cspace_lookup(p->cs, slot, KOBJ_CONSOLE, CAP_RIGHT_WRITE, &c);
	cap_lock_drop(flags);
	if (err)
		return err;
	if (len > CONSOLE_WRITE_MAX)
		return -E_RANGE;
	if (!user_range_ok(buf, len))
		return -E_FAULT;
	/* The console object never dies, so the check above stays true. */
	for (uint64_t done = 0; done < len;) {
		size_t n = len - done < sizeof(chunk) ? len - done : sizeof(chunk);

		err = copy_from_user(chunk, buf + done, n);
		if (err)
			return err;
		console_write(chunk, n);
		done += n;
	}
	return (long)len;
}
