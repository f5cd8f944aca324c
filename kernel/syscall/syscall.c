#include "syscall/syscall.h"

#include "linux/linux.h"
#include "linux/personality.h"
#include "object/process.h"
#include "object/release.h"
#include "sched/percpu.h"
#include "sched/thread.h"
#include "themelios/errno.h"

long
syscall_dispatch(struct syscall_args *a)
{
	long r;

	arch_cpu_local()->syscalls++;
	/* A Linux program's numbers and errno values are Linux's. */
	if (thread_current()->proc->personality == PERSONALITY_LINUX)
		return linux_syscall(a);
	r = a->nr < SYS_COUNT && syscall_table[a->nr] ? syscall_table[a->nr](a) : -E_NOSYS;

	/* Killed meanwhile (process_kill, the shell's kill): never back to
	 * user mode. */
	if (thread_should_stop())
		process_stop_current();
	return r;
}

bool
syscall_return_to_user(void)
{
	struct thread *t = thread_current();
	bool waited = false;

	/* What the call freed goes back before the caller hears of it. */
	if (t->releases || t->vnode_releases)
		release_run();
	/* Nearly always neither: stay off the slow path's calls and locks. */
	if (__atomic_load_n(&t->suspended, __ATOMIC_RELAXED) ||
	    __atomic_load_n(&t->stop_requested, __ATOMIC_RELAXED))
		waited = process_user_return();
	/* A Linux program's signals, and the restart of an interrupted call. */
	if (t->proc->lx && linux_user_return(thread_user_regs(t)))
		waited = true;
	return waited;
}
