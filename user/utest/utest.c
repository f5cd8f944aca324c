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
spawn_with_process_cap(uint64_t id, slot_t pslot)
{
	struct spawn_args sa;

	memset(&sa, 0, sizeof(sa));
	if (sys_memory_split(CAP_SLOT_MEMORY, 20, 64))
		return -E_NOMEM;
	sa.name = "utest";
	sa.name_len = 5;
	sa.memory = 20;
	sa.arg = id;
	sa.supervisor = 3;
	sa.supervisor_badge = id;
	sa.process_slot = pslot;
	sa.ncaps = 2;
	sa.caps[0] = 1;
	sa.caps[1] = 2;
	id = (uint64_t)sys_spawn(&sa);
	sys_cap_delete(20);
	return (long)id;
}

uint64_t
pool_used(void)
{
	struct memory_info mi;

	sys_memory_info(CAP_SLOT_MEMORY, &mi);
	return mi.used;
}

/* The names stay in init: every page of this program is paid for by
 * each of the many processes that run it. */
#define CASE_ENTRY(id, fn, name, devices, expect, ...)	[id] = { fn, expect },
static const struct {
	void (*fn)(void);
	int expect;
} cases[UT_CASES_END] = { UTEST_CASES(CASE_ENTRY) };

#define HELPER_ENTRY(id, fn)	[id - UT_H_FIRST] = fn,
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
