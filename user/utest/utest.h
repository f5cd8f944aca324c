/*
 * The adversarial suite (user/utest), run one case per process by init
 * (user/init/tests.c).  Every case and helper is declared once, in
 * user/utest/cases.list; utest_cases.h is generated from it.
 */
#ifndef USER_UTEST_H
#define USER_UTEST_H

#include "utest_cases.h"

/* What a case's process must do: exit 0, or fault as cases.list says. */
#define UTEST_EXIT			0
#define UTEST_FAULT			1

/* Every case and helper function, declared from the list. */
#define UTEST_DECLARE_CASE(id, fn, ...) void fn(void);
#define UTEST_DECLARE_HELPER(id, fn)	int fn(void);
UTEST_CASES(UTEST_DECLARE_CASE)
UTEST_HELPERS(UTEST_DECLARE_HELPER)

/* Random system calls (fuzz.c): its children are UT_H_FUZZ_FIRST + n. */
#define UT_H_FUZZ_FIRST 1000
_Static_assert(UT_IDS_END <= UT_H_FUZZ_FIRST, "utest ids run into the fuzz children's");
int fuzz_child(uint64_t n);

#define UTEST_QUOTA   512 /* pages per case */
/* Pages for a utest child: its program (every case and helper is in it,
 * so it grows with the suite: some 40 pages on x86_64 now), stack, page
 * tables and kernel structures, a thread or two, and a few to spare.
 * Every helper that needs no quota of its own is spawned with this. */
#define UT_IDLE_QUOTA 96

/* Places the cases attack, and their faults name. */
#define KERNEL_TEXT   0xffffffff80000000ull /* both arches link the kernel here */
#define UNMAPPED      0x40000000ull
/* Kernel memory that is mapped, for the kernel only: the direct map's
 * alias of the kernel image (x86_64: loaded at 1 MiB; aarch64: the
 * start of RAM on QEMU virt).  Reads, writes and jumps there are
 * protection faults, not holes. */
#if defined(__x86_64__)
#define UT_KERNEL_MEMORY 0xffff800000100000ull
#else
#define UT_KERNEL_MEMORY 0xffff000040000000ull
#endif
#define UT_FAULT_ADDR	0x40000123ull
#define UT_TEXT_BASE	0x400000ull   /* a program's first code (user.ld) */
#define UT_MAP_BASE	0x10000000ull /* a fresh process's first mapping */
#define UT_STACK_BOTTOM (USER_STACK_TOP - USER_STACK_PAGES * 4096ull)
/* The lowest page of the guard below the stack reserve. */
#define UT_STACK_GUARD	(UT_STACK_BOTTOM - USER_STACK_GUARD_PAGES * 4096ull)

/* The label that ends a words_server or words_saver. */
#define WORDS_QUIT	999

/* A case's checks: each wrong answer is printed and counted; the case
 * exits with the count. */
extern int utest_failures;
void utest_check(const char *file, int line, const char *what, long got, long want);
#define CHECK(expr, want) utest_check(__FILE__, __LINE__, #expr, (long)(expr), (long)(want))

/* A message buffer for any case or helper (each runs alone in its
 * process). */
extern struct ipc_msg utest_msg;

/* One report on the supervisor endpoint sup, or -E_TIMEOUT after 60 s. */
long await_report(slot_t sup, struct ipc_msg *m);

/* Checks that report m is a fault (status -E_FAULT) of that kind and
 * access (FAULT_ACCESS_* bits, 0 but for memory) at addr. */
void utest_check_fault(const char *file, int line, const struct ipc_msg *m, uint32_t kind,
		       uint32_t access, uint64_t addr);
#define CHECK_FAULT(m, kind, access, addr) \
	utest_check_fault(__FILE__, __LINE__, m, kind, access, addr)

/* Spawns helper id with quota pages and caps copied to its slots 1..,
 * reporting to sup with badge, its Process capability in pslot; its
 * pid or an error.  spawn_with_process_cap: the console and slot 2,
 * reporting to slot 3 with badge id. */
long spawn_held(uint64_t id, uint64_t quota, slot_t sup, uint64_t badge, const slot_t *caps,
		unsigned int ncaps, slot_t pslot);
long spawn_with_process_cap(uint64_t id, slot_t pslot);

/* Until every thread of the process in slot proc waits in a system call
 * (process_info): 0, -E_TIMEOUT, or process_info's error. */
long utest_until_all_blocked(slot_t proc);

/* Spawns fn(arg) in the clone in slot as_slot (a clone of our address
 * space), paid by pool, reporting to slot 3; its pid or an error.
 * child_stack: a fresh 4-page stack for such a child (its top), or 0. */
long spawn_in_clone(slot_t as_slot, slot_t pool, void (*fn)(uint64_t), uint64_t arg,
		    uint64_t stack);
uint64_t child_stack(void);

/* Pages charged to our own Memory now; to the Memory at pool (~0 when
 * pool is none). */
uint64_t pool_used(void);
uint64_t pool_used_of(slot_t pool);

/*
 * Waiting for an event another thread or process brings about: on any
 * machine, loaded or with more CPUs, the event decides, not a count of
 * yields.  UNTIL(cond) yields until cond holds, for UTEST_PATIENCE_NS at
 * most (a case that would wait for ever fails instead), and gives cond.
 */
#define UTEST_PATIENCE_NS 10000000000ull
#define UNTIL(cond)                                                                      \
	({                                                                               \
		uint64_t until_deadline_ = (uint64_t)sys_clock_ns() + UTEST_PATIENCE_NS; \
		while (!(cond) && (uint64_t)sys_clock_ns() < until_deadline_)            \
			sys_yield();                                                     \
		(cond);                                                                  \
	})

/* Until the thread in slot t runs no user code and sits in a system
 * call (blocked in recv, call, wait...): 0, or -E_TIMEOUT, or the
 * error of thread_suspend (-E_DEAD...).  The thread goes on after. */
long utest_until_blocked(slot_t t);

#endif
