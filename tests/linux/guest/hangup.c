/*
 * The end of a session and orphaned process groups (docs/linux.md).
 * When the session leader that has the terminal ends, the terminal is
 * hung up: its foreground group gets SIGHUP, every description opened on
 * it reads end of file and fails writes and ioctls with EIO, and it is
 * nobody's controlling terminal until another session leader opens it or
 * takes it with TIOCSCTTY.  When a process's end leaves a process group
 * orphaned (no member's parent in another group of its session) with a
 * stopped member, the group gets SIGHUP then SIGCONT.  /proc/PID/stat's
 * pgrp, session, tty_nr and tpgid follow.  It needs the terminal as a
 * controlling terminal, which the host's test runner does not give:
 * test_linux.py runs it in ThemeliOS and in Linux on the same QEMU (the
 * peer guest) and compares.  The children's words come back through a
 * pipe; the parent prints them on the terminal opened anew.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include "../common.h"

static int report[2]; /* the children's words, to the parent */
static volatile sig_atomic_t hups, conts;

static const char *
err_name(int e)
{
	return e == EIO ? "EIO" : errno_name(e);
}

/* A line to the parent, through the pipe (the terminal may be hung up). */
static void
say(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	write(report[1], line, (size_t)n);
}

static void
say_r(const char *what, long r, int e)
{
	if (r < 0)
		say("  %s = -1 %s\n", what, err_name(e));
	else
		say("  %s = %ld\n", what, r);
}

