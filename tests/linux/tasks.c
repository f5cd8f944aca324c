/*
 * /proc/PID/task: a directory per thread (the first named by the pid),
 * each with stat (its tid first), status (Tgid the pid, Pid the tid),
 * comm and cmdline; a thread that has ended is gone from it, a tid that
 * is no thread of the process is ENOENT; /proc/PID/comm.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int started, done;
static pid_t tids[2];

/* The file's text, NUL-terminated ("" when it cannot be read). */
static void
slurp(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	long n = fd < 0 ? -1 : read(fd, buf, size - 1);

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
}

/* The value of a "Key:\t" line of a status text, or -1. */
static long
status_field(const char *text, const char *key)
{
	const char *p = strstr(text, key);

	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

static void *
worker(void *arg)
{
	pthread_mutex_lock(&lock);
	tids[(long)arg] = (pid_t)syscall(SYS_gettid);
	started++;
	pthread_cond_broadcast(&cond);
	while (!done)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
	return NULL;
}

static int
cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

/* The tids in /proc/PID/task (sorted), checked one by one. */
static void
show_tasks(const char *what, pid_t pid, int nexpect, const pid_t *expect)
{
	char path[96], buf[4096];
	long found[16];
	int n = 0, ok = 1;
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir) {
		printf("%s: opendir = %s\n", what, errno_name(errno));
		return;
	}
	while ((d = readdir(dir)))
		if (d->d_name[0] != '.' && n < 16)
			found[n++] = strtol(d->d_name, NULL, 10);
	closedir(dir);
	qsort(found, (size_t)n, sizeof(found[0]), cmp_long);
	printf("%s: %d tasks, the first the pid: %s\n", what, n, n && found[0] == pid ? "yes" : "no");
	for (int i = 0; i < nexpect; i++) {
		int seen = 0;

		for (int j = 0; j < n; j++)
			seen |= found[j] == expect[i];
		ok &= seen;
	}
	printf("%s: every thread listed: %s\n", what, ok ? "yes" : "no");
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/proc/%d/task/%ld/stat", (int)pid, found[i]);
		slurp(path, buf, sizeof(buf));
		ok &= strtol(buf, NULL, 10) == found[i];
		snprintf(path, sizeof(path), "/proc/%d/task/%ld/status", (int)pid, found[i]);
		slurp(path, buf, sizeof(buf));
		ok &= status_field(buf, "\nTgid:\t") == pid && status_field(buf, "\nPid:\t") == found[i];
	}
	printf("%s: stat and status name each thread: %s\n", what, ok ? "yes" : "no");
}

int
main(int argc, char **argv)
{
	char path[96], buf[4096], comm[64];
	pthread_t t[2];
	pid_t me = getpid(), c;
	int st;

	(void)argc;
	setvbuf(stdout, NULL, _IONBF, 0);
	show_tasks("one thread", me, 1, &me);
	for (long i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, worker, (void *)i);
	pthread_mutex_lock(&lock);
	while (started < 2)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
	{
		pid_t all[3] = { me, tids[0], tids[1] };

		show_tasks("three threads", me, 3, all);
	}

	/* comm: the program's name, in the process's and each thread's. */
	slurp("/proc/self/comm", comm, sizeof(comm));
	{
		const char *base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
		char want[20];

		snprintf(want, sizeof(want), "%.15s\n", base);
		printf("comm is the program's name: %s\n", !strcmp(comm, want) ? "yes" : "no");
	}
	snprintf(path, sizeof(path), "/proc/self/task/%d/comm", (int)tids[1]);
	slurp(path, buf, sizeof(buf));
	printf("a thread's comm the same: %s\n", !strcmp(buf, comm) ? "yes" : "no");
	snprintf(path, sizeof(path), "/proc/self/task/%d/cmdline", (int)tids[0]);
	slurp(path, buf, sizeof(buf));
	printf("a thread's cmdline: %s\n", !strcmp(buf, argv[0]) ? "argv[0]" : buf);

	/* A tid of another process, and a pid, are no thread here. */
	c = fork();
	if (c == 0) {
		pause();
		_exit(0);
	}
	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)c);
	SHOW("the child's pid as our task", open(path, O_RDONLY));
	show_tasks("the child", c, 1, &c);
	kill(c, SIGKILL);
	waitpid(c, &st, 0);

	pthread_mutex_lock(&lock);
	done = 1;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	/* Linux may list it a moment after the join (its end comes after
	 * the futex wake that pthread_join waits for). */
	snprintf(path, sizeof(path), "/proc/self/task/%d", (int)tids[0]);
	for (int i = 0, fd; i < 1000 && (fd = open(path, O_RDONLY | O_DIRECTORY)) >= 0; i++) {
		close(fd);
		usleep(1000);
	}
	SHOW("a joined thread's task", open(path, O_RDONLY | O_DIRECTORY));
	show_tasks("joined", me, 1, &me);
	return 0;
}
