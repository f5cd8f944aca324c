/*
 * User-space benchmarks for `make bench` (init starts this with the
 * console when the kernel command line says "test bench").  Cycles come
 * from the kernel's counter (sys_cycles), read once before and once
 * after many iterations, so its own cost is spread thin.  Lines look
 * like the kernel's: "bench: <name> <cycles> cycles/op".
 */
#include "themelios.h"

#define ITERATIONS  2000
#define SPAWNS	    40
#define QUIT	    1
#define WITH_TLS    0x100 /* added to a role: the child takes a TLS pointer */
#define PAGE	    4096ull
#define FAULT_PAGES 1024
#define CLONE_PAGES 16384 /* 64 MiB */
#define CLONES	    4
#define LOADS	    20 /* spawns from a file, execs */
/* Slots: the root Directory (init gives it in slot 2, which the IPC
 * figures use: it moves), a clone, bin/ubench. */
#define ROOT	    40
#define CLONE	    41
#define PROGRAM	    42

enum role {
	MAIN,
	SERVER,
	YIELDER,
	FAULTER,
	EXITER,
	WORDS_SERVER,
	FIRST_INSN, /* exits with the clock (ns) as its status */
	EXEC_FROM,  /* execs ubench from slot 2, passing the clock */
	EXEC_TO,    /* exits with the ns since the clock it was given */
};

static struct ipc_msg msg;

/* The _tls variants give each side its own TLS pointer, at different
 * addresses, as every thread of a libc has one: each switch then loads
 * the register, where with none on both sides it only reads it. */
static uint64_t tls_blocks[2];

static void
take_tls(unsigned int which)
{
	tls_blocks[which] = (uintptr_t)&tls_blocks[which];
	sys_tls_set(tls_blocks[which]);
}

static void
report(const char *name, uint64_t cycles, uint64_t ops)
{
	printf("bench: %s %lu cycles/op\n", name, cycles / ops);
}

/* In nanoseconds of the kernel's clock, which Linux's clock_gettime
 * matches (tools/bench/vmbench_linux.c): under -icount shift=0 a
 * nanosecond is an instruction, on both. */
static void
report_ns(const char *name, uint64_t ns, uint64_t ops)
{
	printf("bench: %s %lu ns/op\n", name, ns / ops);
}

static uint64_t
null_syscall(void)
{
	uint64_t start = (uint64_t)sys_cycles();

	for (int i = 0; i < ITERATIONS; i++)
		syscall6(0, 0, 0, 0, 0, 0, 0); /* entry, dispatch (E_NOSYS), return */
	return (uint64_t)sys_cycles() - start;
}

static uint64_t
ipc_round_trip(void)
{
	slot_t caps[2] = { CAP_SLOT_CONSOLE, 2 };
	uint64_t start, end;

	if (sys_endpoint_create(2) || sys_endpoint_create(3) ||
	    spawn("ubench", SERVER, 64, 3, 0, caps, 2) < 0)
		return 0;
	memset(&msg, 0, sizeof(msg));
	sys_call(2, &msg, 0); /* the server is up and waiting */
	start = (uint64_t)sys_cycles();
	for (int i = 0; i < ITERATIONS; i++) {
		msg.label = 0;
		sys_call(2, &msg, 0);
	}
	end = (uint64_t)sys_cycles();
	msg.label = QUIT;
	sys_call(2, &msg, 0);
	sys_recv(3, &msg, 0); /* its exit */
	return end - start;
}

/* The same through the register path. */
static uint64_t
ipc_round_trip_words(unsigned int tls)
{
	slot_t caps[2] = { CAP_SLOT_CONSOLE, 4 };
	struct ipc_words w = { 0 };
	uint64_t start, end;

	sys_cap_delete(4);
	if (sys_endpoint_create(4) || spawn("ubench", WORDS_SERVER | tls, 64, 3, 0, caps, 2) < 0)
		return 0;
	ipc_call_words(4, &w);
	start = (uint64_t)sys_cycles();
	for (int i = 0; i < ITERATIONS; i++) {
		w.label = 0;
		ipc_call_words(4, &w);
	}
	end = (uint64_t)sys_cycles();
	w.label = QUIT;
	ipc_call_words(4, &w);
	sys_recv(3, &msg, 0);
	return end - start;
}

