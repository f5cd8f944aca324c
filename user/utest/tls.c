/*
 * TLS pointers (tls_set): every thread keeps its own through yields,
 * preemption and IPC fastpath switches, whatever another thread does to
 * the register; a new thread and a new process start with none; an
 * address outside user space is -E_FAULT and changes nothing.  Reads go
 * the way compiled TLS accesses go: x86_64 through %fs, aarch64 through
 * TPIDR_EL0.
 */
#include "themelios.h"
#include "utest/utest.h"

#if defined(__x86_64__)
#define USER_END 0x0000800000000000ull /* first non-canonical address */
#else
#define USER_END 0x0001000000000000ull /* beyond what TTBR0 translates */
#endif
#define KERNEL_TEXT	0xffffffff80000000ull

#define THREADS		3 /* this one and two more */
#define YIELDS		200
#define SPIN_SWITCHES	5 /* preemptions each spinning thread must see */
#define NS_PER_S	1000000000ull
#define TAG		0x7150000000000000ull
#define CHILD_TAG	0xc41d000000000000ull
#define SERVER_TAG	0x5e12000000000000ull
#define TLS_QUIT	999
#define SLOT_EP		2
#define SLOT_SUPERVISOR 3
#define SLOT_SERVER	4 /* the server's Process capability, briefly */

/* A TLS block as the ABI lays out its start: a pointer to itself first. */
struct tls_block {
	uint64_t self;
	uint64_t tag;
} __attribute__((aligned(16)));

static struct tls_block blocks[THREADS + 1];

/* Where a TLS pointer of 0 finds it: at its own address. */
#define MARKER 0x6d61726b6572ull
static volatile uint64_t marker = MARKER;

/* The word at offset from this thread's TLS pointer. */
static uint64_t
tls_word(uint64_t offset)
{
	uint64_t v;

#if defined(__x86_64__)
	__asm__ volatile("movq %%fs:(%1), %0" : "=r"(v) : "r"(offset) : "memory");
#else
	v = *(volatile uint64_t *)(tls_pointer() + offset);
#endif
	return v;
}

/* No TLS pointer (aarch64 says so directly; x86_64 cannot read its FS
 * base, so a wrong one reads something else, or faults). */
static int
tls_none(void)
{
#if defined(__aarch64__)
	if (tls_pointer() != 0)
		return 0;
#endif
	return tls_word((uintptr_t)&marker) == MARKER;
}

/* The register nobody's TLS uses is 0 in every thread: x86_64 the user
 * GS base (SWAPGS trades it with the kernel's), aarch64 TPIDRRO_EL0. */
static int
other_register_zero(void)
{
	uint64_t v;

#if defined(__x86_64__)
	__asm__ volatile("movq %%gs:(%1), %0" : "=r"(v) : "r"((uintptr_t)&marker) : "memory");
	return v == MARKER;
#else
	__asm__ volatile("mrs %0, tpidrro_el0" : "=r"(v));
	return v == 0;
#endif
}

static int
tls_is(const struct tls_block *b, uint64_t tag)
{
	return tls_pointer() == (uintptr_t)b && tls_word(8) == tag;
}

static long
tls_take(struct tls_block *b, uint64_t tag)
{
	b->self = (uintptr_t)b;
	b->tag = tag;
	return sys_tls_set((uintptr_t)b);
}

/* What user code may do to its own register: x86_64 a segment load
 * (the flat user data selector, base 0), aarch64 a plain msr. */
static void
tls_clear_by_hand(void)
{
#if defined(__x86_64__)
	__asm__ volatile("movw %%ss, %%ax; movw %%ax, %%fs" : : : "rax", "memory");
#else
	__asm__ volatile("msr tpidr_el0, xzr" : : : "memory");
#endif
}

