/*
 * CPU time (docs/linux.md, "CPU time"): getrusage, times, wait4's and
 * waitid's rusage, the CPU-time clocks (CLOCK_PROCESS_CPUTIME_ID,
 * CLOCK_THREAD_CPUTIME_ID, clock_getcpuclockid, pthread_getcpuclockid)
 * with clock_getres and clock_nanosleep, ITIMER_VIRTUAL and ITIMER_PROF,
 * and /proc/PID/stat's times.  Nothing here is a time: each line is an
 * outcome (a count of signals, an order between two clocks, an errno) or
 * a bound that holds on a loaded host (busy loops are measured in CPU
 * time, and a sleep must cost less than half of itself).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

#define MS	 1000000ll
#define BAD_PTR	 ((void *)1)
#define TICK_MAX (10 * MS) /* the longest clock tick among HZ 100 to 1000 */

/* glibc's MAKE_PROCESS_CPUCLOCK and MAKE_THREAD_CPUCLOCK. */
#define PROCESS_CLOCK(pid, which) ((clockid_t)((unsigned)~(pid) << 3) | (which))
#define THREAD_CLOCK(tid, which)  ((clockid_t)((unsigned)~(tid) << 3) | 4 | (which))

static long long
clock_ns(clockid_t c)
{
	struct timespec ts;

	if (clock_gettime(c, &ts))
		return -1;
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static long long
tv_ns(struct timeval tv)
{
	return tv.tv_sec * 1000000000ll + tv.tv_usec * 1000ll;
}

static long long
ru_ns(const struct rusage *ru)
{
	return tv_ns(ru->ru_utime) + tv_ns(ru->ru_stime);
}

static volatile unsigned long sink;

/* Work in user mode, a chunk between looks at the clock. */
static void
work(void)
{
	unsigned long x = sink;

	for (int i = 0; i < 200000; i++)
		x = x * 6364136223846793005ul + 1442695040888963407ul;
	sink = x;
}

/* Spins until clock c has gone ns further (or, as a safety net, 30 s
 * of real time have gone by: then "stuck"). */
static void
spin(clockid_t c, long long ns)
{
	long long end = clock_ns(c) + ns, give_up = clock_ns(CLOCK_MONOTONIC) + 30000 * MS;

	while (clock_ns(c) < end) {
		work();
		if (clock_ns(CLOCK_MONOTONIC) > give_up) {
			printf("stuck: clock %d did not move\n", (int)c);
			exit(1);
		}
	}
}

/* A raw call's result: the value, or -errno's name (EOPNOTSUPP is not
 * in common.h's list). */
static void
raw(const char *what, long r)
{
	if (r >= 0)
		printf("%s = %ld\n", what, r);
	else if (errno == EOPNOTSUPP)
		printf("%s = -1 EOPNOTSUPP\n", what);
	else
		printf("%s = -1 %s\n", what, errno_name(errno));
}

/* A result as the C library returns it: 0, or an errno value. */
static const char *
result(int r)
{
	return r ? errno_name(r) : "0";
}

static void
errors(void)
{
	struct rusage ru;
	struct timespec ts = { 0, 1000 };
	struct itimerval it;

	raw("getrusage who 5", syscall(SYS_getrusage, 5, &ru));
	raw("getrusage who -2", syscall(SYS_getrusage, -2, &ru));
	raw("getrusage bad pointer", syscall(SYS_getrusage, RUSAGE_SELF, BAD_PTR));
	raw("getrusage children bad pointer", syscall(SYS_getrusage, RUSAGE_CHILDREN, BAD_PTR));
	raw("times bad pointer", syscall(SYS_times, BAD_PTR));
	printf("times NULL works: %d\n", syscall(SYS_times, NULL) != -1);
	raw("clock_gettime process cputime bad pointer",
	    syscall(SYS_clock_gettime, CLOCK_PROCESS_CPUTIME_ID, BAD_PTR));
	raw("clock_gettime which 3", syscall(SYS_clock_gettime, PROCESS_CLOCK(0, 3), &ts));
	raw("clock_gettime thread which 3", syscall(SYS_clock_gettime, THREAD_CLOCK(0, 3), &ts));
	raw("clock_getres which 3", syscall(SYS_clock_getres, PROCESS_CLOCK(0, 3), &ts));
	raw("clock_settime process cputime", syscall(SYS_clock_settime, CLOCK_PROCESS_CPUTIME_ID, &ts));
	raw("clock_settime thread cputime", syscall(SYS_clock_settime, CLOCK_THREAD_CPUTIME_ID, &ts));
	raw("clock_settime own cpu clock", syscall(SYS_clock_settime, PROCESS_CLOCK(0, 2), &ts));
	raw("clock_nanosleep thread cputime",
	    syscall(SYS_clock_nanosleep, CLOCK_THREAD_CPUTIME_ID, 0, &ts, NULL));
	printf("libc clock_nanosleep thread cputime = %s\n",
	       result(clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &ts, NULL)));
	raw("clock_nanosleep own thread clock",
	    syscall(SYS_clock_nanosleep, THREAD_CLOCK(0, 2), 0, &ts, NULL));
	raw("clock_nanosleep own tid clock",
	    syscall(SYS_clock_nanosleep, THREAD_CLOCK((pid_t)syscall(SYS_gettid), 2), 0, &ts, NULL));
	raw("clock_nanosleep process cputime bad pointer",
	    syscall(SYS_clock_nanosleep, CLOCK_PROCESS_CPUTIME_ID, 0, BAD_PTR, NULL));
	raw("clock_nanosleep process cputime bad nsec",
	    syscall(SYS_clock_nanosleep, CLOCK_PROCESS_CPUTIME_ID, 0,
		    &(struct timespec){ 0, 1000000000 }, NULL));
	raw("setitimer virtual bad usec",
	    syscall(SYS_setitimer, ITIMER_VIRTUAL,
		    &(struct itimerval){ { 0, 0 }, { 0, 1000000 } }, NULL));
	raw("setitimer prof negative", syscall(SYS_setitimer, ITIMER_PROF,
					       &(struct itimerval){ { -1, 0 }, { 0, 0 } }, NULL));
	raw("setitimer which 5", syscall(SYS_setitimer, 5, &(struct itimerval){ 0 }, NULL));
	raw("setitimer which 5 bad pointer", syscall(SYS_setitimer, 5, BAD_PTR, NULL));
	raw("setitimer prof bad old", syscall(SYS_setitimer, ITIMER_PROF, &(struct itimerval){ 0 },
					      BAD_PTR));
	raw("getitimer which 5", syscall(SYS_getitimer, 5, &it));
	raw("getitimer virtual bad pointer", syscall(SYS_getitimer, ITIMER_VIRTUAL, BAD_PTR));
}