static uint64_t
context_switch(unsigned int tls)
{
	uint64_t start;

	if (spawn("ubench", YIELDER | tls, 64, 3, 0, NULL, 0) < 0)
		return 0;
	sys_yield(); /* let it start */
	start = (uint64_t)sys_cycles();
	for (int i = 0; i < ITERATIONS; i++)
		sys_yield(); /* to the yielder and back: two switches */
	start = (uint64_t)sys_cycles() - start;
	sys_recv(3, &msg, 0);
	return start;
}

/* Spawn a child that faults (or exits) and wait for its report. */
static uint64_t
spawn_and_report(enum role role)
{
	uint64_t start = (uint64_t)sys_cycles();

	for (int i = 0; i < SPAWNS; i++) {
		if (spawn("ubench", role, 64, 3, 0, NULL, 0) < 0)
			return 0;
		sys_recv(3, &msg, 0);
	}
	return (uint64_t)sys_cycles() - start;
}

/*
 * Read faults on the cached pages of a file mapped private (bin/ubench,
 * from the root in ROOT): a mapping made, each page touched, the
 * mapping gone, ROUNDS times after one round that fills the cache.
 * Cycles per page; 0 when the file cannot be mapped.
 */
#define ROUNDS 20
static uint64_t
file_faults(uint64_t *pages_out)
{
	struct object_info oi;
	uint64_t start = 0, pages, va;

	if (fs_open(ROOT, "bin/ubench", 0, RIGHT_READ, 21) || sys_object_info(21, &oi))
		return 0;
	pages = (oi.size + 4095) / 4096;
	for (int r = 0; r <= ROUNDS; r++) {
		if (r == 1)
			start = (uint64_t)sys_cycles();
		va = 0;
		if (sys_vm_map_file(CAP_SLOT_ADDRESS_SPACE, 21, 0, pages, 0, &va))
			return 0;
		for (uint64_t i = 0; i < pages; i++)
			(void)((volatile const uint8_t *)va)[i * 4096];
		sys_vm_unmap(CAP_SLOT_ADDRESS_SPACE, va, pages);
	}
	start = (uint64_t)sys_cycles() - start;
	sys_fs_close(21);
	*pages_out = pages * ROUNDS;
	return start;
}

/* Each page of a fresh lazy mapping touched once: a zero-fill fault. */
static uint64_t
zero_fill_faults(void)
{
	uint64_t va, start, end;

	if (sys_vm_map(CAP_SLOT_ADDRESS_SPACE, 0, FAULT_PAGES, MAP_WRITE, &va))
		return 0;
	start = (uint64_t)sys_clock_ns();
	for (uint64_t i = 0; i < FAULT_PAGES; i++)
		*(volatile uint64_t *)(va + i * PAGE) = i;
	end = (uint64_t)sys_clock_ns();
	sys_vm_unmap(CAP_SLOT_ADDRESS_SPACE, va, FAULT_PAGES);
	return end - start;
}

/* Pages shared with a clone, each written once: a copy-on-write fault. */
static uint64_t
cow_faults(void)
{
	uint64_t va, start, end;

	if (sys_vm_map(CAP_SLOT_ADDRESS_SPACE, 0, FAULT_PAGES, MAP_WRITE | MAP_COMMIT, &va))
		return 0;
	if (sys_as_clone(CAP_SLOT_ADDRESS_SPACE, CAP_SLOT_MEMORY, CLONE)) {
		sys_vm_unmap(CAP_SLOT_ADDRESS_SPACE, va, FAULT_PAGES);
		return 0;
	}
	start = (uint64_t)sys_clock_ns();
	for (uint64_t i = 0; i < FAULT_PAGES; i++)
		*(volatile uint64_t *)(va + i * PAGE) = i;
	end = (uint64_t)sys_clock_ns();
	sys_cap_delete(CLONE);
	sys_vm_unmap(CAP_SLOT_ADDRESS_SPACE, va, FAULT_PAGES);
	return end - start;
}

/* as_clone of our space with 64 MiB of touched anonymous memory. */
static uint64_t
clone_64mib(void)
{
	uint64_t va, start, total = 0;

	if (sys_vm_map(CAP_SLOT_ADDRESS_SPACE, 0, CLONE_PAGES, MAP_WRITE | MAP_COMMIT, &va))
		return 0;
	for (int i = 0; i < CLONES; i++) {
		start = (uint64_t)sys_clock_ns();
		if (sys_as_clone(CAP_SLOT_ADDRESS_SPACE, CAP_SLOT_MEMORY, CLONE))
			break;
		total += (uint64_t)sys_clock_ns() - start;
		sys_cap_delete(CLONE);
	}
	sys_vm_unmap(CAP_SLOT_ADDRESS_SPACE, va, CLONE_PAGES);
	return total;
}

