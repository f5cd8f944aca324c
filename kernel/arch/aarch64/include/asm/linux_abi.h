/*
 * The Linux system-call ABI of aarch64 (kernel/linux/): the call numbers
 * (include/uapi/asm-generic/unistd.h: only the *at forms), struct stat
 * (asm-generic/stat.h), and the open flags whose values differ between
 * architectures.  LINUX_CALLS as on x86_64 (its linux_abi.h).
 */
#ifndef ASM_LINUX_ABI_H
#define ASM_LINUX_ABI_H

#include <stdint.h>

#define LINUX_MACHINE		 "aarch64"

/* A system register touched from EL0: SIGILL, ILL_ILLOPC (linux/signal.c). */
#define LINUX_PRIVILEGED_SIGNAL	 4
#define LINUX_PRIVILEGED_SI_CODE 1
/* An undefined instruction: SIGILL with ILL_ILLOPC. */
#define LINUX_ILLEGAL_SI_CODE	 1

/* clone(flags, stack, parent_tid, tls, child_tid) */
#define LX_CLONE_TLS_ARG	 3
#define LX_CLONE_CTID_ARG	 4

#define LX_O_DIRECTORY		 040000
#define LX_O_NOFOLLOW		 0100000
#define LX_O_DIRECT		 0200000
#define LX_O_LARGEFILE		 0400000

struct linux_stat {
	uint64_t st_dev;
	uint64_t st_ino;
	uint32_t st_mode;
	uint32_t st_nlink;
	uint32_t st_uid;
	uint32_t st_gid;
	uint64_t st_rdev;
	uint64_t pad1;
	int64_t st_size;
	int32_t st_blksize;
	int32_t pad2;
	int64_t st_blocks;
	int64_t st_atime_sec;
	int64_t st_atime_nsec;
	int64_t st_mtime_sec;
	int64_t st_mtime_nsec;
	int64_t st_ctime_sec;
	int64_t st_ctime_nsec;
	uint32_t unused4;
	uint32_t unused5;
};
_Static_assert(sizeof(struct linux_stat) == 128, "asm-generic struct stat");

#define LINUX_CALLS(IMPL, NONE)         \
	IMPL(17, getcwd, 2)             \
	NONE(19, eventfd2)              \
	NONE(20, epoll_create1)         \
	NONE(21, epoll_ctl)             \
	NONE(22, epoll_pwait)           \
	IMPL(23, dup, 1)                \
	IMPL(24, dup3, 3)               \
	IMPL(25, fcntl, 3)              \
	IMPL(29, ioctl, 3)              \
	IMPL(32, flock, 2)              \
	NONE(33, mknodat)               \
	IMPL(34, mkdirat, 3)            \
	IMPL(35, unlinkat, 3)           \
	IMPL(36, symlinkat, 3)          \
	IMPL(37, linkat, 5)             \
	IMPL(38, renameat, 4)           \
	IMPL(43, statfs, 2)             \
	IMPL(44, fstatfs, 2)            \
	IMPL(45, truncate, 2)           \
	IMPL(46, ftruncate, 2)          \
	NONE(47, fallocate)             \
	IMPL(48, faccessat, 3)          \
	IMPL(49, chdir, 1)              \
	IMPL(50, fchdir, 1)             \
	IMPL(52, fchmod, 2)             \
	IMPL(53, fchmodat, 3)           \
	IMPL(54, fchownat, 5)           \
	IMPL(55, fchown, 3)             \
	IMPL(56, openat, 4)             \
	IMPL(57, close, 1)              \
	IMPL(59, pipe2, 2)              \
	IMPL(61, getdents64, 3)         \
	IMPL(62, lseek, 3)              \
	IMPL(63, read, 3)               \
	IMPL(64, write, 3)              \
	IMPL(65, readv, 3)              \
	IMPL(66, writev, 3)             \
	IMPL(67, pread64, 4)            \
	IMPL(68, pwrite64, 4)           \
	NONE(71, sendfile)              \
	IMPL(72, pselect6, 6)           \
	IMPL(73, ppoll, 5)              \
	IMPL(78, readlinkat, 4)         \
	IMPL(79, newfstatat, 4)         \
	IMPL(80, fstat, 2)              \
	IMPL(82, fsync, 1)              \
	IMPL(83, fdatasync, 1)          \
	IMPL(88, utimensat, 4)          \
	IMPL(93, exit, 1)               \
	IMPL(94, exit_group, 1)         \
	IMPL(95, waitid, 5)             \
	IMPL(96, set_tid_address, 1)    \
	IMPL(97, unshare, 1)            \
	IMPL(98, futex, 6)              \
	IMPL(99, set_robust_list, 2)    \
	IMPL(101, nanosleep, 2)         \
	IMPL(102, getitimer, 2)         \
	IMPL(103, setitimer, 3)         \
	IMPL(112, clock_settime, 2)     \
	IMPL(113, clock_gettime, 2)     \
	IMPL(114, clock_getres, 2)      \
	IMPL(115, clock_nanosleep, 4)   \
	IMPL(123, sched_getaffinity, 3) \
	IMPL(124, sched_yield, 0)       \
	IMPL(129, kill, 2)              \
	IMPL(130, tkill, 2)             \
	IMPL(131, tgkill, 3)            \
	IMPL(132, sigaltstack, 2)       \
	IMPL(133, rt_sigsuspend, 2)     \
	IMPL(134, rt_sigaction, 4)      \
	IMPL(135, rt_sigprocmask, 4)    \
	IMPL(136, rt_sigpending, 2)     \
	IMPL(137, rt_sigtimedwait, 4)   \
	IMPL(138, rt_sigqueueinfo, 3)   \
	IMPL(139, rt_sigreturn, 0)      \
	IMPL(153, times, 1)             \
	IMPL(154, setpgid, 2)           \
	IMPL(155, getpgid, 1)           \
	IMPL(156, getsid, 1)            \
	IMPL(157, setsid, 0)            \
	IMPL(160, uname, 1)             \
	IMPL(163, getrlimit, 2)         \
	IMPL(164, setrlimit, 2)         \
	IMPL(165, getrusage, 2)         \
	IMPL(166, umask, 1)             \
	IMPL(167, prctl, 5)             \
	IMPL(169, gettimeofday, 2)      \
	IMPL(170, settimeofday, 2)      \
	IMPL(172, getpid, 0)            \
	IMPL(173, getppid, 0)           \
	IMPL(174, getuid, 0)            \
	IMPL(175, geteuid, 0)           \
	IMPL(176, getgid, 0)            \
	IMPL(177, getegid, 0)           \
	IMPL(178, gettid, 0)            \
	IMPL(179, sysinfo, 1)           \
	NONE(198, socket)               \
	IMPL(214, brk, 1)               \
	IMPL(215, munmap, 2)            \
	IMPL(216, mremap, 5)            \
	IMPL(220, clone, 5)             \
	IMPL(221, execve, 3)            \
	IMPL(222, mmap, 6)              \
	IMPL(226, mprotect, 3)          \
	IMPL(227, msync, 3)             \
	IMPL(233, madvise, 3)           \
	IMPL(240, rt_tgsigqueueinfo, 4) \
	IMPL(260, wait4, 4)             \
	IMPL(261, prlimit64, 4)         \
	IMPL(276, renameat2, 5)         \
	IMPL(278, getrandom, 3)         \
	IMPL(281, execveat, 5)          \
	IMPL(291, statx, 5)             \
	IMPL(293, rseq, 4)              \
	IMPL(435, clone3, 2)            \
	IMPL(439, faccessat2, 4)

#endif
