/*
 * Processes: spawn storms and bad ELF images, fault reports, kill,
 * argument strings, grants to a running child, and a supervisor working
 * on a child's CSpace and AddressSpace.
 */
#include "themelios.h"
#include "utest/utest.h"

int
idle(void)
{
	for (int i = 0; i < 5; i++)
		sys_yield();
	return 0;
}

int
spin(void)
{
	for (volatile int n = 0;; n++)
		;
}

void
spawn_storm(void)
{
	struct ipc_msg m;
	long n = 0, pid;

	CHECK(sys_endpoint_create(3), 0);
	while ((pid = spawn("utest", UT_H_IDLE, UT_IDLE_QUOTA, 3, 0, NULL, 0)) > 0)
		n++;
	CHECK(pid, -E_NOMEM);
	CHECK(n >= 3, 1); /* UTEST_QUOTA holds a few idle children */
	for (long i = 0; i < n; i++) {
		CHECK(await_report(3, &m), 0);
		CHECK(m.label, PROCESS_EVENT_EXIT);
	}
	printf("utest: spawn storm: %ld children before the quota ran out\n", n);
}

void
fault_report(void)
{
	struct ipc_msg m;
	long pid;

	CHECK(sys_endpoint_create(3), 0);
	pid = spawn("utest", UT_H_FAULT_CHILD, UT_IDLE_QUOTA, 3, 77, NULL, 0);
	CHECK(pid > 0, 1);
	CHECK(await_report(3, &m), 0);
	CHECK_FAULT(&m, FAULT_KIND_MEMORY, FAULT_ACCESS_WRITE, UT_FAULT_ADDR);
	CHECK(m.badge, 77);
	CHECK(m.words[0], pid);
}

int
fault_child(void)
{
	*(volatile uint64_t *)UT_FAULT_ADDR = 1;
	return 1;
}

void
bad_elf(void)
{
	slot_t console = 1;

	CHECK(spawn("notelf", 0, UT_IDLE_QUOTA, 0, 0, &console, 1), -E_CORRUPT);
	CHECK(spawn("truncated", 0, UT_IDLE_QUOTA, 0, 0, &console, 1), -E_CORRUPT);
	/* Damaged copies of echo (tools/mkbadelf.py). */
	CHECK(spawn("bad-wx", 0, UT_IDLE_QUOTA, 0, 0, &console, 1), -E_PERM);
	CHECK(spawn("bad-execstack", 0, UT_IDLE_QUOTA, 0, 0, &console, 1), -E_PERM);
	CHECK(spawn("bad-kernelseg", 0, UT_IDLE_QUOTA, 0, 0, &console, 1), -E_RANGE);
	CHECK(spawn("bad-huge", 0, UT_IDLE_QUOTA, 0, 0, &console, 1), -E_RANGE);
	CHECK(spawn("bad-overlap", 0, UT_IDLE_QUOTA, 0, 0, &console, 1), -E_CORRUPT);
	/* No Directory to look its interpreter up in (no root_dir, no slot 59). */
	CHECK(spawn("bad-interp", 0, UT_IDLE_QUOTA, 0, 0, &console, 1), -E_NOCAP);
	CHECK(spawn("bad-nointerp", 0, UT_IDLE_QUOTA, 0, 0, &console, 1), -E_CORRUPT);
	CHECK(spawn("utest", 0, 2, 0, 0, &console, 1), -E_NOMEM); /* quota too small */
	CHECK(spawn("utest", 0, 1ull << 50, 0, 0, &console, 1), -E_NOMEM);
}

