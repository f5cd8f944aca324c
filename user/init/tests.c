/*
 * The adversarial suite (the spirit of xv6's usertests and sel4test):
 * every case runs as its own process (user/utest), with the console and
 * nothing else; init is its supervisor and checks how it ended: an exit
 * with status 0, or, for the cases that attack memory, a fault report
 * while the kernel and every other process carry on.
 */
#include "themelios.h"
#include "echo/echo.h"
#include "init/init.h"
#include "utest/utest.h"

enum expect { EXPECT_EXIT0, EXPECT_FAULT };

static const struct {
	const char *name;
	enum utest_case id;
	enum expect expect;
} cases[] = {
	{ "read a kernel address", UT_KERNEL_READ, EXPECT_FAULT },
	{ "write a kernel address", UT_KERNEL_WRITE, EXPECT_FAULT },
	{ "read address 0", UT_NULL_READ, EXPECT_FAULT },
	{ "write unmapped memory", UT_UNMAPPED_WRITE, EXPECT_FAULT },
	{ "execute the stack", UT_EXEC_STACK, EXPECT_FAULT },
	{ "write own code", UT_WRITE_TEXT, EXPECT_FAULT },
	{ "jump into the kernel", UT_EXEC_KERNEL, EXPECT_FAULT },
	{ "overflow the stack", UT_STACK_OVERFLOW, EXPECT_FAULT },
	{ "an invalid instruction", UT_INVALID_INSN, EXPECT_FAULT },
	{ "a privileged instruction", UT_PRIVILEGED_INSN, EXPECT_FAULT },
	{ "bad slots, wrong types, unknown calls", UT_BAD_SLOTS, EXPECT_EXIT0 },
	{ "bad pointers and lengths", UT_BAD_POINTERS, EXPECT_EXIT0 },
	{ "missing rights", UT_RIGHTS, EXPECT_EXIT0 },
	{ "revoke reaches every derived copy", UT_REVOKE, EXPECT_EXIT0 },
	{ "revoke wakes a blocked receiver", UT_REVOKE_WAKES, EXPECT_EXIT0 },
	{ "no capability, no access", UT_NO_CAPS, EXPECT_EXIT0 },
	{ "call/reply, badges, capability transfer", UT_CALL_REPLY, EXPECT_EXIT0 },
	{ "memory exhaustion is contained", UT_MEMORY_EXHAUSTION, EXPECT_EXIT0 },
	{ "spawn storm is contained", UT_SPAWN_STORM, EXPECT_EXIT0 },
	{ "supervisor receives the fault", UT_FAULT_REPORT, EXPECT_EXIT0 },
	{ "another process's memory", UT_OTHER_PROCESS, EXPECT_EXIT0 },
	{ "FPU/SIMD registers per thread", UT_FPU, EXPECT_EXIT0 },
	{ "bad ELF images", UT_BAD_ELF, EXPECT_EXIT0 },
	{ "notifications", UT_NOTIFICATIONS, EXPECT_EXIT0 },
	{ "a supervisor kills a child", UT_KILL, EXPECT_EXIT0 },
	{ "threads share a process and end with it", UT_THREADS, EXPECT_EXIT0 },
	{ "Memory objects: split, charge, return", UT_MEMORY_OBJECTS, EXPECT_EXIT0 },
	{ "argument strings", UT_ARGS, EXPECT_EXIT0 },
	{ "register IPC path", UT_REGISTER_IPC, EXPECT_EXIT0 },
	{ "a supervisor grants a running child", UT_GRANT, EXPECT_EXIT0 },
	{ "shared memory through Frames", UT_SHARED_MEMORY, EXPECT_EXIT0 },
	{ "Thread capabilities end one thread", UT_THREAD_CAPS, EXPECT_EXIT0 },
	{ "IPC under load: handoff without starving others", UT_IPC_UNDER_LOAD, EXPECT_EXIT0 },
	{ "Reply capabilities: answer out of order", UT_REPLY_CAPS, EXPECT_EXIT0 },
	{ "a supervisor works on a child's CSpace and AddressSpace", UT_SUPERVISOR_PARTS, EXPECT_EXIT0 },
	{ "device claims: lines, ports, registers, given back", UT_DEVICE_CLAIMS, EXPECT_EXIT0 },
	{ "a user-space driver takes its device's interrupts", UT_DEVICE_IRQ, EXPECT_EXIT0 },
	{ "unmap and protect: arguments, regions, charges", UT_VM_CALLS, EXPECT_EXIT0 },
	{ "unmapped or read-only memory faults that process alone", UT_VM_FAULTS, EXPECT_EXIT0 },
	{ "suspend, registers, resume", UT_THREAD_CONTROL, EXPECT_EXIT0 },
	{ "a suspended thread ends with its thread or process", UT_SUSPENDED_ENDS, EXPECT_EXIT0 },
	{ "IPC fastpath: Reply capabilities, kills, revoke", UT_IPC_FASTPATH, EXPECT_EXIT0 },
	{ "the clock, deadlines and sleeps", UT_TIMED_WAITS, EXPECT_EXIT0 },
	{ "TLS pointers per thread: preemption, processes, IPC", UT_TLS, EXPECT_EXIT0 },
	{ "page tables are charged to their address space's owner", UT_PT_CHARGE, EXPECT_EXIT0 },
	{ "random system calls: the kernel answers, every page returns", UT_FUZZ, EXPECT_EXIT0 },
	{ "a smashed user stack stops that program", UT_STACK_SMASH, EXPECT_EXIT0 },
	{ "random bytes from the kernel", UT_RANDOM, EXPECT_EXIT0 },
};

/* Device cases get init's device-control capability too (their slot 2). */
static int
gets_devices(enum utest_case id)
{
	return id == UT_DEVICE_CLAIMS || id == UT_DEVICE_IRQ;
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
	printf("init: echo replied '%.*s' (badge %lu, capability type %lu)\n",
	       (int)m.len, (const char *)m.data, m.words[0], m.words[1]);
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

	if (echo_exchange() == 0) {
		printf("utest: echo exchange: ok\n");
		passed++;
	} else {
		printf("utest: echo exchange: FAILED\n");
		failed++;
	}
	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ipc_msg m;
		long pid, err;
		int ok;

		pid = spawn("utest", cases[i].id, UTEST_QUOTA, SLOT_SUPERVISOR, cases[i].id,
			    caps, gets_devices(cases[i].id) ? 2 : 1);
		if (pid < 0) {
			printf("utest: %s: FAILED (spawn: %s)\n", cases[i].name, strerror(pid));
			failed++;
			continue;
		}
		memset(&m, 0, sizeof(m));
		err = sys_recv(SLOT_SUPERVISOR, &m, 0);
		if (err || m.badge != cases[i].id || m.words[0] != (uint64_t)pid) {
			printf("utest: %s: FAILED (report: %s, badge %lu)\n", cases[i].name,
			       strerror(err), m.badge);
			failed++;
			continue;
		}
		if (cases[i].expect == EXPECT_FAULT)
			ok = m.label == PROCESS_EVENT_FAULT;
		else
			ok = m.label == PROCESS_EVENT_EXIT && m.words[1] == 0;
		if (ok) {
			printf("utest: %s: ok\n", cases[i].name);
			passed++;
		} else {
			printf("utest: %s: FAILED (%s, status %ld)\n", cases[i].name,
			       m.label == PROCESS_EVENT_FAULT ? "faulted" : "exited",
			       (long)m.words[1]);
			failed++;
		}
	}
	printf("utest: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
