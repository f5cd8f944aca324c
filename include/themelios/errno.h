/*
 * Error codes shared by the kernel, user space and the host tests.
 * Functions return 0 or a positive value on success and the negated
 * code on failure (-E_INVAL).  docs/syscalls.md lists them.
 */
#ifndef THEMELIOS_ERRNO_H
#define THEMELIOS_ERRNO_H

#define E_OK	      0
#define E_INVAL	      1	 /* malformed argument */
#define E_NOMEM	      2	 /* out of memory or quota */
#define E_NOCAP	      3	 /* slot is empty or out of range */
#define E_TYPE	      4	 /* capability names the wrong object type */
#define E_PERM	      5	 /* capability lacks a right */
#define E_FAULT	      6	 /* bad user pointer */
#define E_RANGE	      7	 /* length or index too large */
#define E_BUSY	      8	 /* resource in use */
#define E_AGAIN	      9	 /* would block */
#define E_NOENT	      10 /* no such object or name */
#define E_EXIST	      11 /* already present */
#define E_REVOKED     12 /* capability was revoked while in use */
#define E_NOSYS	      13 /* no such operation */
#define E_DEAD	      14 /* peer has exited */
#define E_TIMEOUT     15 /* deadline passed */
#define E_CORRUPT     16 /* input data is malformed */
#define E_NOTSUP      17 /* valid but not supported */
#define E_IO	      18 /* a device read failed or data failed verification */
#define E_NOTDIR      19 /* a path component is not a directory */
#define E_ISDIR	      20 /* a directory where a file was wanted */
#define E_NAMETOOLONG 21 /* a name or path longer than allowed */
#define E_LOOP	      22 /* too many symbolic links */
#define E_ROFS	      23 /* a write to a read-only device */
#define E_NOSPC	      24 /* a filesystem or its memory is full */
#define E_NOTEMPTY    25 /* a directory that still has entries */
#define E_XDEV	      26 /* a link or rename across filesystems */
#define E_CONNREFUSED 27 /* the peer refused the connection (RST to our SYN) */
#define E_CONNRESET   28 /* the peer reset the connection */
#define E_ADDRINUSE   29 /* the address and port are taken */
#define E_TIMEDOUT    30 /* the peer stopped answering (retransmissions exhausted) */
#define E_NOTCONN     31 /* the socket is not connected */
#define E_PIPE	      32 /* sending after the sending side was shut down */
#define E_ISCONN      33 /* already connected or listening */
#define E_MAX	      34

#endif
