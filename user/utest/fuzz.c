/*
 * Random system calls: children that hold their own Memory and
 * AddressSpace, and in pairs share an endpoint, a notification and a
 * Frames object, make thousands of calls with numbers and arguments
 * drawn from a fixed-seed generator (slots, flags, user, kernel and
 * non-canonical addresses, huge lengths).  Whatever a child does to
 * itself or its partner (block for ever, pass capabilities, unmap its
 * own memory), the kernel must answer each call, the supervisor must get
 * both reports (killing children still waiting after a deadline), and
 * every page must come back to the supervisor's pool.
 *
 * Lifecycle races too: each child also holds its partner's CSpace and
 * Process capabilities and its own (slots 4-7), so random calls copy
 * capabilities into a partner that is ending, kill it mid-operation,
 * and copy a CSpace or Process capability into its own process.  After
 * each pair the kernel's memory audit must match the one before it.
 */
#include "lib/format.h"
#include "syscall_numbers.h"
#include "themelios.h"
#include "utest/utest.h"

/* The suite's size; longer runs build with EXTRA_USER_CFLAGS, e.g.
 * -DFUZZ_CHILDREN=50 -DFUZZ_CALLS=20000 (a million calls). */
#ifndef FUZZ_CHILDREN
#define FUZZ_CHILDREN 12
#endif
#ifndef FUZZ_CALLS
#define FUZZ_CALLS 4000 /* per child */
#endif
#define FUZZ_QUOTA   128
#define MS	     1000000ull

#define FUZZ_THREADS 3 /* extra threads per child, at most */
#define FUZZ_STACK   (16 * 1024)

static uint64_t
next_random(uint64_t *seed)
{
	*seed ^= *seed << 13;
	*seed ^= *seed >> 7;
	*seed ^= *seed << 17;
	return *seed;
}

static uint8_t buffer[4096] __attribute__((aligned(4096)));
static uint8_t *thread_stacks; /* FUZZ_THREADS stacks, mapped by the child */
static volatile int threads_started;

/* An argument worth trying: a slot, a flag, a size, an address good or bad. */
static long
fuzz_argument(uint64_t *seed)
{
	static const uint64_t edges[] = {
		0,
		1,
		2,
		3,
		7,
		8,
		16,
		63,
		64,
		65,
		255,
		256,
		4096,
		0x7fffffff,
		0x80000000ull,
		0xffffffffull,
		1ull << 32,
		1ull << 47,
		(1ull << 47) - 4096,
		0x0000800000000000ull,
		0xffff800000000000ull,
		0xffffffff80000000ull,
		~0ull,
		~0ull - 7,
		1ull << 63,
		CAP_SLOT_MEMORY,
		CAP_SLOT_ADDRESS_SPACE,
		IPC_NONBLOCK,
		MAP_WRITE,
		USER_STACK_TOP,
		USER_STACK_TOP - 8,
		UT_MAP_BASE,
		UT_FAULT_ADDR,
	};
	uint64_t r = next_random(seed);

	switch (r % 6) {
	case 0:
		return (long)edges[(r >> 8) % (sizeof(edges) / sizeof(edges[0]))];
	case 1:
		return (long)((r >> 8) % 70); /* a slot, most empty */
	case 2:				      /* somewhere in a mapped buffer */
		return (long)((uintptr_t)buffer + (r >> 8) % sizeof(buffer));
	case 3:
		return (long)((r >> 8) & 0xffff);
	default:
		return (long)next_random(seed);
	}
}

/* Calls that may wait for ever, and the argument that holds their flags. */
static int
flags_argument(long nr)
{
	switch (nr) {
	case SYS_send:
	case SYS_call:
	case SYS_recv:
	case SYS_reply_recv:
		return 2;
	case SYS_wait:
		return 1;
	case SYS_call_words:
	case SYS_recv_words:
	case SYS_reply_recv_words:
	case SYS_wait_until:
		return -2; /* no flags: always may wait */
	default:
		return -1;
	}
}

static void fuzz_thread(uint64_t seed);

