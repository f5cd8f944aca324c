/*
 * What is ending takes no part (issue: capabilities delivered into ended
 * processes, messages and reports handed to killed threads): an ended
 * process's CSpace takes nothing in, a killed thread leaves the queue it
 * waits on at once, a killed process is dead at once, deadlines near the
 * top of the clock's range are not early, a receive whose buffer was
 * good never loses its message, and the kernel's entry paths keep user
 * memory guarded whatever user code did to the flags.  Each case checks
 * that everything it made comes back; init's audit after each case
 * checks the whole machine.
 */
#include "themelios.h"
#include "utest/utest.h"

#define MS		    1000000ull
#define SEC		    (1000 * MS)
#define ENDED_CSPACE_ROUNDS 7000

/* Slots of these cases. */
#define SUP		    20 /* supervisor endpoint */
#define CHILD		    21 /* the child's Process capability */
#define CHILD_CS	    22 /* its CSpace */
#define SPLIT		    23 /* a Memory split */
#define EP		    24 /* an endpoint */
#define NOTE		    25 /* a notification */
#define T_A		    26 /* Thread capabilities */
#define T_B		    27

/* Helper: waits for ever on a notification of its own. */
int
wait_forever(void)
{
	uint64_t w;

	sys_notification_create(10);
	return (int)sys_wait(10, 0, &w);
}

/* ---- an ended process's CSpace takes nothing in ---- */

void
dead_cspace(void)
{
	struct memory_info before, after;
	struct cap_info info;
	struct ipc_msg m;
	uint64_t t0;
	long pid;

	CHECK(sys_endpoint_create(SUP), 0);
	CHECK(sys_memory_info(CAP_SLOT_MEMORY, &before), 0);

	/* The supervisor holds the child's CSpace; the child is killed. */
	CHECK((pid = spawn_held(UT_H_WAIT_FOREVER, UT_IDLE_QUOTA, SUP, 1, NULL, 0, CHILD)) > 0, 1);
	CHECK(sys_process_parts(CHILD, CHILD_CS, 0), 0);
	CHECK(sys_process_kill(CHILD), 0);
	CHECK(sys_process_kill(CHILD), -E_DEAD); /* dead at once */
	CHECK(await_report(SUP, &m), 0);
	CHECK(m.label, PROCESS_EVENT_EXIT);
	CHECK(m.words[0], pid);
	CHECK((long)m.words[1], -E_DEAD);

	/* Nothing goes in: a Memory split, the CSpace itself, the dead
	 * process's own Process capability (the cycles that never break). */
	CHECK(sys_memory_split(CAP_SLOT_MEMORY, SPLIT, 100), 0);
	CHECK(sys_cspace_copy(CHILD_CS, SPLIT, 5), -E_DEAD);
	CHECK(sys_cspace_copy(CHILD_CS, CHILD_CS, 6), -E_DEAD);
	CHECK(sys_cspace_copy(CHILD_CS, CHILD, 7), -E_DEAD);
	CHECK(sys_process_grant(CHILD, SPLIT, 8), -E_DEAD);
	/* Bad slots are still bad slots first. */
	CHECK(sys_cspace_copy(CHILD_CS, SPLIT, 0), -E_NOCAP);
	CHECK(sys_cspace_copy(CHILD_CS, SPLIT, CAP_SLOTS), -E_NOCAP);
	for (slot_t s = 1; s < CAP_SLOTS; s++)
		CHECK(sys_cspace_inspect(CHILD_CS, s, &info), -E_NOCAP);
	CHECK(sys_cap_delete(SPLIT), 0);
	CHECK(sys_cap_delete(CHILD_CS), 0);
	CHECK(sys_cap_delete(CHILD), 0);
	CHECK(sys_memory_info(CAP_SLOT_MEMORY, &after), 0);
	CHECK(after.used, before.used);

	/* The loop that once took the whole machine: spawn, take the CSpace,
	 * end the child, copy the CSpace into itself, let go.  Each round
	 * leaked a page of heap; ENDED_CSPACE_ROUNDS rounds exhaust a 32 MiB
	 * machine many times over (the suite runs there too), and init's
	 * audit after the case demands every byte back. */
	t0 = (uint64_t)sys_clock_ns();
	for (int round = 0; round < ENDED_CSPACE_ROUNDS; round++) {
		if (spawn_held(UT_H_WAIT_FOREVER, UT_IDLE_QUOTA, SUP, 2, NULL, 0, CHILD) <= 0 ||
		    sys_process_parts(CHILD, CHILD_CS, 0) || sys_process_kill(CHILD) ||
		    await_report(SUP, &m)) {
			CHECK(round, -1);
			break;
		}
		CHECK(sys_cspace_copy(CHILD_CS, CHILD_CS, 9), -E_DEAD);
		CHECK(sys_cap_delete(CHILD_CS), 0);
		CHECK(sys_cap_delete(CHILD), 0);
	}
	printf("utest: %d rounds of copying a CSpace into itself after its end: %lu ms\n",
	       ENDED_CSPACE_ROUNDS, (unsigned long)(((uint64_t)sys_clock_ns() - t0) / MS));
	CHECK(sys_memory_info(CAP_SLOT_MEMORY, &after), 0);
	CHECK(after.used, before.used);
}

