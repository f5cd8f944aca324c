/*
 * Stop and continue (job control): SIGSTOP and SIGTSTP stop a child,
 * SIGCONT continues it, wait4 reports each once (WUNTRACED,
 * WCONTINUED), waitid too (WSTOPPED, WCONTINUED, WNOWAIT, WEXITED),
 * the parent's SIGCHLD says CLD_STOPPED and CLD_CONTINUED (not with
 * SA_NOCLDSTOP), /proc shows state T, a stop stops every thread, a
 * blocked call goes on after the continue, a handled SIGTSTP does not
 * stop, SIGCONT and stop signals discard each other while pending,
 * SIGKILL ends a stopped child, and SIGTSTP does not stop an orphaned
 * process group.  The children talk through pipes; only
 * the parent prints.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* A child that waits for signals until killed, in a group of its own
 * (so that its group is not orphaned: Linux discards SIGTSTP's stop in
 * an orphaned group). */
static pid_t
idle_child(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		setpgid(0, 0);
		for (;;)
			pause();
	}
	setpgid(pid, pid);
	return pid;
}

/* The state letter of /proc/PID/stat. */
static char
proc_state(pid_t pid)
{
	char path[64], buf[512], *p;
	int fd;
	long n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return '?';
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return '?';
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : '?';
}

/* The State: line of /proc/PID/status. */
static void
show_status_state(pid_t pid)
{
	char path[64], buf[2048], *p, *e;
	int fd;
	long n;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	fd = open(path, O_RDONLY);
	n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (fd >= 0)
		close(fd);
	if (n <= 0) {
		printf("status: unreadable\n");
		return;
	}
	buf[n] = 0;
	p = strstr(buf, "State:\t");
	e = p ? strchr(p, '\n') : NULL;
	if (e)
		*e = 0;
	printf("status %s\n", p ? p : "no State");
}

static void
show_wait(const char *what, pid_t pid, int options)
{
	int st = 0;
	pid_t r = waitpid(pid, &st, options);

	if (r < 0) {
		printf("%s: -1 %s\n", what, errno_name(errno));
		return;
	}
	if (r == 0) {
		printf("%s: nothing\n", what);
		return;
	}
	if (WIFSTOPPED(st))
		printf("%s: stopped by %d (status %#x)\n", what, WSTOPSIG(st), st);
	else if (WIFCONTINUED(st))
		printf("%s: continued (status %#x)\n", what, st);
	else
		show_status(what, st);
	if (r != pid)
		printf("%s: another pid\n", what);
}

/* waitid(type, id, options), whose child should be pid. */
static void
show_waitid(const char *what, idtype_t type, id_t id, pid_t pid, int options)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	if (waitid(type, id, &si, options) < 0) {
		printf("%s: -1 %s\n", what, errno_name(errno));
		return;
	}
	if (si.si_pid == 0) {
		printf("%s: nothing\n", what);
		return;
	}
	printf("%s: signo %d code %s status %d pid %s\n", what, si.si_signo,
	       si.si_code == CLD_STOPPED	? "CLD_STOPPED"
	       : si.si_code == CLD_CONTINUED ? "CLD_CONTINUED"
	       : si.si_code == CLD_EXITED    ? "CLD_EXITED"
	       : si.si_code == CLD_KILLED    ? "CLD_KILLED"
					     : "other",
	       si.si_status, si.si_pid == pid ? "ok" : "wrong");
}

static void
stop_and_continue(void)
{
	pid_t c = idle_child();

	printf("-- SIGSTOP and SIGCONT\n");
	kill(c, SIGSTOP);
	show_wait("wait WUNTRACED", c, WUNTRACED);
	show_wait("again WUNTRACED|WNOHANG", c, WUNTRACED | WNOHANG);
	printf("stat state %c\n", proc_state(c));
	show_status_state(c);
	kill(c, SIGSTOP); /* stopped already: nothing more to report */
	show_wait("second stop WUNTRACED|WNOHANG", c, WUNTRACED | WNOHANG);
	kill(c, SIGCONT);
	show_wait("wait WCONTINUED", c, WCONTINUED);
	show_wait("again WCONTINUED|WNOHANG", c, WCONTINUED | WNOHANG);
	printf("running again: %s\n", proc_state(c) != 'T' ? "yes" : "no");
	kill(c, SIGCONT); /* running: nothing to report */
	show_wait("needless continue WCONTINUED|WNOHANG", c, WCONTINUED | WNOHANG);
	show_wait("plain WNOHANG", c, WNOHANG);
	kill(c, SIGTSTP);
	show_wait("SIGTSTP WUNTRACED", c, WUNTRACED);
	kill(c, SIGCONT);
	show_wait("wait WCONTINUED", c, WCONTINUED);
	kill(c, SIGTERM);
	show_wait("SIGTERM", c, WUNTRACED | WCONTINUED);
	show_wait("after", c, WNOHANG);
}

