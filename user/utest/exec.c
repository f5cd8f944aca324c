/*
 * exec in place and PT_INTERP (docs/memory.md, "Programs"): a process
 * replaces its own image from a File and keeps its capabilities and
 * pid; every failure leaves the old image running with the error; a
 * program with PT_INTERP starts in our interpreter (user/interp), which
 * checks AT_BASE, AT_ENTRY and AT_PHDR and jumps to the program; bad
 * interpreters are refused.  Slot 2 holds the root Directory.
 */
#include "themelios.h"
#include "utest/utest.h"

#define ROOT	       2
#define EXEC_QUOTA     256
#define EXEC_MARK      0x30000000ull /* a page the old image maps, gone after */
#define PROBE_STATUS   42	     /* what a probe that saw everything right returns */
#define INTERP_WINDOW  ((1ull << 40) + (1ull << 36)) /* the kernel's INTERP_BASE */
#define PT_INTERP_TYPE 3
#define FILL_LAST_MAX  16 /* single pages that fill a pool to its last */

void _start(void);

/* The child's slots: 1 console, 2 root, 3 the parent's endpoint, then
 * what it opens itself. */
#define C_PARENT  3
#define C_PROGRAM 5 /* bin/utest-interp (through user/interp), READ and EXECUTE */
#define C_NOEXEC  6 /* bin/utest, READ only */
#define C_NOTELF  7
#define C_WX	  8
#define C_NOINTP  9  /* its interpreter is not there */
#define C_KEPT	  10 /* an endpoint, to be there after exec */
#define C_EMPTY	  11
#define C_FRAMES  12 /* mapped by the old image, kept by the new */
#define C_LINUX	  13 /* bin/busybox, a Linux program, when the image has it */

static const char exec_args_block[] = "one\0two";
static const char exec_env_block[] = "HOME=/\0LANG=C";

static long
exec_raw(slot_t file, const char *name, uint64_t name_len, const char *args, uint64_t args_len,
	 const char *env, uint64_t env_len, uint64_t stack_pages)
{
	struct exec_args ea;

	memset(&ea, 0, sizeof(ea));
	ea.image_file = file;
	ea.name = name;
	ea.name_len = name_len;
	ea.args = args;
	ea.args_len = args_len;
	ea.env = env;
	ea.env_len = env_len;
	ea.stack_pages = stack_pages;
	ea.root_dir = ROOT;
	return sys_exec(&ea);
}

static void
spinner(uint64_t arg)
{
	(void)arg;
	for (;;)
		sys_yield();
}

/* The exec that succeeds (it does not return). */
static void
exec_thread(uint64_t arg)
{
	(void)arg;
	exec(C_PROGRAM, "probe", exec_args_block, sizeof(exec_args_block), exec_env_block,
	     sizeof(exec_env_block), UT_H_EXEC_PROBE);
	sys_exit(201);
}

/* The old image: every bad exec returns its error and changes nothing,
 * then a good one, from another thread, replaces it. */
