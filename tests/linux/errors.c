/*
 * Bad arguments: bad descriptors, bad pointers, bad lengths and flags,
 * each through the raw system call (no C library check in between), and
 * the errno Linux gives for it.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

#define BAD_PTR ((void *)16)

int
main(void)
{
	char buf[64], *longpath;
	struct timespec ts = { 0, 2000000000l };
	struct iovec iov = { buf, 4 };
	int fd, dfd;

	umask(022);
	fd = (int)syscall(SYS_openat, AT_FDCWD, "lt_err.txt", O_CREAT | O_RDWR | O_TRUNC, 0644);
	SHOW("openat", fd);
	syscall(SYS_write, fd, "data", 4);
	dfd = (int)syscall(SYS_openat, AT_FDCWD, ".", O_RDONLY | O_DIRECTORY);
	SHOW("openat dir", dfd);

	SHOW("read bad fd", syscall(SYS_read, 99, buf, 1));
	SHOW("write fd -1", syscall(SYS_write, -1, buf, 1));
	SHOW("close -1", syscall(SYS_close, -1));
	SHOW("close 5000", syscall(SYS_close, 5000));
	SHOW("fstat bad fd", syscall(SYS_fstat, 77, buf));
	SHOW("lseek bad fd", syscall(SYS_lseek, 77, 0, SEEK_SET));
	SHOW("dup bad fd", syscall(SYS_dup, 77));
	SHOW("dup3 to -1", syscall(SYS_dup3, fd, -1, 0));
	SHOW("dup3 same", syscall(SYS_dup3, fd, fd, 0));
	SHOW("dup3 bad flags", syscall(SYS_dup3, fd, 40, 1));
	SHOW("fcntl bad cmd", syscall(SYS_fcntl, fd, 9999, 0));
	SHOW("openat bad dirfd", syscall(SYS_openat, 77, "x", O_RDONLY));
	SHOW("openat file as dirfd", syscall(SYS_openat, fd, "x", O_RDONLY));
	SHOW("openat bad access mode", syscall(SYS_openat, AT_FDCWD, "lt_err.txt", 3));

	SHOW("read into bad pointer", (syscall(SYS_lseek, fd, 0, SEEK_SET),
				       syscall(SYS_read, fd, BAD_PTR, 4)));
	SHOW("write from bad pointer", syscall(SYS_write, fd, BAD_PTR, 4));
	SHOW("write to stdout from bad pointer", syscall(SYS_write, 1, BAD_PTR, 4));
	SHOW("pread negative offset", syscall(SYS_pread64, fd, buf, 4, -1l));
	SHOW("openat bad path pointer", syscall(SYS_openat, AT_FDCWD, BAD_PTR, O_RDONLY));
	SHOW("fstat bad buffer", syscall(SYS_fstat, fd, BAD_PTR));
	SHOW("newfstatat bad buffer", syscall(SYS_newfstatat, AT_FDCWD, "lt_err.txt", BAD_PTR, 0));
	SHOW("newfstatat bad flags", syscall(SYS_newfstatat, AT_FDCWD, "lt_err.txt", buf, 0x4));
	SHOW("uname bad pointer", syscall(SYS_uname, BAD_PTR));
	SHOW("clock_gettime bad pointer", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, BAD_PTR));
	SHOW("clock_gettime bad clock", syscall(SYS_clock_gettime, 99, buf));
	SHOW("nanosleep bad nsec", syscall(SYS_nanosleep, &ts, NULL));
	SHOW("clock_nanosleep bad clock", syscall(SYS_clock_nanosleep, 99, 0, &ts, NULL));
	SHOW("clock_nanosleep bad nsec", syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &ts, NULL));
	SHOW("getrandom bad flags", syscall(SYS_getrandom, buf, 4, 0x100));
	SHOW("getrandom bad pointer", syscall(SYS_getrandom, BAD_PTR, 4, 0));
	SHOW("writev bad count", syscall(SYS_writev, fd, &iov, -1));
	SHOW("writev too many", syscall(SYS_writev, fd, &iov, 2000));
	SHOW("writev bad vector", syscall(SYS_writev, fd, BAD_PTR, 1));
	SHOW("readv bad buffer", (iov.iov_base = BAD_PTR, syscall(SYS_lseek, fd, 0, SEEK_SET),
				  syscall(SYS_readv, fd, &iov, 1)));
	SHOW("rt_sigaction SIGKILL", ({
		     uint64_t act[4] = { 0 };
		     syscall(SYS_rt_sigaction, SIGKILL, act, NULL, 8);
	     }));
	SHOW("rt_sigaction bad size", syscall(SYS_rt_sigaction, SIGUSR1, NULL, buf, 4));
	SHOW("rt_sigaction signal 0", syscall(SYS_rt_sigaction, 0, NULL, buf, 8));
	SHOW("rt_sigprocmask bad how", ({
		     uint64_t set = 0;
		     syscall(SYS_rt_sigprocmask, 7, &set, NULL, 8);
	     }));
	SHOW("prlimit64 bad resource", syscall(SYS_prlimit64, 0, 99, NULL, buf));
	SHOW("getcwd too small", syscall(SYS_getcwd, buf, 1));
	SHOW("getcwd bad pointer", syscall(SYS_getcwd, BAD_PTR, 4096));
	SHOW("readlinkat not a link", syscall(SYS_readlinkat, AT_FDCWD, "lt_err.txt", buf, 64));
	SHOW("readlinkat size 0", syscall(SYS_readlinkat, AT_FDCWD, "lt_err.txt", buf, 0));
	SHOW("chdir missing", syscall(SYS_chdir, "no/such/dir"));
	SHOW("chdir to a file", syscall(SYS_chdir, "lt_err.txt"));
	SHOW("fchdir to a file", syscall(SYS_fchdir, fd));
	SHOW("unlinkat empty", syscall(SYS_unlinkat, AT_FDCWD, "", 0));
	SHOW("unlinkat bad flags", syscall(SYS_unlinkat, AT_FDCWD, "lt_err.txt", 0x1));
	SHOW("mkdirat missing parent", syscall(SYS_mkdirat, AT_FDCWD, "no/such", 0755));
	SHOW("renameat2 missing", syscall(SYS_renameat2, AT_FDCWD, "nothing", AT_FDCWD, "x", 0));
	SHOW("getdents64 on a file", syscall(SYS_getdents64, fd, buf, sizeof(buf)));
	SHOW("getdents64 tiny buffer", syscall(SYS_getdents64, dfd, buf, 8));
	SHOW("ftruncate negative", syscall(SYS_ftruncate, fd, -1l));
	SHOW("ftruncate a directory", syscall(SYS_ftruncate, dfd, 0));
	SHOW("lseek negative", syscall(SYS_lseek, fd, -10l, SEEK_SET));
	SHOW("lseek bad whence", syscall(SYS_lseek, fd, 0, 17));
	SHOW("read a directory", syscall(SYS_read, dfd, buf, 4));
	SHOW("mmap bad fd", (long)syscall(SYS_mmap, NULL, 4096, 1, 2, 77, 0));
	SHOW("mmap bad type", (long)syscall(SYS_mmap, NULL, 4096, 1, 0x20, -1, 0));
	SHOW("munmap length 0", syscall(SYS_munmap, buf, 0));
	SHOW("faccessat bad mode", syscall(SYS_faccessat, AT_FDCWD, "lt_err.txt", 8));
	SHOW("utimensat bad nsec", ({
		     struct timespec t[2] = { { 0, 5000000000l }, { 0, 0 } };
		     syscall(SYS_utimensat, AT_FDCWD, "lt_err.txt", t, 0);
	     }));

	/* A number no kernel has given a call yet, twice (ThemeliOS logs it once). */
	SHOW("unknown system call", syscall(500));
	SHOW("unknown system call again", syscall(500));

	longpath = malloc(5000);
	memset(longpath, 'a', 4999);
	longpath[4999] = '\0';
	SHOW("openat path too long", syscall(SYS_openat, AT_FDCWD, longpath, O_RDONLY));
	free(longpath);

	syscall(SYS_close, dfd);
	syscall(SYS_close, fd);
	SHOW("unlinkat", syscall(SYS_unlinkat, AT_FDCWD, "lt_err.txt", 0));
	return 0;
}
