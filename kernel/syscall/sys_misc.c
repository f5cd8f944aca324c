/* exit, yield, console_write, cycles. */
#include "arch/arch.h"
#include "cap/cspace.h"
#include "cap/lock.h"
#include "core/console.h"
#include "core/random.h"
#include "core/time.h"
#include "object/ops.h"
#include "object/process.h"
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
	struct kobject_buf buf = { .user = true, .addr = a->a[1], .len = a->a[2] };
	struct kobject *obj;
	long err = cap_get(a->a[0], KOBJ_CONSOLE, CAP_RIGHT_WRITE, &obj);

	if (err)
		return err;
	if (buf.len > CONSOLE_WRITE_MAX)
		err = -E_RANGE;
	else if (!user_range_ok(buf.addr, buf.len))
		err = -E_FAULT;
	else
		err = kobject_write(obj, 0, &buf);
	cap_put(obj);
	return err;
}
