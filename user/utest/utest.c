/*
 * One adversarial test case per process (the case number is the
 * argument).  A case that checks answers exits 0 when every answer was
 * the documented one and prints each wrong one; a case that attacks
 * memory must never get past the attack (init expects its fault).
 */
#include "themelios.h"
#include "echo/echo.h"
#include "utest/utest.h"

#define KERNEL_TEXT	0xffffffff80000000ull	/* both arches link the kernel here */
#define UNMAPPED	0x40000000ull
#define PROC_REGIONS_GUESS	40	/* more than a process's region table holds */

int utest_failures;

void
utest_check(const char *file, int line, const char *what, long got, long want)
{
	if (got == want)
		return;
	utest_failures++;
	printf("utest: %s line %d: %s = %ld (%s), want %ld (%s)\n", file, line, what, got,
	       got < 0 ? strerror(got) : "", want, want < 0 ? strerror(want) : "");
}

static struct ipc_msg msg;

/* Recurses until the stack runs into its guard page (the limit is far
 * beyond the stack: it only keeps the compiler from calling this an
 * infinite recursion). */
static uint64_t __attribute__((noinline))
recurse(volatile uint64_t depth)
{
	volatile uint8_t frame[512];

	frame[0] = (uint8_t)depth;
	if (depth > (1ull << 40))
		return 0;
	return recurse(depth + 1) + frame[0];
}

