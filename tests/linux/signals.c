/*
 * Signals: handlers with siginfo, masks and pending sets, SA_NODEFER,
 * SA_RESETHAND, sigsuspend, sigtimedwait, kill/tgkill to oneself, an
 * alternate stack, faults (SIGSEGV with si_addr and siglongjmp, SIGILL,
 * SIGFPE), interval timers and alarm, nanosleep interrupted with the time
 * left, registers and FPU state intact across handlers run from a timer,
 * and the end: killed by SIGTERM.  (pause is left out: glibc makes it
 * ppoll on aarch64.)
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "common.h"

static volatile sig_atomic_t hits, last_sig, last_code, pid_ok, blocked_inside;
static volatile uintptr_t last_addr;
static sigjmp_buf jump;
static char *alt_base;
static size_t alt_size;
static volatile int on_alt, alt_flags;

static void
on_info(int sig, siginfo_t *si, void *uc)
{
	sigset_t now;

	(void)uc;
	hits++;
	last_sig = sig;
	last_code = si->si_code;
	pid_ok = si->si_pid == getpid();
	sigprocmask(SIG_BLOCK, NULL, &now);
	blocked_inside = sigismember(&now, sig);
}

static void
on_plain(int sig)
{
	hits++;
	last_sig = sig;
}

static void
on_alt_stack(int sig)
{
	char here;
	stack_t ss;

	(void)sig;
	on_alt = &here >= alt_base && &here < alt_base + alt_size;
	sigaltstack(NULL, &ss);
	alt_flags = ss.ss_flags;
}

static void
on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	last_sig = sig;
	last_code = si->si_code;
	last_addr = (uintptr_t)si->si_addr;
	siglongjmp(jump, 1);
}

static void
set(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = flags | SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void
set_plain(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void
handlers(void)
{
	set(SIGUSR1, on_info, 0);
	hits = 0;
	raise(SIGUSR1);
	printf("raise: hits %d sig %d code %d pid %d blocked inside %d\n", hits, last_sig,
	       last_code, pid_ok, blocked_inside);
	kill(getpid(), SIGUSR1);
	printf("kill: hits %d code %d pid %d\n", hits, last_code, pid_ok);
	syscall(SYS_tgkill, getpid(), getpid(), SIGUSR1);
	printf("tgkill: hits %d code %d\n", hits, last_code);
	set(SIGUSR1, on_info, SA_NODEFER);
	raise(SIGUSR1);
	printf("nodefer: blocked inside %d\n", blocked_inside);
	set(SIGUSR1, on_info, SA_RESETHAND);
	raise(SIGUSR1);
	struct sigaction now;
	sigaction(SIGUSR1, NULL, &now);
	printf("resethand: hits %d default now %d\n", hits, now.sa_handler == SIG_DFL);
	SHOW("kill 0 sig 0", kill(getpid(), 0));
	SHOW("kill bad sig", kill(getpid(), 65));
	SHOW("kill nobody", kill(99999, SIGUSR1));
	signal(SIGUSR2, SIG_IGN);
	raise(SIGUSR2);
	printf("ignored: still here\n");
}

static void
masks(void)
{
	sigset_t s, old, pend;

	set_plain(SIGUSR1, on_plain, 0);
	hits = 0;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigprocmask(SIG_BLOCK, &s, &old);
	raise(SIGUSR1);
	raise(SIGUSR1); /* a standard signal is pending once */
	sigpending(&pend);
	printf("blocked: hits %d pending %d\n", hits, sigismember(&pend, SIGUSR1));
	sigprocmask(SIG_SETMASK, &old, NULL);
	printf("unblocked: hits %d\n", hits);
	sigpending(&pend);
	printf("pending after %d\n", sigismember(&pend, SIGUSR1));
	/* SIGKILL and SIGSTOP cannot be blocked. */
	sigfillset(&s);
	sigprocmask(SIG_SETMASK, &s, NULL);
	sigprocmask(SIG_SETMASK, NULL, &s);
	printf("fill: KILL %d STOP %d USR1 %d\n", sigismember(&s, SIGKILL),
	       sigismember(&s, SIGSTOP), sigismember(&s, SIGUSR1));
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static void
waits(void)
{
	sigset_t s, old, none;
	siginfo_t si;
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	struct itimerval it = { { 0, 0 }, { 0, 30 * 1000 } };

	/* sigsuspend: the alarm is blocked until the wait. */
	set_plain(SIGALRM, on_plain, 0);
	hits = 0;
	sigemptyset(&s);
	sigaddset(&s, SIGALRM);
	sigprocmask(SIG_BLOCK, &s, &old);
	setitimer(ITIMER_REAL, &it, NULL);
	sigemptyset(&none);
	SHOW("sigsuspend", sigsuspend(&none));
	sigprocmask(SIG_BLOCK, NULL, &s);
	printf("after sigsuspend: hits %d alarm blocked %d\n", hits, sigismember(&s, SIGALRM));
	sigprocmask(SIG_SETMASK, &old, NULL);

	/* sigtimedwait takes a blocked signal without its handler. */
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigprocmask(SIG_BLOCK, &s, &old);
	raise(SIGUSR1);
	SHOW("sigtimedwait", sigtimedwait(&s, &si, &ts));
	printf("info: signo %d code %d\n", si.si_signo, si.si_code);
	SHOW("sigtimedwait nothing", sigtimedwait(&s, &si, &ts));
	sigprocmask(SIG_SETMASK, &old, NULL);

	/* nanosleep cut short by a handler: EINTR and some of the time left
	 * (not "most": a loaded host can stall a guest for a second). */
	struct timespec nap = { 2, 0 }, rem = { 0, 0 };
	hits = 0;
	setitimer(ITIMER_REAL, &it, NULL);
	SHOW("nanosleep", nanosleep(&nap, &rem));
	printf("hits %d time left %d\n", hits,
	       (rem.tv_sec > 0 || rem.tv_nsec > 0) && rem.tv_sec < 2 && rem.tv_nsec < 1000000000);
}

