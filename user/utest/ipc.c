/*
 * IPC: call and reply with badges and capability transfer, the register
 * path, calls under load, and Reply capabilities answered out of order.
 */
#include "themelios.h"
#include "utest/utest.h"
#include "echo/echo.h"

void
call_reply(void)
{
	slot_t caps[2] = { 1, 2 };
	struct ipc_msg m;
	long pid;

	CHECK(sys_endpoint_create(2), 0);
	CHECK(sys_endpoint_create(3), 0);
	pid = spawn("echo", 0, UT_IDLE_QUOTA, 3, 9, caps, 2);
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
	pid = spawn("utest", UT_H_NO_REPLY, UT_IDLE_QUOTA, 3, 10, caps, 2);
	CHECK(pid > 0, 1);
	memset(&m, 0, sizeof(m));
	CHECK(sys_call(4, &m, 0), -E_DEAD);
	CHECK(await_report(3, &m), 0);
	CHECK(m.badge, 10);
}

/* Takes one call and ends owing its reply. */
int
no_reply(void)
{
	memset(&utest_msg, 0, sizeof(utest_msg));
	sys_recv(2, &utest_msg, 0);
	return 0;
}

void
register_ipc(void)
{
	slot_t caps[2] = { 1, 2 };
	struct ipc_words w;
	struct ipc_msg m;

	CHECK(sys_endpoint_create(2), 0);
	CHECK(sys_endpoint_create(3), 0);
	CHECK(spawn("utest", UT_H_WORDS_SERVER, UT_IDLE_QUOTA, 3, 1, caps, 2) > 0, 1);
	CHECK(sys_cap_mint(2, 4, RIGHT_WRITE, 77), 0);
	w = (struct ipc_words){ .label = 5, .w = { 1, 2, 3, 4 } };
	CHECK(ipc_call_words(4, &w), 0);
	CHECK(w.label, 6);
	CHECK(w.w[0], 2);
	CHECK(w.w[1], 4);
	CHECK(w.w[2], 6);
	CHECK(w.w[3], 77); /* the badge the server saw */
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

/* Answers register calls (label + 1, words doubled, the badge in the
 * last) until WORDS_QUIT. */
int
words_server(void)
{
	struct ipc_words w;
	long err = ipc_recv_words(2, &w);

	while (!err && w.label != WORDS_QUIT) {
		w.label++;
		for (int i = 0; i < 3; i++)
			w.w[i] *= 2;
		w.w[3] = w.badge;
		err = ipc_reply_recv_words(2, &w);
	}
	memset(&utest_msg, 0, sizeof(utest_msg));
	sys_reply(&utest_msg);
	return err ? 1 : 0;
}

/*
 * IPC while another process spins: calls hand the CPU straight to the
 * server and back (no wait behind the spinner), yet the pair shares one
 * time slice, so the spinner still runs.
 */
void
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
	CHECK(spawn("utest", UT_H_WORDS_SERVER, UT_IDLE_QUOTA, 3, 9, caps, 2) > 0, 1);
	before = shared[0];
	for (int i = 0; i < 20000; i++) {
		w = (struct ipc_words){ .label = 1, .w = { (uint64_t)i } };
		ok += ipc_call_words(4, &w) == 0 && w.w[0] == 2 * (uint64_t)i;
	}
	CHECK(ok, 20000);
	CHECK(shared[0] > before, 1); /* the spinner was not starved */
	w = (struct ipc_words){ .label = WORDS_QUIT };
	CHECK(ipc_call_words(4, &w), 0);
	CHECK(await_report(3, &m), 0);
	CHECK(sys_process_kill(5), 0);
	CHECK(await_report(3, &m), 0);
	CHECK(m.words[1], -E_DEAD);
}

/* Counts in the first word of its Frames (slot 2) for ever. */
int
spin_count(void)
{
	uint64_t at;

	if (sys_frames_map(2, MAP_WRITE, &at))
		return 1;
	for (;;)
		(*(volatile uint64_t *)at)++;
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
void
reply_caps(void)
{
	slot_t caps[2] = { 1, 2 };
	struct cap_info info;
	struct ipc_msg m;
	uint64_t w = 0;

	CHECK(sys_endpoint_create(2), 0);
	CHECK(sys_endpoint_create(3), 0);
	CHECK(sys_notification_create(6), 0);
	CHECK(spawn_held(UT_H_REPLY_SERVER, UT_IDLE_QUOTA, 3, 1, caps, 2, 8) > 0, 1);
	CHECK(utest_until_all_blocked(8), 0); /* in its first receive */
	CHECK(thread_start_cap(slow_caller, NULL, 2, 9) > 0, 1);
	/* The slow call is in (its caller waits), and saved (the server
	 * waits in its next receive). */
	CHECK(utest_until_blocked(9), 0);
	CHECK(utest_until_all_blocked(8), 0);
	CHECK(sys_cap_delete(8), 0);
	memset(&m, 0, sizeof(m));
	m.label = 2;
	CHECK(sys_call(2, &m, 0), 0); /* answered first */
	CHECK(m.label, 12);
	CHECK(sys_wait(6, IPC_NONBLOCK, &w), -E_AGAIN); /* the first still waits */
	m.label = 3;					/* "now answer the first" */
	CHECK(sys_call(2, &m, 0), 0);
	CHECK(m.label, 13);
	CHECK(sys_wait(6, 0, &w), 0);
	CHECK(w, 1ull << 11); /* its own answer */
	/* A saved reply dropped unanswered: the caller hears -E_DEAD. */
	memset(&m, 0, sizeof(m));
	m.label = 4;
	CHECK(sys_call(2, &m, 0), -E_DEAD);
	/* Nothing to save, nothing to answer through. */
	CHECK(sys_reply_save(7), -E_NOENT);
	CHECK(sys_reply_with(7, &m), -E_NOCAP);
	CHECK(sys_reply_with(2, &m), -E_TYPE);
	CHECK(sys_cap_inspect(2, &info), 0);
	m.label = 5; /* the server reports its own checks and ends */
	CHECK(sys_call(2, &m, 0), 0);
	CHECK(m.label, 0);
	CHECK(await_report(3, &m), 0);
	CHECK(m.words[1], 0);
}

/* Saves the first call's reply, answers the others, and the first
 * when told to (label 3); label 4 is saved and dropped unanswered. */
int
reply_server(void)
{
	struct ipc_msg first, r;
	long bad = 0;

	memset(&first, 0, sizeof(first));
	if (sys_recv(2, &first, 0) || first.label != 1 || sys_reply_save(5))
		return 1;
	bad += sys_reply_save(6) != -E_NOENT; /* saved: nothing pending */
	bad += sys_cap_copy(5, 6) != -E_PERM; /* one-shot: no copies */
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
			bad += sys_reply_with(5, &first) != -E_NOCAP; /* used up */
			r.label = 13;
			sys_reply(&r);
		} else if (r.label == 4) {
			bad += sys_reply_save(7) != 0;
			bad += sys_cap_delete(7) != 0; /* the caller gets -E_DEAD */
		} else {
			r.label = 0;
			sys_reply(&r);
			return (int)bad;
		}
	}
}
