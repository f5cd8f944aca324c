/*
 * The clock and deadlines: clock_ns is monotonic, wait_until returns a
 * signal that came before the deadline, -E_TIMEOUT never before it, and
 * sleeps (slot 0) last at least until it.  No figure here is a speed:
 * each only says what must hold on any machine.
 */
#include "themelios.h"
#include "utest/utest.h"

#define MS 1000000ull

static volatile uint64_t signal_after; /* the signalling thread's start */

/* Sleeps 10 ms, then signals the notification in slot 20. */
static void
late_signaller(void *arg)
{
	(void)arg;
	signal_after = (uint64_t)sys_clock_ns();
	sys_wait_until(CAP_SLOT_NULL, signal_after + 10 * MS, NULL);
	sys_signal(20, 0x5);
}

/* Sleeps 10 ms, then deletes the notification in slot 20 (its only
 * capability). */
static void
late_deleter(void *arg)
{
	(void)arg;
	sys_wait_until(CAP_SLOT_NULL, (uint64_t)sys_clock_ns() + 10 * MS, NULL);
	sys_cap_delete(20);
}

void
timed_waits(void)
{
	slot_t n = 20, weak = 21;
	uint64_t t0, t1, word = 0;

	/* Monotonic. */
	t0 = (uint64_t)sys_clock_ns();
	t1 = (uint64_t)sys_clock_ns();
	CHECK(t1 >= t0 && t0 > 0, 1);

	/* A sleep lasts until its deadline; a past deadline returns at once. */
	t0 = (uint64_t)sys_clock_ns();
	CHECK(sys_wait_until(CAP_SLOT_NULL, t0 + 15 * MS, NULL), 0);
	CHECK((uint64_t)sys_clock_ns() >= t0 + 15 * MS, 1);
	CHECK(sys_wait_until(CAP_SLOT_NULL, 0, NULL), 0);

	/* A deadline with nothing signalled: -E_TIMEOUT, never early. */
	CHECK(sys_notification_create(n), 0);
	t0 = (uint64_t)sys_clock_ns();
	CHECK(sys_wait_until(n, t0 + 20 * MS, &word), -E_TIMEOUT);
	CHECK((uint64_t)sys_clock_ns() >= t0 + 20 * MS, 1);
	CHECK(sys_wait_until(n, 0, &word), -E_TIMEOUT); /* past: at once */

	/* Signalled already: the word at once, even with a past deadline. */
	CHECK(sys_signal(n, 0x30), 0);
	CHECK(sys_wait_until(n, 0, &word), 0);
	CHECK(word, 0x30);

	/* Signalled while waiting: woken before the (far) deadline. */
	word = 0;
	CHECK(thread_start(late_signaller, NULL, 2) > 0, 1);
	t0 = (uint64_t)sys_clock_ns();
	CHECK(sys_wait_until(n, t0 + 60000 * MS, &word), 0);
	CHECK(word, 0x5);
	CHECK((uint64_t)sys_clock_ns() >= signal_after + 10 * MS, 1);

	/* Bad input: slot, type, right, pointer. */
	CHECK(sys_wait_until(40, t0, &word), -E_NOCAP);
	CHECK(sys_wait_until(CAP_SLOT_CONSOLE, t0, &word), -E_TYPE);
	CHECK(sys_cap_mint(n, weak, RIGHT_WRITE, 0), 0);
	CHECK(sys_wait_until(weak, t0, &word), -E_PERM);
	CHECK(sys_wait_until(n, t0, (uint64_t *)0xffffffff80000000ull), -E_FAULT);
	CHECK(sys_signal(n, 1), 0);
	CHECK(sys_wait_until(n, t0, NULL), -E_FAULT); /* a word to write, nowhere to */

	/* Deleted while waiting on a deadline: -E_REVOKED, not a timeout. */
	CHECK(sys_cap_delete(weak), 0);
	CHECK(thread_start(late_deleter, NULL, 2) > 0, 1);
	CHECK(sys_wait_until(n, (uint64_t)sys_clock_ns() + 60000 * MS, &word), -E_REVOKED);
}
