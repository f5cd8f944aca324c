/*
 * Thread control: suspend, registers, resume; and suspended threads
 * ending with their thread or their process.
 */
#include "themelios.h"
#include "utest/utest.h"

#define PAGE 4096ull

#if defined(__x86_64__)
#define COND_FLAGS THREAD_FLAGS_X86
/* IF, IOPL, TF, VM, AC: privilege or control, never the program's. */
static const uint64_t privileged_flags[] = { 0x200, 0x3000, 0x100, 1ull << 17, 1ull << 18 };
#define CALL_ALIGN 8 /* rsp at a function's entry, as if called */
#else
#define COND_FLAGS THREAD_FLAGS_ARM
/* EL1h, the D A I F masks, AArch32, PAN, SS. */
static const uint64_t privileged_flags[] = { 0x5, 0x3c0, 0x10, 1ull << 22, 1ull << 21 };
#define CALL_ALIGN 0
#endif

static volatile uint64_t reg_spins, spinner_stack, landed, landed_tls;
static uint64_t tls_block[2] = { (uintptr_t)tls_block }; /* x86: fs:0 points here */
static volatile long suspend_result = 1, wait_result = 1, waiting;

static void
reg_spinner(void *arg)
{
	volatile int here;

	(void)arg;
	spinner_stack = (uintptr_t)&here;
	for (;;)
		reg_spins++;
}

static void __attribute__((noreturn)) landing(uint64_t value)
{
	landed_tls = tls_pointer();
	landed = value;
	sys_thread_exit();
}

static void
self_suspender(void *arg)
{
	suspend_result = sys_thread_suspend((slot_t)(uintptr_t)arg);
}

static void
waiter(void *arg)
{
	uint64_t w;

	(void)arg;
	waiting = 1;
	wait_result = sys_wait(6, 0, &w);
}

/* Yields until fn(slot) gives want (UNTIL's patience at most); its answer. */
static long
yield_until(long (*fn)(slot_t, struct thread_regs *), slot_t slot, struct thread_regs *r, long want)
{
	long got = 0;

	UNTIL((got = fn(slot, r)) == want);
	return got;
}

