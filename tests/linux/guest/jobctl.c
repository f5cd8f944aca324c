/*
 * Console job control (docs/linux.md): a process group outside the
 * foreground that reads the console gets SIGTTIN (stopped by default;
 * EIO when ignored or blocked, or when the group is orphaned), one that
 * writes it with TOSTOP set, or changes its settings, SIGTTOU (the
 * write goes on when SIGTTOU is ignored or blocked, and starts again
 * once the group continues).  It needs the console as its controlling
 * terminal, which the host's test runner does not give: test_linux.py
 * runs it in ThemeliOS and in Linux on the same QEMU (the peer guest)
 * and compares.  Each case's child is a group of its own, in the
 * background; what it sees comes back through a pipe.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "../common.h"

static int report[2]; /* the children's words, to the parent */
static volatile int handled;

static const char *
err_name(int e)
{
	return e == EIO ? "EIO" : errno_name(e);
}

/* A child's line, through the pipe (it may not write the console). */
static void
say(const char *what, long r, int e)
{
	char line[128];
	int n = r < 0 ? snprintf(line, sizeof(line), "%s = -1 %s\n", what, err_name(e))
		      : snprintf(line, sizeof(line), "%s = %ld\n", what, r);

	write(report[1], line, (size_t)n);
}

static void
on_ttin(int sig)
{
	(void)sig;
	handled++;
}

static long
read_console(void)
{
	char c;

	errno = 0;
	return read(0, &c, 1);
}

static long
write_console(void)
{
	static const char line[] = "a background write\n";

	errno = 0;
	return write(1, line, sizeof(line) - 1);
}

enum job {
	READ,
	READ_IGNORED,
	READ_BLOCKED,
	READ_HANDLED,
	WRITE,
	WRITE_IGNORED,
	WRITE_BLOCKED,
	SET_TERMIOS,
	TAKE_FOREGROUND,
	ORPHANED_READ,
};

static void
block(int sig)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, sig);
	sigprocmask(SIG_BLOCK, &s, NULL);
}

/* In the child, a group of its own in the background. */
static int
child(enum job job, pid_t parent_pgrp)
{
	struct sigaction sa = { .sa_handler = on_ttin };
	struct termios t;
	long r;

	signal(SIGTTOU, SIG_DFL); /* the session's leader ignores it */
	switch (job) {
	case READ:
		r = read_console();
		say("read", r, errno); /* not reached: stopped, then killed */
		break;
	case READ_IGNORED:
		signal(SIGTTIN, SIG_IGN);
		r = read_console();
		say("read, SIGTTIN ignored", r, errno);
		break;
	case READ_BLOCKED:
		block(SIGTTIN);
		r = read_console();
		say("read, SIGTTIN blocked", r, errno);
		break;
	case READ_HANDLED:
		sigaction(SIGTTIN, &sa, NULL);
		r = read_console();
		say("read, SIGTTIN handled", r, errno);
		say("handler ran", handled, 0);
		break;
	case WRITE:
		r = write_console();
		say("write after the continue", r, errno);
		break;
	case WRITE_IGNORED:
		signal(SIGTTOU, SIG_IGN);
		r = write_console();
		say("write, SIGTTOU ignored", r, errno);
		break;
	case WRITE_BLOCKED:
		block(SIGTTOU);
		r = write_console();
		say("write, SIGTTOU blocked", r, errno);
		break;
	case SET_TERMIOS:
		tcgetattr(0, &t);
		errno = 0;
		r = tcsetattr(0, TCSANOW, &t);
		say("tcsetattr after the continue", r, errno);
		break;
	case TAKE_FOREGROUND:
		signal(SIGTTOU, SIG_IGN);
		errno = 0;
		r = tcsetpgrp(0, getpgrp());
		say("tcsetpgrp to itself, SIGTTOU ignored", r, errno);
		say("it is the foreground", tcgetpgrp(0) == getpgrp(), 0);
		errno = 0;
		r = tcsetpgrp(0, parent_pgrp);
		say("tcsetpgrp back", r, errno);
		break;
	case ORPHANED_READ: {
		pid_t me = getpid(), kid = fork();

		if (kid != 0)
			_exit(0); /* the group's only link to its session's shell goes */
		setpgid(0, 0);
		while (getppid() == me)
			usleep(1000);
		r = read_console();
		say("read in an orphaned group", r, errno);
		r = write_console();
		say("write in an orphaned group, TOSTOP", r, errno);
		break;
	}
	}
	return 0;
}