static void __attribute__((noreturn))
attacked(const char *what)
{
	printf("utest: %s did not fault\n", what);
	sys_exit(1);
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

static void
bad_slots(void)
{
	static const uint64_t slots[] = { 0, 5, CAP_SLOTS, 9999, 1ull << 63, ~0ull };
	struct cap_info info;

	CHECK(sys_endpoint_create(2), 0);
	for (unsigned int i = 0; i < sizeof(slots) / sizeof(slots[0]); i++) {
		uint64_t s = slots[i];

		CHECK(sys_console_write(s, "x", 1), -E_NOCAP);
		CHECK(sys_send(s, &msg, IPC_NONBLOCK), -E_NOCAP);
		CHECK(sys_call(s, &msg, IPC_NONBLOCK), -E_NOCAP);
		CHECK(sys_recv(s, &msg, IPC_NONBLOCK), -E_NOCAP);
		CHECK(sys_cap_copy(s, 6), -E_NOCAP);
		CHECK(sys_cap_copy(1, s), s == 5 ? 0 : -E_NOCAP);
		if (s == 5)
			CHECK(sys_cap_delete(5), 0);
		CHECK(sys_cap_mint(s, 6, RIGHTS_ALL, 0), -E_NOCAP);
		CHECK(sys_cap_move(s, 6), -E_NOCAP);
		CHECK(sys_cap_delete(s), -E_NOCAP);
		CHECK(sys_cap_revoke(s), -E_NOCAP);
		CHECK(sys_cap_inspect(s, &info), -E_NOCAP);
		CHECK(sys_endpoint_create(s), s == 5 ? 0 : -E_NOCAP);
		if (s == 5)
			CHECK(sys_cap_delete(5), 0);
	}
	/* Wrong types. */
	CHECK(sys_send(CAP_SLOT_CONSOLE, &msg, IPC_NONBLOCK), -E_TYPE);
	CHECK(sys_recv(CAP_SLOT_CONSOLE, &msg, IPC_NONBLOCK), -E_TYPE);
	CHECK(sys_console_write(2, "x", 1), -E_TYPE);
	/* Occupied destinations. */
	CHECK(sys_endpoint_create(1), -E_EXIST);
	CHECK(sys_cap_copy(2, 1), -E_EXIST);
	CHECK(sys_cap_move(2, 1), -E_EXIST);
	/* Unknown system calls and flags. */
	CHECK(syscall6(0, 0, 0, 0, 0, 0, 0), -E_NOSYS);
	CHECK(syscall6(999, 1, 2, 3, 4, 5, 6), -E_NOSYS);
	CHECK(syscall6(-1, 0, 0, 0, 0, 0, 0), -E_NOSYS);
	CHECK(sys_send(2, &msg, 0x80), -E_INVAL);
	CHECK(sys_recv(2, &msg, ~0ull), -E_INVAL);
	CHECK(sys_reply(&msg), -E_NOENT);
	CHECK(sys_cap_mint(2, 6, 1ull << 40, 0), -E_INVAL);
	CHECK(sys_cap_mint(2, 6, 1u << 10, 0), -E_INVAL);
	CHECK(sys_map_anonymous(0, MAP_WRITE, (uint64_t *)&info), -E_INVAL);
	CHECK(sys_map_anonymous(1, 0x100, (uint64_t *)&info), -E_INVAL);
	/* Nothing waiting: the non-blocking forms say so. */
	CHECK(sys_send(2, &msg, IPC_NONBLOCK), -E_AGAIN);
	CHECK(sys_recv(2, &msg, IPC_NONBLOCK), -E_AGAIN);
}

static void
bad_pointers(void)
{
	struct spawn_args sa;
	struct cap_info info;
	uint64_t page;
	char buf[8] = "abcdefg";

	CHECK(sys_endpoint_create(2), 0);
	CHECK(sys_console_write(1, (void *)KERNEL_TEXT, 8), -E_FAULT);
	CHECK(sys_console_write(1, (void *)UNMAPPED, 8), -E_FAULT);
	CHECK(sys_console_write(1, (void *)~0ull - 2, 8), -E_FAULT);
	CHECK(sys_console_write(1, buf, 1ull << 40), -E_RANGE);
	CHECK(sys_console_write(1, buf, CONSOLE_WRITE_MAX + 1), -E_RANGE);
	CHECK(sys_cap_inspect(1, (void *)KERNEL_TEXT), -E_FAULT);
	CHECK(sys_cap_inspect(1, (void *)0), -E_FAULT);
	CHECK(sys_cap_inspect(1, (void *)(uintptr_t)main), -E_FAULT);	/* read-only */
	/* A buffer running off the end of a mapping into the hole after it. */
	CHECK(sys_map_anonymous(1, MAP_WRITE, &page), 0);
	CHECK(sys_cap_inspect(1, (void *)(page + 4096 - 8)), -E_FAULT);
	CHECK(sys_cap_inspect(1, (void *)(page + 4096 - sizeof(info))), 0);
	CHECK(sys_send(2, (void *)KERNEL_TEXT, IPC_NONBLOCK), -E_FAULT);
	CHECK(sys_recv(2, (void *)UNMAPPED, IPC_NONBLOCK), -E_FAULT);
	CHECK(sys_call(2, (void *)(page + 4096 - 100), IPC_NONBLOCK), -E_FAULT);
	memset(&msg, 0, sizeof(msg));
	msg.len = IPC_DATA_MAX + 1;
	CHECK(sys_send(2, &msg, IPC_NONBLOCK), -E_RANGE);
	msg.len = 0xffffffffu;
	CHECK(sys_send(2, &msg, IPC_NONBLOCK), -E_RANGE);
	msg.len = 0;
	CHECK(sys_spawn(NULL), -E_FAULT);
	CHECK(sys_spawn((void *)KERNEL_TEXT), -E_FAULT);
	memset(&sa, 0, sizeof(sa));
	CHECK(sys_memory_split(CAP_SLOT_MEMORY, 20, 64), 0);
	sa.memory = 20;
	sa.name = (const char *)KERNEL_TEXT;
	sa.name_len = 4;
	CHECK(sys_spawn(&sa), -E_FAULT);
	sa.name = "utest";
	sa.name_len = 0;
	CHECK(sys_spawn(&sa), -E_RANGE);
	sa.name_len = 1ull << 62;
	CHECK(sys_spawn(&sa), -E_RANGE);
	sa.name = "nosuchprogram";
	sa.name_len = strlen(sa.name);
	CHECK(sys_spawn(&sa), -E_NOENT);
	sa.name = "utest";
	sa.name_len = 5;
	sa.ncaps = SPAWN_CAPS_MAX + 1;
	CHECK(sys_spawn(&sa), -E_RANGE);
	sa.ncaps = 1;
	sa.caps[0] = 40;
	CHECK(sys_spawn(&sa), -E_NOCAP);
	sa.ncaps = 0;
	sa.memory = 1;				/* not a Memory capability */
	CHECK(sys_spawn(&sa), -E_TYPE);
	sa.memory = 0;
	CHECK(sys_spawn(&sa), -E_NOCAP);
	CHECK(sys_map_anonymous(1, MAP_WRITE, (uint64_t *)KERNEL_TEXT), -E_FAULT);
	/* The kernel is still answering. */
	CHECK(sys_console_write(1, "", 0), 0);
}

static void
rights(void)
{
	struct cap_info info;

	CHECK(sys_cap_mint(1, 2, RIGHT_READ, 0), 0);
	CHECK(sys_console_write(2, "x", 1), -E_PERM);
	CHECK(sys_endpoint_create(3), 0);
	CHECK(sys_cap_mint(3, 4, RIGHT_READ, 0), 0);
	CHECK(sys_send(4, &msg, IPC_NONBLOCK), -E_PERM);
	CHECK(sys_cap_mint(3, 5, RIGHT_WRITE, 0), 0);
	CHECK(sys_recv(5, &msg, IPC_NONBLOCK), -E_PERM);
	/* No COPY: neither copied nor minted. */
	CHECK(sys_cap_copy(5, 6), -E_PERM);
	CHECK(sys_cap_mint(5, 6, RIGHT_WRITE, 0), -E_PERM);
	/* No GRANT: no capability goes through. */
	memset(&msg, 0, sizeof(msg));
	msg.cap = 1;
	CHECK(sys_send(5, &msg, IPC_NONBLOCK), -E_PERM);
	msg.cap = 0;
	/* Rights only shrink. */
	CHECK(sys_cap_mint(3, 7, RIGHT_READ | RIGHT_COPY, 0), 0);
	CHECK(sys_cap_mint(7, 8, RIGHTS_ALL, 0), 0);
	CHECK(sys_cap_inspect(8, &info), 0);
	CHECK(info.rights, RIGHT_READ | RIGHT_COPY);
	CHECK(info.type, OBJ_ENDPOINT);
	/* A badge is set once, and only on endpoints. */
	CHECK(sys_cap_mint(3, 9, RIGHT_WRITE | RIGHT_COPY, 5), 0);
	CHECK(sys_cap_mint(9, 10, RIGHT_WRITE, 6), -E_PERM);
	CHECK(sys_cap_mint(9, 10, RIGHT_WRITE, 0), 0);
	CHECK(sys_cap_inspect(10, &info), 0);
	CHECK(info.badge, 5);
	CHECK(sys_cap_mint(1, 11, RIGHT_WRITE, 3), -E_TYPE);
}

static void
revoke(void)
{
	struct cap_info info;

	CHECK(sys_endpoint_create(2), 0);
	CHECK(sys_cap_copy(2, 3), 0);
	CHECK(sys_cap_mint(3, 4, RIGHT_WRITE | RIGHT_COPY, 9), 0);
	CHECK(sys_cap_copy(4, 5), 0);
	CHECK(sys_cap_move(5, 6), 0);
	CHECK(sys_cap_inspect(2, &info), 0);
	CHECK(info.flags & 1, 1);		/* has derived capabilities */
	CHECK(sys_cap_revoke(2), 0);
	for (slot_t s = 3; s <= 6; s++) {
		CHECK(sys_send(s, &msg, IPC_NONBLOCK), -E_NOCAP);
		CHECK(sys_cap_inspect(s, &info), -E_NOCAP);
	}
	CHECK(sys_send(2, &msg, IPC_NONBLOCK), -E_AGAIN);	/* the original stays */
	CHECK(sys_cap_inspect(2, &info), 0);
	CHECK(info.flags & 1, 0);
	CHECK(sys_cap_delete(2), 0);
	CHECK(sys_send(2, &msg, IPC_NONBLOCK), -E_NOCAP);
}

static void
revoke_wakes(void)
{
	slot_t caps[2] = { 1, 2 };
	struct ipc_msg m;
	long pid;

	CHECK(sys_endpoint_create(2), 0);
	CHECK(sys_endpoint_create(3), 0);
	pid = spawn("utest", UT_H_BLOCKED_RECV, 64, 3, 1, caps, 2);
	CHECK(pid > 0, 1);
	/* Let the child block in its receive. */
	for (int i = 0; i < 50; i++)
		sys_yield();
	CHECK(sys_cap_revoke(2), 0);	/* the child's copy goes */
	CHECK(sys_cap_delete(2), 0);	/* and the last one: the endpoint dies */
	CHECK(await_report(3, &m), 0);
	CHECK(m.label, PROCESS_EVENT_EXIT);
	CHECK(m.words[1], 0);		/* the child saw -E_REVOKED */
}

static void
no_caps(void)
{
	struct ipc_msg m;
	long pid;

	CHECK(sys_endpoint_create(3), 0);
	pid = spawn("utest", UT_H_NO_CAPS, 64, 3, 1, NULL, 0);
	CHECK(pid > 0, 1);
	CHECK(await_report(3, &m), 0);
	CHECK(m.label, PROCESS_EVENT_EXIT);
	CHECK(m.words[1], 0);		/* every attempt was refused */
}

static void
call_reply(void)
{
	slot_t caps[2] = { 1, 2 };
	struct ipc_msg m;
	long pid;

	CHECK(sys_endpoint_create(2), 0);
	CHECK(sys_endpoint_create(3), 0);
	pid = spawn("echo", 0, 64, 3, 9, caps, 2);
	CHECK(pid > 0, 1);
	CHECK(sys_cap_mint(2, 4, RIGHT_WRITE | RIGHT_GRANT, 11), 0);
	CHECK(sys_cap_mint(2, 5, RIGHT_WRITE | RIGHT_GRANT, 22), 0);
	CHECK(sys_cap_mint(2, 7, RIGHT_WRITE, 33), 0);
	memset(&m, 0, sizeof(m));
	m.len = 3;
	memcpy(m.data, "abc", 3);
	CHECK(sys_call(4, &m, 0), 0);
	CHECK(m.len, 3);
	CHECK(memcmp(m.data, "ABC", 3), 0);
	CHECK(m.words[0], 11);
	CHECK(m.words[1], 0);
	memset(&m, 0, sizeof(m));
	CHECK(sys_call(5, &m, 0), 0);
	CHECK(m.words[0], 22);
	/* A capability travels with GRANT... */
	memset(&m, 0, sizeof(m));
	CHECK(sys_cap_mint(1, 6, RIGHT_WRITE | RIGHT_COPY, 0), 0);
	m.cap = 6;
	CHECK(sys_call(4, &m, 0), 0);
	CHECK(m.words[1], OBJ_CONSOLE);
	/* ...and not without it. */
	memset(&m, 0, sizeof(m));
	m.cap = 6;
	CHECK(sys_call(7, &m, 0), -E_PERM);
	m.cap = 0;
	CHECK(sys_call(7, &m, 0), 0);
	CHECK(m.words[0], 33);
	memset(&m, 0, sizeof(m));
	m.label = ECHO_QUIT;
	CHECK(sys_call(4, &m, 0), 0);
	CHECK(await_report(3, &m), 0);
	CHECK(m.label, PROCESS_EVENT_EXIT);
	CHECK(m.badge, 9);
	CHECK(m.words[0], pid);
	/* A server that ends without replying: the caller hears -E_DEAD. */
	pid = spawn("utest", UT_H_NO_REPLY, 64, 3, 10, caps, 2);
	CHECK(pid > 0, 1);
	memset(&m, 0, sizeof(m));
	CHECK(sys_call(4, &m, 0), -E_DEAD);
	CHECK(await_report(3, &m), 0);
	CHECK(m.badge, 10);
}

static void
memory_exhaustion(void)
{
	uint64_t addr, total = 0;
	slot_t console = 1;

	CHECK(sys_map_anonymous(1ull << 40, MAP_WRITE, &addr), -E_NOMEM);
	CHECK(sys_map_anonymous(~0ull, MAP_WRITE, &addr), -E_NOMEM);
	for (uint64_t chunk = 64; chunk; ) {
		long err = sys_map_anonymous(chunk, MAP_WRITE, &addr);

		if (err == -E_NOMEM) {
			chunk /= 2;
			continue;
		}
		CHECK(err, 0);
		if (err)
			break;
		for (uint64_t i = 0; i < chunk; i++)
			((volatile uint8_t *)addr)[i * 4096] = 1;
		total += chunk;
	}
	CHECK(total > 100, 1);
	/* The quota is spent: every request that needs memory says so. */
	CHECK(sys_map_anonymous(1, MAP_WRITE, &addr), -E_NOMEM);
	CHECK(sys_endpoint_create(2), -E_NOMEM);
	CHECK(spawn("utest", UT_H_IDLE, 20, 0, 0, &console, 1), -E_NOMEM);
	CHECK(malloc(100) == NULL, 1);
	/* What needs none still works. */
	CHECK(sys_cap_copy(1, 3), 0);
	printf("utest: memory exhaustion after %lu pages\n", total);
}

static void
spawn_storm(void)
{
	struct ipc_msg m;
	long n = 0, pid;

	CHECK(sys_endpoint_create(3), 0);
	while ((pid = spawn("utest", UT_H_IDLE, UT_IDLE_QUOTA, 3, 0, NULL, 0)) > 0)
		n++;
	CHECK(pid, -E_NOMEM);
	CHECK(n >= 5, 1);
	for (long i = 0; i < n; i++) {
		CHECK(await_report(3, &m), 0);
		CHECK(m.label, PROCESS_EVENT_EXIT);
	}
	printf("utest: spawn storm: %ld children before the quota ran out\n", n);
}

static void
fault_report(void)
{
	struct ipc_msg m;
	long pid;

	CHECK(sys_endpoint_create(3), 0);
	pid = spawn("utest", UT_H_FAULT, 64, 3, 77, NULL, 0);
	CHECK(pid > 0, 1);
	CHECK(await_report(3, &m), 0);
	CHECK(m.label, PROCESS_EVENT_FAULT);
	CHECK(m.badge, 77);
	CHECK(m.words[0], pid);
	CHECK(m.words[1], -E_FAULT);
	CHECK(m.words[2], UT_FAULT_ADDR);
}

static void
other_process(void)
{
	struct ipc_msg m;
	uint64_t addr;
	long pid;

	CHECK(sys_map_anonymous(1, MAP_WRITE, &addr), 0);
	CHECK(addr, UT_MAP_BASE);
	*(volatile uint64_t *)addr = 0x5ec7e7;
	CHECK(sys_endpoint_create(3), 0);
	pid = spawn("utest", UT_H_READ_PARENT, 64, 3, 1, NULL, 0);
	CHECK(pid > 0, 1);
	CHECK(await_report(3, &m), 0);
	CHECK(m.label, PROCESS_EVENT_FAULT);
	CHECK(m.words[2], UT_MAP_BASE);
	CHECK(*(volatile uint64_t *)addr, 0x5ec7e7);
}

/* Puts v in the first FP/SIMD register and reads it back. */
static void
fpu_set(uint64_t v)
{
#if defined(__x86_64__)
	__asm__ volatile("movq %0, %%xmm0" : : "r"(v));
#else
	__asm__ volatile("fmov d0, %0" : : "r"(v));
#endif
}

static uint64_t
fpu_get(void)
{
	uint64_t v;

#if defined(__x86_64__)
	__asm__ volatile("movq %%xmm0, %0" : "=r"(v));
#else
	__asm__ volatile("fmov %0, d0" : "=r"(v));
#endif
	return v;
}

static int
fpu_loop(uint64_t pattern)
{
	int bad = 0;

	for (int i = 0; i < 200; i++) {
		fpu_set(pattern + (uint64_t)i);
		sys_yield();
		if (fpu_get() != pattern + (uint64_t)i)
			bad++;
	}
	return bad;
}

static void
fpu(void)
{
	struct ipc_msg m;
	long pid;

	CHECK(sys_endpoint_create(3), 0);
	pid = spawn("utest", UT_H_FPU, 64, 3, 1, NULL, 0);
	CHECK(pid > 0, 1);
	CHECK(fpu_loop(0x1111000000000000ull), 0);
	CHECK(await_report(3, &m), 0);
	CHECK(m.label, PROCESS_EVENT_EXIT);
	CHECK(m.words[1], 0);
}

static void
bad_elf(void)
{
	slot_t console = 1;

	CHECK(spawn("notelf", 0, 64, 0, 0, &console, 1), -E_CORRUPT);
	CHECK(spawn("truncated", 0, 64, 0, 0, &console, 1), -E_CORRUPT);
	CHECK(spawn("utest", 0, 2, 0, 0, &console, 1), -E_NOMEM);	/* quota too small */
	CHECK(spawn("utest", 0, 1ull << 50, 0, 0, &console, 1), -E_NOMEM);
}

static void
notifications(void)
{
	slot_t caps[2] = { 1, 2 };
	struct ipc_msg m;
	uint64_t w = 0;

	CHECK(sys_notification_create(2), 0);
	CHECK(sys_signal(2, 0x5), 0);
	CHECK(sys_signal(2, 0x10), 0);
	CHECK(sys_wait(2, IPC_NONBLOCK, &w), 0);
	CHECK(w, 0x15);
	CHECK(sys_wait(2, IPC_NONBLOCK, &w), -E_AGAIN);
	/* The badge marks the signaller. */
	CHECK(sys_cap_mint(2, 3, RIGHT_WRITE, 0x100), 0);
	CHECK(sys_signal(3, 1), 0);
	CHECK(sys_wait(2, 0, &w), 0);
	CHECK(w, 0x101);
	/* Rights, types, arguments. */
	CHECK(sys_cap_mint(2, 4, RIGHT_READ, 0), 0);
	CHECK(sys_signal(4, 1), -E_PERM);
	CHECK(sys_wait(3, IPC_NONBLOCK, &w), -E_PERM);
	CHECK(sys_signal(1, 1), -E_TYPE);
	CHECK(sys_wait(2, 0x40, &w), -E_INVAL);
	CHECK(sys_wait(2, IPC_NONBLOCK, (uint64_t *)KERNEL_TEXT), -E_FAULT);
	CHECK(sys_notification_create(2), -E_EXIST);
	/* A blocked waiter wakes on a signal... */
	CHECK(sys_endpoint_create(6), 0);
	CHECK(spawn("utest", UT_H_WAIT, 64, 6, 1, caps, 2) > 0, 1);
	for (int i = 0; i < 30; i++)
		sys_yield();
	CHECK(sys_signal(2, 0x42), 0);
	CHECK(await_report(6, &m), 0);
	CHECK(m.label, PROCESS_EVENT_EXIT);
	CHECK(m.words[1], 0);
	/* ...and with -E_REVOKED when the notification goes. */
	CHECK(spawn("utest", UT_H_WAIT_REVOKED, 64, 6, 2, caps, 2) > 0, 1);
	for (int i = 0; i < 30; i++)
		sys_yield();
	CHECK(sys_cap_revoke(2), 0);
	CHECK(sys_cap_delete(2), 0);
	CHECK(await_report(6, &m), 0);
	CHECK(m.label, PROCESS_EVENT_EXIT);
	CHECK(m.words[1], 0);
}

/* Spawns helper id with the console and slot 2, reporting to slot 3,
 * its Process capability in slot pslot. */
static long
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

static void
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
	CHECK(sys_process_kill(4), -E_DEAD);	/* once is enough */
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

static void
memory_objects(void)
{
	struct memory_info own, before, info;
	struct ipc_msg m;
	long pid;

	CHECK(sys_memory_info(CAP_SLOT_MEMORY, &before), 0);
	CHECK(before.limit, UTEST_QUOTA);
	CHECK(before.used > 0 && before.used < before.limit, 1);
	CHECK(sys_memory_split(CAP_SLOT_MEMORY, 2, 10), 0);
	CHECK(sys_memory_info(2, &info), 0);
	CHECK(info.limit, 10);
	CHECK(info.used, 0);
	CHECK(sys_memory_info(CAP_SLOT_MEMORY, &own), 0);
	CHECK(own.used, before.used + 10);
	CHECK(sys_memory_split(2, 3, 11), -E_NOMEM);
	CHECK(sys_memory_split(2, 3, 0), -E_INVAL);
	CHECK(sys_memory_split(2, 1, 1), -E_EXIST);
	CHECK(sys_memory_split(1, 3, 1), -E_TYPE);
	CHECK(sys_memory_split(CAP_SLOT_MEMORY, 3, 1ull << 60), -E_NOMEM);
	CHECK(sys_cap_mint(2, 4, RIGHT_READ, 0), 0);
	CHECK(sys_memory_split(4, 3, 1), -E_PERM);
	CHECK(sys_memory_info(2, (struct memory_info *)KERNEL_TEXT), -E_FAULT);
	/* Too small a pool for a process: refused, and nothing leaks. */
	CHECK(spawn("utest", UT_H_IDLE, 8, 0, 0, NULL, 0), -E_NOMEM);
	CHECK(sys_cap_delete(4), 0);
	CHECK(sys_cap_delete(2), 0);
	CHECK(sys_memory_info(CAP_SLOT_MEMORY, &own), 0);
	CHECK(own.used, before.used);
	/* A child's pool comes back when it has gone. */
	CHECK(sys_endpoint_create(5), 0);
	CHECK(sys_memory_info(CAP_SLOT_MEMORY, &before), 0);
	pid = spawn("utest", UT_H_IDLE, UT_IDLE_QUOTA, 5, 1, NULL, 0);
	CHECK(pid > 0, 1);
	CHECK(sys_memory_info(CAP_SLOT_MEMORY, &own), 0);
	CHECK(own.used, before.used + UT_IDLE_QUOTA);
	CHECK(await_report(5, &m), 0);
	for (int i = 0; i < 100 && own.used != before.used; i++) {
		sys_yield();
		sys_memory_info(CAP_SLOT_MEMORY, &own);
	}
	CHECK(own.used, before.used);
	/* Reports nobody has read keep the ended children charged to us. */
	for (int i = 0; i < 3; i++)
		CHECK(spawn("utest", UT_H_IDLE, UT_IDLE_QUOTA, 5, 1, NULL, 0) > 0, 1);
	for (int i = 0; i < 300; i++)
		sys_yield();
	CHECK(sys_memory_info(CAP_SLOT_MEMORY, &own), 0);
	CHECK(own.used, before.used + 3 * UT_IDLE_QUOTA);
	for (int i = 0; i < 3; i++)
		CHECK(await_report(5, &m), 0);
	for (int i = 0; i < 100 && own.used != before.used; i++) {
		sys_yield();
		sys_memory_info(CAP_SLOT_MEMORY, &own);
	}
	CHECK(own.used, before.used);
}

static void
args(void)
{
	static const char two[] = "alpha\0beta gamma";	/* the final NUL is the literal's */
	static char many[SPAWN_ARGC_MAX * 2 + 2];
	struct ipc_msg m;
	long pid;

	CHECK(prog_argc, 1);
	CHECK(strcmp(prog_argv[0], "utest"), 0);
	CHECK(prog_argv[1] == NULL, 1);
	CHECK(sys_endpoint_create(3), 0);
	pid = spawn_args("utest", UT_H_ARGS, 64, 3, 1, NULL, 0, two, sizeof(two));
	CHECK(pid > 0, 1);
	CHECK(await_report(3, &m), 0);
	CHECK(m.label, PROCESS_EVENT_EXIT);
	CHECK(m.words[1], 0);
	/* Bad argument blocks. */
	CHECK(spawn_args("utest", UT_H_IDLE, 64, 0, 0, NULL, 0, "abc", 3), -E_INVAL);
	CHECK(spawn_args("utest", UT_H_IDLE, 64, 0, 0, NULL, 0, (char *)KERNEL_TEXT, 8),
	      -E_FAULT);
	CHECK(spawn_args("utest", UT_H_IDLE, 64, 0, 0, NULL, 0, two, SPAWN_ARGS_MAX + 1),
	      -E_RANGE);
	for (unsigned int i = 0; i < sizeof(many); i += 2)
		many[i] = 'x';			/* "x\0x\0...": one string too many */
	CHECK(spawn_args("utest", UT_H_IDLE, 64, 0, 0, NULL, 0, many, sizeof(many)), -E_RANGE);
	/* The most there may be: argv[0] and 31 more. */
	CHECK(spawn_args("utest", UT_H_IDLE, 64, 3, 2, NULL, 0, many,
			 2 * (SPAWN_ARGC_MAX - 1)) > 0, 1);
	CHECK(await_report(3, &m), 0);
	CHECK(m.words[1], 0);
}

#define WORDS_QUIT	999

static void
register_ipc(void)
{
	slot_t caps[2] = { 1, 2 };
	struct ipc_words w;
	struct ipc_msg m;

	CHECK(sys_endpoint_create(2), 0);
	CHECK(sys_endpoint_create(3), 0);
	CHECK(spawn("utest", UT_H_WORDS_SERVER, 64, 3, 1, caps, 2) > 0, 1);
	CHECK(sys_cap_mint(2, 4, RIGHT_WRITE, 77), 0);
	w = (struct ipc_words){ .label = 5, .w = { 1, 2, 3, 4 } };
	CHECK(ipc_call_words(4, &w), 0);
	CHECK(w.label, 6);
	CHECK(w.w[0], 2);
	CHECK(w.w[1], 4);
	CHECK(w.w[2], 6);
	CHECK(w.w[3], 77);		/* the badge the server saw */
	/* A memory message to a register server: the words arrive, the
	 * data does not. */
	memset(&m, 0, sizeof(m));
	m.label = 8;
	m.words[0] = 21;
	m.len = 3;
	memcpy(m.data, "xyz", 3);
	CHECK(sys_call(4, &m, 0), 0);
	CHECK(m.label, 9);
	CHECK(m.words[0], 42);
	CHECK(m.len, 0);
	/* Checked like every other call. */
	CHECK(ipc_call_words(0, &w), -E_NOCAP);
	CHECK(ipc_call_words(1, &w), -E_TYPE);
	CHECK(sys_cap_mint(2, 5, RIGHT_READ, 0), 0);
	CHECK(ipc_call_words(5, &w), -E_PERM);
	CHECK(ipc_recv_words(4, &w), -E_PERM);
	w = (struct ipc_words){ .label = WORDS_QUIT };
	CHECK(ipc_call_words(4, &w), 0);
	CHECK(await_report(3, &m), 0);
	CHECK(m.words[1], 0);
}

static void
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
	CHECK(m.words[1], 31);		/* it received through the granted endpoint */
	/* Checked like everything else. */
	CHECK(sys_process_grant(4, 6, 7), -E_DEAD);
	CHECK(sys_process_grant(2, 6, 7), -E_TYPE);
	pid = spawn_with_process_cap(UT_H_NO_REPLY, 8);	/* waits in a receive */
	CHECK(pid > 0, 1);
	CHECK(sys_cap_mint(8, 9, RIGHT_READ | RIGHT_WRITE, 0), 0);
	CHECK(sys_process_grant(9, 6, 7), -E_PERM);	/* no GRANT */
	CHECK(sys_cap_mint(6, 10, RIGHT_WRITE, 0), 0);
	CHECK(sys_process_grant(8, 10, 7), -E_PERM);	/* no COPY on what is given */
	CHECK(sys_process_grant(8, 6, 1), -E_EXIST);	/* the child's console */
	CHECK(sys_process_grant(8, 6, CAP_SLOTS), -E_NOCAP);
	CHECK(sys_cap_inspect(4, &info), 0);
	CHECK(sys_process_kill(8), 0);
	CHECK(await_report(3, &m), 0);
	CHECK(m.words[1], -E_DEAD);
}

