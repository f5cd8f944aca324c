/*
 * clone3 through the raw system call: the forms of clone (a fork with
 * its exit signal, CLONE_PARENT_SETTID, CLONE_CHILD_SETTID,
 * CLONE_CLEAR_SIGHAND), a struct larger than the kernel's with zeros
 * past it, and the errors Linux gives (EINVAL, E2BIG, EFAULT) for bad
 * sizes, signals, flags and stacks.  glibc's pthread_create and
 * posix_spawn use it with a stack (tests/linux/threads.c, exec.c).
 */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

#define NR_clone3	   435
#define CLONE_CLEAR_SIGHAND 0x100000000ull
#define CLONE_INTO_CGROUP   0x200000000ull

/* struct clone_args (linux/sched.h), CLONE_ARGS_SIZE_VER2 = 88 bytes,
 * with room past it for a larger struct. */
struct args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	uint64_t set_tid, set_tid_size, cgroup;
	uint64_t extra[4];
};

static long
clone3(struct args *a, size_t size)
{
	return syscall(NR_clone3, a, size);
}

/* A clone3 that must fail: its errno. */
static void
bad(const char *what, struct args *a, size_t size)
{
	long r = clone3(a, size);

	if (r == 0)
		_exit(99); /* a child that should not exist */
	if (r > 0) {
		printf("%s: made a child\n", what);
		waitpid((pid_t)r, NULL, 0);
		return;
	}
	printf("%s: -1 %s\n", what, errno_name(errno));
}

static void
on_usr1(int sig)
{
	(void)sig;
}

int
main(void)
{
	struct args a;
	uint32_t ptid = 0, ctid = 0;
	long pid;
	int st;

	setvbuf(stdout, NULL, _IONBF, 0);

	/* A fork: SIGCHLD at the end, the tids written. */
	memset(&a, 0, sizeof(a));
	a.flags = CLONE_PARENT_SETTID | CLONE_CHILD_SETTID;
	a.exit_signal = SIGCHLD;
	a.parent_tid = (uintptr_t)&ptid;
	a.child_tid = (uintptr_t)&ctid;
	pid = clone3(&a, 64);
	if (pid == 0)
		_exit(ctid == (uint32_t)getpid() && getppid() > 0 ? 3 : 4);
	printf("fork: %s\n", pid > 0 ? "a child" : errno_name(errno));
	printf("parent tid written: %s\n", ptid == (uint32_t)pid ? "yes" : "no");
	printf("child tid in the parent: %u\n", ctid);
	if (waitpid((pid_t)pid, &st, 0) == pid)
		show_status("fork child", st);

	/* A struct larger than the kernel's: zeros past it are fine. */
	memset(&a, 0, sizeof(a));
	a.exit_signal = SIGCHLD;
	pid = clone3(&a, sizeof(a));
	if (pid == 0)
		_exit(5);
	if (pid > 0 && waitpid((pid_t)pid, &st, 0) == pid)
		show_status("larger struct child", st);
	else
		printf("larger struct: -1 %s\n", errno_name(errno));

	/* CLONE_CLEAR_SIGHAND: handlers back to default, ignored kept. */
	signal(SIGUSR1, on_usr1);
	signal(SIGUSR2, SIG_IGN);
	memset(&a, 0, sizeof(a));
	a.flags = CLONE_CLEAR_SIGHAND;
	a.exit_signal = SIGCHLD;
	pid = clone3(&a, 88);
	if (pid == 0) {
		struct sigaction s1, s2;

		sigaction(SIGUSR1, NULL, &s1);
		sigaction(SIGUSR2, NULL, &s2);
		_exit((s1.sa_handler == SIG_DFL ? 1 : 0) | (s2.sa_handler == SIG_IGN ? 2 : 0));
	}
	if (pid > 0 && waitpid((pid_t)pid, &st, 0) == pid)
		show_status("CLONE_CLEAR_SIGHAND child (3: default and ignored)", st);
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);

	/* Sizes. */
	memset(&a, 0, sizeof(a));
	a.exit_signal = SIGCHLD;
	bad("size 0", &a, 0);
	bad("size 63", &a, 63);
	bad("size 4097", &a, 4097);
	a.extra[1] = 1;
	bad("nonzero past the struct", &a, sizeof(a));
	a.extra[1] = 0;
	bad("NULL", NULL, 64);
	bad("bad address", (struct args *)(uintptr_t)16, 64);

	/* Signals and flags. */
	a.exit_signal = 65;
	bad("exit signal 65", &a, 64);
	a.exit_signal = 0x100 | SIGCHLD;
	bad("exit signal above CSIGNAL", &a, 64);
	a.exit_signal = 0;
	a.flags = SIGCHLD;
	bad("a signal in the flags", &a, 64);
	a.flags = 0x400000; /* CLONE_DETACHED */
	bad("CLONE_DETACHED", &a, 64);
	a.flags = 1ull << 40;
	bad("an unknown flag", &a, 64);
	a.flags = CLONE_SIGHAND | CLONE_VM | CLONE_CLEAR_SIGHAND;
	bad("CLONE_SIGHAND with CLONE_CLEAR_SIGHAND", &a, 64);
	a.flags = CLONE_THREAD | CLONE_SIGHAND | CLONE_VM;
	a.exit_signal = SIGCHLD;
	bad("CLONE_THREAD with an exit signal", &a, 64);
	a.flags = CLONE_THREAD;
	a.exit_signal = 0;
	bad("CLONE_THREAD without CLONE_SIGHAND", &a, 64);
	a.flags = CLONE_INTO_CGROUP;
	a.cgroup = 3;
	bad("CLONE_INTO_CGROUP in a 64-byte struct", &a, 64);

	/* Stacks and tids. */
	memset(&a, 0, sizeof(a));
	a.exit_signal = SIGCHLD;
	a.stack_size = 4096;
	bad("a stack size without a stack", &a, 64);
	a.stack_size = 0;
	a.stack = (uintptr_t)&a;
	bad("a stack without a size", &a, 64);
	a.stack = 0;
	a.set_tid_size = 1;
	bad("set_tid_size without set_tid", &a, 80);
	a.set_tid_size = 0;
	a.set_tid = (uintptr_t)&ptid;
	bad("set_tid without a size", &a, 80);
	a.set_tid_size = 40;
	bad("set_tid_size 40", &a, 80);
	return 0;
}