int
exec_child(void)
{
	static volatile int marker = 1234;
	struct memory_info mi;
	uint64_t va, stack, fill, last[FILL_LAST_MAX];
	int nlast;
	char *big;

	spawn_program_dir = ROOT;
	CHECK(fs_open(ROOT, "bin/utest-interp", 0, RIGHT_READ | RIGHT_EXECUTE, C_PROGRAM), 0);
	CHECK(fs_open(ROOT, "bin/utest", 0, RIGHT_READ, C_NOEXEC), 0);
	CHECK(fs_open(ROOT, "bin/notelf", 0, RIGHT_READ | RIGHT_EXECUTE, C_NOTELF), 0);
	CHECK(fs_open(ROOT, "bin/bad-wx", 0, RIGHT_READ | RIGHT_EXECUTE, C_WX), 0);
	CHECK(fs_open(ROOT, "bin/bad-interp", 0, RIGHT_READ | RIGHT_EXECUTE, C_NOINTP), 0);
	CHECK(sys_endpoint_create(C_KEPT), 0);
	CHECK(sys_vm_map(CAP_SLOT_ADDRESS_SPACE, EXEC_MARK, 1, MAP_WRITE | MAP_FIXED, &va), 0);
	*(volatile uint64_t *)EXEC_MARK = 77;
	/* Frames mapped in the old image: the mapping goes with it. */
	CHECK(sys_frames_create(2, C_FRAMES), 0);
	CHECK(sys_frames_map(C_FRAMES, MAP_WRITE, &va), 0);
	*(volatile uint64_t *)va = 0x5a;

	/* Slots and rights. */
	CHECK(exec(0, "utest", NULL, 0, NULL, 0, 0), -E_NOCAP);
	CHECK(exec(C_EMPTY, "utest", NULL, 0, NULL, 0, 0), -E_NOCAP);
	CHECK(exec(C_KEPT, "utest", NULL, 0, NULL, 0, 0), -E_TYPE);
	CHECK(exec(C_NOEXEC, "utest", NULL, 0, NULL, 0, 0), -E_PERM);
	/* Bad images and interpreters. */
	CHECK(exec(C_NOTELF, "utest", NULL, 0, NULL, 0, 0), -E_CORRUPT);
	CHECK(exec(C_WX, "utest", NULL, 0, NULL, 0, 0), -E_PERM);
	CHECK(exec(C_NOINTP, "utest", NULL, 0, NULL, 0, 0), -E_NOENT);
	/* A Linux program (no ThemeliOS note): a native process stays one. */
	if (fs_open(ROOT, "bin/busybox", 0, RIGHT_READ | RIGHT_EXECUTE, C_LINUX) == 0)
		CHECK(exec(C_LINUX, "busybox", NULL, 0, NULL, 0, 0), -E_NOTSUP);
	/* Bad names, strings and stacks. */
	CHECK(exec_raw(C_PROGRAM, "utest", 0, NULL, 0, NULL, 0, 0), -E_RANGE);
	CHECK(exec_raw(C_PROGRAM, "ut\0st", 5, NULL, 0, NULL, 0, 0), -E_INVAL);
	CHECK(exec_raw(C_PROGRAM, (char *)KERNEL_TEXT, 5, NULL, 0, NULL, 0, 0), -E_FAULT);
	CHECK(exec_raw(C_PROGRAM, "utest", 5, "abc", 3, NULL, 0, 0), -E_INVAL);
	CHECK(exec_raw(C_PROGRAM, "utest", 5, NULL, 0, (char *)KERNEL_TEXT, 8, 0), -E_FAULT);
	CHECK(exec_raw(C_PROGRAM, "utest", 5, exec_args_block, SPAWN_STRINGS_MAX, exec_env_block, 8,
		       0),
	      -E_RANGE);
	big = malloc(SPAWN_STRINGS_MAX);
	CHECK(big != NULL, 1);
	if (big) {
		memset(big, 0, SPAWN_STRINGS_MAX); /* SPAWN_STRINGS_MAX empty strings */
		CHECK(exec_raw(C_PROGRAM, "utest", 5, NULL, 0, big, SPAWN_ENVC_MAX + 1, 0),
		      -E_RANGE);
		CHECK(exec_raw(C_PROGRAM, "utest", 5, big, SPAWN_ARGC_MAX, NULL, 0, 0), -E_RANGE);
		free(big);
	}
	CHECK(exec_raw(C_PROGRAM, "utest", 5, NULL, 0, NULL, 0, 1), -E_RANGE);
	CHECK(exec_raw(C_PROGRAM, "utest", 5, NULL, 0, NULL, 0, USER_STACK_MAX_PAGES + 1),
	      -E_RANGE);
	/* Not enough memory for the new image: the old one goes on.  Its
	 * segments are mapped from the page cache and cost little before
	 * they are touched: the pool is filled to its last page. */
	CHECK(sys_memory_info(CAP_SLOT_MEMORY, &mi), 0);
	fill = mi.limit - mi.used - 12;
	CHECK(sys_vm_map(CAP_SLOT_ADDRESS_SPACE, 0, fill, MAP_WRITE | MAP_COMMIT, &va), 0);
	for (nlast = 0; nlast < FILL_LAST_MAX; nlast++)
		if (sys_vm_map(CAP_SLOT_ADDRESS_SPACE, 0, 1, MAP_WRITE | MAP_COMMIT, &last[nlast]))
			break;
	CHECK(nlast < FILL_LAST_MAX, 1);
	CHECK(exec(C_PROGRAM, "utest", NULL, 0, NULL, 0, 0), -E_NOMEM);
	while (nlast > 0)
		CHECK(sys_vm_unmap(CAP_SLOT_ADDRESS_SPACE, last[--nlast], 1), 0);
	CHECK(sys_vm_unmap(CAP_SLOT_ADDRESS_SPACE, va, fill), 0);
	CHECK(marker, 1234);
	CHECK(*(volatile uint64_t *)EXEC_MARK, 77);

	if (utest_failures)
		return 100 + utest_failures;
	/* The exec comes from another thread; a spinning one and this main
	 * one, blocked in a receive nobody answers, end with the image. */
	CHECK(sys_map_anonymous(8, MAP_WRITE, &stack), 0);
	CHECK(sys_thread_create((uintptr_t)spinner, stack + 4 * 4096, 0, 0) > 0, 1);
	CHECK(sys_thread_create((uintptr_t)exec_thread, stack + 8 * 4096, 0, 0) > 0, 1);
	memset(&utest_msg, 0, sizeof(utest_msg));
	sys_recv(C_KEPT, &utest_msg, 0);
	return 200; /* not reached: exec ends this thread */
}

