/*
 * Threads (docs/linux.md): pthread_create and pthread_join over clone
 * and CLONE_CHILD_CLEARTID's futex wake, sums in 8 threads, a mutex and
 * a condition variable, thread-local storage, gettid and getpid, signals
 * to one thread (pthread_kill) and to the process (taken by the thread
 * that does not block it), /proc's count of threads, bad clone flags,
 * tgkill to a thread of another process, and exit_group from a thread,
 * which ends them all.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

#define NTHREADS 8
#define PER	 100000

static __thread long tls_value = -1;
static long tls_seen[NTHREADS];
static pid_t tids[NTHREADS];
static int pid_same[NTHREADS];

struct sum_arg {
	int id;
	long sum;
};

static void *
sum_thread(void *p)
{
	struct sum_arg *a = p;
	long start = (long)a->id * PER;

	tls_value = a->id * 10 + 1;
	for (long i = start; i < start + PER; i++)
		a->sum += i;
	tids[a->id] = (pid_t)syscall(SYS_gettid);
	pid_same[a->id] = getpid() == (pid_t)syscall(SYS_getpid);
	sched_yield();
	tls_seen[a->id] = tls_value; /* still its own after the others ran */
	return (void *)(intptr_t)(a->id + 100);
}

static void
sums(void)
{
	pthread_t th[NTHREADS];
	struct sum_arg args[NTHREADS];
	long total = 0, want = 0;
	int distinct = 1, ok = 1;

	for (int i = 0; i < NTHREADS; i++) {
		args[i] = (struct sum_arg){ i, 0 };
		if (pthread_create(&th[i], NULL, sum_thread, &args[i]) != 0)
			printf("pthread_create %d failed\n", i);
	}
	for (int i = 0; i < NTHREADS; i++) {
		void *ret = NULL;

		pthread_join(th[i], &ret);
		if ((intptr_t)ret != i + 100)
			ok = 0;
		total += args[i].sum;
	}
	for (long i = 0; i < (long)NTHREADS * PER; i++)
		want += i;
	printf("joined %d threads, return values %s, total %s (%ld)\n", NTHREADS,
	       ok ? "right" : "wrong", total == want ? "right" : "wrong", total);
	for (int i = 0; i < NTHREADS; i++) {
		if (tls_seen[i] != i * 10 + 1)
			ok = 0;
		if (tids[i] == getpid() || tids[i] <= 0)
			distinct = 0;
		for (int j = 0; j < i; j++)
			if (tids[i] == tids[j])
				distinct = 0;
		if (!pid_same[i])
			distinct = 0;
	}
	printf("thread-local values %s, main's still %ld\n", ok ? "distinct" : "mixed", tls_value);
	printf("gettid distinct, getpid shared: %s\n", distinct ? "yes" : "no");
}

/* A counter under a mutex, and a condition variable between a producer
 * and consumers (futex wait and wake underneath). */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static long counter, queue, consumed;
static int done;

static void *
adder(void *p)
{
	(void)p;
	for (int i = 0; i < 20000; i++) {
		pthread_mutex_lock(&lock);
		counter++;
		pthread_mutex_unlock(&lock);
	}
	return NULL;
}

static void *
consumer(void *p)
{
	long mine = 0;

	(void)p;
	pthread_mutex_lock(&lock);
	for (;;) {
		while (queue == 0 && !done)
			pthread_cond_wait(&cond, &lock);
		if (queue == 0 && done)
			break;
		queue--;
		consumed++;
		mine++;
	}
	pthread_mutex_unlock(&lock);
	return (void *)(intptr_t)mine;
}

static void
sync_objects(void)
{
	pthread_t th[4], cons[3];
	long got = 0;

	for (int i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, adder, NULL);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	printf("mutex counter %ld\n", counter);
	for (int i = 0; i < 3; i++)
		pthread_create(&cons[i], NULL, consumer, NULL);
	for (int i = 0; i < 3000; i++) {
		pthread_mutex_lock(&lock);
		queue++;
		pthread_cond_signal(&cond);
		pthread_mutex_unlock(&lock);
	}
	pthread_mutex_lock(&lock);
	done = 1;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
	for (int i = 0; i < 3; i++) {
		void *r;

		pthread_join(cons[i], &r);
		got += (long)(intptr_t)r;
	}
	printf("condvar consumed %ld (threads say %ld)\n", consumed, got);
}

/* Signals: which thread runs the handler. */
static volatile pid_t handler_tid;
static volatile int handler_hits;
static volatile int stop_waiting;

static void
on_usr(int sig)
{
	(void)sig;
	handler_tid = (pid_t)syscall(SYS_gettid);
	handler_hits++;
}

static pid_t waiter_tid;

static void *
waiter(void *p)
{
	sigset_t none;

	(void)p;
	sigemptyset(&none);
	pthread_sigmask(SIG_SETMASK, &none, NULL);
	waiter_tid = (pid_t)syscall(SYS_gettid);
	while (!stop_waiting)
		usleep(1000);
	return NULL;
}

