/*
 * Threads: FPU state per thread, Thread capabilities, and a process
 * whose threads end with it, by exit or by fault.
 */
#include "themelios.h"
#include "utest/utest.h"

/* Puts v in the first FP/SIMD register and reads it back. */
static void
fpu_set(uint64_t v)
{
#if defined(__x86_64__)
	__asm__ volatile("movq %0, %%xmm0" : : "r"(v));
#else
	__asm__ volatile("fmov d0, %0" : : "r"(v));
#endif
}

static uint64_t
fpu_get(void)
{
	uint64_t v;

#if defined(__x86_64__)
	__asm__ volatile("movq %%xmm0, %0" : "=r"(v));
#else
	__asm__ volatile("fmov %0, d0" : "=r"(v));
#endif
	return v;
}

static int
fpu_loop(uint64_t pattern)
{
	int bad = 0;

	for (int i = 0; i < 200; i++) {
		fpu_set(pattern + (uint64_t)i);
		sys_yield();
		if (fpu_get() != pattern + (uint64_t)i)
			bad++;
	}
	return bad;
}

void
fpu(void)
{
	struct ipc_msg m;
	long pid;

	CHECK(sys_endpoint_create(3), 0);
	pid = spawn("utest", UT_H_FPU_CHILD, UT_IDLE_QUOTA, 3, 1, NULL, 0);
	CHECK(pid > 0, 1);
	CHECK(fpu_loop(0x1111000000000000ull), 0);
	CHECK(await_report(3, &m), 0);
	CHECK(m.label, PROCESS_EVENT_EXIT);
	CHECK(m.words[1], 0);
}

int
fpu_child(void)
{
	return fpu_loop(0x2222000000000000ull);
}

static uint64_t counter;
static volatile uint64_t spins;

static void
counting_spinner(void *arg)
{
	(void)arg;
	for (;;) {
		spins++;
		if (spins % 1000 == 0)
			sys_yield();
	}
}

static void
self_killer(void *arg)
{
	sys_thread_kill((slot_t)(uintptr_t)arg);
	*(volatile uint64_t *)UT_FAULT_ADDR = 1; /* never reached */
}

void
thread_caps(void)
{
	struct cap_info info;
	struct thread_regs r;
	uint64_t before, after;

	CHECK(thread_start_cap(counting_spinner, NULL, 2, 2) > 0, 1);
	CHECK(sys_cap_inspect(2, &info), 0);
	CHECK(info.type, OBJ_THREAD);
	CHECK(UNTIL(spins > 0), 1);
	CHECK(sys_cap_mint(2, 3, RIGHT_READ, 0), 0);
	CHECK(sys_thread_kill(3), -E_PERM);
	CHECK(sys_thread_kill(1), -E_TYPE);
	CHECK(sys_thread_kill(2), 0);
	/* Gone (its capability says so), so it spins no more. */
	CHECK(UNTIL(sys_thread_read_regs(2, &r) == -E_DEAD), 1);
	before = spins;
	for (int i = 0; i < 20; i++)
		sys_yield();
	after = spins;
	CHECK(after, before); /* it has stopped; we go on */
	CHECK(sys_thread_kill(2), -E_DEAD);
	/* A thread may end itself through its own capability. */
	CHECK(thread_start_cap(self_killer, (void *)4, 2, 4) > 0, 1);
	CHECK(UNTIL(sys_thread_read_regs(4, &r) == -E_DEAD), 1);
	CHECK(sys_thread_kill(4), -E_DEAD);
	CHECK(sys_thread_create(0x400000, 0x80000000, 0, 1), -E_EXIST);
}

static void
adder(void *arg)
{
	uint64_t bit = (uint64_t)(uintptr_t)arg;

	for (int i = 0; i < 1000; i++) {
		__atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
		if (i % 100 == 0)
			sys_yield();
	}
	sys_signal(2, bit);
}

void
threads(void)
{
	struct ipc_msg m;
	uint64_t seen = 0, w;
	long pid;

	CHECK(sys_notification_create(2), 0);
	for (uint64_t i = 0; i < 4; i++)
		CHECK(thread_start(adder, (void *)(uintptr_t)(1ull << i), 4) > 0, 1);
	while (seen != 0xf && sys_wait(2, 0, &w) == 0)
		seen |= w;
	CHECK(seen, 0xf);
	CHECK(counter, 4000);
	CHECK(sys_thread_create(KERNEL_TEXT, 0x1000, 0, 0), -E_FAULT);
	/* A thread's fault ends its whole process... */
	CHECK(sys_endpoint_create(3), 0);
	pid = spawn("utest", UT_H_THREAD_FAULT, UT_IDLE_QUOTA, 3, 1, NULL, 0);
	CHECK(pid > 0, 1);
	CHECK(await_report(3, &m), 0);
	CHECK_FAULT(&m, FAULT_KIND_MEMORY, FAULT_ACCESS_WRITE, UT_FAULT_ADDR);
	/* ...and so does exit, with every other thread. */
	pid = spawn("utest", UT_H_THREAD_EXIT_CHILD, UT_IDLE_QUOTA, 3, 2, NULL, 0);
	CHECK(pid > 0, 1);
	CHECK(await_report(3, &m), 0);
	CHECK(m.label, PROCESS_EVENT_EXIT);
	CHECK(m.words[1], 5);
}

static void
faulter(void *arg)
{
	(void)arg;
	*(volatile uint64_t *)UT_FAULT_ADDR = 1;
}

static void
spinner(void *arg)
{
	(void)arg;
	for (volatile int spin = 0;; spin++)
		;
}

/* A thread's fault ends the whole process. */
int
thread_fault(void)
{
	uint64_t w;

	sys_notification_create(2);
	thread_start(faulter, NULL, 2);
	sys_wait(2, 0, &w); /* never signalled: the fault ends us */
	return 1;
}

/* Exit ends every other thread. */
int
thread_exit_child(void)
{
	thread_start(spinner, NULL, 2);
	for (int i = 0; i < 5; i++)
		sys_yield();
	return 5;
}