/* Helpers: a thread receives on slot 1 (with a receive slot) while the
 * main thread faults, or waits. */
static void
receiver(void *arg)
{
	(void)arg;
	memset(&utest_msg, 0, sizeof(utest_msg));
	utest_msg.cap = 10;
	sys_recv(1, &utest_msg, 0);
}

/* A thread receiving, then a signal on slot 2: the supervisor may send. */
static int
start_receiver(void)
{
	if (thread_start_cap(receiver, NULL, 2, 11) <= 0 || utest_until_blocked(11))
		return 1;
	sys_signal(2, 1);
	return 0;
}

int
recv_then_fault(void)
{
	if (start_receiver())
		return 1;
	*(volatile uint64_t *)UT_FAULT_ADDR = 1;
	return 1;
}

/* The same, but the main thread waits to be killed. */
int
recv_then_wait(void)
{
	if (start_receiver())
		return 1;
	return wait_forever();
}

/* A capability sent to a thread of a process that is ending: a live
 * receiver gets it and it goes with the process; a dead one never. */
void
ipc_into_ended(void)
{
	struct memory_info before, after;
	struct ipc_msg m;
	slot_t give[2] = { EP, NOTE };
	uint64_t w;
	long err;

	CHECK(sys_endpoint_create(SUP), 0);
	CHECK(sys_memory_info(CAP_SLOT_MEMORY, &before), 0);
	for (int killed = 0; killed < 2; killed++) {
		CHECK(sys_endpoint_create(EP), 0);
		CHECK(sys_notification_create(NOTE), 0);
		CHECK(spawn_held(killed ? UT_H_RECV_THEN_WAIT : UT_H_RECV_THEN_FAULT, UT_IDLE_QUOTA,
				 SUP, 3, give, 2, CHILD) > 0,
		      1);
		CHECK(sys_wait_until(NOTE, (uint64_t)sys_clock_ns() + 10 * SEC, &w), 0);
		memset(&m, 0, sizeof(m));
		m.cap = CHILD; /* the child's own Process capability */
		if (killed) {
			/* Killed: dead at once, its receiver gone from the queue. */
			CHECK(sys_process_kill(CHILD), 0);
			CHECK(sys_send(EP, &m, IPC_NONBLOCK), -E_AGAIN);
		} else {
			/* It faults when it runs: before our send (nobody there)
			 * or after (the receiver took it; it went with it). */
			err = sys_send(EP, &m, IPC_NONBLOCK);
			CHECK(err == 0 || err == -E_AGAIN, 1);
		}
		CHECK(await_report(SUP, &m), 0);
		CHECK(m.label, killed ? PROCESS_EVENT_EXIT : PROCESS_EVENT_FAULT);
		CHECK(sys_send(EP, &m, IPC_NONBLOCK), -E_AGAIN);
		CHECK(sys_cap_delete(CHILD), 0);
		CHECK(sys_cap_delete(EP), 0);
		CHECK(sys_cap_delete(NOTE), 0);
		CHECK(sys_memory_info(CAP_SLOT_MEMORY, &after), 0);
		CHECK(after.used, before.used);
	}
}

