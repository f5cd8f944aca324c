/*
 * Signals between processes (docs/linux.md): kill of a child (its
 * default action, its handler, signal 0 before and after it is reaped,
 * a zombie), kill of a process group from outside and from inside,
 * SIGCHLD to the parent (its siginfo, one pending while blocked, one per
 * child otherwise), SIGCHLD ignored or SA_NOCLDWAIT reaping children
 * without wait, and kill of pids that do not exist.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

static pid_t
fork_flushed(void)
{
	fflush(stdout);
	return fork();
}

/* A child that waits for signals forever once it has said so on fd. */
static void
idle_child(int fd)
{
	char c = 'r';

	if (write(fd, &c, 1) != 1)
		_exit(99);
	for (;;)
		pause();
}

static int usr1_fd = -1;

static void
on_usr1(int sig)
{
	char c = 'u';

	(void)sig;
	if (write(usr1_fd, &c, 1) != 1)
		_exit(98);
}

static void
kill_child(void)
{
	int p[2], st;
	char c = 0;
	pid_t k;

	if (pipe(p))
		return;
	k = fork_flushed();
	if (k == 0) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_usr1;
		usr1_fd = p[1];
		sigaction(SIGUSR1, &sa, NULL);
		idle_child(p[1]);
	}
	if (read(p[0], &c, 1) != 1)
		printf("no word from the child\n");
	SHOW("kill child 0", kill(k, 0));
	SHOW("kill child SIGUSR1", kill(k, SIGUSR1));
	if (read(p[0], &c, 1) == 1)
		printf("the child's handler says %c\n", c);
	SHOW("kill child SIGTERM", kill(k, SIGTERM));
	/* Ended but not waited for: still there, as a zombie. */
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	SHOW("waitid WNOWAIT", waitid(P_PID, (id_t)k, &si, WEXITED | WNOWAIT));
	printf("waitid: code %d status %d\n", si.si_code, si.si_status);
	SHOW("kill zombie 0", kill(k, 0));
	waitpid(k, &st, 0);
	show_status("child", st);
	SHOW("kill reaped 0", kill(k, 0));
	close(p[0]);
	close(p[1]);
}

static volatile sig_atomic_t got_term;

static void
on_term(int sig)
{
	(void)sig;
	got_term++;
}

/* A group leader kills its own group (kill 0) and survives by its
 * handler; then the parent kills a group from outside (kill -pgid). */
static void
kill_group(void)
{
	int p[2], st;
	char c;
	pid_t l, m;

	if (pipe(p))
		return;
	l = fork_flushed();
	if (l == 0) {
		struct sigaction sa;
		pid_t kids[2];

		setpgid(0, 0);
		for (int i = 0; i < 2; i++) {
			kids[i] = fork();
			if (kids[i] == 0)
				idle_child(p[1]);
		}
		for (int i = 0; i < 2; i++)
			if (read(p[0], &c, 1) != 1)
				_exit(97);
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_term;
		sigaction(SIGTERM, &sa, NULL);
		printf("kill 0 SIGTERM = %d\n", kill(0, SIGTERM));
		for (int i = 0; i < 2; i++) {
			waitpid(kids[i], &st, 0);
			show_status("group member", st);
		}
		printf("leader's handler ran %d time(s)\n", (int)got_term);
		fflush(stdout);
		_exit(0);
	}
	waitpid(l, &st, 0);
	show_status("leader", st);

	/* Two children of ours, one the leader of a group the other
	 * joins (set on both sides, as a shell does). */
	l = fork_flushed();
	if (l == 0) {
		setpgid(0, 0);
		idle_child(p[1]);
	}
	setpgid(l, l);
	m = fork_flushed();
	if (m == 0) {
		setpgid(0, l);
		idle_child(p[1]);
	}
	setpgid(m, l);
	for (int i = 0; i < 2; i++)
		if (read(p[0], &c, 1) != 1)
			printf("no word from the group\n");
	SHOW("kill -pgid 0", kill(-l, 0));
	SHOW("kill -pgid SIGKILL", kill(-l, SIGKILL));
	waitpid(l, &st, 0);
	show_status("group leader killed from outside", st);
	waitpid(m, &st, 0);
	show_status("its group's other member", st);
	SHOW("kill -pgid once all are reaped", kill(-l, 0));
	close(p[0]);
	close(p[1]);
}