static void
signals(void)
{
	struct sigaction sa;
	sigset_t usr2;
	pthread_t th;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	/* The main thread blocks SIGUSR2; the waiter blocks nothing. */
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &usr2, NULL);
	pthread_create(&th, NULL, waiter, NULL);
	while (!__atomic_load_n(&waiter_tid, __ATOMIC_ACQUIRE))
		usleep(1000);
	pthread_kill(th, SIGUSR1);
	while (handler_hits < 1)
		usleep(1000);
	printf("pthread_kill: handler ran in the target thread: %s\n",
	       handler_tid == waiter_tid ? "yes" : "no");
	kill(getpid(), SIGUSR2);
	while (handler_hits < 2)
		usleep(1000);
	printf("kill to the process: taken by the thread not blocking it: %s\n",
	       handler_tid == waiter_tid ? "yes" : "no");
	SHOW("pthread_kill signal 0", pthread_kill(th, 0));
	stop_waiting = 1;
	pthread_join(th, NULL);
	pthread_sigmask(SIG_UNBLOCK, &usr2, NULL);
}

/* /proc/self/status's Threads: line while `extra` threads wait. */
static int
proc_threads(void)
{
	char line[256];
	int n = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Threads: %d", &n) == 1)
			break;
	fclose(f);
	return n;
}

/* The count once it holds still: a joined thread may take a moment
 * more to leave Linux's count. */
static int
settled_threads(void)
{
	int last = proc_threads(), now;

	for (int i = 0; i < 200; i++) {
		usleep(5000);
		now = proc_threads();
		if (now == last)
			break;
		last = now;
	}
	return last;
}

static volatile int release_sleepers, release_never;

static void *
sleeper(void *p)
{
	(void)p;
	while (!release_sleepers)
		usleep(1000);
	return NULL;
}

static void
counts(void)
{
	pthread_t th[3];
	int before = settled_threads();

	/* The difference only: qemu-user, the aarch64 oracle, has a thread
	 * of its own in the count. */
	printf("threads in /proc/self/status: %s\n", before > 0 ? "counted" : "missing");
	for (int i = 0; i < 3; i++)
		pthread_create(&th[i], NULL, sleeper, NULL);
	printf("with 3 more: %+d\n", settled_threads() - before);
	release_sleepers = 1;
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
}

static void
bad_flags(void)
{
	/* Linux's own checks: a thread needs shared handlers, which need
	 * shared memory. */
	SHOW("clone CLONE_THREAD alone", syscall(SYS_clone, CLONE_THREAD, 0, 0, 0, 0));
	SHOW("clone CLONE_SIGHAND without CLONE_VM",
	     syscall(SYS_clone, CLONE_SIGHAND, 0, 0, 0, 0));
	SHOW("clone CLONE_THREAD|CLONE_VM without CLONE_SIGHAND",
	     syscall(SYS_clone, CLONE_THREAD | CLONE_VM, 0, 0, 0, 0));
}

/* tgkill to a thread of another process (a child): ESRCH. */
static void
other_process(void)
{
	int st;
	pid_t c;

	fflush(stdout);
	c = fork();
	if (c == 0) {
		for (;;)
			pause();
	}
	SHOW("tgkill to a child's thread as ours", syscall(SYS_tgkill, getpid(), c, SIGUSR1));
	SHOW("tgkill to a child's thread as its", syscall(SYS_tgkill, c, c, 0));
	SHOW("tgkill bad tid", syscall(SYS_tgkill, getpid(), -5, SIGUSR1));
	kill(c, SIGKILL);
	waitpid(c, &st, 0);
	printf("child killed by %d\n", WIFSIGNALED(st) ? WTERMSIG(st) : -1);
}

static void *
ender(void *p)
{
	(void)p;
	usleep(10000);
	_exit(5); /* exit_group: the whole process */
}

static void *
forever(void *p)
{
	(void)p;
	while (!release_never)
		pause();
	return NULL;
}

static void
exit_group_from_thread(void)
{
	int st;
	pid_t c;

	fflush(stdout);
	c = fork();
	if (c == 0) {
		pthread_t a, b;

		pthread_create(&a, NULL, forever, NULL);
		pthread_create(&b, NULL, ender, NULL);
		for (;;)
			pause();
	}
	waitpid(c, &st, 0);
	printf("exit_group in a thread: %s %d\n", WIFEXITED(st) ? "exited" : "signalled",
	       WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	/* A fatal signal ends every thread too. */
	c = fork();
	if (c == 0) {
		pthread_t a;

		pthread_create(&a, NULL, forever, NULL);
		pthread_kill(a, SIGTERM);
		for (;;)
			pause();
	}
	waitpid(c, &st, 0);
	printf("SIGTERM to a thread: %s %d\n", WIFEXITED(st) ? "exited" : "signalled",
	       WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
}

int
main(void)
{
	sums();
	sync_objects();
	signals();
	counts();
	bad_flags();
	other_process();
	exit_group_from_thread();
	return 0;
}
