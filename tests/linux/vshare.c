/*
 * vfork and clone(CLONE_VM|CLONE_VFORK) share the parent's memory: the
 * child's writes, its brk and its mmap are the parent's, an execve in
 * the child (successful or not) leaves the parent's memory as it was,
 * and posix_spawn reports a missing program (glibc's child writes the
 * error into the parent's memory, musl's sends it through a pipe).  The
 * parent is woken once the child has run execve or ended, also when a
 * fault kills it.  argv[0] is this program's absolute path.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

static volatile int shared_var;
static volatile int shared_err;
static volatile uintptr_t shared_ptr;
static char clone_stack[64 * 1024] __attribute__((aligned(16)));

static int
clone_child(void *arg)
{
	shared_var = (int)(intptr_t)arg;
	return 4;
}

static volatile int ticks, stop_ticking;

static void *
ticker(void *arg)
{
	while (!stop_ticking)
		ticks++;
	return arg;
}

static void
nap(void)
{
	struct timespec ts = { 0, 1000000 };

	nanosleep(&ts, NULL);
}

/* The parent's other threads run while its vfork child does (their
 * writes are the child's to see): up to 10 s for 1000 of them. */
static void
thread_meanwhile(void)
{
	pthread_t t;
	pid_t c;
	int st;

	ticks = stop_ticking = 0;
	if (pthread_create(&t, NULL, ticker, NULL)) {
		printf("pthread_create failed\n");
		return;
	}
	c = vfork();
	if (c == 0) {
		int start = ticks;

		for (int i = 0; i < 10000 && ticks - start < 1000; i++)
			nap();
		_exit(ticks - start >= 1000 ? 0 : 1);
	}
	waitpid(c, &st, 0);
	stop_ticking = 1;
	pthread_join(t, NULL);
	show_status("vfork beside a running thread", st);
}

static void *
exit_group_soon(void *arg)
{
	(void)arg;
	while (!shared_var)
		nap();
	exit(3);
}

extern char **environ;
static char *self_path;

static void *
exec_soon(void *arg)
{
	char *av[] = { self_path, "child", "from the parent's other thread", NULL };

	(void)arg;
	while (!shared_var)
		nap();
	execve(self_path, av, environ);
	exit(1);
}

/*
 * The parent leaves while its vfork child runs: another of its threads
 * (leave) ends the group or runs execve.  The child runs on alone in the
 * old memory, maps and writes there, and reports through a pipe.
 */
static void
parent_leaves(void *(*leave)(void *), const char *what)
{
	int fd[2], st;
	char buf[64] = "";
	pid_t p;

	if (pipe(fd))
		return;
	p = fork();
	if (p == 0) {
		pthread_t t;
		pid_t me = getpid();

		close(fd[0]);
		shared_var = 0;
		if (pthread_create(&t, NULL, leave, NULL))
			_exit(1);
		if (vfork() == 0) {
			char *m;

			shared_var = 1; /* the thread leaves now */
			/* Then we are another's child. */
			for (int i = 0; i < 10000 && getppid() == me; i++)
				nap();
			m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
				 0);
			if (getppid() == me || m == MAP_FAILED)
				_exit(1);
			snprintf(m, 4096, "child runs on after: %s\n", what);
			write(fd[1], m, strlen(m));
			_exit(0);
		}
		for (;;)
			nap(); /* not reached: the vfork waits until the thread leaves */
	}
	close(fd[1]);
	waitpid(p, &st, 0);
	show_status(what, st);
	if (read(fd[0], buf, sizeof(buf) - 1) > 0)
		printf("%s", buf);
	else
		printf("child said nothing\n");
	close(fd[0]);
}

/*
 * Another process kills the vfork child while its parent waits: the
 * parent goes on and collects the status.  The child's pid reaches the
 * killer through a pipe (pids differ between systems: not printed).
 */
static void
child_killed_from_outside(void)
{
	int fd[2], st;
	pid_t p, victim = 0;

	if (pipe(fd))
		return;
	p = fork();
	if (p == 0) {
		pid_t c;

		close(fd[0]);
		c = vfork();
		if (c == 0) {
			pid_t me = getpid();

			write(fd[1], &me, sizeof(me));
			for (;;)
				pause();
		}
		waitpid(c, &st, 0);
		_exit(WIFSIGNALED(st) ? 100 + WTERMSIG(st) : 1);
	}
	close(fd[1]);
	if (read(fd[0], &victim, sizeof(victim)) == sizeof(victim) && victim > 0)
		kill(victim, SIGKILL);
	close(fd[0]);
	waitpid(p, &st, 0);
	show_status("vfork parent after its child was killed (100 + signal)", st);
}

