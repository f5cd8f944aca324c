/*
 * Pipes: a parent and child pipeline with a large transfer and EOF,
 * the 64 KiB capacity (O_NONBLOCK fills it), EPIPE with SIGPIPE ignored
 * and a writer killed by SIGPIPE, dup2 onto stdout, and what fstat,
 * fcntl, lseek and FIONREAD say of an end.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

#define BIG (1u << 20)

static uint32_t
next(uint32_t *x)
{
	*x = *x * 1103515245u + 12345u;
	return *x >> 8;
}

int
main(void)
{
	static unsigned char buf[65536];
	int fd[2], st;
	pid_t c;

	setvbuf(stdout, NULL, _IONBF, 0);

	/* A megabyte through the pipe, in odd-sized writes and reads. */
	SHOW("pipe", pipe(fd));
	c = fork();
	if (c == 0) {
		uint32_t x = 1;
		size_t done = 0;

		close(fd[0]);
		while (done < BIG) {
			size_t n = 1 + next(&x) % 9000;

			if (n > BIG - done)
				n = BIG - done;
			for (size_t i = 0; i < n; i++)
				buf[i] = (unsigned char)(done + i) * 7;
			if (write(fd[1], buf, n) != (ssize_t)n)
				_exit(1);
			done += n;
		}
		_exit(0);
	}
	close(fd[1]);
	{
		size_t total = 0, bad = 0;
		ssize_t n;

		while ((n = read(fd[0], buf, 5000)) > 0) {
			for (ssize_t i = 0; i < n; i++)
				bad += buf[i] != (unsigned char)((total + (size_t)i) * 7);
			total += (size_t)n;
		}
		printf("read %zu bytes, %zu wrong, then %zd (EOF)\n", total, bad, n);
	}
	waitpid(c, &st, 0);
	printf("writer exited %d\n", WEXITSTATUS(st));
	close(fd[0]);

	/* Non-blocking: empty reads say EAGAIN; writes fill 64 KiB. */
	SHOW("pipe2 O_NONBLOCK|O_CLOEXEC", pipe2(fd, O_NONBLOCK | O_CLOEXEC));
	SHOW("read of an empty pipe", read(fd[0], buf, 1));
	{
		size_t filled = 0;
		ssize_t n;

		while ((n = write(fd[1], buf, 4096)) > 0)
			filled += (size_t)n;
		printf("filled %zu bytes, then %s\n", filled, errno_name(errno));
		int avail = -1;
		SHOW("FIONREAD", ioctl(fd[0], FIONREAD, &avail));
		printf("FIONREAD says %d\n", avail);
	}
	SHOW("F_GETFL read end", fcntl(fd[0], F_GETFL) & (O_ACCMODE | O_NONBLOCK));
	SHOW("F_GETFL write end", fcntl(fd[1], F_GETFL) & (O_ACCMODE | O_NONBLOCK));
	SHOW("F_GETFD", fcntl(fd[0], F_GETFD));
	SHOW("lseek", lseek(fd[0], 0, SEEK_SET));
	{
		struct stat a, b;

		SHOW("fstat", fstat(fd[0], &a));
		fstat(fd[1], &b);
		printf("fifo %d, same inode both ends %d\n", S_ISFIFO(a.st_mode),
		       a.st_ino == b.st_ino);
	}
	SHOW("write to the read end", write(fd[0], buf, 1));
	SHOW("read from the write end", read(fd[1], buf, 1));
	close(fd[0]);

	/* No reader: EPIPE when SIGPIPE is ignored. */
	signal(SIGPIPE, SIG_IGN);
	SHOW("write with no reader", write(fd[1], buf, 1));
	close(fd[1]);

	/* ...and the default kills the writer (which waits for the reader
	 * to have gone: sync's end). */
	signal(SIGPIPE, SIG_DFL);
	{
		int sync[2];

		pipe(fd);
		pipe(sync);
		c = fork();
		if (c == 0) {
			close(fd[0]);
			close(sync[1]);
			read(sync[0], &st, 1);
			write(fd[1], "x", 1);
			_exit(3);
		}
		close(fd[0]);
		close(fd[1]);
		close(sync[0]);
		close(sync[1]);
	}
	waitpid(c, &st, 0);
	printf("writer after the reader left: signaled %d signal %d\n", WIFSIGNALED(st),
	       WIFSIGNALED(st) ? WTERMSIG(st) : 0);

	/* dup2 onto stdout: what the child prints comes through the pipe. */
	pipe(fd);
	c = fork();
	if (c == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		printf("hello from the child's stdout\n");
		_exit(0);
	}
	close(fd[1]);
	{
		size_t got = 0;
		ssize_t n;

		while ((n = read(fd[0], buf + got, sizeof(buf) - 1 - got)) > 0)
			got += (size_t)n;
		buf[got] = 0;
		printf("parent read %zu bytes, then %zd: %s", got, n, buf);
	}
	waitpid(c, &st, 0);
	close(fd[0]);

	/* Bad arguments. */
	SHOW("pipe2 bad flags", pipe2(fd, 0x1));
	int *volatile bad = (int *)8;
	SHOW("pipe bad pointer", pipe(bad));
	return 0;
}
