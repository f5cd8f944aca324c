/*
 * The adversarial suite (the spirit of xv6's usertests and sel4test):
 * every case of user/utest/cases.list runs as its own process
 * (user/utest), with the console and nothing else; init is its
 * supervisor and checks how it ended: an exit with status 0, or, for the
 * cases that attack, a fault of the kind and at the address the list
 * states, while the kernel and every other process carry on.
 */
#include "themelios.h"
#include "echo/echo.h"
#include "init/init.h"
#include "utest/utest.h"

/* Every case, from user/utest/cases.list (utest_cases.h). */
#define CASE_ENTRY(id_, fn, name_, devices_, expect_, kind_, access_, lo_, hi_) \
	{ .id = id_,                                                            \
	  .name = name_,                                                        \
	  .devices = devices_,                                                  \
	  .expect = expect_,                                                    \
	  .kind = kind_,                                                        \
	  .access = access_,                                                    \
	  .lo = lo_,                                                            \
	  .hi = hi_ },
static const struct suite_case {
	uint64_t id;
	const char *name;
	int devices; /* slot 2 gets init's device control (1), root Directory (2) or Network (3) */
	int expect;  /* UTEST_EXIT or UTEST_FAULT */
	uint32_t kind; /* a fault's FAULT_KIND_* and FAULT_ACCESS_* bits, */
	uint32_t access;
	uint64_t lo, hi; /* and its address, in [lo, hi) */
} cases[] = { UTEST_CASES(CASE_ENTRY) };

_Static_assert(sizeof(cases) / sizeof(cases[0]) == UTEST_CASE_COUNT, "one entry per case");

static const char *const kind_names[] = {
	[FAULT_KIND_OTHER] = "other",
	[FAULT_KIND_MEMORY] = "memory",
	[FAULT_KIND_INSTRUCTION] = "instruction",
	[FAULT_KIND_PRIVILEGED] = "privileged",
	[FAULT_KIND_ALIGNMENT] = "alignment",
	[FAULT_KIND_ARITHMETIC] = "arithmetic",
	[FAULT_KIND_BREAKPOINT] = "breakpoint",
};

/* "memory write protection at 0x..." or "privileged", as cases.list
 * puts it. */
static void
print_fault(uint32_t kind, uint32_t access, uint64_t addr)
{
	printf("%s", kind < sizeof(kind_names) / sizeof(kind_names[0]) ? kind_names[kind] : "?");
	if (kind != FAULT_KIND_MEMORY)
		return;
	printf(" %s %s at 0x%lx",
	       access & FAULT_ACCESS_EXEC    ? "exec"
	       : access & FAULT_ACCESS_WRITE ? "write"
					     : "read",
	       access & FAULT_ACCESS_PRESENT ? "protection" : "unmapped", addr);
}

/* Did the report m (already known to be c's) end c as cases.list says? */
static int
ended_as_expected(const struct suite_case *c, const struct ipc_msg *m)
{
	struct fault_report fr;

	if (c->expect == UTEST_EXIT)
		return m->label == PROCESS_EVENT_EXIT && m->words[1] == 0;
	if (m->label != PROCESS_EVENT_FAULT || m->words[1] != (uint64_t)-E_FAULT ||
	    m->len != sizeof(fr))
		return 0;
	memcpy(&fr, m->data, sizeof(fr));
	return fr.kind == c->kind && fr.access == c->access && m->words[2] >= c->lo &&
	       m->words[2] < c->hi;
}

/* How it did end, after "FAILED (". */
static void
print_ending(const struct ipc_msg *m)
{
	struct fault_report fr;

	if (m->label != PROCESS_EVENT_FAULT || m->len != sizeof(fr)) {
		printf("%s, status %ld", m->label == PROCESS_EVENT_FAULT ? "faulted" : "exited",
		       (long)m->words[1]);
		return;
	}
	memcpy(&fr, m->data, sizeof(fr));
	printf("faulted: ");
	print_fault(fr.kind, fr.access, m->words[2]);
}

