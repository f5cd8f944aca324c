/*
 * One adversarial test case per process: the argument is the case's or
 * helper's id (cases.list).  A case that checks answers exits with the
 * number of wrong ones, each printed; a case that attacks must never
 * get past its attack (init checks the fault it ends with).  The cases
 * themselves live in the other files here, one subject each.
 */
#include "themelios.h"
#include "utest/utest.h"

int utest_failures;
struct ipc_msg utest_msg;

void
utest_check(const char *file, int line, const char *what, long got, long want)
{
	if (got == want)
		return;
	utest_failures++;
	printf("utest: %s line %d: %s = %ld (%s), want %ld (%s)\n", file, line, what, got,
	       got < 0 ? strerror(got) : "", want, want < 0 ? strerror(want) : "");
}

void
utest_check_fault(const char *file, int line, const struct ipc_msg *m, uint32_t kind,
		  uint32_t access, uint64_t addr)
{
	struct fault_report fr;

	utest_check(file, line, "report label", (long)m->label, PROCESS_EVENT_FAULT);
	utest_check(file, line, "report status", (long)m->words[1], -E_FAULT);
	utest_check(file, line, "report address", (long)m->words[2], (long)addr);
	utest_check(file, line, "report length", m->len, sizeof(fr));
	memcpy(&fr, m->data, sizeof(fr));
	utest_check(file, line, "fault kind", fr.kind, kind);
	utest_check(file, line, "fault access", fr.access, access);
}

/* Waits for one report on the supervisor endpoint, for 60 s at most: a
 * child that never came (a failed spawn) fails the case, not hangs it. */
long
await_report(slot_t sup, struct ipc_msg *m)
{
	uint64_t deadline = (uint64_t)sys_clock_ns() + 60000000000ull;
	long err;

	do {
		memset(m, 0, sizeof(*m));
		err = sys_recv(sup, m, IPC_NONBLOCK);
		if (err == -E_AGAIN)
			sys_wait_until(CAP_SLOT_NULL, (uint64_t)sys_clock_ns() + 1000000, NULL);
	} while (err == -E_AGAIN && (uint64_t)sys_clock_ns() < deadline);
	return err == -E_AGAIN ? -E_TIMEOUT : err;
}

long
spawn_held(uint64_t id, uint64_t quota, slot_t sup, uint64_t badge, const slot_t *caps,
	   unsigned int ncaps, slot_t pslot)
{
	struct spawn_args sa;
	long pid;

	memset(&sa, 0, sizeof(sa));
	if (ncaps > SPAWN_CAPS_MAX)
		return -E_RANGE;
	if (sys_memory_split(CAP_SLOT_MEMORY, CAP_SLOT_SCRATCH, quota))
		return -E_NOMEM;
	sa.name = "utest";
	sa.name_len = 5;
	sa.memory = CAP_SLOT_SCRATCH;
	sa.arg = id;
	sa.supervisor = sup;
	sa.supervisor_badge = badge;
	sa.process_slot = pslot;
	sa.ncaps = ncaps;
	for (unsigned int i = 0; i < ncaps; i++)
		sa.caps[i] = caps[i];
	pid = sys_spawn(&sa);
	sys_cap_delete(CAP_SLOT_SCRATCH); /* the child holds its pool */
	return pid;
}

long
spawn_with_process_cap(uint64_t id, slot_t pslot)
{
	const slot_t caps[2] = { 1, 2 };

	return spawn_held(id, UT_IDLE_QUOTA, 3, id, caps, 2, pslot);
}

long
utest_until_all_blocked(slot_t proc)
{
	struct process_info info;
	long err = 0;

	if (UNTIL((err = sys_process_info(proc, &info)) != 0 ||
		  (info.threads > 0 && info.blocked == info.threads)))
		return err;
	return -E_TIMEOUT;
}

uint64_t
pool_used_of(slot_t pool)
{
	struct memory_info mi;

	if (sys_memory_info(pool, &mi))
		return ~0ull;
	return mi.used;
}

uint64_t
pool_used(void)
{
	return pool_used_of(CAP_SLOT_MEMORY);
}

/* The names stay in init: every page of this program is paid for by
 * each of the many processes that run it. */
#define CASE_ENTRY(id, fn, name, devices, expect, ...) [id] = { fn, expect },
static const struct {
	void (*fn)(void);
	int expect;
} cases[UT_CASES_END] = { UTEST_CASES(CASE_ENTRY) };

#define HELPER_ENTRY(id, fn) [id - UT_H_FIRST] = fn,
static int (*const helpers[UT_IDS_END - UT_H_FIRST])(void) = { UTEST_HELPERS(HELPER_ENTRY) };

int
main(uint64_t arg)
{
	if (arg >= UT_H_FUZZ_FIRST && arg < UT_H_FUZZ_FIRST + 1000)
		return fuzz_child(arg - UT_H_FUZZ_FIRST);
	if (arg >= UT_H_FIRST && arg < UT_IDS_END)
		return helpers[arg - UT_H_FIRST]();
	if (arg == 0 || arg >= UT_CASES_END)
		return 99;
	cases[arg].fn();
	if (cases[arg].expect == UTEST_FAULT) {
		printf("utest: case %lu did not fault\n", arg);
		return 1;
	}
	return utest_failures;
}

/* Suspended, a thread inside a system call cannot give its registers
 * (-E_AGAIN): that is the sign it is blocked there. */
long
utest_until_blocked(slot_t t)
{
	uint64_t deadline = (uint64_t)sys_clock_ns() + UTEST_PATIENCE_NS;
	struct thread_regs r;

	do {
		long err = sys_thread_suspend(t);

		if (err)
			return err;
		err = sys_thread_read_regs(t, &r);
		sys_thread_resume(t);
		if (err == -E_AGAIN)
			return 0;
		sys_yield();
	} while ((uint64_t)sys_clock_ns() < deadline);
	return -E_TIMEOUT;
}