/* ---- a killed thread leaves the queue at once ---- */

static volatile int got[2], got_label[2];
static volatile long got_err[2];

/* Receives once on EP (or SUP for reports) and, for a call, answers. */
static void
queued_receiver(void *arg)
{
	int k = (int)(uintptr_t)arg & 1;
	slot_t ep = ((uintptr_t)arg & 2) ? SUP : EP;
	struct ipc_msg m;

	memset(&m, 0, sizeof(m));
	got_err[k] = sys_recv(ep, &m, 0);
	got_label[k] = (int)m.label;
	if (got_err[k] == 0 && m.label == 78) {
		m.label = 79;
		sys_reply(&m);
	}
	got[k] = 1;
}

static void
start_receivers(int for_reports)
{
	uintptr_t flag = for_reports ? 2 : 0;

	got[0] = got[1] = 0;
	CHECK(thread_start_cap(queued_receiver, (void *)(flag | 0), 2, T_A) > 0, 1);
	CHECK(utest_until_blocked(T_A), 0);
	CHECK(thread_start_cap(queued_receiver, (void *)(flag | 1), 2, T_B) > 0, 1);
	CHECK(utest_until_blocked(T_B), 0);
}

void
killed_receivers(void)
{
	struct ipc_msg m;
	long pid;

	CHECK(sys_endpoint_create(EP), 0);
	CHECK(sys_endpoint_create(SUP), 0);

	/* The only receiver killed: nobody to send to. */
	got[0] = 0;
	CHECK(thread_start_cap(queued_receiver, (void *)0, 2, T_A) > 0, 1);
	CHECK(utest_until_blocked(T_A), 0);
	CHECK(sys_thread_kill(T_A), 0);
	memset(&m, 0, sizeof(m));
	CHECK(sys_send(EP, &m, IPC_NONBLOCK), -E_AGAIN);
	CHECK(sys_cap_delete(T_A), 0);

	/* A then B wait; A is killed: a send reaches B. */
	start_receivers(0);
	CHECK(sys_thread_kill(T_A), 0);
	memset(&m, 0, sizeof(m));
	m.label = 77;
	CHECK(sys_send(EP, &m, IPC_NONBLOCK), 0);
	CHECK(UNTIL(got[1]), 1);
	CHECK(got_err[1], 0);
	CHECK(got_label[1], 77);
	CHECK(got[0], 0);
	CHECK(sys_cap_delete(T_A), 0);
	CHECK(sys_cap_delete(T_B), 0);

	/* The same with a call: B, alive behind A, answers it. */
	start_receivers(0);
	CHECK(sys_thread_kill(T_A), 0);
	memset(&m, 0, sizeof(m));
	m.label = 78;
	CHECK(sys_call(EP, &m, 0), 0);
	CHECK(m.label, 79);
	CHECK(UNTIL(got[1]), 1);
	CHECK(sys_cap_delete(T_A), 0);
	CHECK(sys_cap_delete(T_B), 0);

	/* A child's exit report: A then B wait for it, A is killed, the
	 * child is killed: B gets the report. */
	start_receivers(1);
	CHECK((pid = spawn_held(UT_H_WAIT_FOREVER, UT_IDLE_QUOTA, SUP, 4, NULL, 0, CHILD)) > 0, 1);
	CHECK(sys_thread_kill(T_A), 0);
	CHECK(sys_process_kill(CHILD), 0);
	CHECK(UNTIL(got[1]), 1);
	CHECK(got_err[1], 0);
	CHECK(got_label[1], PROCESS_EVENT_EXIT);
	CHECK(sys_cap_delete(CHILD), 0);
	CHECK(sys_cap_delete(T_A), 0);
	CHECK(sys_cap_delete(T_B), 0);
}