void
thread_control(void)
{
	struct thread_regs r, w, again;
	uint64_t stack, before;

	/* A thread spinning in user code. */
	CHECK(thread_start_cap(reg_spinner, NULL, 2, 2) > 0, 1);
	CHECK(UNTIL(reg_spins > 0), 1);
	memset(&r, 0, sizeof(r));
	CHECK(sys_thread_read_regs(2, &r), -E_BUSY); /* running */
	CHECK(sys_thread_write_regs(2, &r), -E_BUSY);
	CHECK(sys_thread_resume(2), -E_INVAL); /* not suspended */
	CHECK(sys_thread_suspend(2), 0);
	before = reg_spins;
	for (int i = 0; i < 5; i++)
		sys_yield();
	CHECK(reg_spins, before);	 /* stopped */
	CHECK(sys_thread_suspend(2), 0); /* still is */
	CHECK(sys_thread_read_regs(2, &r), 0);
	CHECK(r.pc >= 0x400000 && r.pc < UT_MAP_BASE, 1); /* in our code */
	CHECK(r.sp <= spinner_stack + 256 && r.sp + 256 >= spinner_stack, 1);
	CHECK(r.flags & ~COND_FLAGS, 0);
	CHECK(r.tls, 0); /* a new thread has none */
#if defined(__aarch64__)
	CHECK(r.ret, r.arg[0]);
	w = r;
	w.ret = r.arg[0] + 1; /* one register, two values */
	CHECK(sys_thread_write_regs(2, &w), -E_INVAL);
#endif
	/* Privileged state: refused, and nothing changes. */
	for (unsigned int i = 0; i < sizeof(privileged_flags) / sizeof(privileged_flags[0]); i++) {
		w = r;
		w.flags |= privileged_flags[i];
		CHECK(sys_thread_write_regs(2, &w), -E_INVAL);
	}
	w = r;
	w.pc = KERNEL_TEXT;
	CHECK(sys_thread_write_regs(2, &w), -E_FAULT);
	w.pc = 1ull << 63; /* non-canonical on x86_64 */
	CHECK(sys_thread_write_regs(2, &w), -E_FAULT);
	w = r;
	w.sp = KERNEL_TEXT;
	CHECK(sys_thread_write_regs(2, &w), -E_FAULT);
	w = r;
	w.tls = KERNEL_TEXT;
	CHECK(sys_thread_write_regs(2, &w), -E_FAULT);
	w.tls = 1ull << 63;
	CHECK(sys_thread_write_regs(2, &w), -E_FAULT);
	CHECK(sys_thread_write_regs(2, (void *)KERNEL_TEXT), -E_FAULT);
	CHECK(sys_thread_read_regs(2, (void *)KERNEL_TEXT), -E_FAULT);
	CHECK(sys_thread_read_regs(2, (void *)(uintptr_t)main), -E_FAULT); /* read-only */
	CHECK(sys_thread_read_regs(2, &again), 0);
	CHECK(memcmp(&again, &r, sizeof(r)), 0);
	/* The condition flags are the program's. */
	w = r;
	w.flags = COND_FLAGS;
	CHECK(sys_thread_write_regs(2, &w), 0);
	CHECK(sys_thread_read_regs(2, &again), 0);
	CHECK(again.flags, COND_FLAGS);
	/* Rights: READ reads, WRITE does the rest; types and slots. */
	CHECK(sys_cap_mint(2, 8, RIGHT_READ, 0), 0);
	CHECK(sys_cap_mint(2, 9, RIGHT_WRITE, 0), 0);
	CHECK(sys_thread_read_regs(8, &again), 0);
	CHECK(sys_thread_suspend(8), -E_PERM);
	CHECK(sys_thread_resume(8), -E_PERM);
	CHECK(sys_thread_write_regs(8, &r), -E_PERM);
	CHECK(sys_thread_read_regs(9, &again), -E_PERM);
	CHECK(sys_thread_suspend(CAP_SLOT_CONSOLE), -E_TYPE);
	CHECK(sys_thread_read_regs(CAP_SLOT_MEMORY, &again), -E_TYPE);
	CHECK(sys_thread_suspend(0), -E_NOCAP);
	CHECK(sys_thread_resume(CAP_SLOTS), -E_NOCAP);
	CHECK(sys_thread_write_regs(~0ull, &r), -E_NOCAP);
	/* Send it somewhere else: a new pc, stack and argument. */
	CHECK(sys_map_anonymous(1, MAP_WRITE, &stack), 0);
	w = r;
	w.pc = (uintptr_t)landing;
	w.sp = stack + PAGE - 16 - CALL_ALIGN;
	w.arg[0] = w.ret = 0x5eed;
	w.flags = 0;
	w.tls = (uintptr_t)tls_block; /* and a TLS block */
	CHECK(sys_thread_write_regs(9, &w), 0);
	CHECK(sys_thread_read_regs(2, &again), 0);
	CHECK(again.pc, (uintptr_t)landing);
	CHECK(again.arg[0], 0x5eed);
	CHECK(again.tls, (uintptr_t)tls_block);
	CHECK(landed, 0);
	CHECK(sys_thread_resume(9), 0);
	UNTIL(landed != 0);
	CHECK(landed, 0x5eed);
	CHECK(landed_tls, (uintptr_t)tls_block);
	/* It has ended: every call says so. */
	CHECK(yield_until(sys_thread_read_regs, 2, &again, -E_DEAD), -E_DEAD);
	CHECK(sys_thread_suspend(2), -E_DEAD);
	CHECK(sys_thread_resume(2), -E_DEAD);
	CHECK(sys_thread_write_regs(2, &r), -E_DEAD);

	/* A thread that suspends itself stops on its way out of the call,
	 * with the call's result in its registers; we change the result. */
	CHECK(thread_start_cap(self_suspender, (void *)4, 2, 4) > 0, 1);
	CHECK(yield_until(sys_thread_read_regs, 4, &r, 0), 0);
	CHECK(suspend_result, 1); /* not back in user code yet */
	CHECK(r.ret, 0);
	r.ret = r.arg[0] = 77;
	CHECK(sys_thread_write_regs(4, &r), 0);
	CHECK(sys_thread_resume(4), 0);
	UNTIL(suspend_result != 1);
	CHECK(suspend_result, 77);

	/* A thread blocked in a system call finishes it first. */
	CHECK(sys_notification_create(6), 0);
	CHECK(thread_start_cap(waiter, NULL, 2, 5) > 0, 1);
	CHECK(utest_until_blocked(5), 0); /* in its wait */
	CHECK(waiting, 1);
	CHECK(sys_thread_suspend(5), 0);
	CHECK(sys_thread_read_regs(5, &r), -E_AGAIN);
	CHECK(sys_thread_write_regs(5, &r), -E_AGAIN);
	CHECK(sys_signal(6, 1), 0);
	CHECK(yield_until(sys_thread_read_regs, 5, &r, 0), 0);
	CHECK(wait_result, 1); /* stopped before user code */
	CHECK(r.ret, 0);
	CHECK(sys_thread_resume(5), 0);
	UNTIL(wait_result != 1);
	CHECK(wait_result, 0);
}