static void
kill_stopped(void)
{
	pid_t c = idle_child();

	printf("-- SIGKILL of a stopped child\n");
	kill(c, SIGSTOP);
	show_wait("wait WUNTRACED", c, WUNTRACED);
	kill(c, SIGKILL);
	show_wait("wait", c, WUNTRACED);
	c = idle_child();
	kill(c, SIGSTOP);
	show_wait("wait WUNTRACED", c, WUNTRACED);
	kill(c, SIGTERM); /* pending while stopped: it acts at the continue */
	kill(c, SIGCONT);
	show_wait("SIGTERM then SIGCONT", c, 0);
}

/* A group with no parent in another group of its session (here a new
 * session's) is orphaned: SIGTSTP does not stop it, SIGSTOP does. */
static void
orphaned(void)
{
	int p[2];
	pid_t c;
	char b;

	printf("-- an orphaned process group\n");
	if (pipe(p))
		return;
	c = fork();
	if (c == 0) {
		setsid();
		if (write(p[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	if (read(p[0], &b, 1) != 1)
		printf("no word from the child\n");
	close(p[0]);
	close(p[1]);
	kill(c, SIGTSTP);
	sleep_ms(50);
	show_wait("SIGTSTP WUNTRACED|WNOHANG", c, WUNTRACED | WNOHANG);
	kill(c, SIGSTOP);
	show_wait("SIGSTOP WUNTRACED", c, WUNTRACED);
	kill(c, SIGKILL);
	show_wait("end", c, 0);
}

static void
sigchld_info(void)
{
	struct sigaction sa;
	sigset_t set, pending;
	siginfo_t si;
	pid_t c;

	printf("-- SIGCHLD\n");
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	c = idle_child();
	kill(c, SIGSTOP);
	if (sigwaitinfo(&set, &si) == SIGCHLD)
		printf("stop: code %s status %d pid %s\n",
		       si.si_code == CLD_STOPPED ? "CLD_STOPPED" : "other", si.si_status,
		       si.si_pid == c ? "ok" : "wrong");
	show_wait("wait WUNTRACED", c, WUNTRACED);
	kill(c, SIGCONT);
	if (sigwaitinfo(&set, &si) == SIGCHLD)
		printf("continue: code %s status %d pid %s\n",
		       si.si_code == CLD_CONTINUED ? "CLD_CONTINUED" : "other", si.si_status,
		       si.si_pid == c ? "ok" : "wrong");
	show_wait("wait WCONTINUED", c, WCONTINUED);

	/* SA_NOCLDSTOP: no SIGCHLD for either, the waits still see them.
	 * (qemu-user, the oracle on aarch64, sends it all the same.) */
#ifndef __aarch64__
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sa.sa_flags = SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);
	kill(c, SIGSTOP);
	show_wait("NOCLDSTOP wait WUNTRACED", c, WUNTRACED);
	sigpending(&pending);
	printf("SIGCHLD pending after the stop: %d\n", sigismember(&pending, SIGCHLD));
	kill(c, SIGCONT);
	show_wait("NOCLDSTOP wait WCONTINUED", c, WCONTINUED);
	sigpending(&pending);
	printf("SIGCHLD pending after the continue: %d\n", sigismember(&pending, SIGCHLD));
#else
	(void)sa;
#endif
	kill(c, SIGKILL);
	show_wait("wait", c, 0);
	sigpending(&pending);
	printf("SIGCHLD pending after the end: %d\n", sigismember(&pending, SIGCHLD));
	if (sigwaitinfo(&set, &si) == SIGCHLD)
		printf("end: code %s status %d\n", si.si_code == CLD_KILLED ? "CLD_KILLED" : "other",
		       si.si_status);
	signal(SIGCHLD, SIG_DFL);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

static void
waitid_flags(void)
{
	pid_t c = idle_child();

	printf("-- waitid\n");
	show_waitid("WEXITED|WNOHANG, running", P_PID, c, c, WEXITED | WNOHANG);
	kill(c, SIGSTOP);
	show_waitid("WSTOPPED|WNOWAIT", P_PID, c, c, WSTOPPED | WNOWAIT);
	show_waitid("WSTOPPED|WNOHANG, kept", P_ALL, c, c, WSTOPPED | WNOHANG);
	show_waitid("WSTOPPED|WNOHANG, taken", P_PID, c, c, WSTOPPED | WNOHANG);
	show_waitid("WEXITED|WNOHANG, stopped", P_PID, c, c, WEXITED | WNOHANG);
	kill(c, SIGCONT);
	show_waitid("WCONTINUED|WNOWAIT", P_PID, c, c, WCONTINUED | WNOWAIT);
	show_waitid("WCONTINUED|WSTOPPED", P_PGID, c, c, WCONTINUED | WSTOPPED);
	show_waitid("WCONTINUED|WNOHANG, taken", P_PID, c, c, WCONTINUED | WNOHANG);
	kill(c, SIGTERM);
	show_waitid("WEXITED|WNOWAIT", P_PID, c, c, WEXITED | WNOWAIT);
	show_waitid("WEXITED|WSTOPPED|WCONTINUED", P_ALL, 0, c, WEXITED | WSTOPPED | WCONTINUED);
	show_waitid("WEXITED, reaped", P_PID, c, c, WEXITED);
	show_waitid("no flag", P_ALL, 0, c, WNOHANG);
}

/* A handled SIGTSTP does not stop; SIGCONT's handler runs after the
 * continue; a blocked nanosleep goes on to its end. */
static void
handlers(void)
{
	int p[2];
	pid_t c;
	char buf[64];
	long n;

	printf("-- handlers\n");
	if (pipe(p))
		return;
	c = fork();
	if (c == 0) {
		struct sigaction sa;
		struct timespec ts = { 0, 400 * 1000000 };
		int r;

		close(p[0]);
		setpgid(0, 0);
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = SIG_IGN; /* SIGTSTP does not stop it */
		sigaction(SIGTSTP, &sa, NULL);
		r = write(p[1], "r", 1);
		/* Stopped and continued during the sleep: it ends normally. */
		r = nanosleep(&ts, NULL);
		n = snprintf(buf, sizeof(buf), "nanosleep = %d %s", r, r ? errno_name(errno) : "");
		r = write(p[1], buf, (size_t)n);
		_exit(r > 0 ? 3 : 4);
	}
	close(p[1]);
	setpgid(c, c);
	n = read(p[0], buf, 1);
	kill(c, SIGTSTP); /* ignored */
	sleep_ms(50);
	show_wait("ignored SIGTSTP WUNTRACED|WNOHANG", c, WUNTRACED | WNOHANG);
	kill(c, SIGSTOP);
	show_wait("in nanosleep WUNTRACED", c, WUNTRACED);
	sleep_ms(100);
	kill(c, SIGCONT);
	show_wait("WCONTINUED", c, WCONTINUED);
	n = read(p[0], buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = 0;
	printf("child says: %s\n", buf);
	show_wait("end", c, 0);
	close(p[0]);
}

static int cont_pipe = -1;

static void
on_cont(int sig)
{
	int r = write(cont_pipe, sig == SIGCONT ? "C" : "?", 1);

	(void)r;
}

/* One line from fd, a byte at a time (nothing after it is taken). */
static void
read_line(int fd, char *buf, size_t size)
{
	size_t n = 0;

	while (n + 1 < size && read(fd, buf + n, 1) == 1)
		if (buf[n++] == '\n')
			break;
	buf[n] = 0;
}

/* SIGCONT discards a pending stop signal and a stop signal a pending
 * SIGCONT, blocked or not; SIGCONT's handler runs. */
static void
discards(void)
{
	int up[2], down[2];
	pid_t c;
	char buf[64];
	long n;

	printf("-- pending stop and continue discard each other\n");
	if (pipe(up) || pipe(down))
		return;
	c = fork();
	if (c == 0) {
		struct sigaction sa;
		sigset_t set, pending;
		char go;

		close(up[0]);
		close(down[1]);
		setpgid(0, 0);
		cont_pipe = up[1];
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_cont;
		sigaction(SIGCONT, &sa, NULL);
		sigemptyset(&set);
		sigaddset(&set, SIGCONT);
		sigaddset(&set, SIGTSTP);
		sigprocmask(SIG_BLOCK, &set, NULL);
		n = write(up[1], "r", 1);
		n = read(down[0], &go, 1); /* SIGCONT then SIGTSTP were sent */
		sigpending(&pending);
		n = snprintf(buf, sizeof(buf), "a: cont %d tstp %d\n", sigismember(&pending, SIGCONT),
			     sigismember(&pending, SIGTSTP));
		n = write(up[1], buf, (size_t)n);
		n = read(down[0], &go, 1); /* SIGCONT again */
		sigpending(&pending);
		n = snprintf(buf, sizeof(buf), "b: cont %d tstp %d\n", sigismember(&pending, SIGCONT),
			     sigismember(&pending, SIGTSTP));
		n = write(up[1], buf, (size_t)n);
		/* The handler runs as SIGCONT is unblocked. */
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		_exit(0);
	}
	close(up[1]);
	close(down[0]);
	setpgid(c, c);
	n = read(up[0], buf, 1);
	kill(c, SIGCONT);
	kill(c, SIGTSTP);
	n = write(down[1], "g", 1);
	read_line(up[0], buf, sizeof(buf));
	printf("%s", buf);
	kill(c, SIGCONT);
	n = write(down[1], "g", 1);
	read_line(up[0], buf, sizeof(buf));
	printf("%s", buf);
	n = read(up[0], buf, 1);
	printf("handler: %s\n", n == 1 && buf[0] == 'C' ? "ran" : "did not run");
	show_wait("end", c, 0);
	close(up[0]);
	close(down[1]);
}

static int tick_pipe = -1;

static void *
ticker(void *arg)
{
	(void)arg;
	for (;;) {
		if (write(tick_pipe, "t", 1) < 0)
			break;
		sleep_ms(2);
	}
	return NULL;
}

/* Bytes waiting in the non-blocking read end fd (drained). */
static long
drain(int fd)
{
	char buf[4096];
	long n, total = 0;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		total += n;
	return total;
}

/* Every thread stops: three threads write to a pipe every 2 ms, none
 * while the child is stopped. */
static void
threads_stop(void)
{
	int p[2];
	pid_t c;
	char b;

	printf("-- a stopped multithreaded child\n");
	if (pipe(p))
		return;
	c = fork();
	if (c == 0) {
		pthread_t t;

		close(p[0]);
		setpgid(0, 0);
		tick_pipe = p[1];
		pthread_create(&t, NULL, ticker, NULL);
		pthread_create(&t, NULL, ticker, NULL);
		ticker(NULL);
		_exit(0);
	}
	close(p[1]);
	setpgid(c, c);
	printf("ticking: %s\n", read(p[0], &b, 1) == 1 ? "yes" : "no");
	kill(c, SIGSTOP);
	show_wait("wait WUNTRACED", c, WUNTRACED);
	printf("stat state %c\n", proc_state(c));
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	sleep_ms(50);
	drain(p[0]);
	sleep_ms(200);
	printf("bytes while stopped: %ld\n", drain(p[0]));
	kill(c, SIGCONT);
	show_wait("wait WCONTINUED", c, WCONTINUED);
	fcntl(p[0], F_SETFL, 0);
	printf("ticking again: %s\n", read(p[0], &b, 1) == 1 ? "yes" : "no");
	kill(c, SIGSTOP);
	show_wait("wait WUNTRACED", c, WUNTRACED);
	kill(c, SIGKILL);
	show_wait("SIGKILL", c, WUNTRACED);
	close(p[0]);
}

int
main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	stop_and_continue();
	kill_stopped();
	orphaned();
	sigchld_info();
	waitid_flags();
	handlers();
	discards();
	threads_stop();
	show_wait("no children left", -1, WUNTRACED);
	return 0;
}
