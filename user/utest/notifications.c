/*
 * Notifications: signal and wait, badges, rights, and waiters woken by
 * a signal or by the notification going.
 */
#include "themelios.h"
#include "utest/utest.h"

void
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
	CHECK(spawn_held(UT_H_WAIT_SIGNAL, UT_IDLE_QUOTA, 6, 1, caps, 2, 7) > 0, 1);
	CHECK(utest_until_all_blocked(7), 0); /* in its wait */
	CHECK(sys_cap_delete(7), 0);
	CHECK(sys_signal(2, 0x42), 0);
	CHECK(await_report(6, &m), 0);
	CHECK(m.label, PROCESS_EVENT_EXIT);
	CHECK(m.words[1], 0);
	/* ...and with -E_REVOKED when the notification goes. */
	CHECK(spawn_held(UT_H_WAIT_REVOKED, UT_IDLE_QUOTA, 6, 2, caps, 2, 7) > 0, 1);
	CHECK(utest_until_all_blocked(7), 0);
	CHECK(sys_cap_delete(7), 0);
	CHECK(sys_cap_revoke(2), 0);
	CHECK(sys_cap_delete(2), 0);
	CHECK(await_report(6, &m), 0);
	CHECK(m.label, PROCESS_EVENT_EXIT);
	CHECK(m.words[1], 0);
}

int
wait_signal(void)
{
	uint64_t w = 0;

	return sys_wait(2, 0, &w) == 0 && w == 0x42 ? 0 : 1;
}

int
wait_revoked(void)
{
	uint64_t w = 0;

	return sys_wait(2, 0, &w) == -E_REVOKED ? 0 : 1;
}
