/*
 * Signal queues as Linux keeps them (docs/linux.md, "Signals"): a
 * real-time signal sent N times while blocked arrives N times, in order,
 * each with its own si_value; standard signals coalesce; the lowest
 * number goes first, a thread's own signals before its process's;
 * sigqueue to itself and to a child, rt_tgsigqueueinfo, sigwaitinfo
 * taking one instance at a time; a process-directed signal blocked by
 * every thread but one goes to that one; RLIMIT_SIGPENDING bounds the
 * queue (EAGAIN for sigqueue and tgkill, a lost siginfo for kill);
 * SA_AUTODISARM and the alternate stack read back from the frame at
 * rt_sigreturn; bad arguments.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include "common.h"

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31) /* Linux's; not in every C library's headers */
#endif

#define RT0 (SIGRTMIN)
#define RT1 (SIGRTMIN + 1)
#define RT2 (SIGRTMIN + 2)

/* A signal's name relative to the real-time range, the same whatever
 * SIGRTMIN the C library reserves below it. */
static const char *
name(int sig, char *buf)
{
	if (sig >= SIGRTMIN)
		sprintf(buf, "RTMIN+%d", sig - SIGRTMIN);
	else
		sprintf(buf, "%d", sig);
	return buf;
}

static void
show_info(const char *what, const siginfo_t *si)
{
	char b[16];

	/* SI_USER and SI_TKILL are not told apart: the host's Linux 6.18
	 * gives a tgkill's SI_USER to sigtimedwait, SI_TKILL to a handler. */
	printf("%s: sig %s %s value %d from self %d\n", what, name(si->si_signo, b),
	       si->si_code == SI_QUEUE ? "queued" : si->si_code <= 0 ? "user" : "kernel",
	       si->si_code == SI_QUEUE ? si->si_value.sival_int : -1, si->si_pid == getpid());
}

static long
sigqueueinfo(pid_t pid, int sig, int code, int value)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = code;
	si.si_pid = getpid();
	si.si_value.sival_int = value;
	return syscall(SYS_rt_sigqueueinfo, pid, sig, &si);
}

static long
tgsigqueueinfo(pid_t tgid, pid_t tid, int sig, int code, int value)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = code;
	si.si_pid = getpid();
	si.si_value.sival_int = value;
	return syscall(SYS_rt_tgsigqueueinfo, tgid, tid, sig, &si);
}

static void
block(sigset_t *set, int how)
{
	sigprocmask(how, set, NULL);
}

/* Takes every pending signal of set, one instance at a time. */
static void
drain(const char *what, sigset_t *set)
{
	struct timespec zero = { 0, 0 };
	siginfo_t si;
	int n = 0;

	while (sigtimedwait(set, &si, &zero) > 0) {
		show_info(what, &si);
		n++;
	}
	printf("%s: %d taken, then %s\n", what, n, errno_name(errno));
}

/* ---- delivered to handlers, in order ---- */

static struct {
	int sig, code, value;
} got[64];
static volatile int ngot;

static void
record(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (ngot < 64) {
		got[ngot].sig = sig;
		got[ngot].code = si->si_code;
		got[ngot].value = si->si_code == SI_QUEUE ? si->si_value.sival_int : -1;
		ngot++;
	}
}

static void
handlers(void)
{
	struct sigaction sa;
	sigset_t set;
	char b[16];

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = record;
	sa.sa_flags = SA_SIGINFO;
	/* One handler at a time: each runs before the next is delivered. */
	sigfillset(&sa.sa_mask);
	sigaction(RT0, &sa, NULL);
	sigaction(RT1, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, RT0);
	sigaddset(&set, RT1);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	block(&set, SIG_BLOCK);
	for (int i = 0; i < 3; i++)
		SHOW("sigqueue RT1", sigqueue(getpid(), RT1, (union sigval){ .sival_int = i }));
	for (int i = 0; i < 3; i++)
		SHOW("sigqueue RT0", sigqueue(getpid(), RT0, (union sigval){ .sival_int = 10 + i }));
	SHOW("kill USR2", kill(getpid(), SIGUSR2));
	SHOW("kill USR2 again", kill(getpid(), SIGUSR2));
	SHOW("sigqueue USR1", sigqueue(getpid(), SIGUSR1, (union sigval){ .sival_int = 7 }));
	SHOW("sigqueue USR1 again", sigqueue(getpid(), SIGUSR1, (union sigval){ .sival_int = 8 }));
	SHOW("kill RT1", kill(getpid(), RT1));
	printf("none yet: %d\n", ngot);
	block(&set, SIG_UNBLOCK);
	for (int i = 0; i < ngot; i++)
		printf("handler %d: sig %s code %d value %d\n", i, name(got[i].sig, b), got[i].code,
		       got[i].value);
	signal(RT0, SIG_DFL);
	signal(RT1, SIG_DFL);
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
}

