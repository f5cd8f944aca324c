/*
 * Linux system-call dispatch: the table of this architecture's calls
 * (asm/linux_abi.h), -ENOSYS for the rest (each named call logged once),
 * and linux.trace, which prints every call as strace does.
 */
#include "linux/linux.h"

#include "core/cmdline.h"
#include "core/printk.h"
#include "lib/format.h"
#include "linux/errno.h"
#include "linux/proc.h"
#include "object/process.h"
#include "sched/thread.h"
#include "syscall/syscall.h"

#define LINUX_NR_MAX 512

struct linux_call {
	const char *name;
	long (*fn)(struct syscall_args *a);
	uint8_t nargs;
};

#define LX_ENTRY(nr, name, n)	[nr] = { #name, lx_sys_##name, n },
#define LX_ENTRY_NONE(nr, name) [nr] = { #name, NULL, 0 },
static const struct linux_call linux_calls[LINUX_NR_MAX] = { LINUX_CALLS(LX_ENTRY, LX_ENTRY_NONE) };

/* One warning per number: a program that retries a call would flood the console. */
static uint8_t warned[LINUX_NR_MAX / 8];
static bool trace;

void
linux_init(const char *cmdline)
{
	trace = cmdline_has(cmdline, "linux.trace");
}

/* Cold and out of line, as is the trace: their frames and canaries
 * would otherwise be paid by every call. */
static __attribute__((noinline, cold)) void
warn_nosys(uint64_t nr, const struct linux_call *c)
{
	if (nr < LINUX_NR_MAX) {
		if (__atomic_fetch_or(&warned[nr / 8], (uint8_t)(1u << (nr % 8)),
				      __ATOMIC_RELAXED) &
		    (1u << (nr % 8)))
			return;
	}
	if (c && c->name)
		pr_warn("linux: %s (%lu) is not implemented: ENOSYS\n", c->name, nr);
	else
		pr_warn("linux: unknown system call %lu: ENOSYS\n", nr);
}

static __attribute__((noinline, cold)) void
trace_call(const struct syscall_args *a, const struct linux_call *c, long r)
{
	char buf[192];
	size_t at = 0;
	unsigned int n = c && c->fn ? c->nargs : 6;

	fmt_append(buf, sizeof(buf), &at, "[linux %lu] ", lx_current()->pid);
	if (c && c->name)
		fmt_append(buf, sizeof(buf), &at, "%s(", c->name);
	else
		fmt_append(buf, sizeof(buf), &at, "syscall_%lu(", a->nr);
	for (unsigned int i = 0; i < n; i++)
		fmt_append(buf, sizeof(buf), &at, i ? ", %#lx" : "%#lx", a->a[i]);
	fmt_append(buf, sizeof(buf), &at, ") = %ld", r);
	printk("%s\n", buf);
}

/* Restarted or -EINTR on the way back (linux/signal.h). */
static __attribute__((noinline)) void
note_restart(const struct syscall_args *a)
{
	struct linux_thread *lt = lx_thread_current();

	lt->restart = true;
	lt->restart_nr = a->nr;
	lt->restart_arg0 = a->a[0];
}

long
linux_syscall(struct syscall_args *a)
{
	const struct linux_call *c = a->nr < LINUX_NR_MAX ? &linux_calls[a->nr] : NULL;
	long r;

	if (c && c->fn) {
		r = c->fn(a);
	} else {
		warn_nosys(a->nr, c);
		r = -LX_ENOSYS;
	}
	if (r == -LX_ERESTARTSYS)
		note_restart(a);
	if (trace)
		trace_call(a, c, r);
	/* Killed meanwhile: never back to user mode. */
	if (thread_should_stop())
		process_stop_current();
	return r;
}

long
lx_err(long err)
{
	return linux_errno(err);
}
