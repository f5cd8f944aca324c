/*
 * Processes: fork (a copy-on-write copy; descriptions shared), vfork,
 * wait4 and waitid status encoding, WNOHANG, ECHILD, process groups and
 * sessions, the ids.  Children print before their parent waits for
 * them, so the order is fixed; stdout is unbuffered so that nothing is
 * printed twice.  With the argument "pids" it prints the pids
 * themselves (the first program of its instance is 1 inside ThemeliOS;
 * test_linux.py checks that alone).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

static int counter = 10;

static void
pids(void)
{
	pid_t self = getpid(), c;
	int fd[2], st;

	if (pipe(fd))
		return;
	c = fork();
	if (c == 0) {
		pid_t g = fork();

		if (g == 0) {
			printf("grandchild %d parent %d\n", getpid(), getppid());
			_exit(0);
		}
		waitpid(g, &st, 0);
		printf("child %d parent %d\n", getpid(), getppid());
		_exit(0);
	}
	waitpid(c, &st, 0);
	printf("first %d parent %d gettid %d child %d\n", self, getppid(), (int)gettid(), c);
}

int
main(int argc, char **argv)
{
	int st, fd[2];
	pid_t c, r;
	char buf[64];

	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 1 && !strcmp(argv[1], "pids")) {
		pids();
		return 0;
	}

	/* Exit statuses as wait4 encodes them. */
	int codes[] = { 0, 3, 255, 256 + 7 };
	for (unsigned int i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		c = fork();
		if (c == 0)
			_exit(codes[i]);
		r = waitpid(c, &st, 0);
		printf("waitpid returned the child: %d\n", r == c);
		show_status("exit", st);
	}

	/* A fault ends the child with SIGSEGV. */
	c = fork();
	if (c == 0) {
		int *volatile null = NULL;

		*null = 1;
		_exit(0);
	}
	waitpid(c, &st, 0);
	show_status("null write", st);

	/* Copy-on-write: the child's writes are its own. */
	c = fork();
	if (c == 0) {
		counter = 99;
		printf("child sees counter %d, ppid is parent %d\n", counter,
		       getppid() == (pid_t)syscall(SYS_getppid));
		_exit(counter == 99 ? 0 : 1);
	}
	waitpid(c, &st, 0);
	printf("parent sees counter %d\n", counter);
	show_status("cow", st);

	/* The child's parent is the caller; fork returns its pid. */
	SHOW("pipe", pipe(fd));
	c = fork();
	if (c == 0) {
		pid_t me = getpid(), pp = getppid();

		close(fd[0]);
		write(fd[1], &me, sizeof(me));
		write(fd[1], &pp, sizeof(pp));
		_exit(0);
	}
	close(fd[1]);
	{
		pid_t me, pp;

		read(fd[0], &me, sizeof(me));
		read(fd[0], &pp, sizeof(pp));
		printf("child's getpid is fork's result: %d, its getppid ours: %d\n", me == c,
		       pp == getpid());
	}
	close(fd[0]);
	waitpid(c, &st, 0);

	/* WNOHANG while the child waits on a pipe, then wait4 for it. */
	pipe(fd);
	c = fork();
	if (c == 0) {
		close(fd[1]);
		_exit(read(fd[0], buf, 1) == 0 ? 42 : 1);
	}
	close(fd[0]);
	SHOW("wait4 WNOHANG, child running", wait4(c, &st, WNOHANG, NULL));
	close(fd[1]);
	r = wait4(-1, &st, 0, NULL);
	printf("wait4(-1) got the child: %d\n", r == c);
	show_status("after EOF", st);
	SHOW("wait4, no children", wait4(-1, &st, 0, NULL));
	SHOW("wait4 WNOHANG, no children", wait4(-1, &st, WNOHANG, NULL));
	SHOW("wait4 bad options", wait4(-1, &st, 0x1000, NULL));

	/* waitid: siginfo of an exit. */
	c = fork();
	if (c == 0)
		_exit(9);
	{
		siginfo_t si;

		memset(&si, 0xff, sizeof(si));
		SHOW("waitid P_PID WEXITED", waitid(P_PID, c, &si, WEXITED));
		printf("si_signo %d si_code %d si_status %d pid right %d\n", si.si_signo,
		       si.si_code, si.si_status, si.si_pid == c);
		SHOW("waitid without WEXITED etc", waitid(P_ALL, 0, &si, 0));
	}

	/* The file position is the description's, shared with the child. */
	{
		int f = open("procs.tmp", O_CREAT | O_RDWR | O_TRUNC, 0600);

		c = fork();
		if (c == 0) {
			write(f, "child", 5);
			_exit(0);
		}
		waitpid(c, &st, 0);
		SHOW("offset after the child's write", lseek(f, 0, SEEK_CUR));
		close(f);
		unlink("procs.tmp");
	}

	/* Sessions and groups, in a child (the parent may lead its group). */
	c = fork();
	if (c == 0) {
		pid_t me = getpid();

		printf("setsid is the pid: %d\n", setsid() == me);
		printf("getsid(0), getpgrp, getpgid(0) are the pid: %d %d %d\n", getsid(0) == me,
		       getpgrp() == me, getpgid(0) == me);
		SHOW("setsid again", setsid());
		pid_t g = fork();
		if (g == 0) {
			printf("grandchild in the same session and group: %d %d\n",
			       getsid(0) == me, getpgrp() == me);
			printf("its own group: %d\n", setpgid(0, 0) == 0 && getpgrp() == getpid());
			_exit(0);
		}
		waitpid(g, &st, 0);
		SHOW("setpgid of a non-child", setpgid(1, 0));
		SHOW("setpgid negative", setpgid(0, -1));
		SHOW("getpgid of nothing", getpgid(-5));
		SHOW("getsid of nothing", getsid(-5));
		_exit(0);
	}
	waitpid(c, &st, 0);
	show_status("session child", st);

	/* vfork: the parent goes on once the child has ended. */
	c = vfork();
	if (c == 0)
		_exit(5);
	waitpid(c, &st, 0);
	show_status("vfork", st);

	/* Root inside, with nothing behind it. */
	printf("uid %d euid %d gid %d egid %d\n", getuid() == 0, geteuid() == 0, getgid() == 0,
	       getegid() == 0);
	return 0;
}