static void
timers(void)
{
	struct itimerval it = { { 0, 0 }, { 100, 0 } }, cur;

	SHOW("alarm 5", alarm(5));
	SHOW("alarm 0", alarm(0));
	SHOW("alarm 0 again", alarm(0));
	setitimer(ITIMER_REAL, &it, NULL);
	getitimer(ITIMER_REAL, &cur);
	printf("getitimer: %d interval %ld\n", cur.it_value.tv_sec > 90 && cur.it_value.tv_sec <= 100,
	       (long)cur.it_interval.tv_sec);
	it.it_value.tv_sec = 0;
	setitimer(ITIMER_REAL, &it, &cur);
	printf("old value %d\n", cur.it_value.tv_sec > 90);
	getitimer(ITIMER_REAL, &cur);
	printf("disarmed %ld %ld\n", (long)cur.it_value.tv_sec, (long)cur.it_value.tv_usec);
	SHOW("setitimer bad usec", setitimer(ITIMER_REAL,
					     &(struct itimerval){ { 0, 0 }, { 0, 1000000 } }, NULL));
}

/* A periodic timer interrupts a computation in integer and floating
 * registers; the handler uses both; the result must not change. */
static volatile double handler_sum;

static void
on_tick(int sig)
{
	double d = sig;

	for (int i = 0; i < 100; i++)
		d = d * 1.5 + 0.25;
	handler_sum += d;
	hits++;
}

static double
compute(long n)
{
	double x = 1.0;
	unsigned long k = 7;

	for (long i = 0; i < n; i++) {
		x = x * 1.000001 + 0.5 / (double)(i + 1);
		k = k * 6364136223846793005ul + 1442695040888963407ul;
	}
	return x + (double)(k & 0xffff);
}