void
kill(void)
{
	struct cap_info info;
	struct ipc_msg m;
	long pid;

	CHECK(sys_endpoint_create(2), 0);
	CHECK(sys_endpoint_create(3), 0);
	/* A child spinning in user mode, never making a system call. */
	pid = spawn_with_process_cap(UT_H_SPIN, 4);
	CHECK(pid > 0, 1);
	CHECK(sys_cap_inspect(4, &info), 0);
	CHECK(info.type, OBJ_PROCESS);
	for (int i = 0; i < 5; i++)
		sys_yield();
	CHECK(sys_process_kill(4), 0);
	CHECK(await_report(3, &m), 0);
	CHECK(m.label, PROCESS_EVENT_EXIT);
	CHECK(m.words[0], pid);
	CHECK(m.words[1], -E_DEAD);
	CHECK(sys_process_kill(4), -E_DEAD); /* once is enough */
	/* A child blocked in a receive. */
	pid = spawn_with_process_cap(UT_H_NO_REPLY, 5);
	CHECK(pid > 0, 1);
	for (int i = 0; i < 5; i++)
		sys_yield();
	CHECK(sys_process_kill(5), 0);
	CHECK(await_report(3, &m), 0);
	CHECK(m.words[1], -E_DEAD);
	/* Rights and types. */
	CHECK(sys_process_kill(2), -E_TYPE);
	CHECK(sys_process_kill(9), -E_NOCAP);
	CHECK(sys_cap_mint(4, 6, RIGHT_READ, 0), 0);
	CHECK(sys_process_kill(6), -E_PERM);
}

/* A child with args and env, reporting to slot 3; 0 or the error. */
static long
spawn_env(uint64_t id, const char *args, uint64_t args_len, const char *env, uint64_t env_len)
{
	struct spawn_args sa;
	long pid;

	if (sys_memory_split(CAP_SLOT_MEMORY, CAP_SLOT_SCRATCH, UT_IDLE_QUOTA))
		return -E_NOMEM;
	memset(&sa, 0, sizeof(sa));
	sa.name = "utest";
	sa.name_len = 5;
	sa.memory = CAP_SLOT_SCRATCH;
	sa.arg = id;
	sa.supervisor = 3;
	sa.args = args;
	sa.args_len = args_len;
	sa.env = env;
	sa.env_len = env_len;
	pid = sys_spawn(&sa);
	sys_cap_delete(CAP_SLOT_SCRATCH);
	return pid < 0 ? pid : 0;
}

void
args(void)
{
	static const char two[] = "alpha\0beta gamma"; /* the final NUL is the literal's */
	static char many[SPAWN_ARGC_MAX * 2 + 2];

	_Static_assert(SPAWN_ENVC_MAX <= SPAWN_ARGC_MAX, "many holds one envp too many too");
	struct ipc_msg m;
	long pid;

	CHECK(prog_argc, 1);
	CHECK(strcmp(prog_argv[0], "utest"), 0);
	CHECK(prog_argv[1] == NULL, 1);
	CHECK(sys_endpoint_create(3), 0);
	pid = spawn_args("utest", UT_H_ARGS_CHILD, UT_IDLE_QUOTA, 3, 1, NULL, 0, two, sizeof(two));
	CHECK(pid > 0, 1);
	CHECK(await_report(3, &m), 0);
	CHECK(m.label, PROCESS_EVENT_EXIT);
	CHECK(m.words[1], 0);
	/* Bad argument blocks. */
	CHECK(spawn_args("utest", UT_H_IDLE, UT_IDLE_QUOTA, 0, 0, NULL, 0, "abc", 3), -E_INVAL);
	CHECK(spawn_args("utest", UT_H_IDLE, UT_IDLE_QUOTA, 0, 0, NULL, 0, (char *)KERNEL_TEXT, 8),
	      -E_FAULT);
	CHECK(spawn_args("utest", UT_H_IDLE, UT_IDLE_QUOTA, 0, 0, NULL, 0, two,
			 SPAWN_STRINGS_MAX + 1),
	      -E_RANGE);
	for (unsigned int i = 0; i < sizeof(many); i += 2)
		many[i] = 'x'; /* "x\0x\0...": one string too many */
	CHECK(spawn_args("utest", UT_H_IDLE, UT_IDLE_QUOTA, 0, 0, NULL, 0, many, sizeof(many)),
	      -E_RANGE);
	/* The most there may be: argv[0] and SPAWN_ARGC_MAX - 1 more. */
	CHECK(spawn_args("utest", UT_H_IDLE, UT_IDLE_QUOTA, 3, 2, NULL, 0, many,
			 2 * (SPAWN_ARGC_MAX - 1)) > 0,
	      1);
	CHECK(await_report(3, &m), 0);
	CHECK(m.words[1], 0);
	/* An environment: the child sees it as envp. */
	CHECK(spawn_env(UT_H_ENV_CHILD, two, sizeof(two), "A=1\0B=two", 10), 0);
	CHECK(await_report(3, &m), 0);
	CHECK(m.label, PROCESS_EVENT_EXIT);
	CHECK(m.words[1], 0);
	CHECK(spawn_env(UT_H_IDLE, NULL, 0, "A=1", 3), -E_INVAL); /* no final NUL */
	CHECK(spawn_env(UT_H_IDLE, NULL, 0, (char *)KERNEL_TEXT, 8), -E_FAULT);
	CHECK(spawn_env(UT_H_IDLE, two, sizeof(two), two, SPAWN_STRINGS_MAX), -E_RANGE);
	CHECK(spawn_env(UT_H_IDLE, NULL, 0, many, 2 * (SPAWN_ENVC_MAX + 1)), -E_RANGE);
}

