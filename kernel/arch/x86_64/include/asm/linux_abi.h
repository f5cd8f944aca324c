/*
 * The Linux system-call ABI of x86_64 (kernel/linux/): the call numbers
 * (arch/x86/entry/syscalls/syscall_64.tbl), struct stat, and the open
 * flags whose values differ between architectures.
 *
 * LINUX_CALLS(IMPL, NONE): IMPL(nr, name, nargs) for a call the kernel
 * implements (handler lx_sys_<name>), NONE(nr, name) for one known by
 * name only (-ENOSYS, logged once).
 */
#ifndef ASM_LINUX_ABI_H
#define ASM_LINUX_ABI_H

#include <stdint.h>

#define LINUX_MACHINE		 "x86_64"

/* A general protection fault: SIGSEGV, SI_KERNEL (linux/signal.c). */
#define LINUX_PRIVILEGED_SIGNAL	 11
#define LINUX_PRIVILEGED_SI_CODE 0x80
/* #UD: SIGILL with ILL_ILLOPN (arch/x86/kernel/traps.c). */
#define LINUX_ILLEGAL_SI_CODE	 2

/* clone(flags, stack, parent_tid, child_tid, tls) */
#define LX_CLONE_TLS_ARG	 4
#define LX_CLONE_CTID_ARG	 3

#define LX_O_DIRECTORY		 0200000
#define LX_O_NOFOLLOW		 0400000
#define LX_O_DIRECT		 040000
#define LX_O_LARGEFILE		 0100000

struct linux_stat {
	uint64_t st_dev;
	uint64_t st_ino;
	uint64_t st_nlink;
	uint32_t st_mode;
	uint32_t st_uid;
	uint32_t st_gid;
	uint32_t pad0;
	uint64_t st_rdev;
	int64_t st_size;
	int64_t st_blksize;
	int64_t st_blocks;
	int64_t st_atime_sec;
	int64_t st_atime_nsec;
	int64_t st_mtime_sec;
	int64_t st_mtime_nsec;
	int64_t st_ctime_sec;
	int64_t st_ctime_nsec;
	int64_t unused[3];
};
_Static_assert(sizeof(struct linux_stat) == 144, "x86_64 struct stat");

