#include "syscall/syscall.h"

#include "proc/process.h"
#include "sched/thread.h"
#include "themelios/errno.h"

long
syscall_dispatch(struct syscall_args *a)
{
	long r = a->nr < SYS_COUNT && syscall_table[a->nr] ? syscall_table[a->nr](a) : -E_NOSYS;

	/* Killed meanwhile (process_kill, the shell's kill): never back to
	 * user mode. */
	if (thread_should_stop())
		process_stop_current();
	return r;
}

bool
syscall_return_to_user(void)
{
	return process_user_return();
}
