/* ThemeliOS error codes to Linux errno values (linux/errno.h). */
#include "linux/errno.h"

#include "themelios/errno.h"

/* Indexed by E_*; E_NOCAP and E_TYPE name capabilities, which a Linux
 * program only ever holds as descriptors: a bad descriptor. */
static const unsigned char errno_map[E_MAX] = {
	[E_OK] = 0,
	[E_INVAL] = LX_EINVAL,
	[E_NOMEM] = LX_ENOMEM,
	[E_NOCAP] = LX_EBADF,
	[E_TYPE] = LX_EBADF,
	[E_PERM] = LX_EACCES,
	[E_FAULT] = LX_EFAULT,
	[E_RANGE] = LX_ERANGE,
	[E_BUSY] = LX_EBUSY,
	[E_AGAIN] = LX_EAGAIN,
	[E_NOENT] = LX_ENOENT,
	[E_EXIST] = LX_EEXIST,
	[E_REVOKED] = LX_EBADF,
	[E_NOSYS] = LX_ENOSYS,
	[E_DEAD] = LX_ESRCH,
	[E_TIMEOUT] = LX_ETIMEDOUT,
	[E_CORRUPT] = LX_EIO,
	[E_NOTSUP] = LX_EOPNOTSUPP,
	[E_IO] = LX_EIO,
	[E_NOTDIR] = LX_ENOTDIR,
	[E_ISDIR] = LX_EISDIR,
	[E_NAMETOOLONG] = LX_ENAMETOOLONG,
	[E_LOOP] = LX_ELOOP,
	[E_ROFS] = LX_EROFS,
	[E_NOSPC] = LX_ENOSPC,
	[E_NOTEMPTY] = LX_ENOTEMPTY,
	[E_XDEV] = LX_EXDEV,
	[E_CONNREFUSED] = LX_ECONNREFUSED,
	[E_CONNRESET] = LX_ECONNRESET,
	[E_ADDRINUSE] = LX_EADDRINUSE,
	[E_TIMEDOUT] = LX_ETIMEDOUT,
	[E_NOTCONN] = LX_ENOTCONN,
	[E_PIPE] = LX_EPIPE,
	[E_ISCONN] = LX_EISCONN,
};

long
linux_errno(long err)
{
	if (err >= 0)
		return err;
	if (-err >= E_MAX)
		return -LX_EINVAL;
	return -(long)errno_map[-err];
}
