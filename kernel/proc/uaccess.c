#include "proc/uaccess.h"

#include "arch/arch.h"
#include "asm/layout.h"
#include "core/fault.h"
#include "core/panic.h"
#include "core/printk.h"
#include "lib/string.h"
#include "sched/thread.h"
#include "themelios/errno.h"

bool
user_range_ok(uintptr_t addr, size_t len)
{
	return addr <= USER_SPACE_END && len <= USER_SPACE_END - addr;
}

/*
 * The copy runs with the thread's uaccess_env armed; the fault handler
 * jumps back here.  noinline keeps the setjmp frame simple and the
 * copy's registers out of it.
 */
static __attribute__((noinline)) int
user_copy(void *dst, const void *src, size_t len)
{
	struct thread *t = thread_current();
	struct arch_jmp_buf env;

	if (arch_setjmp(&env)) {
		t->uaccess_env = NULL;
		arch_user_access_end();
		return -E_FAULT;
	}
	t->uaccess_env = &env;
	arch_user_access_begin();
	memcpy(dst, src, len);
	arch_user_access_end();
	t->uaccess_env = NULL;
	return 0;
}

int
copy_from_user(void *dst, uintptr_t usrc, size_t len)
{
	if (!user_range_ok(usrc, len))
		return -E_FAULT;
	return len ? user_copy(dst, (const void *)usrc, len) : 0;
}

int
copy_to_user(uintptr_t udst, const void *src, size_t len)
{
	if (!user_range_ok(udst, len))
		return -E_FAULT;
	return len ? user_copy((void *)udst, src, len) : 0;
}

bool
uaccess_fault(const struct fault_info *fi)
{
	struct thread *t = thread_current();

	/* Only a data access to a user address, from a copy in progress:
	 * anything else is a kernel bug and stays fatal. */
	if (!t || !t->uaccess_env || !fi->has_addr || fi->addr >= USER_SPACE_END)
		return false;
	arch_longjmp(t->uaccess_env, 1);
}

static void
read_user_byte(void *addr)
{
	(void)*(volatile const uint8_t *)addr;
}

static uint64_t guard_checks; /* reads that faulted as they must */

uint64_t
uaccess_guard_checks(void)
{
	return __atomic_load_n(&guard_checks, __ATOMIC_RELAXED);
}

void
uaccess_guard_check(uintptr_t addr)
{
	struct fault_info fi;

	if (!panic_test_mode() || !user_range_ok(addr, 1))
		return;
	if (!fault_catch(read_user_byte, (void *)addr, &fi))
		panic("kernel read user memory at %lx in an interrupt without a fault: "
		      "SMAP/PAN is off in the kernel",
		      addr);
	/* A page the user left unmapped proves nothing about SMAP/PAN. */
	if (!(fi.access & FAULT_PRESENT))
		return;
	/* Counted, not printed: a line from an interrupt would land inside
	 * whatever user code was writing.  memory_audit reports the count. */
	__atomic_add_fetch(&guard_checks, 1, __ATOMIC_RELAXED);
}
