/*
 * Random system calls: children with no capability but their own Memory
 * and AddressSpace make thousands of calls with numbers and arguments
 * drawn from a fixed-seed generator (slots, flags, user, kernel and
 * non-canonical addresses, huge lengths).  Whatever a child does to
 * itself (it may block for ever, unmap its own code, suspend itself),
 * the kernel must answer each call, the supervisor must get a report
 * (killing children that block past a deadline), and every page must
 * come back to the supervisor's pool.
 */
#include "syscall_numbers.h"
#include "themelios.h"
#include "utest/utest.h"

#define FUZZ_CHILDREN	12
#define FUZZ_CALLS	4000		/* per child */
#define FUZZ_QUOTA	96
#define MS		1000000ull

static uint64_t seed;

static uint64_t
next_random(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return seed;
}

static uint8_t buffer[4096] __attribute__((aligned(4096)));

/* An argument worth trying: a slot, a flag, a size, an address good or bad. */
static long
fuzz_argument(void)
{
	static const uint64_t edges[] = {
		0, 1, 2, 3, 7, 8, 16, 63, 64, 65, 255, 256, 4096, 0x7fffffff, 0x80000000ull,
		0xffffffffull, 1ull << 32, 1ull << 47, (1ull << 47) - 4096, 0x0000800000000000ull,
		0xffff800000000000ull, 0xffffffff80000000ull, ~0ull, ~0ull - 7, 1ull << 63,
		CAP_SLOT_MEMORY, CAP_SLOT_ADDRESS_SPACE, IPC_NONBLOCK, MAP_WRITE,
		USER_STACK_TOP, USER_STACK_TOP - 8, UT_MAP_BASE, UT_FAULT_ADDR,
	};
	uint64_t r = next_random();

	switch (r % 6) {
	case 0:
		return (long)edges[(r >> 8) % (sizeof(edges) / sizeof(edges[0]))];
	case 1:
		return (long)((r >> 8) % 70);			/* a slot, most empty */
	case 2:					/* somewhere in a mapped buffer */
		return (long)((uintptr_t)buffer + (r >> 8) % sizeof(buffer));
	case 3:
		return (long)((r >> 8) & 0xffff);
	default:
		return (long)next_random();
	}
}

/* Calls that may wait for ever, and the argument that holds their flags. */
static int
flags_argument(long nr)
{
	switch (nr) {
	case SYS_send: case SYS_call: case SYS_recv: case SYS_reply_recv:
		return 2;
	case SYS_wait:
		return 1;
	case SYS_call_words: case SYS_recv_words: case SYS_reply_recv_words:
	case SYS_wait_until:
		return -2;	/* no flags: always may wait */
	default:
		return -1;
	}
}

/*
 * A child: random calls, never exit, thread_exit or thread_create (a
 * thread at a random address only faults, ending the run early).  Even
 * children never wait (their waits are made non-blocking or skipped), so
 * they go deep; odd ones may block, and are killed where they wait.
 */
int
fuzz_child(uint64_t n)
{
	int may_block = n % 2;

	seed = 0x9e3779b97f4a7c15ull * (n + 1);
	for (int i = 0; i < FUZZ_CALLS; i++) {
		long nr = (long)(next_random() % (SYS_COUNT + 4)), a[6];
		int fa = flags_argument(nr);

		if (nr == SYS_exit || nr == SYS_thread_exit || nr == SYS_thread_create)
			continue;
		if (!may_block && fa == -2)
			continue;
		for (int k = 0; k < 6; k++)
			a[k] = fuzz_argument();
		if (!may_block && fa >= 0)
			a[fa] |= IPC_NONBLOCK;
		syscall6(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	}
	return 0;
}

/* Waits for the child's report until the deadline, then kills it. */
static int
report_or_kill(slot_t sup, slot_t proc, struct ipc_msg *m, int *killed)
{
	uint64_t deadline = (uint64_t)sys_clock_ns() + 3000 * MS;
	long err;

	for (;;) {
		memset(m, 0, sizeof(*m));
		err = sys_recv(sup, m, IPC_NONBLOCK);
		if (err != -E_AGAIN)
			return (int)err;
		if ((uint64_t)sys_clock_ns() >= deadline)
			break;
		sys_wait_until(CAP_SLOT_NULL, (uint64_t)sys_clock_ns() + 5 * MS, NULL);
	}
	(*killed)++;
	CHECK(sys_process_kill(proc), 0);
	memset(m, 0, sizeof(*m));
	return (int)sys_recv(sup, m, 0);
}

void
fuzz_syscalls(void)
{
	slot_t sup = 20, proc = 21;
	struct memory_info before, after;
	int exited = 0, faulted = 0, killed = 0;
	struct ipc_msg m;

	CHECK(sys_endpoint_create(sup), 0);
	CHECK(sys_memory_info(CAP_SLOT_MEMORY, &before), 0);
	for (int i = 0; i < FUZZ_CHILDREN; i++) {
		/* The argument names the child's seed as well as its role. */
		struct spawn_args a = {
			.name = "utest", .name_len = 5, .memory = CAP_SLOT_SCRATCH,
			.arg = UT_H_FUZZ_FIRST + (uint64_t)i, .supervisor = sup,
			.supervisor_badge = (uint64_t)i, .process_slot = proc,
		};
		long pid;

		CHECK(sys_memory_split(CAP_SLOT_MEMORY, CAP_SLOT_SCRATCH, FUZZ_QUOTA), 0);
		pid = sys_spawn(&a);
		sys_cap_delete(CAP_SLOT_SCRATCH);	/* the child holds its pool */
		CHECK(pid > 0, 1);
		if (pid <= 0)
			continue;
		CHECK(report_or_kill(sup, proc, &m, &killed), 0);
		CHECK(m.badge, i);
		CHECK(m.words[0], pid);
		if (m.label == PROCESS_EVENT_FAULT)
			faulted++;
		else if (m.label == PROCESS_EVENT_EXIT && m.words[1] == 0)
			exited++;
		/* With the report received and the Process capability gone,
		 * every page the child and its objects used is back. */
		CHECK(sys_cap_delete(proc), 0);
		CHECK(sys_memory_info(CAP_SLOT_MEMORY, &after), 0);
		CHECK(after.used, before.used);
	}
	printf("utest: fuzz: %d children x %d calls: %d finished, %d faulted, %d killed "
	       "blocked\n", FUZZ_CHILDREN, FUZZ_CALLS, exited, faulted, killed);
}
