/*
 * Kernel-mode faults (exceptions the CPU raised while running kernel
 * code).  The arch trap code decodes the exception into struct fault_info
 * and calls fault_kernel(); that either hands the fault to an armed
 * fault_catch() (used by the in-kernel tests that fault on purpose) or
 * prints a named report and panics.
 */
#ifndef CORE_FAULT_H
#define CORE_FAULT_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/arch.h"
#include "themelios/abi.h"

/* The bits a user fault report carries (struct fault_report) are the
 * ABI's; FAULT_USER never leaves the kernel. */
enum fault_access {
	FAULT_READ = FAULT_ACCESS_READ,
	FAULT_WRITE = FAULT_ACCESS_WRITE,
	FAULT_EXEC = FAULT_ACCESS_EXEC,
	FAULT_USER = 1 << 3,		      /* the access came from user mode */
	FAULT_PRESENT = FAULT_ACCESS_PRESENT, /* a mapping existed: a protection fault */
};
#define FAULT_REPORT_ACCESS (FAULT_READ | FAULT_WRITE | FAULT_EXEC | FAULT_PRESENT)

struct fault_info {
	const char *name;  /* "page fault", "invalid opcode", ... */
	unsigned int kind; /* FAULT_KIND_*, for the report to user space */
	uintptr_t addr;	   /* faulting data address, if has_addr */
	bool has_addr;
	unsigned int access; /* enum fault_access bits */
	uintptr_t pc;	     /* faulting instruction */
	uint64_t code;	     /* the arch's raw error code / syndrome */
};

/* Called by the arch trap code for a fault in kernel mode. */
void fault_kernel(struct arch_regs *regs, const struct fault_info *fi);

/* Called by the arch trap code for an exception in user mode: the
 * process dies alone (its supervisor hears of it); never returns. */
void fault_user(struct arch_regs *regs, const struct fault_info *fi) __attribute__((noreturn));

/* Called by the arch trap code before fault_user: a Linux process's
 * fault becomes its signal (linux/signal.h).  True when it did, and the
 * thread goes back to user mode, into the handler; false for any other
 * process. */
bool fault_user_signal(struct arch_regs *regs, const struct fault_info *fi);

/* Prints the one-line description of a fault ("page fault at ... (write,
 * kernel, not present) in func+0x12"). */
void fault_print(const struct fault_info *fi);

/*
 * Runs fn(arg); if it faults, the fault is recorded in *out instead of
 * panicking and 1 is returned; 0 when fn returned normally.  Calls may
 * be nested (the innermost one catches).  Only faults on the caller's
 * own stack are caught: another thread's fault still panics.  Whatever
 * fn was doing is abandoned (locks it held stay held): for tests.
 */
int fault_catch(void (*fn)(void *), void *arg, struct fault_info *out);

/*
 * Which thread and which stack were running, for the report of a kernel
 * stack overflow.  fault.c defines both as weak functions that know
 * nothing (NULL, false); the scheduler overrides them with ordinary
 * (strong) definitions of the same name and signature, and the linker
 * picks those.  Both must work from any context, even a double fault.
 * sched_current_stack gives the usable range [lo, hi) of the current
 * thread's stack; the guard page sits just below lo.
 */
const char *sched_current_name(void);
bool sched_current_stack(uintptr_t *lo, uintptr_t *hi);

/* The stack that runs before any thread exists (set by the arch code at
 * boot); used when sched_current_stack() returns false. */
void fault_set_boot_stack(uintptr_t lo, uintptr_t hi);

#endif
