/*
 * poll, ppoll, select and pselect6 on pipes and files: timeouts, the
 * ends' events as they change, a poll woken by another process's
 * write, and bad descriptors.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

static void
show_poll(const char *what, struct pollfd *p, int n, int timeout)
{
	int r = poll(p, n, timeout);

	printf("%s = %d", what, r < 0 ? -errno : r);
	for (int i = 0; i < n; i++)
		printf(" %#x", p[i].revents);
	printf("\n");
}

int
main(void)
{
	int fd[2], st;
	struct pollfd p[3];
	char c;
	pid_t child;

	setvbuf(stdout, NULL, _IONBF, 0);
	pipe(fd);
	p[0] = (struct pollfd){ fd[0], POLLIN, 0 };
	p[1] = (struct pollfd){ fd[1], POLLOUT, 0 };
	show_poll("empty pipe, 30 ms", p, 1, 30);
	show_poll("both ends", p, 2, 0);
	write(fd[1], "a", 1);
	show_poll("after a write", p, 2, 0);
	read(fd[0], &c, 1);

	/* Another process's write wakes a poll that waits for ever. */
	child = fork();
	if (child == 0) {
		struct timespec t = { 0, 50000000 };

		nanosleep(&t, NULL);
		write(fd[1], "b", 1);
		_exit(0);
	}
	show_poll("woken by the child", p, 1, -1);
	waitpid(child, &st, 0);
	read(fd[0], &c, 1);

	/* select and pselect the same way. */
	{
		fd_set r, w;
		struct timeval tv = { 0, 20000 };
		struct timespec ts = { 0, 20000000 };

		FD_ZERO(&r);
		FD_SET(fd[0], &r);
		SHOW("select, empty, 20 ms", select(fd[0] + 1, &r, NULL, NULL, &tv));
		printf("read set %d\n", FD_ISSET(fd[0], &r));
		write(fd[1], "c", 1);
		FD_ZERO(&r);
		FD_SET(fd[0], &r);
		FD_ZERO(&w);
		FD_SET(fd[1], &w);
		SHOW("pselect, data", pselect(fd[1] + 1, &r, &w, NULL, &ts, NULL));
		printf("read set %d write set %d\n", FD_ISSET(fd[0], &r), FD_ISSET(fd[1], &w));
		/* Below 64: Linux looks only as far as its table has grown. */
		close(50); /* a test runner may have left it open */
		FD_ZERO(&r);
		FD_SET(50, &r);
		SHOW("select of a bad descriptor", select(51, &r, NULL, NULL, &tv));
		read(fd[0], &c, 1);
	}

	/* ppoll with a timespec. */
	{
		struct timespec ts = { 0, 10000000 };

		SHOW("ppoll, empty, 10 ms", ppoll(p, 1, &ts, NULL));
	}

	/* The ends' hang-up and error. */
	close(fd[1]);
	show_poll("no writer left", p, 1, 0);
	pipe(fd);
	close(fd[0]);
	p[1].fd = fd[1];
	show_poll("no reader left", &p[1], 1, 0);
	close(fd[1]);

	/* Files are always ready; negative descriptors are skipped; bad ones
	 * are POLLNVAL. */
	{
		int f = open("polls.tmp", O_CREAT | O_RDWR | O_TRUNC, 0600);

		p[0] = (struct pollfd){ f, POLLIN | POLLOUT, 0 };
		p[1] = (struct pollfd){ -1, POLLIN, 0 };
		close(99);
		p[2] = (struct pollfd){ 99, POLLIN, 0 };
		show_poll("file, skipped, bad", p, 3, 0);
		close(f);
		unlink("polls.tmp");
	}
	SHOW("poll of nothing, 10 ms", poll(NULL, 0, 10));
	struct pollfd *volatile bad = (struct pollfd *)8;
	SHOW("poll bad pointer", poll(bad, 1, 0));
	return 0;
}