/* Helper: hands the supervisor (slot 1, GRANT) a Thread capability
 * to a second thread, then its main thread ends: that thread is last. */
static void
block_forever(void *arg)
{
	(void)arg;
	wait_forever();
}

int
give_last_thread(void)
{
	struct ipc_msg m;

	if (thread_start_cap(block_forever, NULL, 2, 5) <= 0)
		return 1;
	memset(&m, 0, sizeof(m));
	m.cap = 5;
	if (sys_send(1, &m, 0))
		return 1;
	sys_thread_exit();
}

/* process_kill ends the process at once: the last thread cannot then be
 * killed "alone" into a normal exit. */
void
kill_status(void)
{
	struct process_info info;
	struct ipc_msg m;
	slot_t give = EP;

	CHECK(sys_endpoint_create(SUP), 0);
	CHECK(sys_endpoint_create(EP), 0);
	CHECK(spawn_held(UT_H_GIVE_LAST_THREAD, UT_IDLE_QUOTA, SUP, 5, &give, 1, CHILD) > 0, 1);
	memset(&m, 0, sizeof(m));
	m.cap = T_A;
	CHECK(sys_recv(EP, &m, 0), 0);
	CHECK(m.flags & IPC_MSG_CAP, IPC_MSG_CAP);
	/* process_info: its last thread waits; bad input refused. */
	CHECK(utest_until_all_blocked(CHILD), 0);
	CHECK(sys_process_info(CHILD, &info), 0);
	CHECK(info.ended, 0);
	CHECK(info.threads, 1);
	CHECK(info.blocked, 1);
	CHECK(sys_process_info(0, &info), -E_NOCAP);
	CHECK(sys_process_info(EP, &info), -E_TYPE);
	CHECK(sys_cap_mint(CHILD, NOTE, RIGHT_WRITE, 0), 0);
	CHECK(sys_process_info(NOTE, &info), -E_PERM);
	CHECK(sys_cap_delete(NOTE), 0);
	CHECK(sys_process_info(CHILD, (struct process_info *)KERNEL_TEXT), -E_FAULT);
	CHECK(sys_process_info(CHILD, NULL), -E_FAULT);
	CHECK(sys_process_kill(CHILD), 0);
	CHECK(sys_process_info(CHILD, &info), 0);
	CHECK(info.ended, 1);
	CHECK(sys_thread_kill(T_A), -E_DEAD);
	CHECK(await_report(SUP, &m), 0);
	CHECK(m.label, PROCESS_EVENT_EXIT);
	CHECK((long)m.words[1], -E_DEAD);
	CHECK(sys_cap_delete(T_A), 0);
	CHECK(sys_cap_delete(CHILD), 0);
}

/* ---- deadlines at the top of the range ---- */

static volatile int woke;
static volatile long woke_err;
static volatile uint64_t woke_word;

static void
far_waiter(void *arg)
{
	uint64_t w = 0;

	woke_err = sys_wait_until(arg ? NOTE : CAP_SLOT_NULL, 0xfffffffffffffffeull, &w);
	woke_word = w;
	woke = 1;
}

void
far_deadlines(void)
{
	uint64_t w;

	CHECK(sys_notification_create(NOTE), 0);
	/* A wait: still waiting well after it began, woken by the signal. */
	woke = 0;
	CHECK(thread_start_cap(far_waiter, (void *)1, 2, T_A) > 0, 1);
	CHECK(utest_until_blocked(T_A), 0);
	sys_wait_until(CAP_SLOT_NULL, (uint64_t)sys_clock_ns() + 20 * MS, NULL);
	CHECK(woke, 0);
	CHECK(sys_signal(NOTE, 4), 0);
	CHECK(UNTIL(woke), 1);
	CHECK(woke_err, 0);
	CHECK(woke_word, 4);
	/* The same deadline with a signal already there: at once. */
	CHECK(sys_signal(NOTE, 8), 0);
	CHECK(sys_wait_until(NOTE, 0xfffffffffffffffeull, &w), 0);
	CHECK(w, 8);
	/* A sleep: still asleep, ended only by a kill. */
	woke = 0;
	CHECK(thread_start_cap(far_waiter, NULL, 2, T_B) > 0, 1);
	CHECK(utest_until_blocked(T_B), 0);
	sys_wait_until(CAP_SLOT_NULL, (uint64_t)sys_clock_ns() + 20 * MS, NULL);
	CHECK(woke, 0);
	CHECK(sys_thread_kill(T_B), 0);
	CHECK(sys_cap_delete(T_A), 0);
	CHECK(sys_cap_delete(T_B), 0);
}