/*
 * Random calls with one generator.  Never exit or thread_exit (they
 * would only end the run early).  thread_create always gets a real entry
 * and stack (a thread at a random address would only fault), up to
 * FUZZ_THREADS of them, each fuzzing too, with a random Thread slot, so
 * threads kill, suspend and rewrite each other.  Unless may_block, waits
 * are made non-blocking or skipped.
 */
static void
fuzz_calls(uint64_t *seed, int calls, int may_block)
{
	for (int i = 0; i < calls; i++) {
		long nr = (long)(next_random(seed) % (SYS_COUNT + 4)), a[6];
		int fa = flags_argument(nr);

		if (nr == SYS_exit || nr == SYS_thread_exit)
			continue;
		if (!may_block && fa == -2)
			continue;
		for (int k = 0; k < 6; k++)
			a[k] = fuzz_argument(seed);
		if (!may_block && fa >= 0)
			a[fa] |= IPC_NONBLOCK;
		if (nr == SYS_thread_create) {
			int k = __atomic_fetch_add(&threads_started, 1, __ATOMIC_RELAXED);

			if (k >= FUZZ_THREADS || !thread_stacks)
				continue;
			a[0] = (long)(uintptr_t)fuzz_thread;
			a[1] = (long)(uintptr_t)(thread_stacks + (k + 1) * FUZZ_STACK);
		}
		syscall6(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	}
}

/* A thread's own generator, seeded from its argument (which may be
 * anything); fewer calls, blocking allowed. */
static void
fuzz_thread(uint64_t seed)
{
	seed |= 1;
	fuzz_calls(&seed, FUZZ_CALLS / 4, 1);
	sys_thread_exit();
}

/*
 * A child.  Even children never wait, so they go deep; odd ones may
 * block, and are killed where they wait.  The main thread's return ends
 * the process and every thread still fuzzing.
 */
int
fuzz_child(uint64_t n)
{
	uint64_t seed = 0x9e3779b97f4a7c15ull * (n + 1), stacks = 0;

	/* Mapped, not static: every other utest process would pay for them. */
	if (sys_map_anonymous(FUZZ_THREADS * FUZZ_STACK / 4096, MAP_WRITE, &stacks) == 0)
		thread_stacks = (uint8_t *)(uintptr_t)stacks;
	fuzz_calls(&seed, FUZZ_CALLS, (int)(n % 2));
	return 0;
}

/* Spawns fuzz child n with the shared objects in its slots 1-3 and its
 * Process capability in proc; its pid, or an error. */
static long
spawn_fuzzer(uint64_t n, slot_t sup, slot_t proc, const slot_t *shared)
{
	/* The argument names the child's seed as well as its role. */
	struct spawn_args a = {
		.name = "utest",
		.name_len = 5,
		.memory = CAP_SLOT_SCRATCH,
		.arg = UT_H_FUZZ_FIRST + n,
		.supervisor = sup,
		.supervisor_badge = n,
		.process_slot = proc,
		.ncaps = 3,
		.caps = { shared[0], shared[1], shared[2] },
	};
	long pid;

	CHECK(sys_memory_split(CAP_SLOT_MEMORY, CAP_SLOT_SCRATCH, FUZZ_QUOTA), 0);
	pid = sys_spawn(&a);
	sys_cap_delete(CAP_SLOT_SCRATCH); /* the child holds its pool */
	return pid;
}

/* The lifecycle capabilities of each child (see the top): a grant may
 * find its target already ended (-E_DEAD), which is a race it may win. */
static void
grant_lifecycle_caps(const slot_t procs[2], slot_t cspaces)
{
	for (int k = 0; k < 2; k++) {
		long err = sys_process_parts(procs[k], cspaces + (slot_t)k, 0);

		CHECK(err == 0 || err == -E_DEAD, 1);
	}
	for (int k = 0; k < 2; k++) {
		const slot_t give[4] = { cspaces + (slot_t)(1 - k), procs[1 - k],
					 cspaces + (slot_t)k, procs[k] };

		for (int j = 0; j < 4; j++) {
			long err = sys_process_grant(procs[k], give[j], 4 + (slot_t)j);

			CHECK(err == 0 || err == -E_DEAD || err == -E_NOCAP || err == -E_EXIST, 1);
		}
	}
	for (int k = 0; k < 2; k++)
		sys_cap_delete(cspaces + (slot_t)k); /* -E_NOCAP if never made */
}

/*
 * Children run in pairs that share an endpoint (with GRANT: capabilities
 * fly between them), a notification and a Frames object, so their random
 * calls meet in the kernel.  Both reports must come (children still
 * waiting after a deadline are killed), then every page is back.
 */
void
fuzz_syscalls(void)
{
	slot_t sup = 20, procs[2] = { 21, 22 }, shared[3] = { 23, 24, 25 }, cspaces = 26;
	struct memory_info before, after;
	struct mem_audit audit_before, audit_after;
	int exited = 0, faulted = 0, killed = 0, ended_killed = 0, ended_other = 0;
	uint64_t calls = 0;
	struct ipc_msg m;

	CHECK(sys_endpoint_create(sup), 0);
	CHECK(sys_memory_info(CAP_SLOT_MEMORY, &before), 0);
	for (int pair = 0; pair < FUZZ_CHILDREN / 2; pair++) {
		uint64_t deadline = (uint64_t)sys_clock_ns() + 3000 * MS;
		long pids[2];
		int reported = 0;
		char what[32];

		CHECK(sys_memory_audit(&audit_before), 0);
		CHECK(sys_endpoint_create(shared[0]), 0);
		CHECK(sys_notification_create(shared[1]), 0);
		CHECK(sys_frames_create(2, shared[2]), 0);
		for (int k = 0; k < 2; k++)
			CHECK((pids[k] = spawn_fuzzer((uint64_t)(2 * pair + k), sup, procs[k],
						      shared)) > 0,
			      1);
		grant_lifecycle_caps(procs, cspaces);
		/* Ours go: the children hold the only ones left. */
		for (int k = 0; k < 3; k++)
			CHECK(sys_cap_delete(shared[k]), 0);
		while (reported < 2) {
			long err;

			memset(&m, 0, sizeof(m));
			err = sys_recv(sup, &m, IPC_NONBLOCK);
			if (err == 0) {
				int k = (int)(m.badge - 2 * (uint64_t)pair);

				CHECK(k == 0 || k == 1, 1);
				CHECK(m.words[0], pids[k & 1]);
				if (m.label == PROCESS_EVENT_FAULT)
					faulted++;
				else if (m.words[1] == 0)
					exited++;
				else if ((long)m.words[1] == -E_DEAD)
					ended_killed++;
				else
					ended_other++;
				reported++;
			} else if ((uint64_t)sys_clock_ns() >= deadline) {
				/* Whoever is still waiting: end it (-E_DEAD if done). */
				for (int k = 0; k < 2; k++)
					if (sys_process_kill(procs[k]) == 0)
						killed++;
				deadline = ~0ull;
			} else {
				sys_wait_until(CAP_SLOT_NULL, (uint64_t)sys_clock_ns() + 5 * MS,
					       NULL);
			}
		}
		/* With both reports received and no Process capability left,
		 * every page the children and their objects used is back. */
		for (int k = 0; k < 2; k++)
			CHECK(sys_cap_delete(procs[k]), 0);
		CHECK(sys_memory_info(CAP_SLOT_MEMORY, &after), 0);
		CHECK(after.used, before.used);
		CHECK(sys_memory_audit(&audit_after), 0);
		calls += audit_after.syscalls - audit_before.syscalls;
		fmt_snprintf(what, sizeof(what), "fuzz pair %d", pair);
		CHECK(audit_compare(&audit_before, &audit_after, what), 0);
	}
	printf("utest: fuzz: %d children x up to %d calls: %lu system calls in the rounds, %d "
	       "finished, "
	       "%d faulted, %d killed (%d by the supervisor after the deadline, the rest by "
	       "themselves or their partner), %d ended otherwise; memory audited after each of "
	       "%d pairs\n",
	       FUZZ_CHILDREN, FUZZ_CALLS, (unsigned long)calls, exited, faulted, ended_killed,
	       killed, ended_other, FUZZ_CHILDREN / 2);
}