/* ---- sigwaitinfo: one instance at a time, lowest first ---- */

static void
waiting(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, RT0);
	sigaddset(&set, RT2);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	block(&set, SIG_BLOCK);
	for (int i = 0; i < 5; i++)
		sigqueue(getpid(), RT0, (union sigval){ .sival_int = 20 + i });
	sigset_t pend;
	sigpending(&pend);
	printf("pending RT0 %d\n", sigismember(&pend, RT0));
	siginfo_t si;
	SHOW("sigwaitinfo", sigwaitinfo(&set, &si) == RT0);
	show_info("first", &si);
	SHOW("sigwaitinfo", sigwaitinfo(&set, &si) == RT0);
	show_info("second", &si);
	drain("rest", &set);
	sigpending(&pend);
	printf("pending RT0 %d\n", sigismember(&pend, RT0));

	/* Mixed: standard signals first, each once; then real-time ones by
	 * number, each in the order sent. */
	sigqueue(getpid(), RT2, (union sigval){ .sival_int = 1 });
	kill(getpid(), SIGUSR2);
	sigqueue(getpid(), RT0, (union sigval){ .sival_int = 2 });
	sigqueue(getpid(), SIGUSR1, (union sigval){ .sival_int = 3 });
	sigqueue(getpid(), RT2, (union sigval){ .sival_int = 4 });
	kill(getpid(), SIGUSR2);
	sigqueue(getpid(), RT0, (union sigval){ .sival_int = 5 });
	drain("mixed", &set);

	/* The thread's own (tgkill, rt_tgsigqueueinfo) before the
	 * process's, whatever the numbers. */
	kill(getpid(), SIGUSR1);
	sigqueue(getpid(), RT0, (union sigval){ .sival_int = 6 });
#ifdef __GLIBC__
	/* glibc's pthread_sigqueue is rt_tgsigqueueinfo with SI_QUEUE. */
	pthread_sigqueue(pthread_self(), RT2, (union sigval){ .sival_int = 7 });
#else
	tgsigqueueinfo(getpid(), gettid(), RT2, SI_QUEUE, 7);
#endif
	syscall(SYS_tgkill, getpid(), gettid(), SIGUSR2);
	drain("thread first", &set);
	block(&set, SIG_UNBLOCK);
}

/* ---- to a child, and what another process may not pretend ---- */

static void
child(void)
{
	int up[2], down[2];
	char c = 0;
	pid_t pid;
	int st;

	if (pipe(up) || pipe(down))
		return;
	pid = fork();
	if (pid == 0) {
		sigset_t set;
		siginfo_t si;

		sigemptyset(&set);
		sigaddset(&set, RT0);
		sigaddset(&set, SIGUSR1);
		block(&set, SIG_BLOCK);
		if (write(up[1], "r", 1) != 1)
			_exit(1);
		if (read(down[0], &c, 1) != 1)
			_exit(1);
		for (int i = 0; i < 4; i++) {
			if (sigwaitinfo(&set, &si) < 0)
				_exit(2);
			printf("child: sig %s code %d value %d from parent %d\n",
			       si.si_signo == RT0 ? "RT0" : "USR1", si.si_code,
			       si.si_value.sival_int, si.si_pid == getppid());
		}
		_exit(0);
	}
	if (read(up[0], &c, 1) != 1)
		return;
	for (int i = 0; i < 3; i++)
		SHOW("sigqueue child", sigqueue(pid, RT0, (union sigval){ .sival_int = 100 + i }));
	SHOW("queueinfo child SI_USER", sigqueueinfo(pid, RT0, SI_USER, 1));
	SHOW("queueinfo child SI_TKILL", sigqueueinfo(pid, RT0, SI_TKILL, 1));
	SHOW("queueinfo child SI_KERNEL", sigqueueinfo(pid, RT0, SI_KERNEL, 1));
	SHOW("queueinfo child positive", sigqueueinfo(pid, RT0, 1, 1));
	SHOW("tgqueueinfo child SI_USER", tgsigqueueinfo(pid, pid, RT0, SI_USER, 1));
	SHOW("tgqueueinfo child", tgsigqueueinfo(pid, pid, SIGUSR1, SI_QUEUE, 9));
	SHOW("tgqueueinfo wrong tgid", tgsigqueueinfo(getpid(), pid, SIGUSR1, SI_QUEUE, 9));
	if (write(down[1], "g", 1) != 1)
		return;
	waitpid(pid, &st, 0);
	show_status("child", st);
	/* pid is reaped now: nobody has it. */
	SHOW("sigqueue reaped", sigqueue(pid, RT0, (union sigval){ .sival_int = 0 }));
	SHOW("tgqueueinfo reaped", tgsigqueueinfo(pid, pid, RT0, SI_QUEUE, 0));
	close(up[0]), close(up[1]), close(down[0]), close(down[1]);
}