static void
resolutions(void)
{
	struct timespec res;
	clockid_t mine;

	SHOW("clock_getres process cputime", clock_getres(CLOCK_PROCESS_CPUTIME_ID, &res));
	printf("  %ld s %ld ns\n", (long)res.tv_sec, res.tv_nsec);
	SHOW("clock_getres thread cputime", clock_getres(CLOCK_THREAD_CPUTIME_ID, &res));
	printf("  %ld s %ld ns\n", (long)res.tv_sec, res.tv_nsec);
	SHOW("clock_getcpuclockid 0", clock_getcpuclockid(0, &mine));
	SHOW("clock_getres of it", clock_getres(mine, &res));
	printf("  %ld s %ld ns\n", (long)res.tv_sec, res.tv_nsec);
	/* The sampled clocks move a tick at a time (1 to 10 ms by HZ). */
	SHOW("clock_getres user-time clock", clock_getres(PROCESS_CLOCK(0, 1), &res));
	printf("  a tick: %d\n", res.tv_sec == 0 && res.tv_nsec >= MS && res.tv_nsec <= TICK_MAX);
	SHOW("clock_getres thread user+system clock", clock_getres(THREAD_CLOCK(0, 0), &res));
	printf("  a tick: %d\n", res.tv_sec == 0 && res.tv_nsec >= MS && res.tv_nsec <= TICK_MAX);
	SHOW("clock_getres NULL", clock_getres(CLOCK_PROCESS_CPUTIME_ID, NULL));
	/* The unit of times() and /proc/PID/stat, from the auxiliary vector. */
	printf("AT_CLKTCK %lu, sysconf(_SC_CLK_TCK) %ld\n", getauxval(AT_CLKTCK),
	       sysconf(_SC_CLK_TCK));
}

