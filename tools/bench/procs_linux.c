/*
 * The Linux personality's processes and pipes beside Linux's (make
 * bench): fork+exit+wait, fork+execve+wait of this same static binary
 * (which exits at once when given "exit"), the same through vfork and
 * posix_spawn (the child in the parent's memory), a pipe's throughput with
 * 64 KiB writes to a child that reads them, and pthread_create+join of
 * a thread that returns at once.  Timed with CLOCK_MONOTONIC;
 * the same binary runs under ThemeliOS (linux.run=) and in Debian's
 * Linux on the same QEMU.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FORKS	 200
#define EXECS	 50
#define PIPE_MIB 64
#define THREADS	 200

/* Waits for child c, which must have exited 0; else says what failed. */
static int
exited_ok(pid_t c, const char *what)
{
	int st = 0;

	waitpid(c, &st, 0);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 1;
	printf("lxbench: %s failed\n", what);
	return 0;
}

static void *
nothing(void *p)
{
	return p;
}

static long
now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000l + t.tv_nsec;
}

int
main(int argc, char **argv)
{
	static char buf[65536];
	long t0, ns;
	int st, fd[2];

	if (argc > 1 && !strcmp(argv[1], "exit"))
		return 0;
	t0 = now_ns();
	for (int i = 0; i < FORKS; i++) {
		pid_t c = fork();

		if (c == 0)
			_exit(0);
		waitpid(c, &st, 0);
	}
	ns = now_ns() - t0;
	printf("lxbench: fork+exit+wait %ld us/op\n", ns / FORKS / 1000);

	t0 = now_ns();
	for (int i = 0; i < EXECS; i++) {
		pid_t c = fork();

		if (c == 0) {
			char *av[] = { argv[0], "exit", NULL };

			execve("/proc/self/exe", av, av + 2);
			_exit(127);
		}
		if (!exited_ok(c, "execve"))
			return 1;
	}
	ns = now_ns() - t0;
	printf("lxbench: fork+execve+wait %ld us/op\n", ns / EXECS / 1000);

	/* The same through vfork and posix_spawn (no copy of the memory). */
	t0 = now_ns();
	for (int i = 0; i < EXECS; i++) {
		char *av[] = { argv[0], "exit", NULL };
		pid_t c = vfork();

		if (c == 0) {
			execve("/proc/self/exe", av, av + 2);
			_exit(127);
		}
		if (!exited_ok(c, "vfork+execve"))
			return 1;
	}
	ns = now_ns() - t0;
	printf("lxbench: vfork+execve+wait %ld us/op\n", ns / EXECS / 1000);

	t0 = now_ns();
	for (int i = 0; i < EXECS; i++) {
		char *av[] = { argv[0], "exit", NULL };
		pid_t c;

		if (posix_spawn(&c, "/proc/self/exe", NULL, NULL, av, av + 2)) {
			printf("lxbench: posix_spawn failed\n");
			return 1;
		}
		if (!exited_ok(c, "posix_spawn's child"))
			return 1;
	}
	ns = now_ns() - t0;
	printf("lxbench: posix_spawn+wait %ld us/op\n", ns / EXECS / 1000);

	if (pipe(fd))
		return 1;
	t0 = now_ns();
	if (fork() == 0) {
		close(fd[1]);
		while (read(fd[0], buf, sizeof(buf)) > 0)
			;
		_exit(0);
	}
	close(fd[0]);
	for (int i = 0; i < PIPE_MIB * 16; i++)
		if (write(fd[1], buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			return 1;
	close(fd[1]);
	wait(&st);
	ns = now_ns() - t0;
	printf("lxbench: pipe-64KiB-writes %ld MB/s\n", (long)PIPE_MIB * 1048576 * 1000 / ns);

	t0 = now_ns();
	for (int i = 0; i < THREADS; i++) {
		pthread_t t;

		if (pthread_create(&t, NULL, nothing, NULL) || pthread_join(t, NULL)) {
			printf("lxbench: pthread_create failed\n");
			return 1;
		}
	}
	ns = now_ns() - t0;
	printf("lxbench: pthread_create+join %ld us/op\n", ns / THREADS / 1000);
	return 0;
}