static long
cap_type(slot_t s)
{
	struct cap_info ci;
	long err = sys_cap_inspect(s, &ci);

	return err ? err : (long)ci.type;
}

static int aux_get(uint64_t type, uint64_t *out);

/* The new image, run by exec_child's exec through our interpreter. */
int
exec_probe(void)
{
	struct ipc_msg *m = &utest_msg;
	uint64_t va, base = 0;

	CHECK(prog_argc, 3);
	CHECK(strcmp(prog_argv[0], "probe"), 0);
	CHECK(strcmp(prog_argv[1], "one"), 0);
	CHECK(strcmp(prog_argv[2], "two"), 0);
	CHECK(prog_argv[3] == NULL, 1);
	CHECK(strcmp(prog_argv[4], "HOME=/"), 0);
	CHECK(strcmp(prog_argv[5], "LANG=C"), 0);
	CHECK(prog_argv[6] == NULL, 1);
	CHECK(aux_get(AT_BASE, &base) && base >= INTERP_WINDOW, 1); /* PT_INTERP on exec too */
	/* The capabilities stayed; the AddressSpace slot names the new one. */
	CHECK(cap_type(C_KEPT), OBJ_ENDPOINT);
	CHECK(cap_type(C_PROGRAM), OBJ_FILE);
	CHECK(cap_type(ROOT), OBJ_DIRECTORY);
	CHECK(cap_type(CAP_SLOT_MEMORY), OBJ_MEMORY);
	CHECK(cap_type(C_FRAMES), OBJ_FRAMES);
	CHECK(sys_frames_map(C_FRAMES, 0, &va), 0); /* the same pages, mapped afresh */
	CHECK(*(volatile uint64_t *)va, 0x5a);
	CHECK(cap_type(CAP_SLOT_ADDRESS_SPACE), OBJ_ADDRESS_SPACE);
	CHECK(sys_vm_map(CAP_SLOT_ADDRESS_SPACE, 0, 1, MAP_WRITE, &va), 0);
	/* The old image's memory is gone: the kernel cannot read it. */
	CHECK(sys_console_write(1, (const char *)EXEC_MARK, 1), -E_FAULT);
	/* The parent looks at us (one thread left) while we wait. */
	memset(m, 0, sizeof(*m));
	m->label = utest_failures;
	CHECK(sys_call(C_PARENT, m, 0), 0);
	CHECK(m->label, 0);
	return utest_failures ? 1 : PROBE_STATUS;
}

void
exec_in_place(void)
{
	slot_t caps[3] = { 1, ROOT, 4 };
	struct ipc_msg m;
	struct process_info pi;
	long pid, err = -E_AGAIN;
	uint64_t deadline = (uint64_t)sys_clock_ns() + 60000000000ull;

	CHECK(sys_endpoint_create(3), 0);
	CHECK(sys_endpoint_create(4), 0);
	pid = spawn_held(UT_H_EXEC_CHILD, EXEC_QUOTA, 3, 7, caps, 3, 5);
	CHECK(pid > 0, 1);
	/* The probe's call, unless the child ended first. */
	while (err == -E_AGAIN && (uint64_t)sys_clock_ns() < deadline) {
		memset(&m, 0, sizeof(m));
		err = sys_recv(4, &m, IPC_NONBLOCK);
		if (err == -E_AGAIN && sys_process_info(5, &pi) == 0 && pi.ended)
			break;
		if (err == -E_AGAIN)
			sys_wait_until(CAP_SLOT_NULL, (uint64_t)sys_clock_ns() + 1000000, NULL);
	}
	CHECK(err, 0);
	if (!err) {
		CHECK(m.label, 0); /* the probe's failures so far */
		CHECK(sys_process_info(5, &pi), 0);
		CHECK(pi.pid, pid);
		CHECK(pi.threads, 1); /* the others ended with the old image */
		CHECK(pi.ended, 0);
		m.label = 0;
		CHECK(sys_reply(&m), 0);
	}
	CHECK(await_report(3, &m), 0);
	CHECK(m.label, PROCESS_EVENT_EXIT);
	CHECK(m.words[0], pid);
	CHECK(m.words[1], PROBE_STATUS);
}