/* User time grows with work in user mode; a sleep costs next to none. */
static void
self(void)
{
	struct rusage a, b;
	struct tms ta, tb;
	long long cpu, before, slept;
	int by_clock = 0, by_rusage = 0;
	clock_t ra, rb;

	getrusage(RUSAGE_SELF, &a);
	ra = times(&ta);
	before = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	spin(CLOCK_PROCESS_CPUTIME_ID, 200 * MS);
	cpu = clock_ns(CLOCK_PROCESS_CPUTIME_ID) - before;
	getrusage(RUSAGE_SELF, &b);
	rb = times(&tb);
	printf("busy: user time grew by half the CPU time at least: %d\n",
	       tv_ns(b.ru_utime) - tv_ns(a.ru_utime) >= cpu / 2);
	printf("busy: rusage follows the clock: %d\n",
	       ru_ns(&b) - ru_ns(&a) >= cpu - 2 * TICK_MAX &&
		       ru_ns(&b) - ru_ns(&a) <= cpu + 2 * TICK_MAX);
	printf("busy: times' user ticks grew: %d\n", tb.tms_utime - ta.tms_utime >= 10);
	printf("busy: times() moved on: %d\n", rb - ra >= 10);
	printf("children so far: %ld %ld\n", tb.tms_cutime, tb.tms_cstime);

	/* A host that stalls the machine while this process runs charges
	 * it the stall: one sleep of three is enough. */
	for (int try = 0; try < 3 && !(by_clock && by_rusage); try++) {
		before = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
		getrusage(RUSAGE_SELF, &a);
		usleep(200000);
		getrusage(RUSAGE_SELF, &b);
		slept = clock_ns(CLOCK_PROCESS_CPUTIME_ID) - before;
		by_clock |= slept < 100 * MS;
		by_rusage |= ru_ns(&b) - ru_ns(&a) < 100 * MS;
	}
	printf("asleep: CPU time under half the sleep: %d %d\n", by_clock, by_rusage);
}

static volatile sig_atomic_t vtalrms, profs;

static void
on_signal(int sig)
{
	if (sig == SIGVTALRM)
		vtalrms++;
	else if (sig == SIGPROF)
		profs++;
}

static void
catch(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigaction(sig, &sa, NULL);
}

/* Spins until *count reaches n (or 10 s of CPU time: then "stuck"). */
static void
spin_until(volatile sig_atomic_t *count, int n)
{
	long long give_up = clock_ns(CLOCK_PROCESS_CPUTIME_ID) + 10000 * MS;

	while (*count < n) {
		work();
		if (clock_ns(CLOCK_PROCESS_CPUTIME_ID) > give_up) {
			printf("stuck: %d of %d signals\n", (int)*count, n);
			exit(1);
		}
	}
}