/* ---- a receive that fails delivers nothing ---- */

static volatile int sent;

static void
blocked_sender(void *arg)
{
	struct ipc_msg m;

	(void)arg;
	memset(&m, 0, sizeof(m));
	m.label = 66;
	sys_send(EP, &m, 0);
	sent = 1;
}

static volatile int received;
static volatile long received_err;
static struct ipc_msg *recv_buffer;

static void
pinned_receiver(void *arg)
{
	(void)arg;
	received_err = sys_recv(EP, recv_buffer, 0);
	received = 1;
}

void
pinned_receive(void)
{
	struct ipc_msg m;
	uint64_t page, copy_at;

	CHECK(sys_endpoint_create(EP), 0);
	CHECK(sys_map_anonymous(1, MAP_WRITE, &page), 0);

	/* The buffer of a receive in progress cannot go or turn read-only
	 * (another thread could otherwise make the receive fail after it
	 * took the message); the message arrives whole. */
	recv_buffer = (struct ipc_msg *)(uintptr_t)page;
	received = 0;
	CHECK(thread_start_cap(pinned_receiver, NULL, 2, T_A) > 0, 1);
	CHECK(utest_until_blocked(T_A), 0);
	CHECK(sys_vm_unmap(CAP_SLOT_ADDRESS_SPACE, page, 1), -E_BUSY);
	CHECK(sys_vm_protect(CAP_SLOT_ADDRESS_SPACE, page, 1, 0), -E_BUSY);
	/* Nor be copied on write: the copy would take its write permission. */
	copy_at = 0;
	CHECK(sys_vm_copy(CAP_SLOT_ADDRESS_SPACE, page, 1, CAP_SLOT_ADDRESS_SPACE, 0, &copy_at),
	      -E_BUSY);
	CHECK(received, 0);
	memset(&m, 0, sizeof(m));
	m.label = 55;
	CHECK(sys_send(EP, &m, 0), 0);
	CHECK(UNTIL(received), 1);
	CHECK(received_err, 0);
	CHECK(recv_buffer->label, 55);
	/* Done: the page is the process's to unmap again. */
	CHECK(sys_vm_protect(CAP_SLOT_ADDRESS_SPACE, page, 1, 0), 0);
	CHECK(sys_vm_unmap(CAP_SLOT_ADDRESS_SPACE, page, 1), 0);

	/* A receive into a buffer that is gone fails and takes nothing:
	 * the sender still waits, and the next good receive gets it. */
	sent = 0;
	CHECK(thread_start_cap(blocked_sender, NULL, 2, T_B) > 0, 1);
	CHECK(utest_until_blocked(T_B), 0);
	CHECK(sys_recv(EP, (struct ipc_msg *)(uintptr_t)page, 0), -E_FAULT);
	CHECK(sent, 0);
	memset(&m, 0, sizeof(m));
	CHECK(sys_recv(EP, &m, 0), 0);
	CHECK(m.label, 66);
	CHECK(UNTIL(sent), 1);
	CHECK(sys_cap_delete(T_A), 0);
	CHECK(sys_cap_delete(T_B), 0);
}

/* ---- the kernel's entry keeps user memory guarded ---- */

#if defined(__x86_64__)
#define RFLAGS_AC (1ull << 18)