/* ---- bad arguments ---- */

static void
bad(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, RT0);
	sigaddset(&set, SIGUSR1);
	block(&set, SIG_BLOCK);
	SHOW("queueinfo self SI_USER", sigqueueinfo(getpid(), SIGUSR1, SI_USER, 1));
	SHOW("queueinfo self sig 0", sigqueueinfo(getpid(), 0, SI_QUEUE, 1));
	SHOW("queueinfo self sig 65", sigqueueinfo(getpid(), 65, SI_QUEUE, 1));
	SHOW("queueinfo self sig -1", sigqueueinfo(getpid(), -1, SI_QUEUE, 1));
	SHOW("queueinfo pid 0", sigqueueinfo(0, RT0, SI_QUEUE, 1));
	SHOW("queueinfo pid -1", sigqueueinfo(-1, RT0, SI_QUEUE, 1));
	SHOW("queueinfo pid 0 SI_USER", sigqueueinfo(0, RT0, SI_USER, 1));
	SHOW("queueinfo NULL", syscall(SYS_rt_sigqueueinfo, getpid(), RT0, NULL));
	SHOW("queueinfo bad pointer", syscall(SYS_rt_sigqueueinfo, getpid(), RT0, (void *)8));
	SHOW("tgqueueinfo NULL", syscall(SYS_rt_tgsigqueueinfo, getpid(), gettid(), RT0, NULL));
	SHOW("tgqueueinfo tgid 0", tgsigqueueinfo(0, gettid(), RT0, SI_QUEUE, 1));
	SHOW("tgqueueinfo tid 0", tgsigqueueinfo(getpid(), 0, RT0, SI_QUEUE, 1));
	SHOW("tgqueueinfo sig 65", tgsigqueueinfo(getpid(), gettid(), 65, SI_QUEUE, 1));
	SHOW("tgqueueinfo sig 0", tgsigqueueinfo(getpid(), gettid(), 0, SI_QUEUE, 1));
	/* The siginfo's own si_signo is not what counts: sig is. */
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGUSR2;
	si.si_code = SI_QUEUE;
	si.si_value.sival_int = 42;
	SHOW("queueinfo signo differs", syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, &si));
	drain("bad", &set);
	block(&set, SIG_UNBLOCK);
}

/* ---- threads: who takes what ---- */

static pthread_t thr[2];
static volatile pid_t tids[2];
static volatile int stage, taken_by[8], ntaken, seen[2][2];
static pthread_barrier_t bar;

static void
note(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)si, (void)uc;
	pid_t me = gettid();

	if (ntaken < 8)
		taken_by[ntaken++] = me == tids[0] ? 1 : me == tids[1] ? 2 : 0;
}

static void *
worker(void *arg)
{
	int i = (int)(intptr_t)arg;
	sigset_t set, pend;

	tids[i] = gettid();
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, RT0);
	/* The first worker blocks them as the main thread does; the second
	 * takes them. */
	if (i == 0)
		block(&set, SIG_BLOCK);
	else
		block(&set, SIG_UNBLOCK);
	pthread_barrier_wait(&bar);
	while (stage < 1)
		usleep(1000);
	/* Every thread sees the process's pending SIGUSR2. */
	sigpending(&pend);
	seen[i][0] = sigismember(&pend, SIGUSR2);
	seen[i][1] = sigismember(&pend, SIGURG);
	pthread_barrier_wait(&bar);
	while (stage < 2)
		usleep(1000);
	if (i == 0) {
		sigset_t s2;
		siginfo_t si;

		sigemptyset(&s2);
		sigaddset(&s2, SIGUSR2);
		SHOW("worker 1 takes USR2", sigwaitinfo(&s2, &si) == SIGUSR2);
	}
	pthread_barrier_wait(&bar);
	return NULL;
}