static void
itimers(void)
{
	struct itimerval it = { { 0, 10000 }, { 0, 10000 } }, off = { { 0, 0 }, { 0, 0 } }, cur;

	catch(SIGVTALRM);
	catch(SIGPROF);
	SHOW("setitimer virtual", setitimer(ITIMER_VIRTUAL, &it, NULL));
	spin_until(&vtalrms, 5);
	SHOW("setitimer virtual off", setitimer(ITIMER_VIRTUAL, &off, &cur));
	printf("SIGVTALRM at least 5 times: %d; the old interval %ld us\n", vtalrms >= 5,
	       (long)cur.it_interval.tv_usec);
	SHOW("setitimer prof", setitimer(ITIMER_PROF, &it, NULL));
	spin_until(&profs, 3);
	SHOW("setitimer prof off", setitimer(ITIMER_PROF, &off, NULL));
	printf("SIGPROF at least 3 times: %d\n", profs >= 3);
	/* Off is off: more work, no more signals. */
	vtalrms = profs = 0;
	spin(CLOCK_PROCESS_CPUTIME_ID, 50 * MS);
	printf("after disarming: %d %d\n", (int)vtalrms, (int)profs);
	/* A sleeping process uses no CPU time: its virtual timer waits. */
	it = (struct itimerval){ { 0, 0 }, { 0, 50000 } };
	setitimer(ITIMER_VIRTUAL, &it, NULL);
	usleep(150000);
	printf("asleep: SIGVTALRM %d\n", (int)vtalrms);
	setitimer(ITIMER_VIRTUAL, &off, NULL);

	/* getitimer gives back what was set: the interval exactly, the value
	 * no more than asked and a tick (Linux adds one). */
	it = (struct itimerval){ { 0, 500000 }, { 1, 0 } };
	SHOW("setitimer virtual 1 s", setitimer(ITIMER_VIRTUAL, &it, NULL));
	SHOW("getitimer virtual", getitimer(ITIMER_VIRTUAL, &cur));
	printf("  interval %ld.%06ld value in (0.9 s, 1 s + a tick]: %d\n",
	       (long)cur.it_interval.tv_sec, (long)cur.it_interval.tv_usec,
	       tv_ns(cur.it_value) > 900 * MS && tv_ns(cur.it_value) <= 1000 * MS + TICK_MAX);
	it = (struct itimerval){ { 0, 200000 }, { 0, 0 } };
	SHOW("setitimer virtual value 0", setitimer(ITIMER_VIRTUAL, &it, &cur));
	printf("  old interval %ld.%06ld old value > 0.9 s: %d\n", (long)cur.it_interval.tv_sec,
	       (long)cur.it_interval.tv_usec, tv_ns(cur.it_value) > 900 * MS);
	SHOW("getitimer virtual", getitimer(ITIMER_VIRTUAL, &cur));
	printf("  disarmed, interval kept: %ld.%06ld %ld.%06ld\n", (long)cur.it_value.tv_sec,
	       (long)cur.it_value.tv_usec, (long)cur.it_interval.tv_sec,
	       (long)cur.it_interval.tv_usec);
	it = (struct itimerval){ { 2, 0 }, { 3, 0 } };
	SHOW("setitimer prof 3 s", setitimer(ITIMER_PROF, &it, NULL));
	SHOW("getitimer prof", getitimer(ITIMER_PROF, &cur));
	printf("  interval %ld value in (2.9 s, 3 s + a tick]: %d\n", (long)cur.it_interval.tv_sec,
	       tv_ns(cur.it_value) > 2900 * MS && tv_ns(cur.it_value) <= 3000 * MS + TICK_MAX);
	setitimer(ITIMER_PROF, &off, NULL);
	SHOW("getitimer real, untouched", getitimer(ITIMER_REAL, &cur));
	printf("  %ld %ld\n", (long)cur.it_value.tv_sec, (long)cur.it_interval.tv_sec);
}

/* Utime + stime (ticks) of a /proc stat text, and cutime + cstime. */
static int
stat_times(const char *path, long *self_ticks, long *children_ticks)
{
	char buf[1024], *p;
	long f[17];
	int fd = open(path, O_RDONLY), n;

	if (fd < 0)
		return -1;
	n = (int)read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return -1;
	p += 2;
	/* Fields 3 (state) to 17; the state is a letter. */
	p = strchr(p, ' ');
	for (int i = 4; i <= 17 && p; i++) {
		f[i - 1] = strtol(p, &p, 10);
		if (*p != ' ')
			return -1;
	}
	*self_ticks = f[13] + f[14];
	*children_ticks = f[15] + f[16];
	return 0;
}