static void
say_status(const char *what, int st)
{
	if (WIFEXITED(st))
		say("  %s: exited %d\n", what, WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		say("  %s: killed by signal %d\n", what, WTERMSIG(st));
	else
		say("  %s: status %#x\n", what, st);
}

/* A wait that a handler does not cut short. */
static void
wait_for(pid_t pid, int *st, int flags)
{
	while (waitpid(pid, st, flags) < 0 && errno == EINTR)
		;
}

static void
on_hup(int sig)
{
	(void)sig;
	hups++;
}

static void
on_cont(int sig)
{
	(void)sig;
	conts++;
}

static void
catch_hup_cont(void)
{
	struct sigaction sa = { .sa_handler = on_hup };

	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_cont;
	sigaction(SIGCONT, &sa, NULL);
}

/* Fields 5 to 8 of /proc/self/stat: pgrp, session, tty_nr, tpgid. */
static int
stat_fields(long f[4])
{
	char buf[512], *p;
	int fd = open("/proc/self/stat", O_RDONLY);
	long n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %ld %ld %ld %ld", &f[0], &f[1], &f[2], &f[3]) != 4)
		return -1;
	return 0;
}

/* The stat fields against what the process knows: its group and
 * session, and the terminal on fd (its device number, as tty_nr encodes
 * it, and its foreground group) when it is the controlling terminal. */
static void
say_stat(const char *who, int fd, int has_tty)
{
	long f[4];
	struct stat st;
	long dev = -1, fg = -1;

	if (stat_fields(f)) {
		say("  %s: no /proc/self/stat\n", who);
		return;
	}
	if (has_tty && fstat(fd, &st) == 0) {
		unsigned int ma = major(st.st_rdev), mi = minor(st.st_rdev);

		dev = (long)((mi & 0xff) | (ma << 8) | ((mi & ~0xffu) << 12));
		fg = tcgetpgrp(fd);
	}
	say("  %s stat: pgrp %s, session %s, tty_nr %s, tpgid %s\n", who,
	    f[0] == getpgrp() ? "right" : "wrong", f[1] == getsid(0) ? "right" : "wrong",
	    has_tty ? (f[2] == dev && dev > 0 ? "the terminal's" : "wrong")
		    : (f[2] == 0 ? "0" : "wrong"),
	    has_tty ? (f[3] == fg && fg > 0 ? (f[3] == getpgrp() ? "its group" : "the foreground")
					    : "wrong")
		    : (f[3] == -1 ? "-1" : "wrong"));
}

/* What a description opened before the hangup gives. */
static void
say_hung_up(int fd)
{
	struct termios t;
	char c;
	long r;

	errno = 0;
	r = read(fd, &c, 1);
	say_r("read", r, errno);
	errno = 0;
	r = write(fd, "x\n", 2);
	say_r("write", r, errno);
	errno = 0;
	r = tcgetattr(fd, &t);
	say_r("tcgetattr", r, errno);
	errno = 0;
	r = tcgetpgrp(fd);
	say_r("tcgetpgrp", r < 0 ? r : 0, errno);
	errno = 0;
	r = tcsetpgrp(fd, getpgrp());
	say_r("tcsetpgrp", r, errno);
}

/* The terminal opened again through a descriptor's link (the same
 * device), as the process's own: a new description. */
static int
reopen(int fd, int flags)
{
	char path[32];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return open(path, O_RDWR | flags);
}

/* A foreground process of the session, after its end: a SIGHUP, and
 * the terminal is no longer its controlling terminal. */
static void
foreground_after(void)
{
	int fd;
	long r;

	say("  foreground process: SIGHUP %s, SIGCONT %d\n", hups ? "caught" : "not caught",
	    (int)conts);
	say_hung_up(0);
	say_stat("foreground process", 0, 0);
	errno = 0;
	fd = open("/dev/tty", O_RDWR);
	say_r("open /dev/tty", fd < 0 ? fd : 0, errno);
	fd = reopen(0, O_NOCTTY);
	say_r("open again", fd < 0 ? fd : 0, errno);
	if (fd >= 0) {
		errno = 0;
		r = tcgetpgrp(fd);
		say_r("tcgetpgrp there", r < 0 ? r : 0, errno);
		errno = 0;
		r = write(fd, "", 0);
		say_r("write there", r, errno);
		close(fd);
	}
}

/*
 * The session: its leader takes the terminal and puts a group of three
 * in the foreground (one catching SIGHUP, one not, one stopped), with a
 * group in the background; then it ends.
 */
static int
session(void)
{
	int ready[2], done[2], st;
	pid_t fg, bg;
	char c;

	setsid();
	if (ioctl(0, TIOCSCTTY, 1) < 0) {
		say("TIOCSCTTY: %s\n", err_name(errno));
		return 1;
	}
	signal(SIGTTOU, SIG_IGN);
	say_stat("session leader", 0, 1);
	pipe(ready);
	pipe(done);
	fg = fork();
	if (fg == 0) {
		pid_t quiet, stopped;

		setpgid(0, 0);
		close(ready[0]);
		close(done[0]);
		quiet = fork();
		if (quiet == 0) {
			for (;;)
				pause();
		}
		stopped = fork();
		if (stopped == 0) {
			raise(SIGSTOP);
			for (;;)
				pause();
		}
		catch_hup_cont();
		wait_for(stopped, &st, WUNTRACED);
		while (tcgetpgrp(0) != getpgrp())
			usleep(1000);
		say_stat("foreground process", 0, 1);
		write(ready[1], "f", 1);
		while (!hups)
			pause();
		/* Both are gone once every signal of the hangup has come. */
		wait_for(quiet, &st, 0);
		say_status("foreground process not catching SIGHUP", st);
		wait_for(stopped, &st, 0);
		say_status("stopped foreground process", st);
		foreground_after();
		_exit(0); /* closes done: the background process goes on */
	}
	setpgid(fg, fg);
	tcsetpgrp(0, fg);
	read(ready[0], &c, 1);
	bg = fork();
	if (bg == 0) {
		setpgid(0, 0);
		close(ready[0]);
		close(done[1]);
		catch_hup_cont();
		say_stat("background process", 0, 1);
		write(ready[1], "b", 1);
		while (read(done[0], &c, 1) < 0 && errno == EINTR)
			; /* until the foreground group is done */
		say("  background process: SIGHUP %d, SIGCONT %d\n", (int)hups, (int)conts);
		say_hung_up(0);
		say_stat("background process", 0, 0);
		_exit(0);
	}
	setpgid(bg, bg);
	close(ready[1]);
	close(done[0]);
	close(done[1]);
	read(ready[0], &c, 1);
	return 0; /* the session's leader ends: the terminal hangs up */
}

/* The terminal on 0, 1 and 2 again, opened anew from the hung-up one. */
static void
fresh_stdio(void)
{
	int fd = reopen(1, O_NOCTTY);

	if (fd < 0)
		_exit(3);
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	close(fd);
}

/* What the children said, once they have all closed the pipe; a new
 * pipe for the next words. */
static char said[8192];

static const char *
collect(void)
{
	size_t len = 0;
	long n;

	close(report[1]);
	while (len < sizeof(said) - 1 &&
	       (n = read(report[0], said + len, sizeof(said) - 1 - len)) > 0)
		len += (size_t)n;
	said[len] = '\0';
	close(report[0]);
	pipe(report);
	return said;
}

static void
relay(void)
{
	fputs(collect(), stdout);
}

static void
session_end(void)
{
	pid_t s;
	int st;

	s = fork();
	if (s == 0)
		_exit(session());
	waitpid(s, &st, 0);
	collect();
	/* The parent's descriptors are on the terminal too. */
	say("  this process, on its old descriptors:\n");
	say_hung_up(1);
	fresh_stdio();
	printf("session end:\n%s", said);
	show_status("  session leader", st);
	relay();
}

/* A new session's leader opens the terminal, which nobody has now: it
 * is its controlling terminal; one more takes it with TIOCSCTTY after. */
static void
new_session(int by_ioctl)
{
	pid_t s = fork();
	int st, fd;
	long r;

	if (s == 0) {
		setsid();
		if (by_ioctl) {
			fd = 1;
			errno = 0;
			r = ioctl(fd, TIOCSCTTY, 0);
			say_r("TIOCSCTTY", r, errno);
		} else {
			errno = 0;
			fd = reopen(1, 0);
			say_r("open", fd < 0 ? fd : 0, errno);
		}
		errno = 0;
		r = tcgetpgrp(fd);
		say("  foreground group: %s\n", r == getpgrp() ? "its own" : err_name(errno));
		errno = 0;
		r = tcgetsid(fd);
		say("  session of the terminal: %s\n", r == getsid(0) ? "its own" : err_name(errno));
		say_stat("new leader", fd, 1);
		errno = 0;
		r = open("/dev/tty", O_RDWR);
		say_r("open /dev/tty", r < 0 ? r : 0, errno);
		_exit(0);
	}
	waitpid(s, &st, 0);
	fresh_stdio();
	printf("%s:\n", by_ioctl ? "a new session's TIOCSCTTY" : "a new session's open");
	relay();
	show_status("  new leader", st);
}

/* Stops itself and waits to be continued; then says what it caught. */
static void
stop_and_tell(const char *who)
{
	catch_hup_cont();
	raise(SIGSTOP);
	while (!conts)
		pause();
	say("  %s: SIGHUP %s, SIGCONT %s\n", who, hups ? "caught" : "not caught",
	    conts ? "caught" : "not caught");
}

/*
 * Orphaned groups, in a session without a terminal: a group whose last
 * link (a parent in another group of the session) ends, with a stopped
 * member, gets SIGHUP and SIGCONT, whether the link was a member's parent
 * (children) or a member itself (own); a group without a stopped member
 * gets nothing.
 */
/* Until every process that holds seq's writing end has ended: one
 * case's words all said before the next case's. */
static void
wait_for_all(int seq[2])
{
	char c;

	close(seq[1]);
	while (read(seq[0], &c, 1) < 0 && errno == EINTR)
		;
	close(seq[0]);
}

static int
orphans(void)
{
	int hold[2], seq[2], st;
	pid_t p, q;
	char c;

	setsid();
	say_stat("leader without a terminal", 0, 0);
	/* children: p's child c is a group of its own, stopped with c2. */
	pipe(seq);
	p = fork();
	if (p == 0) {
		pid_t c1 = fork();

		if (c1 == 0) {
			pid_t c2;

			setpgid(0, 0);
			c2 = fork();
			if (c2 == 0) {
				raise(SIGSTOP);
				for (;;)
					pause();
			}
			wait_for(c2, &st, WUNTRACED);
			stop_and_tell("stopped child");
			wait_for(c2, &st, 0);
			say_status("stopped child not catching SIGHUP", st);
			_exit(0);
		}
		setpgid(c1, c1);
		waitpid(c1, &st, WUNTRACED);
		_exit(0); /* c1's group loses its link */
	}
	waitpid(p, &st, 0);
	wait_for_all(seq);
	/* own: q is a group of its own whose member r (q's child) stops. */
	pipe(seq);
	q = fork();
	if (q == 0) {
		pid_t r;

		setpgid(0, 0);
		r = fork();
		if (r == 0) {
			stop_and_tell("stopped member");
			_exit(0);
		}
		waitpid(r, &st, WUNTRACED);
		_exit(0); /* its own group loses its link */
	}
	waitpid(q, &st, 0);
	wait_for_all(seq);
	/* No stopped member: nothing. */
	pipe(hold);
	q = fork();
	if (q == 0) {
		pid_t r;

		setpgid(0, 0);
		r = fork();
		if (r == 0) {
			close(hold[1]);
			catch_hup_cont();
			while (read(hold[0], &c, 1) < 0 && errno == EINTR)
				;
			say("  running member: SIGHUP %d, SIGCONT %d\n", (int)hups, (int)conts);
			_exit(0);
		}
		_exit(0);
	}
	close(hold[0]);
	waitpid(q, &st, 0);
	close(hold[1]);
	return 0;
}

int
main(void)
{
	pid_t o;
	int st;

	setvbuf(stdout, NULL, _IONBF, 0);
	pipe(report);
	session_end();
	new_session(0);
	new_session(1);
	o = fork();
	if (o == 0)
		_exit(orphans());
	waitpid(o, &st, 0);
	printf("orphaned groups:\n");
	relay();
	show_status("  leader", st);
	return 0;
}
