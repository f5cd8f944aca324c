/*
 * Revoke takes every capability derived from one, and wakes whoever
 * waits on an object that goes.
 */
#include "themelios.h"
#include "utest/utest.h"

void
revoke(void)
{
	struct cap_info info;

	CHECK(sys_endpoint_create(2), 0);
	CHECK(sys_cap_copy(2, 3), 0);
	CHECK(sys_cap_mint(3, 4, RIGHT_WRITE | RIGHT_COPY, 9), 0);
	CHECK(sys_cap_copy(4, 5), 0);
	CHECK(sys_cap_move(5, 6), 0);
	CHECK(sys_cap_inspect(2, &info), 0);
	CHECK(info.flags & 1, 1); /* has derived capabilities */
	CHECK(sys_cap_revoke(2), 0);
	for (slot_t s = 3; s <= 6; s++) {
		CHECK(sys_send(s, &utest_msg, IPC_NONBLOCK), -E_NOCAP);
		CHECK(sys_cap_inspect(s, &info), -E_NOCAP);
	}
	CHECK(sys_send(2, &utest_msg, IPC_NONBLOCK), -E_AGAIN); /* the original stays */
	CHECK(sys_cap_inspect(2, &info), 0);
	CHECK(info.flags & 1, 0);
	CHECK(sys_cap_delete(2), 0);
	CHECK(sys_send(2, &utest_msg, IPC_NONBLOCK), -E_NOCAP);
}

void
revoke_wakes(void)
{
	slot_t caps[2] = { 1, 2 };
	struct ipc_msg m;
	long pid;

	CHECK(sys_endpoint_create(2), 0);
	CHECK(sys_endpoint_create(3), 0);
	pid = spawn_held(UT_H_BLOCKED_RECV, UT_IDLE_QUOTA, 3, 1, caps, 2, 4);
	CHECK(pid > 0, 1);
	CHECK(utest_until_all_blocked(4), 0); /* in its receive */
	CHECK(sys_cap_delete(4), 0);
	CHECK(sys_cap_revoke(2), 0); /* the child's copy goes */
	CHECK(sys_cap_delete(2), 0); /* and the last one: the endpoint dies */
	CHECK(await_report(3, &m), 0);
	CHECK(m.label, PROCESS_EVENT_EXIT);
	CHECK(m.words[1], 0); /* the child saw -E_REVOKED */
}

int
blocked_recv(void)
{
	memset(&utest_msg, 0, sizeof(utest_msg));
	return sys_recv(2, &utest_msg, 0) == -E_REVOKED ? 0 : 1;
}