/* The echo exchange of a normal boot, checked. */
static int
echo_exchange(void)
{
	slot_t caps[2] = { CAP_SLOT_CONSOLE, SLOT_ECHO_EP };
	struct ipc_msg m;
	long pid, err;

	pid = spawn("echo", 0, 64, SLOT_SUPERVISOR, 1000, caps, 2);
	if (pid < 0)
		return printf("utest: echo: spawn: %s\n", strerror(pid)), 1;
	if ((err = sys_cap_mint(SLOT_ECHO_EP, SLOT_ECHO_CLIENT, RIGHT_WRITE | RIGHT_GRANT, 7)))
		return printf("utest: echo: mint: %s\n", strerror(err)), 1;
	memset(&m, 0, sizeof(m));
	m.len = 5;
	memcpy(m.data, "hello", 5);
	m.cap = CAP_SLOT_CONSOLE;
	err = sys_call(SLOT_ECHO_CLIENT, &m, 0);
	printf("init: echo replied '%.*s' (badge %lu, capability type %lu)\n", (int)m.len,
	       (const char *)m.data, m.words[0], m.words[1]);
	if (err || memcmp(m.data, "HELLO", 5) || m.words[0] != 7 || m.words[1] != OBJ_CONSOLE)
		return 1;
	memset(&m, 0, sizeof(m));
	m.label = ECHO_QUIT;
	if ((err = sys_call(SLOT_ECHO_CLIENT, &m, 0)))
		return 1;
	memset(&m, 0, sizeof(m));
	if ((err = sys_recv(SLOT_SUPERVISOR, &m, 0)) || m.label != PROCESS_EVENT_EXIT ||
	    m.badge != 1000 || m.words[0] != (uint64_t)pid || m.words[1] != 0)
		return 1;
	sys_cap_delete(SLOT_ECHO_CLIENT);
	return 0;
}

int
run_tests(void)
{
	unsigned int passed = 0, failed = 0;
	slot_t caps[2] = { CAP_SLOT_CONSOLE, CAP_SLOT_INIT_DEVICES };
	int echo_failed = echo_exchange() != 0;
	struct mem_audit before, after;
	long audit_err = sys_memory_audit(&before);

	printf("utest: echo exchange: %s\n", echo_failed ? "FAILED" : "ok");
	printf("utest: %d cases\n", UTEST_CASE_COUNT);
	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct suite_case *c = &cases[i];
		struct ipc_msg m;
		long pid, err;

		caps[1] = c->devices == 3   ? CAP_SLOT_NETWORK
			  : c->devices == 2 ? CAP_SLOT_ROOT_DIR
					    : CAP_SLOT_INIT_DEVICES;
		pid = spawn("utest", c->id, UTEST_QUOTA, SLOT_SUPERVISOR, c->id, caps,
			    c->devices ? 2 : 1);
		if (pid < 0) {
			printf("utest: %s: FAILED (spawn: %s)\n", c->name, strerror(pid));
			failed++;
			continue;
		}
		memset(&m, 0, sizeof(m));
		err = sys_recv(SLOT_SUPERVISOR, &m, 0);
		if (err || m.badge != c->id || m.words[0] != (uint64_t)pid) {
			printf("utest: %s: FAILED (report: %s, badge %lu)\n", c->name,
			       strerror(err), m.badge);
			failed++;
			continue;
		}
		/* The case and its children have ended and been freed (the
		 * report waits for that): the machine must be as it was. */
		if (!audit_err)
			audit_err = sys_memory_audit(&after);
		if (audit_err) {
			printf("utest: %s: FAILED (memory audit: %s)\n", c->name,
			       strerror(audit_err));
			failed++;
			continue;
		}
		if (audit_compare(&before, &after, c->name)) {
			printf("utest: %s: FAILED (memory audit: something stayed behind)\n",
			       c->name);
			failed++;
			before = after;
			continue;
		}
		if (ended_as_expected(c, &m)) {
			printf("utest: %s: ok", c->name);
			if (c->expect == UTEST_FAULT) {
				printf(" (pid %ld: ", pid);
				print_fault(c->kind, c->access, m.words[2]);
				printf(")");
			}
			printf("\n");
			passed++;
		} else {
			printf("utest: %s: FAILED (", c->name);
			print_ending(&m);
			if (c->expect == UTEST_FAULT) {
				printf("; want ");
				print_fault(c->kind, c->access, c->lo);
			}
			printf(")\n");
			failed++;
		}
	}
	if (!audit_err) {
		printf("utest: memory audit after each of %d cases\n", UTEST_CASE_COUNT);
		/* Interrupts taken in user mode in which the kernel checked
		 * that SMAP/PAN still guard user memory (test mode). */
		printf("utest: %lu kernel reads of user memory in interrupts faulted, as they "
		       "must\n",
		       (unsigned long)after.guard_checks);
	}
	printf("utest: %u passed, %u failed\n", passed, failed);
	return failed || echo_failed ? 1 : 0;
}