static int
aux_get(uint64_t type, uint64_t *out)
{
	char **p = prog_argv + prog_argc + 1;
	const uint64_t *v;

	while (*p)
		p++;
	for (v = (const uint64_t *)(p + 1); v[0] != AT_NULL; v += 2)
		if (v[0] == type) {
			*out = v[1];
			return 1;
		}
	return 0;
}

/* utest-interp (utest with PT_INTERP /bin/interp), after the
 * interpreter has checked its own view and jumped here. */
int
interp_probe(void)
{
	uint64_t base = 0, entry = 0, phdr = 0, phnum = 0, execfn = 0;
	int interp_seen = 0;

	CHECK(aux_get(AT_BASE, &base), 1);
	CHECK(base >= INTERP_WINDOW, 1);
	CHECK(aux_get(AT_ENTRY, &entry), 1);
	CHECK(entry, (uint64_t)(uintptr_t)&_start);
	CHECK(aux_get(AT_PHDR, &phdr) && aux_get(AT_PHNUM, &phnum), 1);
	for (uint64_t i = 0; i < phnum; i++)
		if (*(const uint32_t *)(uintptr_t)(phdr + 56 * i) == PT_INTERP_TYPE)
			interp_seen = 1;
	CHECK(interp_seen, 1); /* our headers, not the interpreter's */
	CHECK(aux_get(AT_EXECFN, &execfn), 1);
	CHECK(strcmp((const char *)(uintptr_t)execfn, "utest-interp"), 0);
	CHECK(prog_argc, 2);
	CHECK(strcmp(prog_argv[1], "via"), 0);
	return utest_failures ? 1 : PROBE_STATUS;
}

/* Spawns bin/NAME from the root with no Directory for PT_INTERP. */
static long
spawn_without_dir(const char *name)
{
	struct spawn_args sa;
	long r;

	CHECK(fs_open(ROOT, name, 0, RIGHT_READ | RIGHT_EXECUTE, 6), 0);
	CHECK(sys_memory_split(CAP_SLOT_MEMORY, CAP_SLOT_SCRATCH, UT_IDLE_QUOTA), 0);
	memset(&sa, 0, sizeof(sa));
	sa.name = "x";
	sa.name_len = 1;
	sa.memory = CAP_SLOT_SCRATCH;
	sa.image_file = 6;
	r = sys_spawn(&sa);
	sys_cap_delete(CAP_SLOT_SCRATCH);
	sys_cap_delete(6);
	return r;
}

void
interp_start(void)
{
	static const char via[] = "via";
	slot_t console = 1;
	struct ipc_msg m;

	CHECK(sys_endpoint_create(3), 0);
	spawn_program_dir = ROOT;
	/* Twice: the interpreter is placed afresh each time. */
	for (int i = 0; i < 2; i++) {
		CHECK(spawn_args("utest-interp", UT_H_INTERP_PROBE, UT_IDLE_QUOTA, 3, 0, &console,
				 1, via, sizeof(via)) > 0,
		      1);
		CHECK(await_report(3, &m), 0);
		CHECK(m.label, PROCESS_EVENT_EXIT);
		CHECK(m.words[1], PROBE_STATUS);
	}
	/* Bad interpreters (tools/mkbadelf.py). */
	CHECK(spawn("bad-interp", 0, UT_IDLE_QUOTA, 0, 0, &console, 1), -E_NOENT);
	CHECK(spawn("bad-interp-loop", 0, UT_IDLE_QUOTA, 0, 0, &console, 1), -E_LOOP);
	CHECK(spawn("bad-interp-notelf", 0, UT_IDLE_QUOTA, 0, 0, &console, 1), -E_CORRUPT);
	CHECK(spawn("bad-interp-machine", 0, UT_IDLE_QUOTA, 0, 0, &console, 1), -E_NOTSUP);
	CHECK(spawn("bad-interp-dir", 0, UT_IDLE_QUOTA, 0, 0, &console, 1), -E_ISDIR);
	spawn_program_dir = 0;
	/* No Directory to look the interpreter up in (we have no slot 59). */
	CHECK(spawn_without_dir("bin/utest-interp"), -E_NOCAP);
}
