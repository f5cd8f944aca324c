/*
 * futex without threads (clone comes later): a wait whose value moved
 * (EAGAIN), relative and absolute timeouts, a wait cut short by a
 * signal's handler (EINTR, with and without a timeout), wakes and
 * requeues with nobody waiting, the bitset and alignment checks.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

/* linux/futex.h's values (musl ships no kernel headers). */
#define FUTEX_WAIT_PRIVATE	  128
#define FUTEX_WAKE		  1
#define FUTEX_WAKE_PRIVATE	  129
#define FUTEX_REQUEUE_PRIVATE	  131
#define FUTEX_CMP_REQUEUE_PRIVATE 132
#define FUTEX_WAIT_BITSET_PRIVATE 137
#define FUTEX_WAKE_BITSET_PRIVATE 138
#define FUTEX_BITSET_MATCH_ANY	  0xffffffffu

static uint32_t word = 5, other = 9;
static volatile int alarms;

static long
futex(void *uaddr, int op, uint32_t val, const struct timespec *ts, void *uaddr2, uint32_t val3)
{
	return syscall(SYS_futex, uaddr, op, val, ts, uaddr2, val3);
}

static void
on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

int
main(void)
{
	struct timespec short_wait = { 0, 20 * 1000 * 1000 }, t0, t1, abs_deadline, long_wait = { 5, 0 };
	struct itimerval it = { { 0, 0 }, { 0, 30 * 1000 } };
	struct sigaction sa;
	long ms;

	setvbuf(stdout, NULL, _IONBF, 0);
	SHOW("wait, value moved", futex(&word, FUTEX_WAIT_PRIVATE, 4, NULL, NULL, 0));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	SHOW("wait 20 ms", futex(&word, FUTEX_WAIT_PRIVATE, 5, &short_wait, NULL, 0));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	printf("waited at least 20 ms: %d\n", ms >= 20);
	clock_gettime(CLOCK_MONOTONIC, &abs_deadline);
	abs_deadline.tv_nsec += 20 * 1000 * 1000;
	if (abs_deadline.tv_nsec >= 1000000000) {
		abs_deadline.tv_sec++;
		abs_deadline.tv_nsec -= 1000000000;
	}
	SHOW("wait_bitset until a deadline",
	     futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 5, &abs_deadline, NULL, FUTEX_BITSET_MATCH_ANY));
	SHOW("wait_bitset, bitset 0", futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 5, &short_wait, NULL, 0));
	SHOW("wake, nobody", futex(&word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0));
	SHOW("wake shared, nobody", futex(&word, FUTEX_WAKE, 10, NULL, NULL, 0));
	SHOW("wake_bitset, nobody", futex(&word, FUTEX_WAKE_BITSET_PRIVATE, 1, NULL, NULL, 3));
	SHOW("requeue, nobody", futex(&word, FUTEX_REQUEUE_PRIVATE, 1, (void *)1, &other, 0));
	SHOW("cmp_requeue, value moved",
	     futex(&word, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)1, &other, 4));
	SHOW("cmp_requeue", futex(&word, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)1, &other, 5));
	SHOW("misaligned", futex((char *)&word + 1, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0));
	SHOW("bad timeout", futex(&word, FUTEX_WAIT_PRIVATE, 5,
				  &(struct timespec){ 0, 1000000000 }, NULL, 0));
	SHOW("bad address", futex((void *)16, FUTEX_WAIT_PRIVATE, 5, NULL, NULL, 0));

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	SHOW("wait, a signal comes", futex(&word, FUTEX_WAIT_PRIVATE, 5, &long_wait, NULL, 0));
	setitimer(ITIMER_REAL, &it, NULL);
	SHOW("wait for ever, a signal comes", futex(&word, FUTEX_WAIT_PRIVATE, 5, NULL, NULL, 0));
	printf("alarms %d\n", alarms);
	return 0;
}