static void
children(void)
{
	struct rusage ru, mine;
	struct tms t;
	siginfo_t si;
	long self_ticks, child_ticks;
	int st, fds[2];
	pid_t pid;
	clockid_t cc;
	long long zombie_cpu, own;
	int own_apart = 0;

	getrusage(RUSAGE_CHILDREN, &ru);
	printf("children before any: %lld\n", ru_ns(&ru));
	pid = fork();
	if (pid == 0) {
		spin(CLOCK_PROCESS_CPUTIME_ID, 100 * MS);
		_exit(3);
	}
	/* Ended but not reaped: not counted yet; its clock still reads. */
	SHOW("waitid WNOWAIT", waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT));
	getrusage(RUSAGE_CHILDREN, &ru);
	printf("children before the wait: %lld\n", ru_ns(&ru));
	SHOW("clock_getcpuclockid of the zombie", clock_getcpuclockid(pid, &cc));
	zombie_cpu = clock_ns(cc);
	printf("  its clock shows its work: %d\n", zombie_cpu >= 100 * MS);
	/* A thread clock names a thread of the caller's process only. */
	SHOW("clock_gettime of its thread clock", clock_gettime(THREAD_CLOCK(pid, 2),
							       &(struct timespec){ 0, 0 }));
	memset(&ru, 0, sizeof(ru));
	SHOW("wait4 with rusage", wait4(pid, &st, 0, &ru) == pid);
	show_status("child", st);
	printf("  its rusage: CPU time %d, as its clock said: %d\n", ru_ns(&ru) >= 100 * MS,
	       ru_ns(&ru) >= zombie_cpu - 2 * TICK_MAX);
	getrusage(RUSAGE_CHILDREN, &ru);
	printf("children after the wait: %d\n", ru_ns(&ru) >= 100 * MS);
	times(&t);
	/* 100 ms in ticks of 10 ms, each part rounded down. */
	printf("times' children's ticks: %d\n", t.tms_cutime + t.tms_cstime >= 8);
	printf("/proc/self/stat children's ticks: %d\n",
	       stat_times("/proc/self/stat", &self_ticks, &child_ticks) == 0 && child_ticks >= 8);
	/* Reaped: its clock is gone with it. */
	printf("clock_getcpuclockid of the reaped child = %s\n",
	       result(clock_getcpuclockid(pid, &cc)));
	SHOW("clock_gettime of the reaped child's clock", clock_gettime(cc, &(struct timespec){}));

	/* waitid's rusage: left alone while no child has ended (Linux
	 * writes it only for a child it reports). */
	if (pipe(fds))
		return;
	pid = fork();
	if (pid == 0) {
		char c;

		close(fds[1]);
		spin(CLOCK_PROCESS_CPUTIME_ID, 50 * MS);
		if (read(fds[0], &c, 1) < 0)
			_exit(1);
		_exit(4);
	}
	close(fds[0]);
	memset(&ru, 0x55, sizeof(ru));
	memset(&si, 0, sizeof(si));
	SHOW("waitid WNOHANG", syscall(SYS_waitid, P_PID, pid, &si, WEXITED | WNOHANG, &ru));
	printf("  nothing yet: pid %d, rusage untouched %d\n", (int)si.si_pid,
	       ((unsigned char *)&ru)[0] == 0x55 && ((unsigned char *)&ru)[143] == 0x55);
	close(fds[1]);
	SHOW("waitid", syscall(SYS_waitid, P_PID, pid, &si, WEXITED, &ru));
	printf("  status %d, rusage CPU time %d, rest 0: %d\n", si.si_status,
	       ru_ns(&ru) >= 50 * MS, ru.ru_nswap == 0 && ru.ru_msgsnd == 0);
	getrusage(RUSAGE_CHILDREN, &ru);
	printf("children after both: %d\n", ru_ns(&ru) >= 150 * MS);
	/* The parent's own time leaves out the child's 80 ms (in one try of
	 * three: a stall of the host while the parent runs is charged to
	 * it). */
	for (int try = 0; try < 3 && !own_apart; try++) {
		getrusage(RUSAGE_SELF, &mine);
		own = ru_ns(&mine);
		pid = fork();
		if (pid == 0) {
			spin(CLOCK_PROCESS_CPUTIME_ID, 80 * MS);
			_exit(0);
		}
		waitpid(pid, NULL, 0);
		getrusage(RUSAGE_SELF, &mine);
		own_apart = ru_ns(&mine) - own < 40 * MS;
	}
	printf("the parent's own time leaves the child's out: %d\n", own_apart);
	getrusage(RUSAGE_CHILDREN, &ru);
	/* A grandchild's time comes with its parent, which reaped it. */
	pid = fork();
	if (pid == 0) {
		pid_t g = fork();

		if (g == 0) {
			spin(CLOCK_PROCESS_CPUTIME_ID, 60 * MS);
			_exit(0);
		}
		waitpid(g, NULL, 0);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	getrusage(RUSAGE_CHILDREN, &mine);
	printf("a grandchild counts once both are reaped: %d\n",
	       ru_ns(&mine) - ru_ns(&ru) >= 60 * MS);
	/* A child reaped because SIGCHLD is ignored never counts. */
	signal(SIGCHLD, SIG_IGN);
	pid = fork();
	if (pid == 0) {
		spin(CLOCK_PROCESS_CPUTIME_ID, 60 * MS);
		_exit(0);
	}
	SHOW("wait with SIGCHLD ignored", waitpid(pid, NULL, 0));
	signal(SIGCHLD, SIG_DFL);
	getrusage(RUSAGE_CHILDREN, &ru);
	printf("one reaped for SIGCHLD ignored does not count: %d\n",
	       ru_ns(&ru) - ru_ns(&mine) < 30 * MS);
	/* A bad rusage pointer: EFAULT, and the child is reaped all the same. */
	pid = fork();
	if (pid == 0)
		_exit(5);
	raw("wait4 bad rusage pointer", syscall(SYS_wait4, pid, NULL, 0, BAD_PTR));
	raw("wait4 again", syscall(SYS_wait4, pid, NULL, 0, NULL));
}