static void
bad_addresses(void)
{
	static const uint64_t bad[] = {
		USER_END,    USER_END + 8, 0x00ff000000000000ull, 1ull << 63, 0xffff800000000000ull,
		KERNEL_TEXT, ~0ull,
	};

	CHECK(tls_take(&blocks[0], TAG), 0);
	CHECK(tls_is(&blocks[0], TAG), 1);
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(sys_tls_set(bad[i]), -E_FAULT);
		CHECK(tls_is(&blocks[0], TAG), 1); /* unchanged */
	}
	/* The last user address and 0 (none) are fine; nothing reads there. */
	CHECK(sys_tls_set(USER_END - 8), 0);
	CHECK(sys_tls_set(0), 0);
	CHECK(tls_none(), 1);
	CHECK(other_register_zero(), 1);
}

static volatile unsigned int ready, finished, satisfied;
static volatile uint64_t progress[THREADS];
static volatile long wrong[THREADS], seen[THREADS], started_none[THREADS];

static uint64_t
others_progress(unsigned int self)
{
	uint64_t sum = 0;

	for (unsigned int i = 0; i < THREADS; i++)
		if (i != self)
			sum += progress[i];
	return sum;
}

/*
 * Thread i's part: its own TLS block, checked across yields, then across
 * preemption while it spins with no system call (counted: the others
 * moved on between two loads).  It keeps spinning until every thread has
 * seen its share, so the last one still has company.
 */
static void
tls_thread(void *arg)
{
	unsigned int i = (unsigned int)(uintptr_t)arg;
	uint64_t deadline, last;

	if (i != 0) { /* a new thread: none, until it takes its own */
		started_none[i] = tls_none() && other_register_zero();
		if (tls_take(&blocks[i], TAG + i))
			wrong[i]++;
	}
	__atomic_add_fetch(&ready, 1, __ATOMIC_SEQ_CST);
	if (!UNTIL(ready >= THREADS))
		wrong[i]++;
	for (int n = 0; n < YIELDS; n++) {
		if (!tls_is(&blocks[i], TAG + i))
			wrong[i]++;
		sys_yield();
	}
	deadline = (uint64_t)sys_clock_ns() + 20 * NS_PER_S;
	last = others_progress(i);
	for (uint64_t n = 1; satisfied < THREADS; n++) {
		uint64_t now = others_progress(i);

		if (!tls_is(&blocks[i], TAG + i) || !other_register_zero())
			wrong[i]++;
		if (now != last && ++seen[i] == SPIN_SWITCHES)
			__atomic_add_fetch(&satisfied, 1, __ATOMIC_SEQ_CST);
		last = now;
		progress[i]++;
		if (n % 65536 == 0 && (uint64_t)sys_clock_ns() > deadline)
			break; /* reported below as too few switches */
	}
	__atomic_add_fetch(&finished, 1, __ATOMIC_SEQ_CST);
}

static void
threads_keep_their_own(void)
{
	/* Ours first, so a new thread that inherited it would show. */
	CHECK(tls_take(&blocks[0], TAG), 0);
	for (unsigned int i = 1; i < THREADS; i++)
		CHECK(thread_start(tls_thread, (void *)(uintptr_t)i, 2) > 0, 1);
	tls_thread((void *)0);
	CHECK(UNTIL(finished >= THREADS), 1);
	for (unsigned int i = 0; i < THREADS; i++) {
		CHECK(wrong[i], 0);
		CHECK(seen[i] >= SPIN_SWITCHES, 1);
		if (i != 0)
			CHECK(started_none[i], 1);
	}
}

static volatile int changer_ready, changer_done;
static volatile long changer_wrong;

/* Takes the same TLS pointer as the main thread, then clears the
 * register by hand: that must stay its own business. */
static void
tls_changer(void *arg)
{
	(void)arg;
	if (sys_tls_set((uintptr_t)&blocks[0]) || !tls_is(&blocks[0], TAG))
		changer_wrong++;
	tls_clear_by_hand();
	changer_ready = 1;
	for (int n = 0; n < YIELDS; n++) {
		if (!tls_none())
			changer_wrong++;
		sys_yield();
	}
	changer_done = 1;
}

/* The same pointer in both threads' state: only a switch that reads the
 * register back gives us ours (on x86_64 a wrong FS base of 0 faults). */