static void
threads(void)
{
	struct sigaction sa;
	sigset_t set, pend;
	siginfo_t si;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = note;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(RT0, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGURG);
	sigaddset(&set, RT0);
	block(&set, SIG_BLOCK);
	pthread_barrier_init(&bar, NULL, 3);
	for (int i = 0; i < 2; i++)
		pthread_create(&thr[i], NULL, worker, (void *)(intptr_t)i);
	pthread_barrier_wait(&bar);
	/* Blocked by the main thread and the first worker: the second takes
	 * them, however many. */
	kill(getpid(), SIGUSR1);
	for (int i = 0; i < 3; i++)
		sigqueue(getpid(), RT0, (union sigval){ .sival_int = i });
	/* Long enough for a loaded host to let the guest run. */
	for (int i = 0; i < 4000 && ntaken < 4; i++)
		usleep(5000);
	printf("taken %d:", ntaken);
	for (int i = 0; i < ntaken; i++)
		printf(" worker %d", taken_by[i]);
	printf("\n");
	/* Blocked by every thread: pending for the process, seen by all;
	 * a thread-directed one is its thread's alone. */
	kill(getpid(), SIGUSR2);
	syscall(SYS_tgkill, getpid(), gettid(), SIGURG);
	sigpending(&pend);
	printf("main: USR2 pending %d, URG pending %d\n", sigismember(&pend, SIGUSR2),
	       sigismember(&pend, SIGURG));
	stage = 1;
	pthread_barrier_wait(&bar);
	for (int i = 0; i < 2; i++)
		printf("worker %d: USR2 pending %d, URG pending %d\n", i + 1, seen[i][0], seen[i][1]);
	stage = 2;
	pthread_barrier_wait(&bar);
	sigpending(&pend);
	printf("main after worker 1: USR2 pending %d, URG pending %d\n",
	       sigismember(&pend, SIGUSR2), sigismember(&pend, SIGURG));
	/* tgkill to the main thread, which blocks it: stays its own. */
	syscall(SYS_tgkill, getpid(), gettid(), SIGUSR1);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGURG);
	SHOW("main takes", sigwaitinfo(&set, &si));
	SHOW("main takes", sigwaitinfo(&set, &si));
	for (int i = 0; i < 2; i++)
		pthread_join(thr[i], NULL);
	printf("taken by handlers in all: %d\n", ntaken);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGURG);
	sigaddset(&set, RT0);
	block(&set, SIG_UNBLOCK);
	signal(SIGUSR1, SIG_DFL);
	signal(RT0, SIG_DFL);
}

/* ---- RLIMIT_SIGPENDING ---- */

/* The siginfos queued that count against the limit: SigQ's first number. */
static long
queued(void)
{
	char line[256];
	long n = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "SigQ: %ld/", &n) == 1)
			break;
	fclose(f);
	return n;
}

