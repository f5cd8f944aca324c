/*
 * Every system call refuses bad slots, wrong types, unknown numbers and
 * flags, bad pointers and lengths, missing rights, and a process with
 * no capabilities reaches nothing.
 */
#include "themelios.h"
#include "utest/utest.h"

void
bad_slots(void)
{
	static const uint64_t slots[] = { 0, 5, CAP_SLOTS, 9999, 1ull << 63, ~0ull };
	struct cap_info info;

	CHECK(sys_endpoint_create(2), 0);
	for (unsigned int i = 0; i < sizeof(slots) / sizeof(slots[0]); i++) {
		uint64_t s = slots[i];

		CHECK(sys_console_write(s, "x", 1), -E_NOCAP);
		CHECK(sys_send(s, &utest_msg, IPC_NONBLOCK), -E_NOCAP);
		CHECK(sys_call(s, &utest_msg, IPC_NONBLOCK), -E_NOCAP);
		CHECK(sys_recv(s, &utest_msg, IPC_NONBLOCK), -E_NOCAP);
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
	CHECK(sys_send(CAP_SLOT_CONSOLE, &utest_msg, IPC_NONBLOCK), -E_TYPE);
	CHECK(sys_recv(CAP_SLOT_CONSOLE, &utest_msg, IPC_NONBLOCK), -E_TYPE);
	CHECK(sys_console_write(2, "x", 1), -E_TYPE);
	/* Occupied destinations. */
	CHECK(sys_endpoint_create(1), -E_EXIST);
	CHECK(sys_cap_copy(2, 1), -E_EXIST);
	CHECK(sys_cap_move(2, 1), -E_EXIST);
	/* Unknown system calls and flags. */
	CHECK(syscall6(0, 0, 0, 0, 0, 0, 0), -E_NOSYS);
	CHECK(syscall6(999, 1, 2, 3, 4, 5, 6), -E_NOSYS);
	CHECK(syscall6(-1, 0, 0, 0, 0, 0, 0), -E_NOSYS);
	CHECK(sys_send(2, &utest_msg, 0x80), -E_INVAL);
	CHECK(sys_recv(2, &utest_msg, ~0ull), -E_INVAL);
	CHECK(sys_reply(&utest_msg), -E_NOENT);
	CHECK(sys_cap_mint(2, 6, 1ull << 40, 0), -E_INVAL);
	CHECK(sys_cap_mint(2, 6, 1u << 10, 0), -E_INVAL);
	CHECK(sys_map_anonymous(0, MAP_WRITE, (uint64_t *)&info), -E_INVAL);
	CHECK(sys_map_anonymous(1, 0x100, (uint64_t *)&info), -E_INVAL);
	/* Nothing waiting: the non-blocking forms say so. */
	CHECK(sys_send(2, &utest_msg, IPC_NONBLOCK), -E_AGAIN);
	CHECK(sys_recv(2, &utest_msg, IPC_NONBLOCK), -E_AGAIN);
}

void
bad_pointers(void)
{
	struct spawn_args sa;
	struct cap_info info;
	uint64_t page;
	char buf[8] = "abcdefg";

	CHECK(sys_endpoint_create(2), 0);
	/* The audit's answer goes nowhere it cannot. */
	CHECK(sys_memory_audit((struct mem_audit *)KERNEL_TEXT), -E_FAULT);
	CHECK(sys_memory_audit((struct mem_audit *)UNMAPPED), -E_FAULT);
	CHECK(sys_memory_audit((struct mem_audit *)(~0ull - 8)), -E_FAULT);
	CHECK(sys_memory_audit((struct mem_audit *)(uintptr_t)UT_TEXT_BASE),
	      -E_FAULT); /* read-only */
	CHECK(sys_console_write(1, (void *)KERNEL_TEXT, 8), -E_FAULT);
	CHECK(sys_console_write(1, (void *)UNMAPPED, 8), -E_FAULT);
	CHECK(sys_console_write(1, (void *)~0ull - 2, 8), -E_FAULT);
	CHECK(sys_console_write(1, buf, 1ull << 40), -E_RANGE);
	CHECK(sys_console_write(1, buf, CONSOLE_WRITE_MAX + 1), -E_RANGE);
	CHECK(sys_cap_inspect(1, (void *)KERNEL_TEXT), -E_FAULT);
	CHECK(sys_cap_inspect(1, (void *)0), -E_FAULT);
	CHECK(sys_cap_inspect(1, (void *)(uintptr_t)main), -E_FAULT); /* read-only */
	/* A buffer running off the end of a mapping into the hole after it. */
	CHECK(sys_map_anonymous(1, MAP_WRITE, &page), 0);
	CHECK(sys_cap_inspect(1, (void *)(page + 4096 - 8)), -E_FAULT);
	CHECK(sys_cap_inspect(1, (void *)(page + 4096 - sizeof(info))), 0);
	CHECK(sys_send(2, (void *)KERNEL_TEXT, IPC_NONBLOCK), -E_FAULT);
	CHECK(sys_recv(2, (void *)UNMAPPED, IPC_NONBLOCK), -E_FAULT);
	CHECK(sys_call(2, (void *)(page + 4096 - 100), IPC_NONBLOCK), -E_FAULT);
	memset(&utest_msg, 0, sizeof(utest_msg));
	utest_msg.len = IPC_DATA_MAX + 1;
	CHECK(sys_send(2, &utest_msg, IPC_NONBLOCK), -E_RANGE);
	utest_msg.len = 0xffffffffu;
	CHECK(sys_send(2, &utest_msg, IPC_NONBLOCK), -E_RANGE);
	utest_msg.len = 0;
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
	sa.memory = 1; /* not a Memory capability */
	CHECK(sys_spawn(&sa), -E_TYPE);
	sa.memory = 0;
	CHECK(sys_spawn(&sa), -E_NOCAP);
	CHECK(sys_map_anonymous(1, MAP_WRITE, (uint64_t *)KERNEL_TEXT), -E_FAULT);
	/* The kernel is still answering. */
	CHECK(sys_console_write(1, "", 0), 0);
}

void
rights(void)
{
	struct cap_info info;

	CHECK(sys_cap_mint(1, 2, RIGHT_READ, 0), 0);
	CHECK(sys_console_write(2, "x", 1), -E_PERM);
	CHECK(sys_endpoint_create(3), 0);
	CHECK(sys_cap_mint(3, 4, RIGHT_READ, 0), 0);
	CHECK(sys_send(4, &utest_msg, IPC_NONBLOCK), -E_PERM);
	CHECK(sys_cap_mint(3, 5, RIGHT_WRITE, 0), 0);
	CHECK(sys_recv(5, &utest_msg, IPC_NONBLOCK), -E_PERM);
	/* No COPY: neither copied nor minted. */
	CHECK(sys_cap_copy(5, 6), -E_PERM);
	CHECK(sys_cap_mint(5, 6, RIGHT_WRITE, 0), -E_PERM);
	/* No GRANT: no capability goes through. */
	memset(&utest_msg, 0, sizeof(utest_msg));
	utest_msg.cap = 1;
	CHECK(sys_send(5, &utest_msg, IPC_NONBLOCK), -E_PERM);
	utest_msg.cap = 0;
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

void
no_caps(void)
{
	struct ipc_msg m;
	long pid;

	CHECK(sys_endpoint_create(3), 0);
	pid = spawn("utest", UT_H_NO_CAPS_CHILD, UT_IDLE_QUOTA, 3, 1, NULL, 0);
	CHECK(pid > 0, 1);
	CHECK(await_report(3, &m), 0);
	CHECK(m.label, PROCESS_EVENT_EXIT);
	CHECK(m.words[1], 0); /* every attempt was refused */
}

/* Nothing but its own memory and address space, in the slots the
 * kernel put them. */
int
no_caps_child(void)
{
	struct cap_info info;
	long n = 0;

	for (slot_t s = 0; s < CAP_SLOTS; s++) {
		if (s == CAP_SLOT_MEMORY || s == CAP_SLOT_ADDRESS_SPACE)
			continue;
		n += sys_console_write(s, "x", 1) != -E_NOCAP;
		n += sys_cap_inspect(s, &info) != -E_NOCAP;
		n += sys_send(s, &utest_msg, IPC_NONBLOCK) != -E_NOCAP;
		n += sys_cap_copy(s, 2) != -E_NOCAP;
	}
	n += sys_cap_inspect(CAP_SLOT_MEMORY, &info) != 0 || info.type != OBJ_MEMORY;
	n += sys_console_write(CAP_SLOT_MEMORY, "x", 1) != -E_TYPE;
	n += sys_cap_inspect(CAP_SLOT_ADDRESS_SPACE, &info) != 0 || info.type != OBJ_ADDRESS_SPACE;
	return (int)n;
}
