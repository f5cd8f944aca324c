/*
 * User-space benchmarks for `make bench` (init starts this with the
 * console when the kernel command line says "test bench").  Cycles come
 * from the kernel's counter (sys_cycles), read once before and once
 * after many iterations, so its own cost is spread thin.  Lines look
 * like the kernel's: "bench: <name> <cycles> cycles/op".
 */
#include "themelios.h"

#define ITERATIONS	2000
#define SPAWNS		40
#define QUIT		1

enum role { MAIN, SERVER, YIELDER, FAULTER, EXITER, WORDS_SERVER };

static struct ipc_msg msg;

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
		syscall6(0, 0, 0, 0, 0, 0, 0);	/* entry, dispatch (E_NOSYS), return */
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
	sys_call(2, &msg, 0);		/* the server is up and waiting */
	start = (uint64_t)sys_cycles();
	for (int i = 0; i < ITERATIONS; i++) {
		msg.label = 0;
		sys_call(2, &msg, 0);
	}
	end = (uint64_t)sys_cycles();
	msg.label = QUIT;
	sys_call(2, &msg, 0);
	sys_recv(3, &msg, 0);		/* its exit */
	return end - start;
}

/* The same through the register path. */
static uint64_t
ipc_round_trip_words(void)
{
	slot_t caps[2] = { CAP_SLOT_CONSOLE, 4 };
	struct ipc_words w = { 0 };
	uint64_t start, end;

	if (sys_endpoint_create(4) || spawn("ubench", WORDS_SERVER, 64, 3, 0, caps, 2) < 0)
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
context_switch(void)
{
	uint64_t start;

	if (spawn("ubench", YIELDER, 64, 3, 0, NULL, 0) < 0)
		return 0;
	sys_yield();			/* let it start */
	start = (uint64_t)sys_cycles();
	for (int i = 0; i < ITERATIONS; i++)
		sys_yield();		/* to the yielder and back: two switches */
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

int
main(uint64_t arg)
{
	uint64_t fault, exit;

	switch (arg) {
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
	report("user_null_syscall", null_syscall(), ITERATIONS);
	report("user_ipc_call_reply", ipc_round_trip(), ITERATIONS);
	report("user_ipc_call_reply_words", ipc_round_trip_words(), ITERATIONS);
	report("user_context_switch", context_switch(), 2 * ITERATIONS);
	fault = spawn_and_report(FAULTER);
	exit = spawn_and_report(EXITER);
	report("user_spawn_fault_report", fault, SPAWNS);
	report("user_spawn_exit_report", exit, SPAWNS);
	report("user_fault_to_supervisor", fault > exit ? fault - exit : 0, SPAWNS);
	return 0;
}