static void
shared_memory(void)
{
	slot_t caps[2] = { 1, 2 };
	struct memory_info before, during, after;
	struct cap_info info;
	struct ipc_msg m;
	uint64_t addr, addr2;
	volatile uint64_t *p;

	CHECK(sys_memory_info(CAP_SLOT_MEMORY, &before), 0);
	CHECK(sys_frames_create(2, 2), 0);
	CHECK(sys_cap_inspect(2, &info), 0);
	CHECK(info.type, OBJ_FRAMES);
	CHECK(sys_memory_info(CAP_SLOT_MEMORY, &during), 0);
	CHECK(during.used, before.used + 3);		/* two pages and the bookkeeping */
	CHECK(sys_frames_map(2, MAP_WRITE, &addr), 0);
	p = (volatile uint64_t *)addr;
	CHECK(p[0], 0);					/* fresh pages are zero */
	p[0] = 0xfeed;
	p[512] = 0xbeef;				/* the second page */
	/* Mapped twice, it is the same memory. */
	CHECK(sys_frames_map(2, 0, &addr2), 0);
	CHECK(*(volatile uint64_t *)addr2, 0xfeed);
	/* A child maps it too, reads, and answers through it. */
	CHECK(sys_endpoint_create(3), 0);
	CHECK(spawn("utest", UT_H_SHARED, 64, 3, 1, caps, 2) > 0, 1);
	CHECK(await_report(3, &m), 0);
	CHECK(m.label, PROCESS_EVENT_EXIT);
	CHECK(m.words[1], 0);
	CHECK(p[1], 0xfeed + 0xbeef);
	/* Read-only for a child with READ alone: its write faults. */
	CHECK(sys_cap_mint(2, 4, RIGHT_READ | RIGHT_COPY, 0), 0);
	caps[1] = 4;
	CHECK(spawn("utest", UT_H_SHARED_READONLY, 64, 3, 2, caps, 2) > 0, 1);
	CHECK(await_report(3, &m), 0);
	CHECK(m.label, PROCESS_EVENT_FAULT);
	CHECK(p[1], 0xfeed + 0xbeef);
	/* Arguments. */
	CHECK(sys_frames_map(4, MAP_WRITE, &addr2), -E_PERM);
	CHECK(sys_frames_map(1, 0, &addr2), -E_TYPE);
	CHECK(sys_frames_map(2, 0x4, &addr2), -E_INVAL);
	CHECK(sys_frames_map(2, 0, (uint64_t *)KERNEL_TEXT), -E_FAULT);
	CHECK(sys_frames_create(0, 5), -E_INVAL);
	CHECK(sys_frames_create(100000, 5), -E_RANGE);
	CHECK(sys_frames_create(FRAMES_MAX_PAGES, 5), 0);
	CHECK(sys_frames_create(FRAMES_MAX_PAGES, 6), -E_NOMEM);	/* our pool is spent */
	CHECK(sys_cap_delete(5), 0);				/* and back */
	CHECK(sys_frames_create(1, 1), -E_EXIST);
	/* The capability gone, the mappings keep the pages (and the charge). */
	CHECK(sys_cap_delete(4), 0);
	CHECK(sys_cap_delete(2), 0);
	CHECK(p[0], 0xfeed);
	/* (The children's pools come back as the reaper frees them.) */
	CHECK(sys_memory_info(CAP_SLOT_MEMORY, &after), 0);
	for (int i = 0; i < 100 && after.used != during.used + 2; i++) {
		sys_yield();
		sys_memory_info(CAP_SLOT_MEMORY, &after);
	}
	/* + the endpoint, + the page table under the mappings (our first) */
	CHECK(after.used, during.used + 2);
}

