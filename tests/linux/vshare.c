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

int
main(int argc, char **argv)
{
	extern char **environ;
	int st;
	pid_t c;

	setvbuf(stdout, NULL, _IONBF, 0);
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