int
main(int argc, char **argv)
{
	int st;
	pid_t c;

	setvbuf(stdout, NULL, _IONBF, 0);
	self_path = argv[0];
	if (argc > 1 && !strcmp(argv[1], "child")) {
		printf("  spawned child runs, argv[2] = %s\n", argc > 2 ? argv[2] : "(none)");
		return 9;
	}

	/* A write in the child is the parent's. */
	shared_var = 1;
	c = vfork();
	if (c == 0) {
		shared_var = 42;
		_exit(3);
	}
	waitpid(c, &st, 0);
	printf("vfork: parent sees %d\n", shared_var);
	show_status("vfork", st);

	/* clone with its own stack, as posix_spawn calls it. */
	shared_var = 1;
	c = clone(clone_child, clone_stack + sizeof(clone_stack), CLONE_VM | CLONE_VFORK | SIGCHLD,
		  (void *)(intptr_t)77);
	if (c < 0)
		printf("clone: %s\n", errno_name(errno));
	waitpid(c, &st, 0);
	printf("clone(CLONE_VM|CLONE_VFORK): parent sees %d\n", shared_var);
	show_status("clone", st);

	/* A failed execve leaves the child in the shared memory. */
	shared_err = 0;
	c = vfork();
	if (c == 0) {
		char *av[] = { "missing", NULL };

		execve("/no/such/program", av, environ);
		shared_err = errno;
		_exit(127);
	}
	waitpid(c, &st, 0);
	printf("vfork+execve missing: the child saw %s\n", errno_name(shared_err));
	show_status("vfork+execve missing", st);

	/* A successful execve: what the child wrote before it stays. */
	shared_var = 1;
	c = vfork();
	if (c == 0) {
		char *av[] = { argv[0], "child", "from vfork", NULL };

		shared_var = 5;
		execve(argv[0], av, environ);
		_exit(127);
	}
	waitpid(c, &st, 0);
	printf("vfork+execve: parent sees %d after the exec\n", shared_var);
	show_status("vfork+execve", st);

	/* The child's brk moves the parent's break; its mapping is the parent's. */
	{
		uintptr_t start = (uintptr_t)syscall(SYS_brk, 0), now;

		shared_ptr = 0;
		c = vfork();
		if (c == 0) {
			uintptr_t b = (uintptr_t)syscall(SYS_brk, start + 8192);
			char *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				       -1, 0);

			if (b == start + 8192)
				((volatile char *)start)[4096] = 'b';
			if (m != MAP_FAILED) {
				strcpy(m, "mapped by the child");
				shared_ptr = (uintptr_t)m;
			}
			_exit(0);
		}
		waitpid(c, &st, 0);
		now = (uintptr_t)syscall(SYS_brk, 0);
		printf("brk in the child: the parent's break moved %ld bytes\n", (long)(now - start));
		if (now == start + 8192)
			printf("  the heap byte: %c\n", ((volatile char *)start)[4096]);
		printf("brk back: %d\n", (uintptr_t)syscall(SYS_brk, start) == start);
		if (shared_ptr) {
			printf("mmap in the child: parent reads '%s'\n", (char *)shared_ptr);
			SHOW("munmap by the parent", munmap((void *)shared_ptr, 4096));
		} else {
			printf("mmap in the child: nothing mapped\n");
		}
		show_status("vfork brk+mmap", st);
	}

	/* A fault kills the child: the parent goes on, its memory intact. */
	shared_var = 1;
	c = vfork();
	if (c == 0) {
		volatile int *volatile null = NULL;

		shared_var = 6;
		*null = 1;
		_exit(1);
	}
	waitpid(c, &st, 0);
	printf("vfork child faults: parent sees %d\n", shared_var);
	show_status("vfork fault", st);

	/* A signal's default action ends the child as a fault does. */
	c = vfork();
	if (c == 0) {
		kill(getpid(), SIGTERM);
		_exit(1);
	}
	waitpid(c, &st, 0);
	show_status("vfork child SIGTERM", st);

	thread_meanwhile();
	parent_leaves(exit_group_soon, "vfork parent ended by its thread");
	child_killed_from_outside();
	parent_leaves(exec_soon, "vfork parent's execve from a thread");

	/* posix_spawn: a missing program is an error, an existing one runs. */
	{
		char *pargv[] = { argv[0], "child", "spawned", NULL };
		char *nargv[] = { "missing", NULL };
		int r;

		c = 0;
		r = posix_spawn(&c, "/no/such/program", NULL, NULL, nargv, environ);
		printf("posix_spawn missing = %s\n", r ? errno_name(r) : "0");
		if (r == 0) {
			waitpid(c, &st, 0);
			show_status("posix_spawn missing", st);
		}
		/* Printed after the child's line: it runs meanwhile. */
		r = posix_spawn(&c, argv[0], NULL, NULL, pargv, environ);
		if (r == 0)
			waitpid(c, &st, 0);
		printf("posix_spawn = %s\n", r ? errno_name(r) : "0");
		if (r == 0)
			show_status("posix_spawn", st);
		r = posix_spawnp(&c, "no-such-program-anywhere", NULL, NULL, nargv, environ);
		printf("posix_spawnp missing = %s\n", r ? errno_name(r) : "0");
		if (r == 0) {
			waitpid(c, &st, 0);
			show_status("posix_spawnp missing", st);
		}
	}
	return 0;
}
