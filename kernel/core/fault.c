/*
 * Kernel faults: the report, the panic, and fault_catch for the tests
 * that fault on purpose.  Arch-neutral: the arch trap code has already
 * turned the exception into struct fault_info.
 */
#include "core/fault.h"

#include <stddef.h>

#include "core/backtrace.h"
#include "core/panic.h"
#include "core/printk.h"
#include "proc/uaccess.h"

#define FAULT_GUARD_SIZE  4096 /* the unmapped page below each stack */
#define FAULT_STACK_SLACK 512  /* closer than this to the guard: overflow */

#define FAULT_CATCH_REACH (64 * 1024) /* on an unknown stack */

/*
 * An armed fault_catch: it lives in fault_catch's frame, and the armed
 * ones form a chain, innermost first.  One chain for the machine (one
 * CPU); a catcher only takes faults from its own stack (catcher_owns),
 * so a fault in a thread that preempted the catching one is not caught
 * by mistake.
 */
struct fault_catcher {
	struct arch_jmp_buf jmp;
	struct fault_info *out;
	struct fault_catcher *prev;
};

static struct fault_catcher *volatile catcher;

static uintptr_t boot_stack_lo, boot_stack_hi;

__attribute__((weak)) const char *
sched_current_name(void)
{
	return NULL;
}

__attribute__((weak)) bool
sched_current_stack(uintptr_t *lo, uintptr_t *hi)
{
	(void)lo;
	(void)hi;
	return false;
}

void
fault_set_boot_stack(uintptr_t lo, uintptr_t hi)
{
	boot_stack_lo = lo;
	boot_stack_hi = hi;
}

static const char *
access_kind(unsigned int access)
{
	if (access & FAULT_EXEC)
		return "exec";
	if (access & FAULT_WRITE)
		return "write";
	return "read";
}

void
fault_print(const struct fault_info *fi)
{
	printk("%s", fi->name ? fi->name : "unknown fault");
	if (fi->has_addr)
		printk(" at %016lx (%s, %s, %s)", fi->addr, access_kind(fi->access),
		       (fi->access & FAULT_USER) ? "user" : "kernel",
		       (fi->access & FAULT_PRESENT) ? "protection" : "not present");
	else if (fi->code)
		printk(" (error code %#lx)", fi->code);
	printk(" in ");
	backtrace_print_symbol(fi->pc);
	printk("\n");
}

enum stack_state {
	STACK_FINE,
	STACK_UNKNOWN,	/* no bounds known for the current stack */
	STACK_OVERFLOW, /* at or past the guard page */
	STACK_ABOVE,	/* above the top: corrupt stack pointer */
};

/* The current stack: the scheduler's word, or the boot stack when the
 * stack pointer is there (or in its guard page). */
static bool
current_stack(uintptr_t sp, uintptr_t *lo, uintptr_t *hi)
{
	if (sched_current_stack(lo, hi))
		return true;
	if (boot_stack_hi && sp >= boot_stack_lo - FAULT_GUARD_SIZE && sp <= boot_stack_hi) {
		*lo = boot_stack_lo;
		*hi = boot_stack_hi;
		return true;
	}
	return false;
}

static enum stack_state
check_stack(const struct arch_regs *regs, const struct fault_info *fi, uintptr_t *lo, uintptr_t *hi)
{
	uintptr_t sp = arch_regs_sp(regs);

	if (!current_stack(sp, lo, hi))
		return STACK_UNKNOWN;
	/* A data access into the guard page, or a stack pointer in it or
	 * about to enter it.  A double fault carries no address, only the
	 * stack pointer of the instruction that could not push. */
	if (fi->has_addr && fi->addr < *lo && fi->addr >= *lo - FAULT_GUARD_SIZE)
		return STACK_OVERFLOW;
	if (sp < *lo + FAULT_STACK_SLACK)
		return STACK_OVERFLOW; /* in the guard page, or jumped over it */
	if (sp > *hi)
		return STACK_ABOVE;
	return STACK_FINE;
}

/* Did the fault happen on the stack the catcher was armed on, below it? */
static bool
catcher_owns(const struct fault_catcher *c, const struct arch_regs *regs)
{
	uintptr_t sp = arch_regs_sp(regs), at = (uintptr_t)c, lo, hi;

	if (current_stack(at, &lo, &hi))
		return at >= lo && at < hi && sp >= lo - FAULT_GUARD_SIZE && sp <= at;
	return sp <= at && at - sp <= FAULT_CATCH_REACH;
}

void
fault_kernel(struct arch_regs *regs, const struct fault_info *fi)
{
	struct fault_catcher *c = catcher;
	uintptr_t lo = 0, hi = 0;
	const char *thread;

	uaccess_fault(fi); /* a bad user pointer: resumes the copier */
	if (c && catcher_owns(c, regs)) {
		catcher = c->prev;
		*c->out = *fi;
		arch_longjmp(&c->jmp, 1);
	}

	printk("\n*** ");
	fault_print(fi);
	switch (check_stack(regs, fi, &lo, &hi)) {
	case STACK_OVERFLOW:
		thread = sched_current_name();
		printk("*** kernel stack overflow %s%s%s (stack %016lx-%016lx, sp %016lx)\n",
		       thread ? "in thread '" : "on the boot stack", thread ? thread : "",
		       thread ? "'" : "", lo, hi, arch_regs_sp(regs));
		panic_regs(regs, "%s: kernel stack overflow", fi->name);
	case STACK_ABOVE:
		printk("*** stack pointer %016lx is outside the current stack "
		       "%016lx-%016lx\n",
		       arch_regs_sp(regs), lo, hi);
		break;
	case STACK_FINE:
	case STACK_UNKNOWN:
		break;
	}
	panic_regs(regs, "%s", fi->name ? fi->name : "unknown fault");
}

int
fault_catch(void (*fn)(void *), void *arg, struct fault_info *out)
{
	struct fault_catcher c;

	c.out = out;
	c.prev = catcher;
	if (arch_setjmp(&c.jmp) != 0)
		return 1; /* fault_kernel unlinked c, filled *out, came here */
	catcher = &c;
	fn(arg);
	catcher = c.prev;
	return 0;
}
