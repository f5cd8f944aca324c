/* A set of pending Linux signals (kernel/linux/sigpending.c): standard
 * signals merge, real-time ones queue in order, the order of taking,
 * a lost siginfo, and removal freeing every entry of the signals. */
#include <stdlib.h>
#include <string.h>

#include "linux/sigpending.h"
#include "unit.h"

#define RT(n) (LX_SIGRTMIN + (n))

static int live; /* entries allocated and not yet freed */

static struct linux_sigqueue *
entry(int sig, int value)
{
	struct linux_sigqueue *q = calloc(1, sizeof(*q));

	q->info.signo = sig;
	q->info.code = -1;
	q->info.kill.value = (uint64_t)value;
	live++;
	return q;
}

static void
release(struct linux_sigqueue *q)
{
	CHECK(q != NULL);
	free(q);
	live--;
}

/* Sends sig with value as the kernel does: nothing when it merges. */
static void
send(struct linux_sigpending *sp, int sig, int value)
{
	if (!linux_sigpending_merges(sp, sig))
		linux_sigpending_add(sp, sig, entry(sig, value));
}

/* Takes the next signal of sp: its number, *value its siginfo's (-1:
 * none was queued). */
static int
take(struct linux_sigpending *sp, int *value)
{
	struct linux_siginfo info;
	struct linux_sigqueue *q;
	int sig;

	if (!sp->set)
		return 0;
	sig = linux_sigpending_next(sp->set);
	q = linux_sigpending_collect(sp, sig, &info);
	CHECK_EQ(info.signo, sig);
	*value = q ? (int)info.kill.value : -1;
	if (q)
		release(q);
	return sig;
}

UNIT_TEST(realtime_queue_standard_merge)
{
	struct linux_sigpending sp;
	int v;

	linux_sigpending_init(&sp);
	send(&sp, RT(1), 1);
	send(&sp, LX_SIGUSR2, 2);
	send(&sp, RT(0), 3);
	send(&sp, LX_SIGUSR2, 4); /* merged into the first */
	send(&sp, RT(1), 5);
	send(&sp, RT(0), 6);
	CHECK_EQ(live, 5);
	CHECK_EQ(take(&sp, &v), LX_SIGUSR2);
	CHECK_EQ(v, 2);
	CHECK_EQ(take(&sp, &v), RT(0));
	CHECK_EQ(v, 3);
	CHECK_EQ(take(&sp, &v), RT(0));
	CHECK_EQ(v, 6);
	CHECK_EQ(take(&sp, &v), RT(1));
	CHECK_EQ(v, 1);
	CHECK(sp.set & lx_sigbit(RT(1))); /* one more queued */
	CHECK_EQ(take(&sp, &v), RT(1));
	CHECK_EQ(v, 5);
	CHECK_EQ(sp.set, 0);
	CHECK_EQ(take(&sp, &v), 0);
	CHECK_EQ(live, 0);
}

UNIT_TEST(kill_then_faults_first)
{
	struct linux_sigpending sp;
	int v;

	linux_sigpending_init(&sp);
	send(&sp, LX_SIGHUP, 0);
	send(&sp, LX_SIGSEGV, 0);
	send(&sp, LX_SIGKILL, 0);
	send(&sp, LX_SIGSYS, 0);
	CHECK_EQ(take(&sp, &v), LX_SIGKILL);
	CHECK_EQ(take(&sp, &v), LX_SIGSEGV);
	CHECK_EQ(take(&sp, &v), LX_SIGSYS);
	CHECK_EQ(take(&sp, &v), LX_SIGHUP);
	CHECK_EQ(live, 0);
}

UNIT_TEST(lost_siginfo)
{
	struct linux_sigpending sp;
	struct linux_siginfo info;
	int v;

	linux_sigpending_init(&sp);
	/* Past the bound: pending with no siginfo; then one queued after
	 * it is still delivered once the lost one has gone. */
	linux_sigpending_add(&sp, RT(2), NULL);
	memset(&info, 0xff, sizeof(info));
	CHECK(linux_sigpending_collect(&sp, RT(2), &info) == NULL);
	CHECK_EQ(info.signo, RT(2));
	CHECK_EQ(info.code, LX_SI_USER);
	CHECK_EQ(info.kill.pid, 0);
	CHECK_EQ(sp.set, 0);
	send(&sp, RT(2), 7);
	linux_sigpending_add(&sp, RT(2), NULL); /* kill past the bound: already pending */
	CHECK_EQ(take(&sp, &v), RT(2));
	CHECK_EQ(v, 7);
	CHECK_EQ(sp.set, 0);
}

UNIT_TEST(remove_frees_every_entry)
{
	struct linux_sigpending sp;
	struct linux_sigqueue *q;
	int n = 0, v;

	linux_sigpending_init(&sp);
	for (int i = 0; i < 5; i++)
		send(&sp, RT(0), i);
	send(&sp, LX_SIGUSR1, 0);
	send(&sp, RT(3), 9);
	for (;;) {
		q = linux_sigpending_remove(&sp, lx_sigbit(RT(0)) | lx_sigbit(LX_SIGUSR1));
		if (!q)
			break;
		CHECK(q->info.signo == RT(0) || q->info.signo == LX_SIGUSR1);
		release(q);
		n++;
	}
	CHECK_EQ(n, 6);
	CHECK_EQ(sp.set, lx_sigbit(RT(3)));
	CHECK_EQ(take(&sp, &v), RT(3));
	CHECK_EQ(v, 9);
	CHECK_EQ(live, 0);
}

UNIT_MAIN()