/*
 * IPC while another process spins: calls hand the CPU straight to the
 * server and back (no wait behind the spinner), yet the pair shares one
 * time slice, so the spinner still runs.
 */
static void
ipc_under_load(void)
{
	slot_t caps[2] = { 1, 4 };
	volatile uint64_t *shared;
	struct ipc_words w;
	struct ipc_msg m;
	uint64_t addr, before;
	int ok = 0;

	CHECK(sys_frames_create(1, 2), 0);
	CHECK(sys_frames_map(2, MAP_WRITE, &addr), 0);
	shared = (volatile uint64_t *)addr;
	CHECK(sys_endpoint_create(3), 0);
	CHECK(spawn_with_process_cap(UT_H_SPIN_COUNT, 5) > 0, 1);
	CHECK(sys_endpoint_create(4), 0);
	CHECK(spawn("utest", UT_H_WORDS_SERVER, 64, 3, 9, caps, 2) > 0, 1);
	before = shared[0];
	for (int i = 0; i < 20000; i++) {
		w = (struct ipc_words){ .label = 1, .w = { (uint64_t)i } };
		ok += ipc_call_words(4, &w) == 0 && w.w[0] == 2 * (uint64_t)i;
	}
	CHECK(ok, 20000);
	CHECK(shared[0] > before, 1);		/* the spinner was not starved */
	w = (struct ipc_words){ .label = WORDS_QUIT };
	CHECK(ipc_call_words(4, &w), 0);
	CHECK(await_report(3, &m), 0);
	CHECK(sys_process_kill(5), 0);
	CHECK(await_report(3, &m), 0);
	CHECK(m.words[1], -E_DEAD);
}

/* A second caller, in a thread: its reply's label goes to the notification. */
static void
slow_caller(void *arg)
{
	struct ipc_msg cm;

	(void)arg;
	memset(&cm, 0, sizeof(cm));
	cm.label = 1;
	if (sys_call(2, &cm, 0) == 0)
		sys_signal(6, 1ull << cm.label);
	else
		sys_signal(6, 1ull << 63);
}

/*
 * A server that answers out of order: it saves the first call's reply,
 * serves the next calls, and answers the first when told to.
 */
static void
reply_caps(void)
{
	slot_t caps[2] = { 1, 2 };
	struct cap_info info;
	struct ipc_msg m;
	uint64_t w = 0;

	CHECK(sys_endpoint_create(2), 0);
	CHECK(sys_endpoint_create(3), 0);
	CHECK(sys_notification_create(6), 0);
	CHECK(spawn("utest", UT_H_REPLY_SERVER, 64, 3, 1, caps, 2) > 0, 1);
	CHECK(thread_start(slow_caller, NULL, 2) > 0, 1);
	for (int i = 0; i < 20; i++)
		sys_yield();		/* the slow call is in, and saved */
	memset(&m, 0, sizeof(m));
	m.label = 2;
	CHECK(sys_call(2, &m, 0), 0);	/* answered first */
	CHECK(m.label, 12);
	CHECK(sys_wait(6, IPC_NONBLOCK, &w), -E_AGAIN);	/* the first still waits */
	m.label = 3;			/* "now answer the first" */
	CHECK(sys_call(2, &m, 0), 0);
	CHECK(m.label, 13);
	CHECK(sys_wait(6, 0, &w), 0);
	CHECK(w, 1ull << 11);		/* its own answer */
	/* A saved reply dropped unanswered: the caller hears -E_DEAD. */
	memset(&m, 0, sizeof(m));
	m.label = 4;
	CHECK(sys_call(2, &m, 0), -E_DEAD);
	/* Nothing to save, nothing to answer through. */
	CHECK(sys_reply_save(7), -E_NOENT);
	CHECK(sys_reply_with(7, &m), -E_NOCAP);
	CHECK(sys_reply_with(2, &m), -E_TYPE);
	CHECK(sys_cap_inspect(2, &info), 0);
	m.label = 5;			/* the server reports its own checks and ends */
	CHECK(sys_call(2, &m, 0), 0);
	CHECK(m.label, 0);
	CHECK(await_report(3, &m), 0);
	CHECK(m.words[1], 0);
}

/* A register call from a second thread: its reply's label goes to the
 * notification in slot 6, the first word to saved_word. */
static volatile uint64_t saved_word;

static void
words_caller(void *arg)
{
	struct ipc_words w = { .label = 1 };

	if (ipc_call_words((slot_t)(uintptr_t)arg, &w) == 0) {
		saved_word = w.w[0];
		sys_signal(6, 1ull << w.label);
	} else {
		sys_signal(6, 1ull << 63);
	}
}

/* Kills the process in slot 7 once the main thread waits in its call. */
static void
delayed_killer(void *arg)
{
	(void)arg;
	for (int i = 0; i < 3; i++)
		sys_yield();
	sys_process_kill(7);
}

/* A fresh endpoint in slot 2 (and nothing in 4): each part starts clean. */
static void
fresh_endpoint(void)
{
	sys_cap_delete(4);
	sys_cap_delete(2);
	CHECK(sys_endpoint_create(2), 0);
}

/*
 * The register calls the IPC fastpath takes (a receiver already waiting,
 * a caller waiting for its reply), mixed with what the slow path does to
 * them: an answer through a saved Reply, a kill of either side while the
 * other waits, a revoke of the endpoint a fastpath receiver waits on.
 */
static void
ipc_fastpath(void)
{
	slot_t caps[2] = { 1, 2 };
	struct ipc_words w;
	struct ipc_msg m;
	uint64_t bits = 0;
	long pid;

	CHECK(sys_endpoint_create(3), 0);
	CHECK(sys_notification_create(6), 0);

	/* A fastpath call saved as a Reply and answered after a later call. */
	fresh_endpoint();
	CHECK(sys_cap_mint(2, 4, RIGHT_WRITE, 55), 0);
	CHECK(spawn("utest", UT_H_WORDS_SAVER, 64, 3, 1, caps, 2) > 0, 1);
	for (int i = 0; i < 20; i++)
		sys_yield();		/* the server waits in its receive */
	CHECK(thread_start(words_caller, (void *)4, 2) > 0, 1);
	for (int i = 0; i < 20; i++)
		sys_yield();		/* its call is in, and saved */
	CHECK(sys_wait(6, IPC_NONBLOCK, &bits), -E_AGAIN);
	w = (struct ipc_words){ .label = 2 };
	CHECK(ipc_call_words(4, &w), 0);
	CHECK(w.label, 12);
	CHECK(w.w[0], 55);		/* the badge the server saw */
	CHECK(sys_wait(6, 0, &bits), 0);	/* answered before us; runs after */
	CHECK(bits, 1ull << 11);
	CHECK(saved_word, 55);
	w = (struct ipc_words){ .label = WORDS_QUIT };
	CHECK(ipc_call_words(4, &w), 0);
	CHECK(await_report(3, &m), 0);
	CHECK(m.words[1], 0);

	/* The server dies owing the reply: the caller hears -E_DEAD. */
	fresh_endpoint();
	pid = spawn_with_process_cap(UT_H_WORDS_TAKE_SPIN, 7);
	CHECK(pid > 0, 1);
	for (int i = 0; i < 20; i++)
		sys_yield();
	CHECK(thread_start(delayed_killer, NULL, 2) > 0, 1);
	w = (struct ipc_words){ .label = 1 };
	CHECK(ipc_call_words(2, &w), -E_DEAD);
	CHECK(await_report(3, &m), 0);
	CHECK(m.words[0], pid);
	CHECK(m.words[1], -E_DEAD);
	sys_cap_delete(7);

	/* The caller is killed while it waits: its saved Reply is dead. */
	fresh_endpoint();
	pid = spawn_with_process_cap(UT_H_WORDS_CALLER, 8);
	CHECK(pid > 0, 1);
	CHECK(ipc_recv_words(2, &w), 0);	/* waiting first: its call is fast */
	CHECK(w.label, 7);
	CHECK(sys_reply_save(9), 0);
	CHECK(sys_process_kill(8), 0);
	CHECK(await_report(3, &m), 0);
	CHECK(m.words[0], pid);
	CHECK(m.words[1], -E_DEAD);
	for (int i = 0; i < 20; i++)
		sys_yield();		/* its thread ends (it was waiting) */
	memset(&m, 0, sizeof(m));
	CHECK(sys_reply_with(9, &m), -E_DEAD);
	sys_cap_delete(8);

	/* A server waiting after a fastpath reply hears the revoke. */
	fresh_endpoint();
	CHECK(spawn("utest", UT_H_WORDS_UNTIL_REVOKED, 64, 3, 2, caps, 2) > 0, 1);
	for (int i = 0; i < 20; i++)
		sys_yield();
	for (uint64_t i = 0; i < 100; i++) {
		w = (struct ipc_words){ .label = i, .w = { i, ~i } };
		CHECK(ipc_call_words(2, &w), 0);
		CHECK(w.label, i + 1);
		CHECK(w.w[1], i);
	}
	CHECK(sys_cap_revoke(2), 0);
	CHECK(sys_cap_delete(2), 0);
	CHECK(await_report(3, &m), 0);
	CHECK(m.label, PROCESS_EVENT_EXIT);
	CHECK(m.words[1], 0);		/* it saw -E_REVOKED */
}

