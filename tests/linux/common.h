/*
 * Shared by the Linux test programs: each prints what it observes, one
 * line per check, deterministically (nothing that differs between runs
 * or machines: no pids, times, inode numbers or addresses), so that its
 * output under ThemeliOS must equal its output under Linux.
 */
#ifndef TESTS_LINUX_COMMON_H
#define TESTS_LINUX_COMMON_H

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>

/* Free memory in 4 KiB pages as sysinfo gives it: inside ThemeliOS the
 * process's pool, which the guest programs that check charges read. */
static inline long
free_pages(void)
{
	struct sysinfo si;

	sysinfo(&si);
	return (long)(si.freeram * si.mem_unit / 4096);
}

/* A call's result as the program sees it: the value, or the errno's name. */
static inline const char *
errno_name(int e)
{
	switch (e) {
	case EPERM: return "EPERM";
	case EINTR: return "EINTR";
	case ESRCH: return "ESRCH";
	case ETIMEDOUT: return "ETIMEDOUT";
	case ENOSPC: return "ENOSPC";
	case ENXIO: return "ENXIO";
	case ENOENT: return "ENOENT";
	case ECHILD: return "ECHILD";
	case EPIPE: return "EPIPE";
	case ENOEXEC: return "ENOEXEC";
	case E2BIG: return "E2BIG";
	case EBADF: return "EBADF";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EEXIST: return "EEXIST";
	case EXDEV: return "EXDEV";
	case ENOTDIR: return "ENOTDIR";
	case EISDIR: return "EISDIR";
	case EINVAL: return "EINVAL";
	case EMFILE: return "EMFILE";
	case ENOTTY: return "ENOTTY";
	case ESPIPE: return "ESPIPE";
	case EROFS: return "EROFS";
	case ERANGE: return "ERANGE";
	case ENAMETOOLONG: return "ENAMETOOLONG";
	case ENOSYS: return "ENOSYS";
	case ENOTEMPTY: return "ENOTEMPTY";
	case ELOOP: return "ELOOP";
	case EOVERFLOW: return "EOVERFLOW";
	default: return "E?";
	}
}

/* Prints "what = value", or "what = -1 NAME" when the call failed. */
#define SHOW(what, expr)                                                                 \
	do {                                                                             \
		errno = 0;                                                               \
		long show_r_ = (long)(expr);                                             \
		if (show_r_ < 0)                                                         \
			printf("%s = %ld %s\n", (what), show_r_, errno_name(errno));     \
		else                                                                     \
			printf("%s = %ld\n", (what), show_r_);                           \
	} while (0)

/* A wait status as the program sees it. */
static inline void
show_status(const char *what, int st)
{
	if (WIFEXITED(st))
		printf("%s: exited %d\n", what, WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		printf("%s: killed by signal %d\n", what, WTERMSIG(st));
	else
		printf("%s: status %#x\n", what, st);
}

#endif
