/*
 * Linux errno values and the translation of ThemeliOS error codes
 * (themelios/errno.h) into them.  Pure, host-tested (test_linux_errno).
 */
#ifndef LINUX_ERRNO_H
#define LINUX_ERRNO_H

#define LX_EPERM	1
#define LX_ENOENT	2
#define LX_ESRCH	3
#define LX_EINTR	4
#define LX_EIO		5
#define LX_ENXIO	6
#define LX_E2BIG	7
#define LX_ENOEXEC	8
#define LX_EBADF	9
#define LX_ECHILD	10
#define LX_EAGAIN	11
#define LX_ENOMEM	12
#define LX_EACCES	13
#define LX_EFAULT	14
#define LX_EBUSY	16
#define LX_EEXIST	17
#define LX_EXDEV	18
#define LX_ENODEV	19
#define LX_ENOTDIR	20
#define LX_EISDIR	21
#define LX_EINVAL	22
#define LX_ENFILE	23
#define LX_EMFILE	24
#define LX_ENOTTY	25
#define LX_EFBIG	27
#define LX_ENOSPC	28
#define LX_ESPIPE	29
#define LX_EROFS	30
#define LX_EMLINK	31
#define LX_EPIPE	32
#define LX_ERANGE	34
#define LX_ENAMETOOLONG 36
#define LX_ENOSYS	38
#define LX_ENOTEMPTY	39
#define LX_ELOOP	40
#define LX_EOVERFLOW	75
#define LX_EBADMSG	74
#define LX_ENOTSOCK	88
#define LX_EOPNOTSUPP	95
#define LX_EADDRINUSE	98
#define LX_ECONNRESET	104
#define LX_EISCONN	106
#define LX_ENOTCONN	107
#define LX_ETIMEDOUT	110
#define LX_ECONNREFUSED 111

/*
 * The Linux errno for a ThemeliOS result: err is 0, a positive value
 * (returned as it is) or -E_*; the answer is the value or -LX_E*.  A code
 * with no closer meaning becomes -LX_EINVAL.
 */
long linux_errno(long err);

#endif
