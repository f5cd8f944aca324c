/*
 * User-space benchmarks for `make bench` (init starts this with the
 * console when the kernel command line says "test bench").  Cycles come
 * from the kernel's counter (sys_cycles), read once before and once
 * after many iterations, so its own cost is spread thin.  Lines look
 * like the kernel's: "bench: <name> <cycles> cycles/op".
 */
#include "themelios.h"

#define ITERATIONS 2000
#define SPAWNS	   40
#define QUIT	   1
#define WITH_TLS   0x100 /* added to a role: the child takes a TLS pointer */
#define ROOT_DIR   20	 /* where the root Directory goes, if given */

enum role {
	MAIN,
	SERVER,
	YIELDER,
	FAULTER,
	EXITER,
	WORDS_SERVER
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
 * from the root in ROOT_DIR): a mapping made, each page touched, the
 * mapping gone, ROUNDS times after one round that fills the cache.
 * Cycles per page; 0 when the file cannot be mapped.
 */
#define ROUNDS 20
static uint64_t
file_faults(uint64_t *pages_out)
{
	struct object_info oi;
	uint64_t start = 0, pages, va;

	if (fs_open(ROOT_DIR, "bin/ubench", 0, RIGHT_READ, 21) || sys_object_info(21, &oi))
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

int
main(uint64_t arg)
{
	uint64_t fault, exit;
	struct cap_info ci;

	if (arg & WITH_TLS)
		take_tls(1);
	switch (arg & ~(uint64_t)WITH_TLS) {
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
		sys_cap_move(2, ROOT_DIR);
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
	if (sys_cap_inspect(ROOT_DIR, &ci) == 0 && ci.type == OBJ_DIRECTORY) {
		spawn_program_dir = ROOT_DIR;
		exit = spawn_and_report(EXITER);
		spawn_program_dir = 0;
		report("user_spawn_file_exit_report", exit, SPAWNS);
		exit = file_faults(&fault);
		if (exit)
			report("user_file_read_fault", exit, fault);
	}
	return 0;
}
