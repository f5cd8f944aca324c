/*
 * Runs only inside ThemeliOS (never on the host: random system calls
 * could harm a real machine).  Calls every system-call number with
 * arguments drawn from bad pointers (user, kernel, unaligned), bad and
 * closed descriptors, huge and zero lengths, and a zeroed buffer; the
 * kernel must answer each and keep running.  Its descriptors 0-2 are
 * closed first, so that no call waits for console input, and nothing
 * that ends the process, takes its own memory away, forks or may wait
 * for ever is called.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define CALLS 30000

static uint64_t state = 0x9e3779b97f4a7c15ull;
/* Its own mapping, with nothing mapped right above it: a long write
 * through it stops at the end (EFAULT) instead of running into the
 * program's data, as a long copy_to_user would on Linux too. */
static char *buf;
#define BUF_SIZE 8192

static uint64_t
next(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

static long
arg(void)
{
	static const uint64_t pool[] = {
		0, 1, 2, 3, 4, 7, 16, 4096, 0x1000000, (uint64_t)-1, (uint64_t)-100,
		0x7fffffffffffffffull, 0xffff800000000000ull, 0xffffffff80000000ull,
		0x0000800000000000ull, 0x1000, 5000,
	};

	switch (next() % 4) {
	case 0:
		return (long)(uintptr_t)buf; /* a real buffer (kept zeroed) */
	case 1:
		return (long)((uintptr_t)buf + 4093);
	default:
		return (long)pool[next() % (sizeof(pool) / sizeof(pool[0]))];
	}
}

/* Calls that end the process, or that with a valid range (munmap of
 * 0 to the top, a new TLS pointer) would take its own code, stack or
 * TLS away, as they would on Linux: memory.c and errors.c check their
 * arguments instead.  And the signal calls that may kill it (kill of
 * itself or its group, a sigqueue to itself, rt_sigreturn of a frame
 * that is not one, an alarm) or wait for ever (pause, sigsuspend,
 * sigtimedwait and a futex wait without a timeout): signals.c,
 * sigqueue.c, sigtamper.c and futex.c check those. */
static int
self_destructive(long nr)
{
	switch (nr) {
	case SYS_exit:
	case SYS_exit_group:
	case SYS_mmap:
	case SYS_munmap:
	case SYS_mprotect:
	case SYS_madvise:
	case SYS_mremap:
	case SYS_brk:
#ifdef SYS_arch_prctl
	case SYS_arch_prctl:
#endif
	case SYS_kill:
	case SYS_tkill:
	case SYS_tgkill:
	case SYS_rt_sigqueueinfo:
	case SYS_rt_tgsigqueueinfo:
	case SYS_rt_sigreturn:
	case SYS_rt_sigsuspend:
	case SYS_rt_sigtimedwait:
	case SYS_futex:
	case SYS_setitimer:
	/* Calls that make more fuzzers, or that may wait for ever, as they
	 * would on Linux: a poll or select with no timeout, a wait for a
	 * child, a read of a pipe the fuzzer itself holds open.
	 * procs.c, pipes.c and polls.c check their arguments instead. */
	case SYS_clone:
	case SYS_clone3:
	case SYS_wait4:
	case SYS_waitid:
	case SYS_pipe2:
	case SYS_ppoll:
	case SYS_pselect6:
#ifdef SYS_alarm
	case SYS_alarm:
	case SYS_pause:
#endif
#ifdef SYS_fork
	case SYS_fork:
	case SYS_vfork:
	case SYS_pipe:
	case SYS_poll:
	case SYS_select:
#endif
		return 1;
	default:
		return 0;
	}
}

int
main(void)
{
	int out = dup2(1, 100);
	long calls = 0, errors = 0;

	buf = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return 1;
	close(0);
	close(1);
	close(2);
	for (int i = 0; i < CALLS; i++) {
		long nr = (long)(next() % 460), r;

		if (self_destructive(nr))
			continue;
		r = syscall(nr, arg(), arg(), arg(), arg(), arg(), arg());
		/* The call may have unmapped or protected the buffer: a fresh,
		 * zeroed one in its place. */
		if (mmap(buf, BUF_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != buf) {
			dprintf(out, "fuzz: cannot map the buffer again\n");
			return 1;
		}
		calls++;
		errors += r < 0;
	}
	dprintf(out, "fuzz: %ld calls, %s\n", calls, errors > 0 ? "errors answered" : "no errors?");
	return 0;
}