static uint64_t
read_flags(void)
{
	uint64_t f;

	__asm__ volatile("pushfq; popq %0" : "=r"(f));
	return f;
}

static void
write_flags(uint64_t f)
{
	__asm__ volatile("pushq %0; popfq" : : "r"(f) : "cc", "memory");
}
#endif

/* Helpers (aarch64): touch the generic timer from EL0, which
 * CNTKCTL_EL1 forbids; each must fault.  On x86_64 there is nothing to
 * touch: they are never spawned. */
#if defined(__aarch64__)
#define MRS(reg, v) __asm__ volatile("mrs %0, " reg : "=r"(v))
#define MSR(reg, v) __asm__ volatile("msr " reg ", %0" : : "r"(v))
#else
#define MRS(reg, v) (void)(v)
#define MSR(reg, v) (void)(v)
#endif

static int
touched(const char *reg, uint64_t v)
{
	printf("utest: %s reached from EL0 (%lu)\n", reg, v);
	return 1;
}

/* One helper per register: ACCESS is MRS (read) or MSR (write). */
#define TOUCH_HELPER(fn, ACCESS, reg)   \
	int fn(void)                    \
	{                               \
		uint64_t v = 0;         \
                                        \
		ACCESS(reg, v);         \
		return touched(reg, v); \
	}
TOUCH_HELPER(touch_cntv_ctl, MRS, "cntv_ctl_el0")
TOUCH_HELPER(touch_cntv_cval, MSR, "cntv_cval_el0")
TOUCH_HELPER(touch_cntp_ctl, MRS, "cntp_ctl_el0")
TOUCH_HELPER(touch_cntvct, MRS, "cntvct_el0")
TOUCH_HELPER(touch_cntpct, MRS, "cntpct_el0")

/* Spins in user code, with no system call, long enough for interrupts
 * to come (a timer tick is a few milliseconds away at most). */
static void
spin_in_user_code(void)
{
	for (volatile unsigned long spins = 0; spins < 2000000; spins++)
		;
}

/* The kernel's count of guard reads that faulted as they must. */
static uint64_t
guard_checks(void)
{
	struct mem_audit a;

	return sys_memory_audit(&a) == 0 ? a.guard_checks : 0;
}

void
entry_guards(void)
{
	uint64_t before = guard_checks();

	/*
	 * Interrupts taken in user mode: in each the kernel (test mode) reads
	 * our stack without lifting SMAP/PAN, and that read must fault.  On
	 * x86_64 we set AC first (popf), which must not lift SMAP for the
	 * kernel, and find it ours again after.  Until the kernel has done
	 * so at least once: an event, not a time.
	 */
#if defined(__x86_64__)
	CHECK(UNTIL(({
		      write_flags(read_flags() | RFLAGS_AC);
		      spin_in_user_code();
		      CHECK((read_flags() & RFLAGS_AC) != 0, 1);
		      write_flags(read_flags() & ~RFLAGS_AC);
		      guard_checks() > before;
	      })),
	      1);
#else
	struct ipc_msg m;
	static const uint64_t touchers[] = {
		UT_H_TOUCH_CNTV_CTL, UT_H_TOUCH_CNTV_CVAL, UT_H_TOUCH_CNTP_CTL,
		UT_H_TOUCH_CNTVCT,   UT_H_TOUCH_CNTPCT,
	};

	CHECK(UNTIL(({
		      spin_in_user_code();
		      guard_checks() > before;
	      })),
	      1);
	/* EL0 reaches no timer register nor counter (CNTKCTL_EL1). */
	CHECK(sys_endpoint_create(SUP), 0);
	for (unsigned int i = 0; i < sizeof(touchers) / sizeof(touchers[0]); i++) {
		CHECK(spawn_held(touchers[i], UT_IDLE_QUOTA, SUP, i, NULL, 0, CHILD) > 0, 1);
		CHECK(await_report(SUP, &m), 0);
		CHECK_FAULT(&m, FAULT_KIND_PRIVILEGED, 0, 0);
		CHECK(sys_cap_delete(CHILD), 0);
	}
#endif
}