static const char *const names[] = {
	[READ] = "read",
	[READ_IGNORED] = "read, SIGTTIN ignored",
	[READ_BLOCKED] = "read, SIGTTIN blocked",
	[READ_HANDLED] = "read, SIGTTIN handled",
	[WRITE] = "write, TOSTOP",
	[WRITE_IGNORED] = "write, TOSTOP, SIGTTOU ignored",
	[WRITE_BLOCKED] = "write, TOSTOP, SIGTTOU blocked",
	[SET_TERMIOS] = "tcsetattr",
	[TAKE_FOREGROUND] = "tcsetpgrp",
	[ORPHANED_READ] = "orphaned group",
};

static void
tostop(int on)
{
	struct termios t;

	tcgetattr(0, &t);
	t.c_lflag = on ? t.c_lflag | TOSTOP : t.c_lflag & ~(tcflag_t)TOSTOP;
	tcsetattr(0, TCSANOW, &t);
}

/* The words the children sent, now on the console. */
static void
relay(void)
{
	char buf[512];
	long n;

	while ((n = read(report[0], buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, stdout);
}

/* One case: its child in a background group of its own; a stop is
 * reported, then undone as the case says. */
static void
run(enum job job)
{
	pid_t pid;
	int st;

	printf("%s:\n", names[job]);
	pipe(report);
	pid = fork();
	if (pid == 0) {
		close(report[0]);
		setpgid(0, 0);
		_exit(child(job, getpgid(getppid())));
	}
	setpgid(pid, pid);
	close(report[1]);
	waitpid(pid, &st, WUNTRACED);
	if (WIFSTOPPED(st)) {
		printf("  stopped by signal %d\n", WSTOPSIG(st));
		if (job == WRITE)
			tostop(0); /* the write may go on once continued */
		if (job == WRITE || job == SET_TERMIOS) {
			tcsetpgrp(0, pid); /* and the termios change too */
			kill(-pid, SIGCONT);
		} else {
			kill(-pid, SIGKILL);
		}
		waitpid(pid, &st, 0);
		tcsetpgrp(0, getpgrp());
	}
	relay();
	close(report[0]);
	show_status("  child", st);
}

/* The session's leader: the console is its controlling terminal, its
 * group the foreground. */
static int
session(void)
{
	int st;

	/* As a shell does: its tcsetpgrp from the background goes on. */
	signal(SIGTTOU, SIG_IGN);
	printf("foreground: %d\n", tcgetpgrp(0) == getpgrp());
	for (enum job j = READ; j <= READ_HANDLED; j++)
		run(j);
	tostop(1);
	for (enum job j = WRITE; j <= WRITE_BLOCKED; j++)
		run(j);
	tostop(0);
	run(SET_TERMIOS);
	run(TAKE_FOREGROUND);
	printf("foreground again: %d\n", tcgetpgrp(0) == getpgrp());
	tostop(1);
	run(ORPHANED_READ);
	tostop(0);
	errno = 0;
	st = tcsetpgrp(0, 99999);
	printf("tcsetpgrp to no group: %d %s\n", st, err_name(errno));
	errno = 0;
	st = tcsetpgrp(0, -1);
	printf("tcsetpgrp to -1: %d %s\n", st, err_name(errno));
	return 0;
}

/*
 * The session runs in a child of its own, not here: ThemeliOS starts
 * this program as its instance's pid 1, which takes orphans, and Linux's
 * init, which takes them there, is of another session.
 */
int
main(void)
{
	pid_t pid;
	int st;

	setvbuf(stdout, NULL, _IONBF, 0);
	pid = fork();
	if (pid == 0) {
		setsid();
		/* 1: take it from pid 1's session, which ThemeliOS gave it. */
		if (ioctl(0, TIOCSCTTY, 1) < 0) {
			printf("TIOCSCTTY: %s\n", err_name(errno));
			_exit(1);
		}
		_exit(session());
	}
	/* Nothing more on the console: Linux hangs it up as the session's
	 * leader ends. */
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}