/* Suspended threads end with their thread, or with their process
 * (exit or kill); the process's pages come back. */
static int
start_suspended_spinner(slot_t slot)
{
	struct thread_regs r;

	if (thread_start_cap(reg_spinner, NULL, 2, slot) <= 0)
		return 1;
	if (!UNTIL(reg_spins > 0))
		return 3;
	if (sys_thread_suspend(slot) || sys_thread_read_regs(slot, &r))
		return 2;
	return 0;
}

void
suspended_ends(void)
{
	struct ipc_msg m;
	struct thread_regs r;
	uint64_t before;
	long pid;

	CHECK(sys_endpoint_create(2), 0);
	CHECK(sys_endpoint_create(3), 0);
	before = pool_used();
	/* Killed while suspended. */
	CHECK(start_suspended_spinner(7), 0);
	CHECK(sys_thread_kill(7), 0);
	CHECK(yield_until(sys_thread_read_regs, 7, &r, -E_DEAD), -E_DEAD);
	CHECK(sys_thread_resume(7), -E_DEAD);
	CHECK(sys_thread_kill(7), -E_DEAD);
	/* A process exits with a thread suspended. */
	pid = spawn("utest", UT_H_SUSPENDED_EXIT, UT_IDLE_QUOTA, 3, 5, NULL, 0);
	CHECK(pid > 0, 1);
	CHECK(await_report(3, &m), 0);
	CHECK(m.label, PROCESS_EVENT_EXIT);
	CHECK(m.words[1], 0);
	/* Killed by its supervisor with a thread suspended. */
	pid = spawn_with_process_cap(UT_H_SUSPENDED_KILLED, 4);
	CHECK(pid > 0, 1);
	memset(&m, 0, sizeof(m));
	CHECK(sys_send(2, &m, 0), 0); /* it has suspended it */
	CHECK(sys_process_kill(4), 0);
	CHECK(await_report(3, &m), 0);
	CHECK(m.label, PROCESS_EVENT_EXIT);
	CHECK(m.words[1], -E_DEAD);
	CHECK(sys_cap_delete(4), 0);
	/* All back but the dead thread's stack, still mapped here, and the
	 * page table under it (our first mapping). */
	CHECK(pool_used(), before + 3); /* the report came: all is back */
}

int
suspended_exit(void)
{
	return start_suspended_spinner(5);
}

/* Suspends a thread, then waits to be killed. */
int
suspended_killed(void)
{
	if (start_suspended_spinner(5))
		return 1;
	memset(&utest_msg, 0, sizeof(utest_msg));
	sys_recv(2, &utest_msg, 0);
	sys_recv(2, &utest_msg, 0); /* killed here */
	return 2;
}
