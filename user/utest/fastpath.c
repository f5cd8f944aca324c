/*
 * The register calls the IPC fastpath takes, mixed with what the slow
 * path does to them.
 */
#include "themelios.h"
#include "utest/utest.h"

/* A register call from a second thread: its reply's label goes to the
 * notification in slot 6, the first word to saved_word. */
static volatile uint64_t saved_word;

static void
saved_words_caller(void *arg)
{
	struct ipc_words w = { .label = 1 };

	if (ipc_call_words((slot_t)(uintptr_t)arg, &w) == 0) {
		saved_word = w.w[0];
		sys_signal(6, 1ull << w.label);
	} else {
		sys_signal(6, 1ull << 63);
	}
}

/* Kills the server in slot 7 once it has taken the main thread's call
 * (it no longer waits in its receive: it spins). */
static void
delayed_killer(void *arg)
{
	struct process_info info;

	(void)arg;
	UNTIL(sys_process_info(7, &info) != 0 || info.blocked == 0);
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
void
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
	CHECK(spawn_held(UT_H_WORDS_SAVER, UT_IDLE_QUOTA, 3, 1, caps, 2, 8) > 0, 1);
	CHECK(utest_until_all_blocked(8), 0); /* the server waits in its receive */
	CHECK(thread_start_cap(saved_words_caller, (void *)4, 2, 9) > 0, 1);
	/* Its call is in (it waits) and saved (the server receives again). */
	CHECK(utest_until_blocked(9), 0);
	CHECK(utest_until_all_blocked(8), 0);
	CHECK(sys_cap_delete(8), 0);
	CHECK(sys_cap_delete(9), 0);
	CHECK(sys_wait(6, IPC_NONBLOCK, &bits), -E_AGAIN);
	w = (struct ipc_words){ .label = 2 };
	CHECK(ipc_call_words(4, &w), 0);
	CHECK(w.label, 12);
	CHECK(w.w[0], 55);		 /* the badge the server saw */
	CHECK(sys_wait(6, 0, &bits), 0); /* answered before us; runs after */
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
	CHECK(utest_until_all_blocked(7), 0); /* in its receive */
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
	CHECK(ipc_recv_words(2, &w), 0); /* waiting first: its call is fast */
	CHECK(w.label, 7);
	CHECK(sys_reply_save(9), 0);
	CHECK(sys_process_kill(8), 0);
	CHECK(await_report(3, &m), 0);
	CHECK(m.words[0], pid);
	CHECK(m.words[1], -E_DEAD);
	/* Its thread left the call when it was killed: the Reply is empty. */
	memset(&m, 0, sizeof(m));
	CHECK(sys_reply_with(9, &m), -E_DEAD);
	sys_cap_delete(8);

	/* A server waiting after a fastpath reply hears the revoke. */
	fresh_endpoint();
	CHECK(spawn_held(UT_H_WORDS_UNTIL_REVOKED, UT_IDLE_QUOTA, 3, 2, caps, 2, 8) > 0, 1);
	CHECK(utest_until_all_blocked(8), 0); /* the first call takes the fastpath */
	CHECK(sys_cap_delete(8), 0);
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
	CHECK(m.words[1], 0); /* it saw -E_REVOKED */
}

/* Saves the first call, takes the second, answers the first through
 * its Reply and then the second. */
int
words_saver(void)
{
	struct ipc_words first, w;
	struct ipc_msg r;
	long bad = 0;

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
	memset(&utest_msg, 0, sizeof(utest_msg));
	sys_reply(&utest_msg);
	return (int)bad;
}

/* Takes a call and never answers. */
int
words_take_spin(void)
{
	struct ipc_words w;

	ipc_recv_words(2, &w);
	for (volatile int spin = 0;; spin++)
		;
}

int
words_caller(void)
{
	struct ipc_words w = { .label = 7 };

	ipc_call_words(2, &w); /* killed while it waits */
	return 1;
}

/* Echoes the first word in the second until the endpoint is revoked. */
int
words_until_revoked(void)
{
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