static void
hand_changes_stay_in_the_thread(void)
{
	long bad = 0;

	CHECK(tls_take(&blocks[0], TAG), 0);
	CHECK(thread_start(tls_changer, NULL, 2) > 0, 1);
	CHECK(UNTIL(changer_ready), 1);
	for (int n = 0; !changer_done && n < 100 * YIELDS; n++) {
		if (!tls_is(&blocks[0], TAG))
			bad++;
		sys_yield();
	}
	CHECK(bad, 0);
	CHECK(changer_done, 1);
	CHECK(changer_wrong, 0);
}

/* A child: none at first, then its own block at the very address of its
 * parent's (the same program), with another tag. */
int
tls_child(void)
{
	int bad = 0;

	if (!tls_none() || !other_register_zero())
		bad++;
	if (tls_take(&blocks[0], CHILD_TAG))
		bad++;
	for (int n = 0; n < YIELDS; n++) {
		if (!tls_is(&blocks[0], CHILD_TAG))
			bad++;
		sys_yield();
	}
	return bad;
}

static void
child_has_its_own(void)
{
	struct ipc_msg m;
	long bad = 0;

	CHECK(tls_take(&blocks[0], TAG), 0);
	CHECK(spawn("utest", UT_H_TLS_CHILD, UT_IDLE_QUOTA, SLOT_SUPERVISOR, 1, NULL, 0) > 0, 1);
	for (int n = 0; n < YIELDS; n++) {
		if (!tls_is(&blocks[0], TAG))
			bad++;
		sys_yield();
	}
	CHECK(bad, 0);
	CHECK(await_report(SLOT_SUPERVISOR, &m), 0);
	CHECK(m.label, PROCESS_EVENT_EXIT);
	CHECK(m.words[1], 0);
}

/* The server of the IPC case: its own TLS at another address than its
 * caller's, sent back with every reply. */
int
tls_server(void)
{
	struct ipc_words w;
	int bad = 0;
	long err;

	if (tls_take(&blocks[1], SERVER_TAG))
		bad++;
	err = ipc_recv_words(SLOT_EP, &w);
	while (!err && w.label != TLS_QUIT) {
		if (!tls_is(&blocks[1], SERVER_TAG))
			bad++;
		w.label++;
		w.w[1] = w.w[0];
		w.w[0] = tls_word(8);
		err = ipc_reply_recv_words(SLOT_EP, &w);
	}
	sys_reply(&(struct ipc_msg){ 0 });
	return err || bad;
}

static void
survives_ipc_fastpath(void)
{
	slot_t caps[2] = { CAP_SLOT_CONSOLE, SLOT_EP };
	struct ipc_words w;
	struct ipc_msg m;
	long bad = 0;

	CHECK(tls_take(&blocks[0], TAG), 0);
	CHECK(sys_endpoint_create(SLOT_EP), 0);
	CHECK(spawn_held(UT_H_TLS_SERVER, UT_IDLE_QUOTA, SLOT_SUPERVISOR, 2, caps, 2, SLOT_SERVER) >
		      0,
	      1);
	/* It waits in its receive: calls take the fastpath. */
	CHECK(utest_until_all_blocked(SLOT_SERVER), 0);
	CHECK(sys_cap_delete(SLOT_SERVER), 0);
	for (uint64_t n = 0; n < 300; n++) {
		w = (struct ipc_words){ .label = 1, .w = { n } };
		if (ipc_call_words(SLOT_EP, &w) || w.label != 2 || w.w[0] != SERVER_TAG ||
		    w.w[1] != n || !tls_is(&blocks[0], TAG))
			bad++;
	}
	CHECK(bad, 0);
	w = (struct ipc_words){ .label = TLS_QUIT };
	CHECK(ipc_call_words(SLOT_EP, &w), 0);
	CHECK(await_report(SLOT_SUPERVISOR, &m), 0);
	CHECK(m.label, PROCESS_EVENT_EXIT);
	CHECK(m.words[1], 0);
}

void
tls_cases(void)
{
	CHECK(sys_endpoint_create(SLOT_SUPERVISOR), 0);
	CHECK(tls_none(), 1); /* a new process starts with none */
	CHECK(other_register_zero(), 1);
	bad_addresses();
	threads_keep_their_own();
	hand_changes_stay_in_the_thread();
	child_has_its_own();
	survives_ipc_fastpath();
}