int
env_child(void)
{
	char **envp = prog_argv + prog_argc + 1;

	return !(prog_argc == 3 && !strcmp(envp[0], "A=1") && !strcmp(envp[1], "B=two") &&
		 envp[2] == NULL);
}

int
args_child(void)
{
	return !(prog_argc == 3 && !strcmp(prog_argv[0], "utest") &&
		 !strcmp(prog_argv[1], "alpha") && !strcmp(prog_argv[2], "beta gamma") &&
		 prog_argv[3] == NULL);
}

void
grant(void)
{
	struct cap_info info;
	struct ipc_msg m;
	long pid;

	CHECK(sys_endpoint_create(2), 0);
	CHECK(sys_endpoint_create(3), 0);
	/* A child with nothing but the console, waiting to be given more. */
	pid = spawn_with_process_cap(UT_H_GRANTED, 4);
	CHECK(pid > 0, 1);
	CHECK(sys_endpoint_create(6), 0);
	CHECK(sys_process_grant(4, 6, 7), 0);
	memset(&m, 0, sizeof(m));
	m.label = 31;
	CHECK(sys_send(6, &m, 0), 0);
	CHECK(await_report(3, &m), 0);
	CHECK(m.label, PROCESS_EVENT_EXIT);
	CHECK(m.words[1], 31); /* it received through the granted endpoint */
	/* Checked like everything else. */
	CHECK(sys_process_grant(4, 6, 7), -E_DEAD);
	CHECK(sys_process_grant(2, 6, 7), -E_TYPE);
	pid = spawn_with_process_cap(UT_H_NO_REPLY, 8); /* waits in a receive */
	CHECK(pid > 0, 1);
	CHECK(sys_cap_mint(8, 9, RIGHT_READ | RIGHT_WRITE, 0), 0);
	CHECK(sys_process_grant(9, 6, 7), -E_PERM); /* no GRANT */
	CHECK(sys_cap_mint(6, 10, RIGHT_WRITE, 0), 0);
	CHECK(sys_process_grant(8, 10, 7), -E_PERM); /* no COPY on what is given */
	CHECK(sys_process_grant(8, 6, 1), -E_EXIST); /* the child's console */
	CHECK(sys_process_grant(8, 6, CAP_SLOTS), -E_NOCAP);
	CHECK(sys_cap_inspect(4, &info), 0);
	CHECK(sys_process_kill(8), 0);
	CHECK(await_report(3, &m), 0);
	CHECK(m.words[1], -E_DEAD);
}

/* Waits to be given an endpoint in slot 7, and receives through it. */
int
granted(void)
{
	struct cap_info info;

	UNTIL(sys_cap_inspect(7, &info) == 0);
	memset(&utest_msg, 0, sizeof(utest_msg));
	return sys_recv(7, &utest_msg, 0) == 0 ? (int)utest_msg.label : -1;
}

/*
 * A supervisor works on a running child through its parts: copies an
 * endpoint into its cspace, deletes another, maps shared memory into
 * its address space, and tells it where.
 */