static void __attribute__((noreturn)) fork_child(void)
{
	sys_exit(0);
}

/* What fork, exit and wait cost here: a clone, a child run in it that
 * exits at once, and its report. */
static uint64_t
fork_exit_wait(void)
{
	struct spawn_args sa;
	uint64_t stack, start;

	if (sys_map_anonymous(4, MAP_WRITE, &stack))
		return 0;
	start = (uint64_t)sys_clock_ns();
	for (int i = 0; i < SPAWNS; i++) {
		if (sys_as_clone(CAP_SLOT_ADDRESS_SPACE, CAP_SLOT_MEMORY, CLONE) ||
		    sys_memory_split(CAP_SLOT_MEMORY, CAP_SLOT_SCRATCH, 64))
			return 0;
		memset(&sa, 0, sizeof(sa));
		sa.name = "ubench";
		sa.name_len = 6;
		sa.memory = CAP_SLOT_SCRATCH;
		sa.supervisor = 3;
		sa.address_space = CLONE;
		sa.entry = (uintptr_t)fork_child;
		sa.stack = stack + 4 * PAGE;
		if (sys_spawn(&sa) < 0)
			return 0;
		sys_cap_delete(CAP_SLOT_SCRATCH);
		sys_cap_delete(CLONE);
		sys_recv(3, &msg, 0);
	}
	return (uint64_t)sys_clock_ns() - start;
}

/* spawn from bin/ubench (File in slot PROGRAM) of role, its report. */
static long
spawn_file(enum role role, const slot_t *caps, unsigned int ncaps)
{
	struct spawn_args sa;
	long pid;

	if (sys_memory_split(CAP_SLOT_MEMORY, CAP_SLOT_SCRATCH, 128))
		return -E_NOMEM;
	memset(&sa, 0, sizeof(sa));
	sa.name = "ubench";
	sa.name_len = 6;
	sa.memory = CAP_SLOT_SCRATCH;
	sa.arg = role;
	sa.supervisor = 3;
	sa.image_file = PROGRAM;
	sa.ncaps = ncaps;
	for (unsigned int i = 0; i < ncaps; i++)
		sa.caps[i] = caps[i];
	pid = sys_spawn(&sa);
	sys_cap_delete(CAP_SLOT_SCRATCH);
	if (pid < 0)
		return pid;
	memset(&msg, 0, sizeof(msg));
	return sys_recv(3, &msg, 0);
}

/* From before spawn to the child's main (it exits with the counter). */
static uint64_t
spawn_to_first_instruction(void)
{
	uint64_t total = 0, start;

	for (int i = 0; i < LOADS; i++) {
		start = (uint64_t)sys_clock_ns();
		if (spawn_file(FIRST_INSN, NULL, 0) || msg.label != PROCESS_EVENT_EXIT)
			return 0;
		total += msg.words[1] - start;
	}
	return total;
}

/* spawn from a file, exit, report: what fork+exec+wait is elsewhere. */
static uint64_t
spawn_exit_wait(void)
{
	uint64_t start = (uint64_t)sys_clock_ns();

	for (int i = 0; i < LOADS; i++)
		if (spawn_file(EXITER, NULL, 0))
			return 0;
	return (uint64_t)sys_clock_ns() - start;
}

/* A child execs ubench: from before its exec to the new image's main. */
static uint64_t
exec_in_place(void)
{
	slot_t caps[2] = { CAP_SLOT_CONSOLE, PROGRAM }; /* bin/ubench is its slot 2 */
	uint64_t total = 0;

	for (int i = 0; i < LOADS; i++) {
		if (spawn_file(EXEC_FROM, caps, 2) || msg.label != PROCESS_EVENT_EXIT ||
		    (long)msg.words[1] <= 0)
			return 0;
		total += msg.words[1];
	}
	return total;
}

static void __attribute__((noreturn)) exec_from(void)
{
	char digits[24], *p = digits + sizeof(digits) - 1;
	uint64_t start = (uint64_t)sys_clock_ns();

	*p = '\0';
	do
		*--p = (char)('0' + start % 10);
	while ((start /= 10) != 0);
	exec(2, "ubench", p, (uint64_t)(digits + sizeof(digits) - p), NULL, 0, EXEC_TO);
	sys_exit(-1);
}