static void
bound(void)
{
	struct rlimit rl;
	sigset_t set;
	pid_t pid;
	int st;

	/* In a child: the limit stays its own. */
	pid = fork();
	if (pid == 0) {
		/* Linux counts the queued siginfos of every process of the
		 * user, which other processes of a busy host change at any
		 * time: in a user namespace of its own the count is this
		 * process's alone, as ThemeliOS counts (which has no such
		 * call; the result is not printed). */
		syscall(SYS_unshare, CLONE_NEWUSER);
		SHOW("getrlimit", getrlimit(RLIMIT_SIGPENDING, &rl));
		/* Room for 4 more than /proc/self/status's SigQ says are
		 * queued (0 here, as there). */
		rl.rlim_cur = queued() + 4;
		SHOW("setrlimit", setrlimit(RLIMIT_SIGPENDING, &rl));
		printf("sysconf is the limit %d\n", sysconf(_SC_SIGQUEUE_MAX) == (long)rl.rlim_cur);
		sigemptyset(&set);
		sigaddset(&set, RT0);
		sigaddset(&set, RT1);
		sigaddset(&set, RT2);
		sigaddset(&set, SIGUSR1);
		sigaddset(&set, SIGUSR2);
		block(&set, SIG_BLOCK);
		for (int i = 0; i < 6; i++)
			SHOW("sigqueue", sigqueue(getpid(), RT0, (union sigval){ .sival_int = i }));
		/* Over the bound: kill still sends, without its siginfo; tgkill
		 * and a standard signal's sigqueue as Linux does. */
		SHOW("kill RT1", kill(getpid(), RT1));
		SHOW("kill RT1 again", kill(getpid(), RT1));
		SHOW("tgkill RT2", syscall(SYS_tgkill, getpid(), gettid(), RT2));
		SHOW("sigqueue USR1", sigqueue(getpid(), SIGUSR1, (union sigval){ .sival_int = 5 }));
		SHOW("kill USR2", kill(getpid(), SIGUSR2));
		drain("bound", &set);
		/* Taken off, the room is back. */
		for (int i = 0; i < 5; i++)
			SHOW("sigqueue again", sigqueue(getpid(), RT0, (union sigval){ .sival_int = i }));
		drain("again", &set);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	show_status("bound child", st);
}

/* ---- the alternate stack ---- */

static char *alt, *alt2;
#define ALT_SIZE (64 * 1024)

static int
on(const char *stack, const void *p)
{
	return (const char *)p >= stack && (const char *)p < stack + ALT_SIZE;
}

static volatile int nested_on_alt, depth;
static volatile stack_t inside, frame_stack;

static void
onstack(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	int local;
	stack_t now;

	(void)si;
	if (depth++ == 0) {
		printf("handler on alternate stack %d\n", on(alt, &local));
		sigaltstack(NULL, &now);
		inside = now;
		frame_stack = uc->uc_stack;
		/* Disarmed: a nested one runs on, below, on this stack. */
		raise(sig);
	} else {
		nested_on_alt = on(alt, &local);
	}
	depth--;
}

static void (*edit)(ucontext_t *uc);

static void
editor(int sig, siginfo_t *si, void *ucv)
{
	(void)sig, (void)si;
	if (edit)
		edit(ucv);
}

static void
to_alt2(ucontext_t *uc)
{
	uc->uc_stack.ss_sp = alt2;
	uc->uc_stack.ss_size = ALT_SIZE;
	uc->uc_stack.ss_flags = 0;
}

static void
to_disabled(ucontext_t *uc)
{
	uc->uc_stack.ss_flags = SS_DISABLE;
}

static void
to_bad_flags(ucontext_t *uc)
{
	uc->uc_stack.ss_sp = alt;
	uc->uc_stack.ss_flags = 99;
}

static void
to_small(ucontext_t *uc)
{
	uc->uc_stack.ss_sp = alt;
	uc->uc_stack.ss_size = 16;
	uc->uc_stack.ss_flags = 0;
}

static void
show_alt(const char *what)
{
	stack_t ss;

	sigaltstack(NULL, &ss);
	printf("%s: %s size %s flags %#x\n", what,
	       ss.ss_sp == alt	  ? "alt"
	       : ss.ss_sp == alt2 ? "alt2"
	       : ss.ss_sp	  ? "other"
				  : "none",
	       ss.ss_size == ALT_SIZE ? "full" : ss.ss_size ? "other" : "0", (unsigned)ss.ss_flags);
}

static void
altstacks(void)
{
	struct sigaction sa;
	stack_t ss;

	alt = malloc(ALT_SIZE);
	alt2 = malloc(ALT_SIZE);
	ss.ss_sp = alt;
	ss.ss_size = ALT_SIZE;
	ss.ss_flags = SS_AUTODISARM;
	/* The call itself: musl's sigaltstack refuses the flag. */
	SHOW("sigaltstack autodisarm", syscall(SYS_sigaltstack, &ss, NULL));
	show_alt("set");
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = onstack;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	printf("inside: %s flags %#x\n", inside.ss_sp ? "some" : "none", (unsigned)inside.ss_flags);
	printf("frame: %s flags %#x\n", frame_stack.ss_sp == alt ? "alt" : "other",
	       (unsigned)frame_stack.ss_flags);
	printf("nested on alternate stack %d\n", nested_on_alt);
	show_alt("after");

	/* Plain (no SS_AUTODISARM): a nested one stays on the stack. */
	ss.ss_flags = 0;
	SHOW("sigaltstack plain", sigaltstack(&ss, NULL));
	raise(SIGUSR1);
	printf("plain inside: flags %#x, frame flags %#x, nested on it %d\n",
	       (unsigned)inside.ss_flags, (unsigned)frame_stack.ss_flags, nested_on_alt);

	/* The frame's uc_stack is what rt_sigreturn puts back. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = editor;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR2, &sa, NULL);
	edit = to_alt2;
	raise(SIGUSR2);
	show_alt("edited to alt2");
	edit = to_bad_flags;
	raise(SIGUSR2);
	show_alt("edited with bad flags");
	edit = to_small;
	raise(SIGUSR2);
	show_alt("edited too small");
	edit = to_disabled;
	raise(SIGUSR2);
	show_alt("edited to disabled");
	edit = NULL;
	raise(SIGUSR2);
	show_alt("not edited");
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
}

int
main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	printf("-- handlers\n");
	handlers();
	printf("-- waiting\n");
	waiting();
	printf("-- child\n");
	child();
	printf("-- bad\n");
	bad();
	printf("-- threads\n");
	threads();
	printf("-- bound\n");
	bound();
	printf("-- altstacks\n");
	altstacks();
	return 0;
}