void
supervisor_parts(void)
{
	struct cap_info info;
	struct ipc_msg m;
	volatile uint64_t *mine;
	uint64_t addr, theirs;
	long pid;

	CHECK(sys_endpoint_create(2), 0);
	CHECK(sys_endpoint_create(3), 0);
	pid = spawn_with_process_cap(UT_H_PARTS_CHILD, 4);
	CHECK(pid > 0, 1);
	CHECK(sys_cap_mint(4, 12, RIGHT_READ, 0), 0);
	CHECK(sys_process_parts(12, 13, 0), -E_PERM);
	CHECK(sys_process_parts(4, 5, 5), -E_EXIST);
	CHECK(sys_process_parts(4, 5, 6), 0);
	CHECK(sys_cap_inspect(5, &info), 0);
	CHECK(info.type, OBJ_CSPACE);
	CHECK(sys_cap_inspect(6, &info), 0);
	CHECK(info.type, OBJ_ADDRESS_SPACE);
	/* Shared memory, mapped into the child by us. */
	CHECK(sys_frames_create(1, 7), 0);
	CHECK(sys_frames_map(7, MAP_WRITE, &addr), 0);
	mine = (volatile uint64_t *)addr;
	mine[0] = 0xc0ffee;
	CHECK(sys_frames_map_into(6, 7, MAP_WRITE, &theirs), 0);
	/* Its cspace: one endpoint in, another in and out again. */
	CHECK(sys_endpoint_create(8), 0);
	CHECK(sys_cspace_copy(5, 8, 10), 0);
	CHECK(sys_cspace_copy(5, 8, 11), 0);
	CHECK(sys_cspace_inspect(5, 10, &info), 0);
	CHECK(info.type, OBJ_ENDPOINT);
	CHECK(sys_cspace_delete(5, 11), 0);
	CHECK(sys_cspace_inspect(5, 11, &info), -E_NOCAP);
	CHECK(sys_cspace_copy(5, 8, 1), -E_EXIST); /* its console */
	/* Rights on the parts. */
	CHECK(sys_cap_mint(5, 14, RIGHT_READ, 0), 0);
	CHECK(sys_cspace_copy(14, 8, 15), -E_PERM);
	CHECK(sys_cspace_inspect(14, 10, &info), 0);
	CHECK(sys_cap_mint(6, 16, RIGHT_READ, 0), 0);
	CHECK(sys_frames_map_into(16, 7, 0, &addr), -E_PERM);
	CHECK(sys_frames_map_into(5, 7, 0, &addr), -E_TYPE);
	/* Tell it where the memory is, then use the granted endpoint. */
	memset(&m, 0, sizeof(m));
	m.words[0] = theirs;
	CHECK(sys_send(2, &m, 0), 0);
	memset(&m, 0, sizeof(m));
	m.label = 77;
	CHECK(sys_send(8, &m, 0), 0);
	CHECK(await_report(3, &m), 0);
	CHECK(m.label, PROCESS_EVENT_EXIT);
	CHECK(m.words[1], 0);
	CHECK(mine[0], 0xc0ffee + 1);
	/* It has ended: its cspace is empty, its parts refuse. */
	CHECK(sys_cspace_inspect(5, 10, &info), -E_NOCAP);
	CHECK(sys_process_parts(4, 17, 0), -E_DEAD);
	CHECK(sys_frames_map_into(6, 7, 0, &addr), -E_DEAD);
}

/* The child of supervisor_parts: its supervisor tells it where the
 * shared page is, deletes slot 11 and gives it an endpoint in 10. */
int
parts_child(void)
{
	struct cap_info ci;
	volatile uint64_t *sh;
	long bad = 0;

	memset(&utest_msg, 0, sizeof(utest_msg));
	if (sys_recv(2, &utest_msg, 0))
		return 1;
	sh = (volatile uint64_t *)utest_msg.words[0];
	bad += *sh != 0xc0ffee;
	*sh += 1;
	bad += sys_cap_inspect(11, &ci) != -E_NOCAP; /* deleted by the supervisor */
	memset(&utest_msg, 0, sizeof(utest_msg));
	bad += sys_recv(10, &utest_msg, 0) != 0 || utest_msg.label != 77;
	return (int)bad;
}
