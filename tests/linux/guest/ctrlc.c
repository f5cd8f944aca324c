/*
 * ^C on the console (test_linux.py drives it): SIGINT to the foreground
 * process, which interrupts a read of the tty (EINTR), or restarts it
 * under an SA_RESTART handler, and kills by default (status -2).  ^Z is
 * SIGTSTP, here to a handler.  ^C reaches every process of the
 * foreground group: two forked children catch it as well.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common.h"

static volatile int hits;

static void
on_int(int sig)
{
	hits++;
	printf("SIGINT %d (signal %d)\n", hits, sig);
}

static void
on_tstp(int sig)
{
	printf("SIGTSTP (signal %d)\n", sig);
}

static void
read_line(void)
{
	char buf[64];
	long n;

	errno = 0;
	n = read(0, buf, sizeof(buf) - 1);
	if (n < 0) {
		printf("read = -1 %s\n", errno_name(errno));
		return;
	}
	buf[n] = 0;
	printf("read %ld: %s", n, buf);
}

static volatile sig_atomic_t child_hit;

static void
on_child_int(int sig)
{
	(void)sig;
	child_hit = 1;
}

/* A child of our group: waits for its SIGINT, says so and ends. */
static pid_t
group_child(int n)
{
	struct sigaction sa;
	sigset_t none;
	pid_t pid;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_child_int;
	sigaction(SIGINT, &sa, NULL);
	pid = fork();
	if (pid == 0) {
		sigemptyset(&none);
		while (!child_hit)
			sigsuspend(&none);
		printf("child %d: SIGINT\n", n);
		_exit(10 + n);
	}
	return pid;
}

int
main(void)
{
	struct sigaction sa;
	int pgrp = -1;

	setvbuf(stdout, NULL, _IONBF, 0);
	SHOW("TIOCGPGRP", ioctl(0, TIOCGPGRP, &pgrp));
	printf("foreground is us: %d\n", pgrp == getpid());
	SHOW("TIOCSPGRP us", ioctl(0, TIOCSPGRP, &pgrp));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_int;
	sigaction(SIGINT, &sa, NULL);
	printf("ready\n");
	read_line();
	sa.sa_flags = SA_RESTART;
	sigaction(SIGINT, &sa, NULL);
	printf("ready again\n");
	read_line();
	sa.sa_handler = on_tstp;
	sa.sa_flags = 0;
	sigaction(SIGTSTP, &sa, NULL);
	printf("ready for ^Z\n");
	read_line();
	/* The children first, so they hold on_child_int; ours again after. */
	pid_t kids[2] = { group_child(1), group_child(2) };
	sa.sa_handler = on_int;
	sa.sa_flags = 0;
	sigaction(SIGINT, &sa, NULL);
	printf("ready for the group\n");
	read_line();
	for (int i = 0; i < 2; i++) {
		int st = 0;

		waitpid(kids[i], &st, 0);
		printf("child %d status %d\n", i + 1, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	}
	signal(SIGINT, SIG_DFL);
	printf("ready to die\n");
	read_line();
	printf("not reached\n");
	return 0;
}