/*
 * A supervisor works on a running child through its parts: copies an
 * endpoint into its cspace, deletes another, maps shared memory into
 * its address space, and tells it where.
 */
static void
supervisor_parts(void)
{
	struct cap_info info;
	struct ipc_msg m;
	volatile uint64_t *mine;
	uint64_t addr, theirs;
	long pid;

	CHECK(sys_endpoint_create(2), 0);
	CHECK(sys_endpoint_create(3), 0);
	pid = spawn_with_process_cap(UT_H_PARTS, 4);
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
	CHECK(sys_cspace_copy(5, 8, 1), -E_EXIST);	/* its console */
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

static uint64_t counter;
static volatile uint64_t spins;

static void
counting_spinner(void *arg)
{
	(void)arg;
	for (;;) {
		spins++;
		if (spins % 1000 == 0)
			sys_yield();
	}
}

static void
self_killer(void *arg)
{
	sys_thread_kill((slot_t)(uintptr_t)arg);
	*(volatile uint64_t *)UT_FAULT_ADDR = 1;	/* never reached */
}

static void
thread_caps(void)
{
	struct cap_info info;
	uint64_t before, after;

	CHECK(thread_start_cap(counting_spinner, NULL, 2, 2) > 0, 1);
	CHECK(sys_cap_inspect(2, &info), 0);
	CHECK(info.type, OBJ_THREAD);
	for (int i = 0; i < 5; i++)
		sys_yield();
	CHECK(spins > 0, 1);
	CHECK(sys_cap_mint(2, 3, RIGHT_READ, 0), 0);
	CHECK(sys_thread_kill(3), -E_PERM);
	CHECK(sys_thread_kill(1), -E_TYPE);
	CHECK(sys_thread_kill(2), 0);
	for (int i = 0; i < 20; i++)
		sys_yield();
	before = spins;
	for (int i = 0; i < 20; i++)
		sys_yield();
	after = spins;
	CHECK(after, before);			/* it has stopped; we go on */
	CHECK(sys_thread_kill(2), -E_DEAD);
	/* A thread may end itself through its own capability. */
	CHECK(thread_start_cap(self_killer, (void *)4, 2, 4) > 0, 1);
	for (int i = 0; i < 20; i++)
		sys_yield();
	CHECK(sys_thread_kill(4), -E_DEAD);
	CHECK(sys_thread_create(0x400000, 0x80000000, 0, 1), -E_EXIST);
}

static void
adder(void *arg)
{
	uint64_t bit = (uint64_t)(uintptr_t)arg;

	for (int i = 0; i < 1000; i++) {
		__atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
		if (i % 100 == 0)
			sys_yield();
	}
	sys_signal(2, bit);
}

static void
threads(void)
{
	struct ipc_msg m;
	uint64_t seen = 0, w;
	long pid;

	CHECK(sys_notification_create(2), 0);
	for (uint64_t i = 0; i < 4; i++)
		CHECK(thread_start(adder, (void *)(uintptr_t)(1ull << i), 4) > 0, 1);
	while (seen != 0xf && sys_wait(2, 0, &w) == 0)
		seen |= w;
	CHECK(seen, 0xf);
	CHECK(counter, 4000);
	CHECK(sys_thread_create(KERNEL_TEXT, 0x1000, 0, 0), -E_FAULT);
	/* A thread's fault ends its whole process... */
	CHECK(sys_endpoint_create(3), 0);
	pid = spawn("utest", UT_H_THREAD_FAULT, 64, 3, 1, NULL, 0);
	CHECK(pid > 0, 1);
	CHECK(await_report(3, &m), 0);
	CHECK(m.label, PROCESS_EVENT_FAULT);
	CHECK(m.words[2], UT_FAULT_ADDR);
	/* ...and so does exit, with every other thread. */
	pid = spawn("utest", UT_H_THREAD_EXIT, 64, 3, 2, NULL, 0);
	CHECK(pid > 0, 1);
	CHECK(await_report(3, &m), 0);
	CHECK(m.label, PROCESS_EVENT_EXIT);
	CHECK(m.words[1], 5);
}

static void
faulter(void *arg)
{
	(void)arg;
	*(volatile uint64_t *)UT_FAULT_ADDR = 1;
}

static void
spinner(void *arg)
{
	(void)arg;
	for (volatile int spin = 0;; spin++)
		;
}

/* ---- AddressSpace: vm_unmap and vm_protect ---- */

#define PAGE		4096ull
#define SELF_AS		CAP_SLOT_ADDRESS_SPACE

static uint64_t
pool_used(void)
{
	struct memory_info mi;

	sys_memory_info(CAP_SLOT_MEMORY, &mi);
	return mi.used;
}

static void
vm_calls(void)
{
	struct cap_info info;
	uint64_t a, big, fa, fb, before, keep;
	volatile uint64_t *p;
	long err;
	int n;

	CHECK(sys_cap_inspect(SELF_AS, &info), 0);
	CHECK(info.type, OBJ_ADDRESS_SPACE);
	/* A page that keeps the page table under the mappings below, so
	 * their counts are of pages alone (ptcharge.c counts tables). */
	CHECK(sys_map_anonymous(1, MAP_WRITE, &keep), 0);
	/* Anonymous pages go back to the pool as they are unmapped. */
	before = pool_used();
	CHECK(sys_map_anonymous(4, MAP_WRITE, &a), 0);
	CHECK(pool_used(), before + 4);
	p = (volatile uint64_t *)a;
	for (int i = 0; i < 4; i++)
		p[i * 512] = 0x100 + i;
	/* Arguments, capability, then the mapping. */
	CHECK(sys_vm_unmap(SELF_AS, a + 1, 1), -E_INVAL);
	CHECK(sys_vm_unmap(SELF_AS, a, 0), -E_INVAL);
	CHECK(sys_vm_unmap(SELF_AS, a, 1ull << 60), -E_RANGE);
	CHECK(sys_vm_unmap(SELF_AS, a, ~0ull), -E_RANGE);
	CHECK(sys_vm_unmap(SELF_AS, KERNEL_TEXT, 1), -E_RANGE);
	CHECK(sys_vm_protect(SELF_AS, a, ~0ull / PAGE, 0), -E_RANGE);
	CHECK(sys_vm_unmap(SELF_AS, UNMAPPED, 1), -E_NOENT);
	CHECK(sys_vm_unmap(SELF_AS, a + 3 * PAGE, 2), -E_NOENT);	/* into the hole */
	CHECK(sys_vm_protect(SELF_AS, a - PAGE, 2, 0), -E_NOENT);
	CHECK(sys_vm_unmap(0, a, 1), -E_NOCAP);
	CHECK(sys_vm_unmap(9999, a, 1), -E_NOCAP);
	CHECK(sys_vm_protect(CAP_SLOTS, a, 1, 0), -E_NOCAP);
	CHECK(sys_vm_unmap(CAP_SLOT_MEMORY, a, 1), -E_TYPE);
	CHECK(sys_vm_protect(CAP_SLOT_CONSOLE, a, 1, 0), -E_TYPE);
	CHECK(sys_cap_mint(SELF_AS, 5, RIGHT_READ | RIGHT_COPY, 0), 0);
	CHECK(sys_vm_unmap(5, a, 1), -E_PERM);
	CHECK(sys_vm_protect(5, a, 1, 0), -E_PERM);
	/* Flags: W^X always; anonymous memory is never executable, code
	 * never writable. */
	CHECK(sys_vm_protect(SELF_AS, a, 1, 0x8), -E_INVAL);
	CHECK(sys_vm_protect(SELF_AS, a, 1, MAP_WRITE | MAP_EXEC), -E_PERM);
	CHECK(sys_vm_protect(SELF_AS, (uintptr_t)main & ~(PAGE - 1), 1, MAP_WRITE | MAP_EXEC),
	      -E_PERM);
	CHECK(sys_vm_protect(SELF_AS, a, 1, MAP_EXEC), -E_PERM);
	CHECK(sys_vm_protect(SELF_AS, (uintptr_t)main & ~(PAGE - 1), 1, MAP_WRITE), -E_PERM);
	CHECK(sys_vm_protect(SELF_AS, (uintptr_t)main & ~(PAGE - 1), 1, MAP_EXEC), 0);
	/* The middle of a region: the rest stays, the pages go back. */
	CHECK(sys_vm_unmap(SELF_AS, a + PAGE, 2), 0);
	CHECK(pool_used(), before + 2);
	CHECK(p[0], 0x100);
	CHECK(p[3 * 512], 0x103);
	CHECK(sys_vm_unmap(SELF_AS, a + PAGE, 1), -E_NOENT);
	/* Read-only and back; the contents stay. */
	CHECK(sys_vm_protect(SELF_AS, a, 1, 0), 0);
	CHECK(p[0], 0x100);
	CHECK(sys_vm_protect(SELF_AS, a, 1, MAP_WRITE), 0);
	p[0] = 0x200;
	CHECK(p[0], 0x200);
	CHECK(sys_vm_unmap(SELF_AS, a, 1), 0);
	CHECK(sys_vm_unmap(SELF_AS, a + 3 * PAGE, 1), 0);
	CHECK(pool_used(), before);
	/* Pieces of a split stay separate regions: a range over two is
	 * -E_NOENT. */
	CHECK(sys_map_anonymous(3, MAP_WRITE, &a), 0);
	CHECK(sys_vm_protect(SELF_AS, a + PAGE, 1, 0), 0);
	CHECK(sys_vm_protect(SELF_AS, a, 2, MAP_WRITE), -E_NOENT);
	CHECK(sys_vm_unmap(SELF_AS, a, 3), -E_NOENT);
	CHECK(sys_vm_unmap(SELF_AS, a, 1), 0);
	CHECK(sys_vm_unmap(SELF_AS, a + PAGE, 1), 0);
	CHECK(sys_vm_unmap(SELF_AS, a + 2 * PAGE, 1), 0);
	CHECK(pool_used(), before);

	/* Frames: WRITE only as far as the capability it was mapped
	 * through allows; never executable; pages alive while mapped. */
	CHECK(sys_frames_create(1, 6), 0);
	CHECK(sys_cap_mint(6, 7, RIGHT_READ | RIGHT_COPY, 0), 0);
	CHECK(sys_frames_map(7, 0, &fa), 0);
	CHECK(sys_frames_map(6, 0, &fb), 0);
	CHECK(sys_vm_protect(SELF_AS, fa, 1, MAP_WRITE), -E_PERM);
	CHECK(sys_vm_protect(SELF_AS, fb, 1, MAP_EXEC), -E_PERM);
	CHECK(sys_vm_protect(SELF_AS, fb, 1, MAP_WRITE), 0);
	*(volatile uint64_t *)fb = 0xf00d;
	CHECK(sys_vm_unmap(SELF_AS, fb, 1), 0);
	CHECK(sys_cap_delete(7), 0);
	CHECK(sys_cap_delete(6), 0);
	CHECK(*(volatile uint64_t *)fa, 0xf00d);	/* the last mapping keeps them */
	CHECK(pool_used(), before + 2);
	CHECK(sys_vm_unmap(SELF_AS, fa, 1), 0);
	CHECK(pool_used(), before);			/* nothing holds them now */

	/* Splitting until the region table is full: -E_RANGE, nothing lost. */
	CHECK(sys_map_anonymous(2 * PROC_REGIONS_GUESS, MAP_WRITE, &big), 0);
	err = 0;
	for (n = 0; n < PROC_REGIONS_GUESS && !err; n++)
		err = sys_vm_protect(SELF_AS, big + (2 * n + 1) * PAGE, 1, 0);
	CHECK(err, -E_RANGE);
	CHECK(n < PROC_REGIONS_GUESS, 1);
	*(volatile uint64_t *)big = 1;
	CHECK(*(volatile uint64_t *)(big + PAGE), 0);
	/* Protected back, the pieces join up: one region again, and the
	 * table has room to split once more. */
	for (int k = 0; k + 1 < n; k++)
		CHECK(sys_vm_protect(SELF_AS, big + (2 * (uint64_t)k + 1) * PAGE, 1, MAP_WRITE), 0);
	CHECK(sys_vm_protect(SELF_AS, big, 2 * PROC_REGIONS_GUESS, MAP_WRITE), 0);
	CHECK(sys_vm_protect(SELF_AS, big + PAGE, 1, 0), 0);
	CHECK(sys_vm_protect(SELF_AS, big + PAGE, 1, MAP_WRITE), 0);
	*(volatile uint64_t *)(big + PAGE) = 2;
}

/* Helpers that fault on what they unmapped or made read-only
 * themselves, and a child whose page its supervisor unmaps. */
static int
unmapped_touch(void)
{
	uint64_t a;
	volatile uint64_t *p;

	if (sys_map_anonymous(3, MAP_WRITE, &a) || a != UT_MAP_BASE)
		return 1;
	p = (volatile uint64_t *)a;
	p[0] = p[512] = p[1024] = 1;
	if (sys_vm_unmap(SELF_AS, a + PAGE, 1))
		return 2;
	p[0] = p[1024] = 2;		/* the rest is still there */
	p[512] = 3;			/* must fault */
	return 3;
}

static int
readonly_write(void)
{
	uint64_t a;
	volatile uint64_t *p;

	if (sys_map_anonymous(2, MAP_WRITE, &a) || a != UT_MAP_BASE)
		return 1;
	p = (volatile uint64_t *)a;
	p[0] = 0x77;
	if (sys_vm_protect(SELF_AS, a, 1, 0))
		return 2;
	if (p[0] != 0x77)
		return 3;
	p[512] = 1;			/* its neighbour stays writable */
	p[0] = 0;			/* must fault */
	return 4;
}

static int
vm_child(void)
{
	uint64_t a;

	if (sys_map_anonymous(1, MAP_WRITE, &a) || a != UT_MAP_BASE)
		return 1;
	*(volatile uint64_t *)a = 5;
	memset(&msg, 0, sizeof(msg));
	sys_recv(2, &msg, 0);		/* mapped: the supervisor may go on */
	sys_recv(2, &msg, 0);		/* the supervisor has unmapped it */
	return (int)*(volatile uint64_t *)a;	/* must fault */
}

static void
expect_fault_at(uint64_t id, uint64_t addr)
{
	struct ipc_msg m;
	long pid = spawn("utest", id, 64, 3, id, NULL, 0);

	CHECK(pid > 0, 1);
	CHECK(await_report(3, &m), 0);
	CHECK(m.label, PROCESS_EVENT_FAULT);
	CHECK(m.badge, id);
	CHECK(m.words[0], pid);
	CHECK(m.words[1], -E_FAULT);
	CHECK(m.words[2], addr);
}

static void
vm_faults(void)
{
	struct ipc_msg m;
	long pid;

	CHECK(sys_endpoint_create(2), 0);
	CHECK(sys_endpoint_create(3), 0);
	expect_fault_at(UT_H_UNMAPPED_TOUCH, UT_MAP_BASE + PAGE);
	expect_fault_at(UT_H_READONLY_WRITE, UT_MAP_BASE);
	/* A supervisor unmaps a child's page through its AddressSpace. */
	pid = spawn_with_process_cap(UT_H_VM_CHILD, 4);
	CHECK(pid > 0, 1);
	CHECK(sys_process_parts(4, 0, 5), 0);
	memset(&m, 0, sizeof(m));
	CHECK(sys_send(2, &m, 0), 0);
	CHECK(sys_vm_protect(5, UT_MAP_BASE, 1, 0), 0);
	CHECK(sys_vm_unmap(5, UT_MAP_BASE, 1), 0);
	CHECK(sys_vm_unmap(5, UT_MAP_BASE, 1), -E_NOENT);
	CHECK(sys_send(2, &m, 0), 0);
	CHECK(await_report(3, &m), 0);
	CHECK(m.label, PROCESS_EVENT_FAULT);
	CHECK(m.words[0], pid);
	CHECK(m.words[2], UT_MAP_BASE);
	CHECK(sys_vm_unmap(5, UT_MAP_BASE, 1), -E_DEAD);
	CHECK(sys_vm_protect(5, UT_MAP_BASE, 1, 0), -E_DEAD);
}

/* ---- Thread control: suspend, resume, registers ---- */

#if defined(__x86_64__)
#define COND_FLAGS	THREAD_FLAGS_X86
/* IF, IOPL, TF, VM, AC: privilege or control, never the program's. */
static const uint64_t privileged_flags[] = { 0x200, 0x3000, 0x100, 1ull << 17, 1ull << 18 };
#define CALL_ALIGN	8	/* rsp at a function's entry, as if called */
#else
#define COND_FLAGS	THREAD_FLAGS_ARM
/* EL1h, the D A I F masks, AArch32, PAN, SS. */
static const uint64_t privileged_flags[] = { 0x5, 0x3c0, 0x10, 1ull << 22, 1ull << 21 };
#define CALL_ALIGN	0
#endif

static volatile uint64_t reg_spins, spinner_stack, landed, landed_tls;
static uint64_t tls_block[2] = { (uintptr_t)tls_block };	/* x86: fs:0 points here */
static volatile long suspend_result = 1, wait_result = 1, waiting;

static void
reg_spinner(void *arg)
{
	volatile int here;

	(void)arg;
	spinner_stack = (uintptr_t)&here;
	for (;;)
		reg_spins++;
}

static void __attribute__((noreturn))
landing(uint64_t value)
{
	landed_tls = tls_pointer();
	landed = value;
	sys_thread_exit();
}

static void
self_suspender(void *arg)
{
	suspend_result = sys_thread_suspend((slot_t)(uintptr_t)arg);
}

static void
waiter(void *arg)
{
	uint64_t w;

	(void)arg;
	waiting = 1;
	wait_result = sys_wait(6, 0, &w);
}

/* Yields until fn(slot) gives want, at most a few hundred times. */
static long
yield_until(long (*fn)(slot_t, struct thread_regs *), slot_t slot, struct thread_regs *r,
	    long want)
{
	long got = 0;

	for (int i = 0; i < 500 && (got = fn(slot, r)) != want; i++)
		sys_yield();
	return got;
}

static void
thread_control(void)
{
	struct thread_regs r, w, again;
	uint64_t stack, before;

	/* A thread spinning in user code. */
	CHECK(thread_start_cap(reg_spinner, NULL, 2, 2) > 0, 1);
	for (int i = 0; i < 500 && reg_spins == 0; i++)
		sys_yield();
	CHECK(reg_spins > 0, 1);
	memset(&r, 0, sizeof(r));
	CHECK(sys_thread_read_regs(2, &r), -E_BUSY);	/* running */
	CHECK(sys_thread_write_regs(2, &r), -E_BUSY);
	CHECK(sys_thread_resume(2), -E_INVAL);		/* not suspended */
	CHECK(sys_thread_suspend(2), 0);
	before = reg_spins;
	for (int i = 0; i < 5; i++)
		sys_yield();
	CHECK(reg_spins, before);			/* stopped */
	CHECK(sys_thread_suspend(2), 0);		/* still is */
	CHECK(sys_thread_read_regs(2, &r), 0);
	CHECK(r.pc >= 0x400000 && r.pc < UT_MAP_BASE, 1);	/* in our code */
	CHECK(r.sp <= spinner_stack + 256 && r.sp + 256 >= spinner_stack, 1);
	CHECK(r.flags & ~COND_FLAGS, 0);
	CHECK(r.tls, 0);				/* a new thread has none */
#if defined(__aarch64__)
	CHECK(r.ret, r.arg[0]);
	w = r;
	w.ret = r.arg[0] + 1;			/* one register, two values */
	CHECK(sys_thread_write_regs(2, &w), -E_INVAL);
#endif
	/* Privileged state: refused, and nothing changes. */
	for (unsigned int i = 0; i < sizeof(privileged_flags) / sizeof(privileged_flags[0]); i++) {
		w = r;
		w.flags |= privileged_flags[i];
		CHECK(sys_thread_write_regs(2, &w), -E_INVAL);
	}
	w = r;
	w.pc = KERNEL_TEXT;
	CHECK(sys_thread_write_regs(2, &w), -E_FAULT);
	w.pc = 1ull << 63;				/* non-canonical on x86_64 */
	CHECK(sys_thread_write_regs(2, &w), -E_FAULT);
	w = r;
	w.sp = KERNEL_TEXT;
	CHECK(sys_thread_write_regs(2, &w), -E_FAULT);
	w = r;
	w.tls = KERNEL_TEXT;
	CHECK(sys_thread_write_regs(2, &w), -E_FAULT);
	w.tls = 1ull << 63;
	CHECK(sys_thread_write_regs(2, &w), -E_FAULT);
	CHECK(sys_thread_write_regs(2, (void *)KERNEL_TEXT), -E_FAULT);
	CHECK(sys_thread_read_regs(2, (void *)KERNEL_TEXT), -E_FAULT);
	CHECK(sys_thread_read_regs(2, (void *)(uintptr_t)main), -E_FAULT);	/* read-only */
	CHECK(sys_thread_read_regs(2, &again), 0);
	CHECK(memcmp(&again, &r, sizeof(r)), 0);
	/* The condition flags are the program's. */
	w = r;
	w.flags = COND_FLAGS;
	CHECK(sys_thread_write_regs(2, &w), 0);
	CHECK(sys_thread_read_regs(2, &again), 0);
	CHECK(again.flags, COND_FLAGS);
	/* Rights: READ reads, WRITE does the rest; types and slots. */
	CHECK(sys_cap_mint(2, 8, RIGHT_READ, 0), 0);
	CHECK(sys_cap_mint(2, 9, RIGHT_WRITE, 0), 0);
	CHECK(sys_thread_read_regs(8, &again), 0);
	CHECK(sys_thread_suspend(8), -E_PERM);
	CHECK(sys_thread_resume(8), -E_PERM);
	CHECK(sys_thread_write_regs(8, &r), -E_PERM);
	CHECK(sys_thread_read_regs(9, &again), -E_PERM);
	CHECK(sys_thread_suspend(CAP_SLOT_CONSOLE), -E_TYPE);
	CHECK(sys_thread_read_regs(CAP_SLOT_MEMORY, &again), -E_TYPE);
	CHECK(sys_thread_suspend(0), -E_NOCAP);
	CHECK(sys_thread_resume(CAP_SLOTS), -E_NOCAP);
	CHECK(sys_thread_write_regs(~0ull, &r), -E_NOCAP);
	/* Send it somewhere else: a new pc, stack and argument. */
	CHECK(sys_map_anonymous(1, MAP_WRITE, &stack), 0);
	w = r;
	w.pc = (uintptr_t)landing;
	w.sp = stack + PAGE - 16 - CALL_ALIGN;
	w.arg[0] = w.ret = 0x5eed;
	w.flags = 0;
	w.tls = (uintptr_t)tls_block;			/* and a TLS block */
	CHECK(sys_thread_write_regs(9, &w), 0);
	CHECK(sys_thread_read_regs(2, &again), 0);
	CHECK(again.pc, (uintptr_t)landing);
	CHECK(again.arg[0], 0x5eed);
	CHECK(again.tls, (uintptr_t)tls_block);
	CHECK(landed, 0);
	CHECK(sys_thread_resume(9), 0);
	for (int i = 0; i < 500 && landed == 0; i++)
		sys_yield();
	CHECK(landed, 0x5eed);
	CHECK(landed_tls, (uintptr_t)tls_block);
	/* It has ended: every call says so. */
	CHECK(yield_until(sys_thread_read_regs, 2, &again, -E_DEAD), -E_DEAD);
	CHECK(sys_thread_suspend(2), -E_DEAD);
	CHECK(sys_thread_resume(2), -E_DEAD);
	CHECK(sys_thread_write_regs(2, &r), -E_DEAD);

	/* A thread that suspends itself stops on its way out of the call,
	 * with the call's result in its registers; we change the result. */
	CHECK(thread_start_cap(self_suspender, (void *)4, 2, 4) > 0, 1);
	CHECK(yield_until(sys_thread_read_regs, 4, &r, 0), 0);
	CHECK(suspend_result, 1);			/* not back in user code yet */
	CHECK(r.ret, 0);
	r.ret = r.arg[0] = 77;
	CHECK(sys_thread_write_regs(4, &r), 0);
	CHECK(sys_thread_resume(4), 0);
	for (int i = 0; i < 500 && suspend_result == 1; i++)
		sys_yield();
	CHECK(suspend_result, 77);

	/* A thread blocked in a system call finishes it first. */
	CHECK(sys_notification_create(6), 0);
	CHECK(thread_start_cap(waiter, NULL, 2, 5) > 0, 1);
	for (int i = 0; i < 500 && !waiting; i++)
		sys_yield();
	sys_yield();					/* into the wait */
	CHECK(sys_thread_suspend(5), 0);
	CHECK(sys_thread_read_regs(5, &r), -E_AGAIN);
	CHECK(sys_thread_write_regs(5, &r), -E_AGAIN);
	CHECK(sys_signal(6, 1), 0);
	CHECK(yield_until(sys_thread_read_regs, 5, &r, 0), 0);
	CHECK(wait_result, 1);				/* stopped before user code */
	CHECK(r.ret, 0);
	CHECK(sys_thread_resume(5), 0);
	for (int i = 0; i < 500 && wait_result == 1; i++)
		sys_yield();
	CHECK(wait_result, 0);
}

/* Suspended threads end with their thread, or with their process
 * (exit or kill); the process's pages come back. */
static int
start_suspended_spinner(slot_t slot)
{
	struct thread_regs r;

	if (thread_start_cap(reg_spinner, NULL, 2, slot) <= 0)
		return 1;
	for (int i = 0; i < 500 && reg_spins == 0; i++)
		sys_yield();
	if (sys_thread_suspend(slot) || sys_thread_read_regs(slot, &r))
		return 2;
	return 0;
}

static void
suspended_ends(void)
{
	struct ipc_msg m;
	struct thread_regs r;
	uint64_t before;
	long pid;

	CHECK(sys_endpoint_create(2), 0);
	CHECK(sys_endpoint_create(3), 0);
	before = pool_used();
	/* Killed while suspended. */
	CHECK(start_suspended_spinner(7), 0);
	CHECK(sys_thread_kill(7), 0);
	CHECK(yield_until(sys_thread_read_regs, 7, &r, -E_DEAD), -E_DEAD);
	CHECK(sys_thread_resume(7), -E_DEAD);
	CHECK(sys_thread_kill(7), -E_DEAD);
	/* A process exits with a thread suspended. */
	pid = spawn("utest", UT_H_SUSPENDED_EXIT, 64, 3, 5, NULL, 0);
	CHECK(pid > 0, 1);
	CHECK(await_report(3, &m), 0);
	CHECK(m.label, PROCESS_EVENT_EXIT);
	CHECK(m.words[1], 0);
	/* Killed by its supervisor with a thread suspended. */
	pid = spawn_with_process_cap(UT_H_SUSPENDED_KILLED, 4);
	CHECK(pid > 0, 1);
	memset(&m, 0, sizeof(m));
	CHECK(sys_send(2, &m, 0), 0);			/* it has suspended it */
	CHECK(sys_process_kill(4), 0);
	CHECK(await_report(3, &m), 0);
	CHECK(m.label, PROCESS_EVENT_EXIT);
	CHECK(m.words[1], -E_DEAD);
	CHECK(sys_cap_delete(4), 0);
	/* All back but the dead thread's stack, still mapped here, and the
	 * page table under it (our first mapping). */
	for (int i = 0; i < 100 && pool_used() != before + 3; i++)
		sys_yield();
	CHECK(pool_used(), before + 3);
}

/* Helpers: children of the cases above. */
static int
helper(uint64_t id)
{
	struct cap_info info;
	long n = 0;

	switch (id) {
	case UT_H_BLOCKED_RECV:
		memset(&msg, 0, sizeof(msg));
		return sys_recv(2, &msg, 0) == -E_REVOKED ? 0 : 1;
	case UT_H_NO_CAPS:
		/* Nothing but its own memory and address space, in the slots
		 * the kernel put them. */
		for (slot_t s = 0; s < CAP_SLOTS; s++) {
			if (s == CAP_SLOT_MEMORY || s == CAP_SLOT_ADDRESS_SPACE)
				continue;
			n += sys_console_write(s, "x", 1) != -E_NOCAP;
			n += sys_cap_inspect(s, &info) != -E_NOCAP;
			n += sys_send(s, &msg, IPC_NONBLOCK) != -E_NOCAP;
			n += sys_cap_copy(s, 2) != -E_NOCAP;
		}
		n += sys_cap_inspect(CAP_SLOT_MEMORY, &info) != 0 || info.type != OBJ_MEMORY;
		n += sys_console_write(CAP_SLOT_MEMORY, "x", 1) != -E_TYPE;
		n += sys_cap_inspect(CAP_SLOT_ADDRESS_SPACE, &info) != 0 ||
		     info.type != OBJ_ADDRESS_SPACE;
		return (int)n;
	case UT_H_NO_REPLY:
		memset(&msg, 0, sizeof(msg));
		sys_recv(2, &msg, 0);
		return 0;		/* ends owing a reply */
	case UT_H_IDLE:
		for (int i = 0; i < 5; i++)
			sys_yield();
		return 0;
	case UT_H_FAULT:
		*(volatile uint64_t *)UT_FAULT_ADDR = 1;
		return 1;
	case UT_H_DRIVER_CRASH:
		return device_driver_crash();
	case UT_H_SMASH:
		return smash_helper();
	case UT_H_TLS_CHILD:
		return tls_child();
	case UT_H_TLS_SERVER:
		return tls_server();
	case UT_H_PT_SPREAD:
		return pt_spread_child();
	case UT_H_PT_FULL:
		return pt_full_child();
	case UT_H_READ_PARENT:
		return (int)*(volatile uint64_t *)UT_MAP_BASE;
	case UT_H_FPU:
		return fpu_loop(0x2222000000000000ull);
	case UT_H_THREAD_FAULT: {
		uint64_t w;

		sys_notification_create(2);
		thread_start(faulter, NULL, 2);
		sys_wait(2, 0, &w);	/* never signalled: the fault ends us */
		return 1;
	}
	case UT_H_THREAD_EXIT:
		thread_start(spinner, NULL, 2);
		for (int i = 0; i < 5; i++)
			sys_yield();
		return 5;
	case UT_H_ARGS:
		return !(prog_argc == 3 && !strcmp(prog_argv[0], "utest") &&
			 !strcmp(prog_argv[1], "alpha") && !strcmp(prog_argv[2], "beta gamma") &&
			 prog_argv[3] == NULL);
	case UT_H_WORDS_SERVER: {
		struct ipc_words w;
		long err = ipc_recv_words(2, &w);

		while (!err && w.label != WORDS_QUIT) {
			w.label++;
			for (int i = 0; i < 3; i++)
				w.w[i] *= 2;
			w.w[3] = w.badge;
			err = ipc_reply_recv_words(2, &w);
		}
		memset(&msg, 0, sizeof(msg));
		sys_reply(&msg);
		return err ? 1 : 0;
	}
	case UT_H_GRANTED:
		for (int i = 0; i < 1000 && sys_cap_inspect(7, &info) != 0; i++)
			sys_yield();
		memset(&msg, 0, sizeof(msg));
		return sys_recv(7, &msg, 0) == 0 ? (int)msg.label : -1;
	case UT_H_SHARED: {
		uint64_t at;
		volatile uint64_t *sh;

		if (sys_frames_map(2, MAP_WRITE, &at))
			return 1;
		sh = (volatile uint64_t *)at;
		sh[1] = sh[0] + sh[512];
		return 0;
	}
	case UT_H_SHARED_READONLY: {
		uint64_t at;

		if (sys_frames_map(2, MAP_WRITE, &at) != -E_PERM || sys_frames_map(2, 0, &at))
			return 1;
		if (*(volatile uint64_t *)at != 0xfeed)
			return 2;
		*(volatile uint64_t *)at = 0;		/* must fault */
		return 3;
	}
	case UT_H_SPIN_COUNT: {
		uint64_t at;

		if (sys_frames_map(2, MAP_WRITE, &at))
			return 1;
		for (;;)
			(*(volatile uint64_t *)at)++;
	}
	case UT_H_REPLY_SERVER: {
		struct ipc_msg first, r;
		long bad = 0;

		memset(&first, 0, sizeof(first));
		if (sys_recv(2, &first, 0) || first.label != 1 || sys_reply_save(5))
			return 1;
		bad += sys_reply_save(6) != -E_NOENT;	/* saved: nothing pending */
		bad += sys_cap_copy(5, 6) != -E_PERM;	/* one-shot: no copies */
		for (;;) {
			memset(&r, 0, sizeof(r));
			if (sys_recv(2, &r, 0))
				return 2;
			if (r.label == 2) {
				r.label = 12;
				sys_reply(&r);
			} else if (r.label == 3) {
				first.label = 11;
				bad += sys_reply_with(5, &first) != 0;
				bad += sys_reply_with(5, &first) != -E_NOCAP;	/* used up */
				r.label = 13;
				sys_reply(&r);
			} else if (r.label == 4) {
				bad += sys_reply_save(7) != 0;
				bad += sys_cap_delete(7) != 0;	/* the caller gets -E_DEAD */
			} else {
				r.label = 0;
				sys_reply(&r);
				return (int)bad;
			}
		}
	}
	case UT_H_PARTS: {
		struct cap_info ci;
		volatile uint64_t *sh;
		long bad = 0;

		memset(&msg, 0, sizeof(msg));
		if (sys_recv(2, &msg, 0))
			return 1;
		sh = (volatile uint64_t *)msg.words[0];
		bad += *sh != 0xc0ffee;
		*sh += 1;
		bad += sys_cap_inspect(11, &ci) != -E_NOCAP;	/* deleted by the supervisor */
		memset(&msg, 0, sizeof(msg));
		bad += sys_recv(10, &msg, 0) != 0 || msg.label != 77;
		return (int)bad;
	}
	case UT_H_UNMAPPED_TOUCH:
		return unmapped_touch();
	case UT_H_READONLY_WRITE:
		return readonly_write();
	case UT_H_VM_CHILD:
		return vm_child();
	case UT_H_SUSPENDED_EXIT:
		return start_suspended_spinner(5);
	case UT_H_SUSPENDED_KILLED:
		if (start_suspended_spinner(5))
			return 1;
		memset(&msg, 0, sizeof(msg));
		sys_recv(2, &msg, 0);
		sys_recv(2, &msg, 0);		/* killed here */
		return 2;
	case UT_H_SPIN:
		for (volatile int spin = 0;; spin++)
			;
	case UT_H_WORDS_SAVER: {
		struct ipc_words first, w;
		struct ipc_msg r;
		long bad = 0;

		/* Saves the first call, takes the second, answers the first
		 * through its Reply and then the second. */
		if (ipc_recv_words(2, &first) || first.label != 1 || sys_reply_save(5))
			return 1;
		if (ipc_recv_words(2, &w) || w.label != 2)
			return 2;
		memset(&r, 0, sizeof(r));
		r.label = 11;
		r.words[0] = first.badge;
		bad += sys_reply_with(5, &r) != 0;
		w.label = 12;
		w.w[0] = w.badge;
		if (ipc_reply_recv_words(2, &w) || w.label != WORDS_QUIT)
			return 3;
		memset(&msg, 0, sizeof(msg));
		sys_reply(&msg);
		return (int)bad;
	}
	case UT_H_WORDS_TAKE_SPIN: {
		struct ipc_words w;

		ipc_recv_words(2, &w);	/* and never answers */
		for (volatile int spin = 0;; spin++)
			;
	}
	case UT_H_WORDS_CALLER: {
		struct ipc_words w = { .label = 7 };

		ipc_call_words(2, &w);	/* killed while it waits */
		return 1;
	}
	case UT_H_WORDS_UNTIL_REVOKED: {
		struct ipc_words w;
		long err = ipc_recv_words(2, &w);

		while (!err) {
			uint64_t word = w.w[0];

			w.label++;
			w.w[1] = word;
			err = ipc_reply_recv_words(2, &w);
		}
		return err == -E_REVOKED ? 0 : 1;
	}
	case UT_H_WAIT: {
		uint64_t w = 0;

		return sys_wait(2, 0, &w) == 0 && w == 0x42 ? 0 : 1;
	}
	case UT_H_WAIT_REVOKED: {
		uint64_t w = 0;

		return sys_wait(2, 0, &w) == -E_REVOKED ? 0 : 1;
	}
	default:
		return 99;
	}
}

int
main(uint64_t arg)
{
	volatile uint64_t *p;
	uint8_t code[16];

	if (arg >= UT_H_FUZZ_FIRST && arg < UT_H_FUZZ_FIRST + 1000)
		return fuzz_child(arg - UT_H_FUZZ_FIRST);
	switch (arg) {
	case UT_KERNEL_READ:
		p = (volatile uint64_t *)KERNEL_TEXT;
		(void)*p;
		attacked("reading the kernel");
	case UT_KERNEL_WRITE:
		*(volatile uint64_t *)(KERNEL_TEXT + 0x1000) = 0;
		attacked("writing the kernel");
	case UT_NULL_READ:
		p = (volatile uint64_t *)0;
		(void)*p;
		attacked("reading address 0");
	case UT_UNMAPPED_WRITE:
		*(volatile uint64_t *)UNMAPPED = 1;
		attacked("writing unmapped memory");
	case UT_EXEC_STACK:
#if defined(__x86_64__)
		code[0] = 0xc3;				/* ret */
#else
		*(volatile uint32_t *)code = 0xd65f03c0;	/* ret */
#endif
		((void (*)(void))(uintptr_t)code)();
		attacked("executing the stack");
	case UT_WRITE_TEXT:
		*(volatile uint8_t *)(uintptr_t)main = 0;
		attacked("writing code");
	case UT_EXEC_KERNEL:
		((void (*)(void))KERNEL_TEXT)();
		attacked("jumping into the kernel");
	case UT_STACK_OVERFLOW:
		recurse(0);
		attacked("overflowing the stack");
	case UT_INVALID_INSN:
#if defined(__x86_64__)
		__asm__ volatile("ud2");
#else
		__asm__ volatile(".inst 0x00000000");	/* udf #0 */
#endif
		attacked("an invalid instruction");
	case UT_PRIVILEGED_INSN:
#if defined(__x86_64__)
		__asm__ volatile("cli; hlt");
#else
		__asm__ volatile("msr daifset, #2");	/* masking interrupts: EL1 only */
		__asm__ volatile("mrs x0, sctlr_el1" : : : "x0");
#endif
		attacked("a privileged instruction");
	case UT_BAD_SLOTS:
		bad_slots();
		break;
	case UT_BAD_POINTERS:
		bad_pointers();
		break;
	case UT_RIGHTS:
		rights();
		break;
	case UT_REVOKE:
		revoke();
		break;
	case UT_REVOKE_WAKES:
		revoke_wakes();
		break;
	case UT_NO_CAPS:
		no_caps();
		break;
	case UT_CALL_REPLY:
		call_reply();
		break;
	case UT_MEMORY_EXHAUSTION:
		memory_exhaustion();
		break;
	case UT_SPAWN_STORM:
		spawn_storm();
		break;
	case UT_FAULT_REPORT:
		fault_report();
		break;
	case UT_OTHER_PROCESS:
		other_process();
		break;
	case UT_FPU:
		fpu();
		break;
	case UT_BAD_ELF:
		bad_elf();
		break;
	case UT_NOTIFICATIONS:
		notifications();
		break;
	case UT_KILL:
		kill();
		break;
	case UT_THREADS:
		threads();
		break;
	case UT_MEMORY_OBJECTS:
		memory_objects();
		break;
	case UT_ARGS:
		args();
		break;
	case UT_REGISTER_IPC:
		register_ipc();
		break;
	case UT_GRANT:
		grant();
		break;
	case UT_SHARED_MEMORY:
		shared_memory();
		break;
	case UT_THREAD_CAPS:
		thread_caps();
		break;
	case UT_IPC_UNDER_LOAD:
		ipc_under_load();
		break;
	case UT_REPLY_CAPS:
		reply_caps();
		break;
	case UT_SUPERVISOR_PARTS:
		supervisor_parts();
		break;
	case UT_DEVICE_CLAIMS:
		device_claims();
		break;
	case UT_DEVICE_IRQ:
		device_irq();
		break;
	case UT_TIMED_WAITS:
		timed_waits();
		break;
	case UT_FUZZ:
		fuzz_syscalls();
		break;
	case UT_STACK_SMASH:
		stack_smash();
		break;
	case UT_RANDOM:
		random_bytes();
		break;
	case UT_PT_CHARGE:
		page_table_charges();
		break;
	case UT_VM_CALLS:
		vm_calls();
		break;
	case UT_VM_FAULTS:
		vm_faults();
		break;
	case UT_THREAD_CONTROL:
		thread_control();
		break;
	case UT_SUSPENDED_ENDS:
		suspended_ends();
		break;
	case UT_IPC_FASTPATH:
		ipc_fastpath();
		break;
	case UT_TLS:
		tls_cases();
		break;
	default:
		return helper(arg);
	}
	return utest_failures;
}