static volatile int spinner_go = 1, spinner_ready;
static long long spinner_ns;
static pid_t spinner_tid;

static void *
spinner(void *arg)
{
	(void)arg;
	spinner_tid = (pid_t)syscall(SYS_gettid);
	spin(CLOCK_THREAD_CPUTIME_ID, 60 * MS);
	spinner_ready = 1;
	while (spinner_go)
		work();
	spinner_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	return NULL;
}

static void
threads(void)
{
	struct rusage rt, rs;
	pthread_t th;
	clockid_t tc, own;
	long long a, b, p0, t0, main_ns;
	char path[64];
	long task_ticks, proc_ticks, unused;
	struct timespec ts;

	pthread_create(&th, NULL, spinner, NULL);
	while (!spinner_ready)
		usleep(10000);
	SHOW("pthread_getcpuclockid", pthread_getcpuclockid(th, &tc));
	a = clock_ns(tc);
	usleep(50000);
	b = clock_ns(tc);
	printf("the spinner's clock: past its spin %d, moving %d\n", a >= 60 * MS, b > a);
	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)spinner_tid);
	/* 60 ms in ticks, each of user and system time rounded down. */
	printf("its /proc stat: %d\n", stat_times(path, &task_ticks, &unused) == 0 &&
					       task_ticks >= 4);
	printf("the process's /proc stat has more: %d\n",
	       stat_times("/proc/self/stat", &proc_ticks, &unused) == 0 &&
		       proc_ticks + 1 >= task_ticks);
	/* clock_nanosleep on the process's clock and on the spinner's: the
	 * spinner makes them move while this thread sleeps. */
	p0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	ts = (struct timespec){ 0, 40 * MS };
	printf("clock_nanosleep process cputime = %s\n",
	       result(clock_nanosleep(CLOCK_PROCESS_CPUTIME_ID, 0, &ts, NULL)));
	printf("  it moved that far: %d\n", clock_ns(CLOCK_PROCESS_CPUTIME_ID) - p0 >= 40 * MS);
	t0 = clock_ns(tc);
	ts = (struct timespec){ 0, 30 * MS };
	printf("clock_nanosleep spinner's clock = %s\n", result(clock_nanosleep(tc, 0, &ts, NULL)));
	printf("  it moved that far: %d\n", clock_ns(tc) - t0 >= 30 * MS);
	t0 = clock_ns(tc);
	ts = (struct timespec){ t0 / 1000000000ll, t0 % 1000000000ll + 1 };
	if (ts.tv_nsec >= 1000000000)
		ts = (struct timespec){ ts.tv_sec + 1, ts.tv_nsec - 1000000000 };
	printf("clock_nanosleep absolute, spinner's clock = %s\n",
	       result(clock_nanosleep(tc, TIMER_ABSTIME, &ts, NULL)));
	printf("  it got there: %d\n", clock_ns(tc) > t0);
	ts = (struct timespec){ 0, 1 };
	printf("clock_nanosleep absolute, in the past = %s\n",
	       result(clock_nanosleep(CLOCK_PROCESS_CPUTIME_ID, TIMER_ABSTIME, &ts, NULL)));
	SHOW("pthread_getcpuclockid self", pthread_getcpuclockid(pthread_self(), &own));
	printf("clock_nanosleep own thread clock = %s\n",
	       result(clock_nanosleep(own, 0, &(struct timespec){ 0, 1000 }, NULL)));
	/* A process clock names a process, not another of its threads. */
	raw("clock_gettime process clock of the spinner's tid",
	    syscall(SYS_clock_gettime, PROCESS_CLOCK(spinner_tid, 2), &ts));
	spinner_go = 0;
	pthread_join(th, NULL);
	main_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	p0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	printf("thread clocks within the process clock: %d %d\n", spinner_ns + main_ns <= p0,
	       main_ns <= p0);
	getrusage(RUSAGE_THREAD, &rt);
	getrusage(RUSAGE_SELF, &rs);
	printf("RUSAGE_THREAD within RUSAGE_SELF: %d\n", ru_ns(&rt) <= ru_ns(&rs));
	printf("RUSAGE_SELF holds the spinner's: %d\n", ru_ns(&rs) >= spinner_ns - 2 * TICK_MAX);
}

int
main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	errors();
	resolutions();
	self();
	itimers();
	children();
	threads();
	return 0;
}
