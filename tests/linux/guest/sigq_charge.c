/*
 * Runs only inside ThemeliOS, where sysinfo's free memory is the
 * process's Memory pool to the page (Linux's moves with the whole
 * machine).  Queued siginfos are bounded and charged: a real-time
 * signal sent while blocked until sigqueue says EAGAIN queues exactly
 * RLIMIT_SIGPENDING of them, charged a page per 16; tgkill past the
 * bound is EAGAIN too and kill still succeeds; taking them back gives
 * the pages back; a child that ends with its queue full, and a thread
 * that ends with its own queue full, leave nothing charged.  Prints
 * each check; exits 1 if one fails.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common.h"

#define PAGE	     4096
/* What the kernel charges for one queued siginfo (its heap class). */
#define SIGQ_BYTES   256
#define PER_PAGE     (PAGE / SIGQ_BYTES)

static int failed;

/* The free pages once an ended child's have all come back: the
 * kernel's reaper frees what it held after the parent's wait returns,
 * later on a loaded host.  Taken when three readings 20 ms apart agree
 * (at most some 10 s). */
static long
settled_free_pages(void)
{
	long last = free_pages(), now;
	int same = 0;

	for (int i = 0; i < 500 && same < 2; i++) {
		usleep(20000);
		now = free_pages();
		same = now == last ? same + 1 : 0;
		last = now;
	}
	return last;
}

static void
check(const char *what, int ok, long a, long b)
{
	printf("%s: %s (%ld, %ld)\n", what, ok ? "ok" : "FAILED", a, b);
	failed |= !ok;
}

/* Stack pages are charged when first touched: touch what printf and
 * the checks will use before counting. */
static void
warm_stack(void)
{
	volatile unsigned char buf[64 * 1024];

	for (size_t i = 0; i < sizeof(buf); i += PAGE)
		buf[i] = 1;
	printf("sigq_charge: %ld pages free\n", free_pages() > 0 ? 1L : 0L);
}

/* sigqueue to pid until it fails: how many went, and the error. */
static long
fill(pid_t pid, int *err)
{
	long n = 0;

	while (sigqueue(pid, SIGRTMIN, (union sigval){ .sival_int = (int)n }) == 0)
		n++;
	*err = errno;
	return n;
}

/* Takes every pending SIGRTMIN: how many, each with the value sent in
 * order. */
static long
drain(int *in_order)
{
	struct timespec zero = { 0, 0 };
	sigset_t set;
	siginfo_t si;
	long n = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	*in_order = 1;
	while (sigtimedwait(&set, &si, &zero) == SIGRTMIN) {
		if (si.si_code == SI_QUEUE && si.si_value.sival_int != n)
			*in_order = 0;
		n++;
	}
	return n;
}

static pthread_barrier_t bar;
static volatile pid_t worker_tid;

static void *
worker(void *arg)
{
	(void)arg;
	worker_tid = (pid_t)syscall(SYS_gettid);
	pthread_barrier_wait(&bar); /* started */
	pthread_barrier_wait(&bar); /* its queue filled: it ends */
	return NULL;
}

int
main(void)
{
	struct rlimit rl;
	long before, full, after, n, limit;
	sigset_t set;
	pthread_t t;
	int err, in_order, st;
	pid_t pid;

	setvbuf(stdout, NULL, _IONBF, 0);
	warm_stack();
	getrlimit(RLIMIT_SIGPENDING, &rl);
	limit = (long)rl.rlim_cur;
	check("a bound", limit > 0 && limit < 100000, limit, (long)rl.rlim_max);
	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	sigaddset(&set, SIGRTMIN + 1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	/* Touch what the loops use once, so that only the queue counts. */
	n = fill(getpid(), &err);
	drain(&in_order);

	before = free_pages();
	n = fill(getpid(), &err);
	full = free_pages();
	check("queued up to the bound", n == limit && err == EAGAIN, n, limit);
	check("charged a page per 16", before - full == (limit + PER_PAGE - 1) / PER_PAGE,
	      before - full, limit);
	errno = 0;
	n = syscall(SYS_tgkill, getpid(), getpid(), SIGRTMIN);
	err = errno;
	check("tgkill past it", n == -1 && err == EAGAIN, n, err);
	check("kill past it", kill(getpid(), SIGRTMIN + 1) == 0, 0, 0);
	check("charged nothing more", free_pages() == full, free_pages(), full);
	n = drain(&in_order);
	check("taken one by one, in order", n == limit && in_order, n, limit);
	after = free_pages();
	check("given back", after == before, after, before);
	{
		struct timespec zero = { 0, 0 };
		sigset_t one;
		siginfo_t si;
		int sig;

		/* kill's went without its siginfo, as on Linux. */
		sigemptyset(&one);
		sigaddset(&one, SIGRTMIN + 1);
		memset(&si, 0xff, sizeof(si));
		sig = sigtimedwait(&one, &si, &zero);
		check("kill's came with an empty siginfo",
		      sig == SIGRTMIN + 1 && si.si_code == SI_USER && si.si_pid == 0, sig,
		      si.si_code);
	}

	/* A child ends with its queue full: its pages go back with it.  The
	 * pages the parent copies after a fork (copy-on-write) are what a
	 * child that queues nothing costs: the same, whatever it queued
	 * (after a first fork that copies what the parent writes once). */
	for (int i = 0; i < 3; i++) {
		static long cost[3];
		int full_queue = i == 2;

		before = free_pages();
		pid = fork();
		if (pid == 0) {
			int e;

			_exit(!full_queue || fill(getpid(), &e) == limit ? 0 : 1);
		}
		waitpid(pid, &st, 0);
		cost[i] = before - settled_free_pages();
		if (full_queue) {
			check("child filled its queue", WIFEXITED(st) && WEXITSTATUS(st) == 0, st,
			      0);
			check("child's given back", cost[2] == cost[1], cost[2], cost[1]);
		}
	}

	/* A thread ends with its own queue full (rt_tgsigqueueinfo to it,
	 * which it blocks): the pages come back when it ends. */
	pthread_barrier_init(&bar, NULL, 2);
	pthread_create(&t, NULL, worker, NULL);
	pthread_barrier_wait(&bar);
	before = free_pages();
	n = 0;
	for (;;) {
		siginfo_t si;

		memset(&si, 0, sizeof(si));
		si.si_signo = SIGRTMIN;
		si.si_code = SI_QUEUE;
		if (syscall(SYS_rt_tgsigqueueinfo, getpid(), worker_tid, SIGRTMIN, &si))
			break;
		n++;
	}
	full = free_pages();
	check("thread's queue full", n == limit && errno == EAGAIN, n, limit);
	check("thread's charged", before - full == (limit + PER_PAGE - 1) / PER_PAGE, before - full,
	      limit);
	pthread_barrier_wait(&bar);
	pthread_join(t, NULL);
	after = free_pages();
	/* The queue's pages come back (the thread's own state may be freed
	 * a little later, by the reaper). */
	check("thread's given back", before - after < limit / PER_PAGE / 2, after, before);
	printf("sigq_charge: %s\n", failed ? "FAILED" : "charges exact");
	return failed;
}
