/*
 * execve from one thread of a multithreaded process: every other thread
 * ends (one waiting on a condition variable, one in nanosleep, the main
 * one in pthread_join), the calling thread takes the process's pid as
 * its tid, and the new image runs alone with the caller's signal mask.
 * Once in a forked child (its parent waits for the same pid), again
 * with two threads calling execve at once while a third makes and joins
 * threads, then in the process itself.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static char pidstr[16];

/* The Threads: line of /proc/self/status. */
static void
show_threads(void)
{
	char buf[2048], *p, *e;
	int fd = open("/proc/self/status", O_RDONLY);
	long n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	p = strstr(buf, "Threads:");
	e = p ? strchr(p, '\n') : NULL;
	if (e)
		*e = 0;
	printf("new image: %s\n", p ? p : "no Threads line");
}

static void *
waiter(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lock);
	for (;;)
		pthread_cond_wait(&cond, &lock);
	return NULL;
}

static void *
spawner_child(void *arg)
{
	return arg;
}

static void *
sleeper(void *arg)
{
	struct timespec ts = { 100, 0 };

	(void)arg;
	nanosleep(&ts, NULL);
	printf("sleeper woke: not expected\n");
	return NULL;
}

static void *
execer(void *arg)
{
	char *argv[] = { "mtexec", "again", pidstr, NULL };
	struct timespec ts = { 0, 50 * 1000000 };
	sigset_t set;

	(void)arg;
	nanosleep(&ts, NULL); /* the others are waiting by now */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	execv("/proc/self/exe", argv);
	printf("execve = -1 %s\n", errno_name(errno));
	exit(1);
}

static void *
spawner(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_t t;

		if (pthread_create(&t, NULL, spawner_child, NULL) == 0)
			pthread_join(t, NULL);
	}
	return NULL;
}

/* Two threads run execve at once (one wins; the other ends with the
 * rest) while another makes threads. */
static void
racing_execs(void)
{
	pthread_t t[4];

	snprintf(pidstr, sizeof(pidstr), "%d", (int)getpid());
	pthread_create(&t[0], NULL, waiter, NULL);
	pthread_create(&t[1], NULL, spawner, NULL);
	pthread_create(&t[2], NULL, execer, NULL);
	pthread_create(&t[3], NULL, execer, NULL);
	pthread_join(t[2], NULL);
	printf("join returned: not expected\n");
	exit(1);
}

/* Three threads besides the main one; the third runs execve. */
static void
threads_then_exec(void)
{
	pthread_t t[3];

	snprintf(pidstr, sizeof(pidstr), "%d", (int)getpid());
	pthread_create(&t[0], NULL, waiter, NULL);
	pthread_create(&t[1], NULL, sleeper, NULL);
	pthread_create(&t[2], NULL, execer, NULL);
	pthread_join(t[2], NULL);
	printf("join returned: not expected\n");
	exit(1);
}

static void
new_image(const char *old_pid)
{
	sigset_t set;

	printf("new image: same pid: %s\n", atoi(old_pid) == getpid() ? "yes" : "no");
	printf("new image: tid is the pid: %s\n",
	       syscall(SYS_gettid) == getpid() ? "yes" : "no");
	show_threads();
	sigprocmask(SIG_SETMASK, NULL, &set);
	printf("new image: SIGUSR1 blocked: %d\n", sigismember(&set, SIGUSR1));
}

int
main(int argc, char **argv)
{
	pid_t c;
	int st;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc == 3 && !strcmp(argv[1], "again")) {
		new_image(argv[2]);
		return 5;
	}
	printf("in a child:\n");
	c = fork();
	if (c == 0)
		threads_then_exec();
	if (waitpid(c, &st, 0) == c)
		show_status("the child", st);
	else
		printf("waitpid = -1 %s\n", errno_name(errno));
	printf("two at once:\n");
	c = fork();
	if (c == 0)
		racing_execs();
	if (waitpid(c, &st, 0) == c)
		show_status("the child", st);
	else
		printf("waitpid = -1 %s\n", errno_name(errno));
	printf("in the process itself:\n");
	threads_then_exec();
	return 0;
}