#define LINUX_CALLS(IMPL, NONE)         \
	IMPL(0, read, 3)                \
	IMPL(1, write, 3)               \
	IMPL(2, open, 3)                \
	IMPL(3, close, 1)               \
	IMPL(4, stat, 2)                \
	IMPL(5, fstat, 2)               \
	IMPL(6, lstat, 2)               \
	IMPL(7, poll, 3)                \
	IMPL(8, lseek, 3)               \
	IMPL(9, mmap, 6)                \
	IMPL(10, mprotect, 3)           \
	IMPL(11, munmap, 2)             \
	IMPL(12, brk, 1)                \
	IMPL(13, rt_sigaction, 4)       \
	IMPL(14, rt_sigprocmask, 4)     \
	IMPL(15, rt_sigreturn, 0)       \
	IMPL(16, ioctl, 3)              \
	IMPL(17, pread64, 4)            \
	IMPL(18, pwrite64, 4)           \
	IMPL(19, readv, 3)              \
	IMPL(20, writev, 3)             \
	IMPL(21, access, 2)             \
	IMPL(22, pipe, 1)               \
	IMPL(23, select, 5)             \
	IMPL(24, sched_yield, 0)        \
	IMPL(25, mremap, 5)             \
	IMPL(26, msync, 3)              \
	NONE(27, mincore)               \
	IMPL(28, madvise, 3)            \
	IMPL(32, dup, 1)                \
	IMPL(33, dup2, 2)               \
	IMPL(34, pause, 0)              \
	IMPL(35, nanosleep, 2)          \
	IMPL(36, getitimer, 2)          \
	IMPL(37, alarm, 1)              \
	IMPL(38, setitimer, 3)          \
	IMPL(39, getpid, 0)             \
	NONE(40, sendfile)              \
	NONE(41, socket)                \
	IMPL(56, clone, 5)              \
	IMPL(57, fork, 0)               \
	IMPL(58, vfork, 0)              \
	IMPL(59, execve, 3)             \
	IMPL(60, exit, 1)               \
	IMPL(61, wait4, 4)              \
	IMPL(62, kill, 2)               \
	IMPL(63, uname, 1)              \
	IMPL(72, fcntl, 3)              \
	IMPL(73, flock, 2)              \
	IMPL(74, fsync, 1)              \
	IMPL(75, fdatasync, 1)          \
	IMPL(76, truncate, 2)           \
	IMPL(77, ftruncate, 2)          \
	NONE(78, getdents)              \
	IMPL(79, getcwd, 2)             \
	IMPL(80, chdir, 1)              \
	IMPL(81, fchdir, 1)             \
	IMPL(82, rename, 2)             \
	IMPL(83, mkdir, 2)              \
	IMPL(84, rmdir, 1)              \
	IMPL(85, creat, 2)              \
	IMPL(86, link, 2)               \
	IMPL(87, unlink, 1)             \
	IMPL(88, symlink, 2)            \
	IMPL(89, readlink, 3)           \
	IMPL(90, chmod, 2)              \
	IMPL(91, fchmod, 2)             \
	IMPL(92, chown, 3)              \
	IMPL(93, fchown, 3)             \
	IMPL(94, lchown, 3)             \
	IMPL(95, umask, 1)              \
	IMPL(96, gettimeofday, 2)       \
	IMPL(97, getrlimit, 2)          \
	IMPL(98, getrusage, 2)          \
	IMPL(99, sysinfo, 1)            \
	IMPL(100, times, 1)             \
	IMPL(102, getuid, 0)            \
	IMPL(104, getgid, 0)            \
	IMPL(107, geteuid, 0)           \
	IMPL(108, getegid, 0)           \
	IMPL(109, setpgid, 2)           \
	IMPL(110, getppid, 0)           \
	IMPL(111, getpgrp, 0)           \
	IMPL(112, setsid, 0)            \
	IMPL(121, getpgid, 1)           \
	IMPL(124, getsid, 1)            \
	IMPL(127, rt_sigpending, 2)     \
	IMPL(128, rt_sigtimedwait, 4)   \
	IMPL(129, rt_sigqueueinfo, 3)   \
	IMPL(130, rt_sigsuspend, 2)     \
	IMPL(131, sigaltstack, 2)       \
	IMPL(137, statfs, 2)            \
	IMPL(138, fstatfs, 2)           \
	IMPL(157, prctl, 5)             \
	IMPL(158, arch_prctl, 2)        \
	IMPL(160, setrlimit, 2)         \
	IMPL(164, settimeofday, 2)      \
	IMPL(186, gettid, 0)            \
	IMPL(200, tkill, 2)             \
	IMPL(201, time, 1)              \
	IMPL(202, futex, 6)             \
	IMPL(204, sched_getaffinity, 3) \
	IMPL(217, getdents64, 3)        \
	IMPL(218, set_tid_address, 1)   \
	IMPL(227, clock_settime, 2)     \
	IMPL(228, clock_gettime, 2)     \
	IMPL(229, clock_getres, 2)      \
	IMPL(230, clock_nanosleep, 4)   \
	IMPL(231, exit_group, 1)        \
	IMPL(234, tgkill, 3)            \
	IMPL(247, waitid, 5)            \
	IMPL(257, openat, 4)            \
	IMPL(258, mkdirat, 3)           \
	IMPL(260, fchownat, 5)          \
	IMPL(262, newfstatat, 4)        \
	IMPL(263, unlinkat, 3)          \
	IMPL(264, renameat, 4)          \
	IMPL(265, linkat, 5)            \
	IMPL(266, symlinkat, 3)         \
	IMPL(267, readlinkat, 4)        \
	IMPL(268, fchmodat, 3)          \
	IMPL(269, faccessat, 3)         \
	IMPL(270, pselect6, 6)          \
	IMPL(271, ppoll, 5)             \
	IMPL(272, unshare, 1)           \
	IMPL(273, set_robust_list, 2)   \
	IMPL(280, utimensat, 4)         \
	NONE(285, fallocate)            \
	IMPL(292, dup3, 3)              \
	IMPL(293, pipe2, 2)             \
	IMPL(297, rt_tgsigqueueinfo, 4) \
	IMPL(302, prlimit64, 4)         \
	IMPL(316, renameat2, 5)         \
	IMPL(318, getrandom, 3)         \
	IMPL(322, execveat, 5)          \
	IMPL(332, statx, 5)             \
	IMPL(334, rseq, 4)              \
	IMPL(435, clone3, 2)            \
	IMPL(439, faccessat2, 4)

#endif