static volatile sig_atomic_t chld_count, chld_code, chld_status;
static volatile pid_t chld_pid;

static void
on_chld(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	chld_count++;
	chld_code = si->si_code;
	chld_status = si->si_status;
	chld_pid = si->si_pid;
}

static void
sigchld(void)
{
	struct sigaction sa;
	sigset_t chld, old;
	pid_t k[3];
	int st;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_chld;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigaction(SIGCHLD, &sa, NULL);
	/* Blocked while three children end: one SIGCHLD pending. */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	for (int i = 0; i < 3; i++) {
		k[i] = fork_flushed();
		if (k[i] == 0)
			_exit(10 + i);
	}
	for (int i = 0; i < 3; i++)
		waitpid(k[i], &st, 0);
	sigprocmask(SIG_SETMASK, &old, NULL);
	printf("SIGCHLD while blocked: %d handler run(s)\n", (int)chld_count);
	/* One at a time: one each, with the child's pid and status. */
	for (int i = 0; i < 3; i++) {
		pid_t c;

		chld_count = 0;
		sigprocmask(SIG_BLOCK, &chld, &old);
		c = fork_flushed();
		if (c == 0)
			_exit(20 + i);
		while (chld_count == 0)
			sigsuspend(&old);
		sigprocmask(SIG_SETMASK, &old, NULL);
		printf("SIGCHLD: code %s status %d pid %s\n",
		       chld_code == CLD_EXITED ? "CLD_EXITED" : "other", (int)chld_status,
		       chld_pid == c ? "the child's" : "another");
		waitpid(c, &st, 0);
	}
	/* A child killed: CLD_KILLED with the signal. */
	{
		pid_t c;

		chld_count = 0;
		sigprocmask(SIG_BLOCK, &chld, &old);
		c = fork_flushed();
		if (c == 0)
			for (;;)
				pause();
		kill(c, SIGKILL);
		while (chld_count == 0)
			sigsuspend(&old);
		sigprocmask(SIG_SETMASK, &old, NULL);
		printf("SIGCHLD: code %s status %d\n",
		       chld_code == CLD_KILLED ? "CLD_KILLED" : "other", (int)chld_status);
		waitpid(c, &st, 0);
	}
	signal(SIGCHLD, SIG_DFL);
}

static void
autoreap(void)
{
	struct sigaction sa;
	pid_t c;

	/* Ignored: the children are never zombies; wait finds none once
	 * they have gone. */
	signal(SIGCHLD, SIG_IGN);
	c = fork_flushed();
	if (c == 0)
		_exit(3);
	SHOW("wait with SIGCHLD ignored", wait(NULL));
	signal(SIGCHLD, SIG_DFL);
#ifdef __x86_64__
	/* SA_NOCLDWAIT with the default action: the same.  (Not where
	 * qemu-user is the oracle: it does not pass the flag on.) */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sa.sa_flags = SA_NOCLDWAIT;
	sigaction(SIGCHLD, &sa, NULL);
	c = fork_flushed();
	if (c == 0)
		_exit(4);
	SHOW("wait with SA_NOCLDWAIT", waitpid(c, NULL, 0));
	signal(SIGCHLD, SIG_DFL);
#else
	(void)sa;
#endif
	/* Back to normal: a zombie to wait for. */
	c = fork_flushed();
	if (c == 0)
		_exit(5);
	SHOW("wait after SIG_DFL", waitpid(c, NULL, 0) == c);
}

static void
nobody(void)
{
	SHOW("kill INT_MAX", kill(INT_MAX, 0));
	SHOW("kill -INT_MAX", kill(-INT_MAX, SIGUSR1));
	SHOW("kill INT_MIN", kill(INT_MIN, SIGUSR1));
	SHOW("kill bad signal to a group", kill(-INT_MAX, 99));
}

int
main(void)
{
	kill_child();
	kill_group();
	sigchld();
	autoreap();
	nobody();
	return 0;
}
