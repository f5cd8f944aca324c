/*
 * Descriptors: lowest free number, dup/dup2/dup3/F_DUPFD, close-on-exec,
 * shared offsets and status flags, RLIMIT_NOFILE and running out,
 * ioctl on a file, writev to standard output.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <termios.h>
#include <unistd.h>

#include "common.h"

#define SHOWN_FL (O_ACCMODE | O_APPEND | O_NONBLOCK)

int
main(void)
{
	struct rlimit rl, small;
	struct termios t;
	struct iovec iov[3];
	char buf[32];
	int fd, fd2, n;

	umask(022);
	fd = open("lt_fds.txt", O_CREAT | O_RDWR | O_TRUNC, 0644);
	SHOW("open", fd);
	SHOW("dup", (fd2 = dup(fd)));
	SHOW("dup2 to 10", dup2(fd, 10));
	SHOW("dup2 to itself", dup2(10, 10));
	SHOW("F_GETFD 10", fcntl(10, F_GETFD));
	SHOW("dup3 cloexec to 11", dup3(fd, 11, O_CLOEXEC));
	SHOW("F_GETFD 11", fcntl(11, F_GETFD));
	SHOW("F_SETFD 11 0", fcntl(11, F_SETFD, 0));
	SHOW("F_GETFD 11 again", fcntl(11, F_GETFD));
	SHOW("F_DUPFD 20", fcntl(fd, F_DUPFD, 20));
	SHOW("F_DUPFD 20 again", fcntl(fd, F_DUPFD, 20));
	SHOW("F_DUPFD_CLOEXEC 30", fcntl(fd, F_DUPFD_CLOEXEC, 30));
	SHOW("F_GETFD 30", fcntl(30, F_GETFD));
	SHOW("dup3 same fd", dup3(fd, fd, 0));

	/* One open file description behind them all: one offset. */
	SHOW("write via fd", write(fd, "abcdef", 6));
	SHOW("offset via dup", lseek(fd2, 0, SEEK_CUR));
	SHOW("seek via 10", lseek(10, 2, SEEK_SET));
	n = (int)read(fd, buf, 2);
	printf("read via fd %d: %.2s\n", n, buf);
	SHOW("F_GETFL", fcntl(fd, F_GETFL) & SHOWN_FL);
	SHOW("F_SETFL append", fcntl(fd, F_SETFL, O_APPEND | O_NONBLOCK));
	SHOW("F_GETFL via dup", fcntl(fd2, F_GETFL) & SHOWN_FL);
	SHOW("write appends", (lseek(fd2, 0, SEEK_SET), write(fd2, "gh", 2)));
	SHOW("offset after append", lseek(fd, 0, SEEK_CUR));
	SHOW("F_SETLK", ({
		     struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
		     fcntl(fd, F_SETLK, &fl);
	     }));

	SHOW("close dup", close(fd2));
	SHOW("close dup again", close(fd2));
	SHOW("read closed", read(fd2, buf, 1));
	SHOW("lowest free", (fd2 = open("lt_fds.txt", O_RDONLY)));
	close(fd2);
	for (int i = 10; i <= 30; i++)
		close(i);

	/* RLIMIT_NOFILE: lowered, then run out. */
	SHOW("getrlimit", getrlimit(RLIMIT_NOFILE, &rl));
	small.rlim_cur = 16;
	small.rlim_max = rl.rlim_max;
	SHOW("setrlimit 16", setrlimit(RLIMIT_NOFILE, &small));
	SHOW("getrlimit again", (getrlimit(RLIMIT_NOFILE, &rl), (long)rl.rlim_cur));
	n = 0;
	while (dup(fd) >= 0)
		n++;
	printf("dups until %s: %d\n", errno_name(errno), n);
	SHOW("dup2 at the limit", dup2(fd, 16));
	SHOW("F_DUPFD at the limit", fcntl(fd, F_DUPFD, 16));
	SHOW("raise above hard", ({
		     struct rlimit big = { rl.rlim_max, rl.rlim_max == RLIM_INFINITY ? RLIM_INFINITY : rl.rlim_max + 1 };
		     rl.rlim_max == RLIM_INFINITY ? -1 : setrlimit(RLIMIT_NOFILE, &big);
	     }));
	for (int i = fd + 1; i < 16; i++)
		close(i);

	SHOW("TCGETS on a file", ioctl(fd, TCGETS, &t));
	SHOW("isatty file", isatty(fd));
	SHOW("lseek stdout", lseek(1, 0, SEEK_CUR));
	fflush(stdout);
	iov[0] = (struct iovec){ "writev ", 7 };
	iov[1] = (struct iovec){ "to ", 3 };
	iov[2] = (struct iovec){ "stdout\n", 7 };
	n = (int)writev(1, iov, 3);
	printf("writev = %d\n", n);
	close(fd);
	SHOW("unlink", unlink("lt_fds.txt"));
	return 0;
}
