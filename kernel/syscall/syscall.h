/*
 * System-call dispatch.  The arch entry code collects the number and up
 * to six arguments into struct syscall_args and calls syscall_dispatch;
 * the table comes from include/themelios/syscalls.list
 * (tools/gen-syscalls.sh), so a number outside it is -E_NOSYS, never a
 * jump through garbage.  A process with the Linux personality goes to
 * linux_syscall instead (linux/linux.h): Linux's numbers, registers
 * and errno values.
 */
#ifndef SYSCALL_SYSCALL_H
#define SYSCALL_SYSCALL_H

#include <stdbool.h>
#include <stdint.h>

#include "syscall_numbers.h"

#define SYSCALL_RET_MAX 6

struct syscall_args {
	uint64_t nr;
	uint64_t a[6];
	/* Results beyond the first, for the calls that return a message in
	 * registers: the arch code copies nret of them out (docs/syscalls.md). */
	uint64_t ret[SYSCALL_RET_MAX];
	unsigned int nret;
};

typedef long (*syscall_fn)(struct syscall_args *a);

extern const syscall_fn syscall_table[SYS_COUNT];
extern const char *const syscall_names[SYS_COUNT];

long syscall_dispatch(struct syscall_args *a);

/* For the arch code once it has put a call's results in the frame: a
 * suspended thread waits here (object/process.h: process_user_return);
 * true when it did, and its registers may have changed. */
bool syscall_return_to_user(void);

/* sys_NAME for every line of the list. */
#include "syscall_handlers.h"

#endif
