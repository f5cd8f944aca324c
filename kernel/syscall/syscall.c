#include "syscall/syscall.h"

#include "themelios/errno.h"

long
syscall_dispatch(const struct syscall_args *a)
{
	if (a->nr >= SYS_COUNT || !syscall_table[a->nr])
		return -E_NOSYS;
	return syscall_table[a->nr](a);
}
