/*
 * Time, system and process calls: uname, clocks and sleeping, getrandom,
 * sysinfo, scheduling, limits, ids, signal dispositions and masks, the
 * umask, the arguments and environment, and the exit status (7).
 */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

static long
ns_between(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000000000l + (b->tv_nsec - a->tv_nsec);
}

static void
on_usr1(int sig)
{
	(void)sig;
}

int
main(int argc, char **argv)
{
	struct timespec t0, t1, res, nap = { 0, 20 * 1000 * 1000 };
	struct utsname u;
	struct timeval tv;
	struct sysinfo si;
	struct rlimit rl;
	struct sigaction sa, old;
	sigset_t set, oset;
	cpu_set_t cpus;
	unsigned char r1[32], r2[32];

	printf("argc %d:", argc);
	for (int i = 1; i < argc; i++)
		printf(" [%s]", argv[i]);
	printf("\nHOME=%s TERM=%s\n", getenv("HOME"), getenv("TERM"));

	SHOW("uname", uname(&u));
	printf("sysname %s machine %s\n", u.sysname, u.machine);

	SHOW("clock_gettime", clock_gettime(CLOCK_MONOTONIC, &t0));
	SHOW("nanosleep 20 ms", nanosleep(&nap, NULL));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("slept at least 20 ms: %d\n", ns_between(&t0, &t1) >= 20 * 1000 * 1000);
	SHOW("clock_nanosleep", clock_nanosleep(CLOCK_MONOTONIC, 0, &nap, NULL));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	t0.tv_nsec += 10 * 1000 * 1000;
	if (t0.tv_nsec >= 1000000000) {
		t0.tv_sec++;
		t0.tv_nsec -= 1000000000;
	}
	SHOW("clock_nanosleep absolute", clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t0, NULL));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("woke after the deadline: %d\n", ns_between(&t0, &t1) >= 0);
	SHOW("clock_getres", clock_getres(CLOCK_MONOTONIC, &res));
	printf("resolution at most 1 ms: %d\n", res.tv_sec == 0 && res.tv_nsec <= 1000000);
	SHOW("clock_gettime REALTIME", clock_gettime(CLOCK_REALTIME, &t1));
	SHOW("gettimeofday", gettimeofday(&tv, NULL));
	printf("time not negative: %d\n", time(NULL) >= 0);
	/* The wall clock is the host's (QEMU starts its RTC at it). */
	printf("wall clock past 2024: %d\n", time(NULL) >= 1704067200);
	printf("realtime, gettimeofday and time agree: %d\n",
	       labs(t1.tv_sec - tv.tv_sec) <= 2 && labs(time(NULL) - tv.tv_sec) <= 2);
	clock_gettime(CLOCK_REALTIME, &t0);
	t0.tv_nsec += 10 * 1000 * 1000;
	if (t0.tv_nsec >= 1000000000) {
		t0.tv_sec++;
		t0.tv_nsec -= 1000000000;
	}
	SHOW("clock_nanosleep absolute REALTIME",
	     clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &t0, NULL));
	clock_gettime(CLOCK_REALTIME, &t1);
	printf("woke after the wall-clock deadline: %d\n", ns_between(&t0, &t1) >= 0);
	SHOW("clock_settime bad clock", syscall(SYS_clock_settime, 99, &t1));

	SHOW("getrandom", getrandom(r1, sizeof(r1), 0));
	SHOW("getrandom again", getrandom(r2, sizeof(r2), GRND_NONBLOCK));
	printf("random differs: %d\n", memcmp(r1, r2, sizeof(r1)) != 0);

	SHOW("sysinfo", sysinfo(&si));
	printf("sysinfo has memory: %d\n", si.totalram > 0 && si.mem_unit > 0);
	SHOW("sched_yield", sched_yield());
	SHOW("sched_getaffinity", sched_getaffinity(0, sizeof(cpus), &cpus));
	printf("at least one cpu: %d\n", CPU_COUNT(&cpus) >= 1);
	SHOW("getrlimit STACK", getrlimit(RLIMIT_STACK, &rl));
	printf("stack limit set: %d\n", rl.rlim_cur > 0);

	printf("ids %d %d %d %d\n", getuid(), geteuid(), getgid(), getegid());
	printf("tid is pid: %d\n", gettid() == getpid());

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	SHOW("sigaction", sigaction(SIGUSR1, &sa, NULL));
	SHOW("sigaction read", sigaction(SIGUSR1, NULL, &old));
	printf("handler kept: %d, mask kept: %d\n", old.sa_handler == on_usr1,
	       sigismember(&old.sa_mask, SIGUSR2));
	SHOW("sigaction SIGKILL", sigaction(SIGKILL, &sa, NULL));
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	SHOW("sigprocmask block", sigprocmask(SIG_BLOCK, &set, NULL));
	SHOW("sigprocmask read", sigprocmask(SIG_BLOCK, NULL, &oset));
	printf("SIGUSR1 blocked: %d\n", sigismember(&oset, SIGUSR1));
	SHOW("sigprocmask unblock", sigprocmask(SIG_UNBLOCK, &set, &oset));
	sigprocmask(SIG_BLOCK, NULL, &oset);
	printf("SIGUSR1 blocked after unblock: %d\n", sigismember(&oset, SIGUSR1));

	umask(022);
	SHOW("umask", umask(077));
	SHOW("umask again", umask(022));
	fflush(stdout);
	return 7;
}