static void __attribute__((noreturn)) exec_to(void)
{
	uint64_t now = (uint64_t)sys_clock_ns(), start = 0;

	for (const char *p = prog_argc > 1 ? prog_argv[1] : ""; *p; p++)
		start = start * 10 + (uint64_t)(*p - '0');
	sys_exit((long)(now - start));
}

/* The figures of issue 12's address spaces (docs/memory.md). */
static void
address_space_benches(void)
{
	report_ns("user_zero_fill_fault", zero_fill_faults(), FAULT_PAGES);
	report_ns("user_cow_fault", cow_faults(), FAULT_PAGES);
	report_ns("user_as_clone_64mib", clone_64mib(), CLONES);
	report_ns("user_clone_spawn_exit_wait", fork_exit_wait(), SPAWNS);
	if (fs_open(ROOT, "bin/ubench", 0, RIGHT_READ | RIGHT_EXECUTE | RIGHT_COPY, PROGRAM)) {
		printf("bench: no root filesystem: no spawn or exec from a file\n");
		return;
	}
	spawn_file(EXITER, NULL, 0); /* the file into the page cache first */
	report_ns("user_spawn_file_to_main", spawn_to_first_instruction(), LOADS);
	report_ns("user_spawn_file_exit_wait", spawn_exit_wait(), LOADS);
	report_ns("user_exec_to_main", exec_in_place(), LOADS);
}

int
main(uint64_t arg)
{
	uint64_t fault, exit;
	struct cap_info ci;

	if (arg & WITH_TLS)
		take_tls(1);
	switch (arg & ~(uint64_t)WITH_TLS) {
	case FIRST_INSN:
		sys_exit(sys_clock_ns());
	case EXEC_FROM:
		exec_from();
	case EXEC_TO:
		exec_to();
	case SERVER:
		memset(&msg, 0, sizeof(msg));
		sys_recv(2, &msg, 0);
		while (msg.label != QUIT)
			sys_reply_recv(2, &msg, 0);
		sys_reply(&msg);
		return 0;
	case WORDS_SERVER: {
		struct ipc_words w;

		ipc_recv_words(2, &w);
		while (w.label != QUIT)
			ipc_reply_recv_words(2, &w);
		memset(&msg, 0, sizeof(msg));
		sys_reply(&msg);
		return 0;
	}
	case YIELDER:
		for (int i = 0; i < ITERATIONS + 10; i++)
			sys_yield();
		return 0;
	case FAULTER:
		*(volatile int *)0 = 0;
		return 1;
	case EXITER:
		return 0;
	}
	/* The root Directory, if init gave it, out of the slots used below. */
	if (sys_cap_inspect(2, &ci) == 0 && ci.type == OBJ_DIRECTORY)
		sys_cap_move(2, ROOT);
	report("user_null_syscall", null_syscall(), ITERATIONS);
	report("user_ipc_call_reply", ipc_round_trip(), ITERATIONS);
	report("user_ipc_call_reply_words", ipc_round_trip_words(0), ITERATIONS);
	report("user_context_switch", context_switch(0), 2 * ITERATIONS);
	take_tls(0);
	report("user_ipc_call_reply_words_tls", ipc_round_trip_words(WITH_TLS), ITERATIONS);
	report("user_context_switch_tls", context_switch(WITH_TLS), 2 * ITERATIONS);
	sys_tls_set(0);
	fault = spawn_and_report(FAULTER);
	exit = spawn_and_report(EXITER);
	report("user_spawn_fault_report", fault, SPAWNS);
	report("user_spawn_exit_report", exit, SPAWNS);
	report("user_fault_to_supervisor", fault > exit ? fault - exit : 0, SPAWNS);
	/* The same program from bin/ubench of the root (when init gave
	 * it): its segments come from the page cache. */
	if (sys_cap_inspect(ROOT, &ci) == 0 && ci.type == OBJ_DIRECTORY) {
		spawn_program_dir = ROOT;
		exit = spawn_and_report(EXITER);
		spawn_program_dir = 0;
		report("user_spawn_file_exit_report", exit, SPAWNS);
		exit = file_faults(&fault);
		if (exit)
			report("user_file_read_fault", exit, fault);
	}
	address_space_benches();
	return 0;
}