static void
registers(void)
{
	struct itimerval it = { { 0, 2000 }, { 0, 2000 } }, off = { { 0, 0 }, { 0, 0 } };
	long n = 3000000;
	double quiet = compute(n), busy;

	set_plain(SIGALRM, on_tick, SA_RESTART);
	hits = 0;
	setitimer(ITIMER_REAL, &it, NULL);
	busy = compute(n);
	while (hits < 3)
		busy = compute(n);
	setitimer(ITIMER_REAL, &off, NULL);
	printf("registers across handlers: same %d, handled %d\n", quiet == busy, hits >= 3);
}

static void
altstack(void)
{
	stack_t ss, old;

	alt_size = 64 * 1024;
	alt_base = malloc(alt_size);
	ss.ss_sp = alt_base;
	ss.ss_size = alt_size;
	ss.ss_flags = 0;
	SHOW("sigaltstack", sigaltstack(&ss, &old));
	printf("old disabled %d\n", old.ss_flags == SS_DISABLE);
	set_plain(SIGUSR2, on_alt_stack, SA_ONSTACK);
	raise(SIGUSR2);
	printf("on alt stack %d flags %d\n", on_alt, alt_flags);
	set_plain(SIGUSR2, on_alt_stack, 0);
	raise(SIGUSR2);
	printf("without SA_ONSTACK %d\n", on_alt);
	ss.ss_size = 100;
	SHOW("sigaltstack small", sigaltstack(&ss, NULL));
	ss.ss_flags = 99;
	ss.ss_size = alt_size;
	SHOW("sigaltstack bad flags", sigaltstack(&ss, NULL));
	ss.ss_flags = SS_DISABLE;
	SHOW("sigaltstack off", sigaltstack(&ss, NULL));
	sigaltstack(NULL, &old);
	printf("disabled %d\n", old.ss_flags == SS_DISABLE);
}

static void
faults(void)
{
	volatile int *p;
	char *page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	set(SIGSEGV, on_fault, 0);
	if (!sigsetjmp(jump, 1)) {
		p = (volatile int *)(page + 8);
		*p = 1;
		printf("no fault?\n");
	}
	printf("write to read-only: sig %d code %d addr ok %d\n", last_sig, last_code,
	       last_addr == (uintptr_t)page + 8);
	if (!sigsetjmp(jump, 1)) {
		volatile uintptr_t low = 16;

		p = (volatile int *)low;
		(void)*p;
	}
	printf("read of 16: sig %d code %d addr %lu\n", last_sig, last_code,
	       (unsigned long)last_addr);
	/* The mask was restored by siglongjmp: a second fault is caught too. */
	if (!sigsetjmp(jump, 1)) {
		p = (volatile int *)(page + 100);
		*p = 2;
	}
	printf("again: sig %d addr ok %d\n", last_sig, last_addr == (uintptr_t)page + 100);

	set(SIGILL, on_fault, 0);
	if (!sigsetjmp(jump, 1)) {
#ifdef __x86_64__
		__asm__ volatile("ud2");
#else
		__asm__ volatile(".inst 0x00000000");
#endif
	}
	/* aarch64: qemu-user gives ILL_ILLOPN where Linux gives ILL_ILLOPC. */
#ifdef __x86_64__
	printf("illegal instruction: sig %d code %d\n", last_sig, last_code);
#else
	printf("illegal instruction: sig %d\n", last_sig);
#endif

	set(SIGFPE, on_fault, 0);
	last_sig = last_code = 0;
	if (!sigsetjmp(jump, 1)) {
		volatile int zero = 0, q = 7 / zero; /* aarch64 gives 0, no trap */
		printf("division gave %d\n", q);
	}
	printf("divide: sig %d code %d\n", last_sig, last_code);
	munmap(page, 4096);
}

int
main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	handlers();
	masks();
	waits();
	timers();
	registers();
	altstack();
	faults();
	/* The last word: killed by SIGTERM, status as Linux reports it. */
	printf("bye\n");
	signal(SIGTERM, SIG_DFL);
	kill(getpid(), SIGTERM);
	printf("not reached\n");
	return 0;
}
