/*
 * The kernel's copies honour PROT_NONE (docs/linux.md): a call that
 * reads or writes a guard page on the program's behalf fails with EFAULT,
 * as the program's own access would fault, and leaves the guard's data
 * alone.  Guards made from touched pages, fresh mmap(PROT_NONE) ones,
 * buffers that start readable and run into a guard, copy-on-write pages
 * after fork, file pages, and a guard moved by mremap.  Calls go through
 * syscall() so that no libc (musl converts stat buffers in user space,
 * the vDSO reads the clock there) touches the buffer first.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

#define PAGE		   4096
/* linux/futex.h is not in musl's include path. */
#define FUTEX_WAIT	   0
#define FUTEX_WAKE	   1
#define FUTEX_CMP_REQUEUE  4
#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAKE_PRIVATE 129

static int pfd[2], ffd; /* a pipe, and a file of a page */

/* Bytes waiting in the pipe. */
static int
pending(void)
{
	int n = -1;

	ioctl(pfd[0], FIONREAD, &n);
	return n;
}

/* Empties the pipe. */
static void
drain(void)
{
	char buf[256];

	while (pending() > 0)
		if (read(pfd[0], buf, sizeof(buf)) <= 0)
			break;
}

/* Every copying call aimed at the guard g. */
static void
copies(const char *kind, unsigned char *g)
{
	char what[96], data[16] = "0123456789abcdef";
	static int word;
	struct iovec iov[1];

#define AT(call) (snprintf(what, sizeof(what), "%s: %s", kind, call), what)
	SHOW(AT("write to a pipe"), syscall(SYS_write, pfd[1], g, 16));
	SHOW(AT("then in the pipe"), pending());
	SHOW(AT("write one byte"), syscall(SYS_write, pfd[1], g + PAGE - 1, 1));
	write(pfd[1], data, sizeof(data));
	SHOW(AT("read from a pipe"), syscall(SYS_read, pfd[0], g, 16));
	SHOW(AT("still in the pipe"), pending());
	/* One buffer each: with a good one first, Linux says EFAULT for a
	 * pipe, qemu-user (aarch64's oracle) the first buffer's count. */
	iov[0] = (struct iovec){ g, 8 };
	SHOW(AT("readv"), syscall(SYS_readv, pfd[0], iov, 1));
	SHOW(AT("still in the pipe"), pending());
	drain();
	SHOW(AT("writev"), syscall(SYS_writev, pfd[1], iov, 1));
	SHOW(AT("then in the pipe"), pending());
	SHOW(AT("iovec array in it"), syscall(SYS_writev, pfd[1], (struct iovec *)g, 1));
	lseek(ffd, 0, SEEK_SET);
	SHOW(AT("read from a file"), syscall(SYS_read, ffd, g, 16));
	SHOW(AT("write to a file"), syscall(SYS_write, ffd, g, 16));
	SHOW(AT("then the offset"), lseek(ffd, 0, SEEK_CUR));
	SHOW(AT("pread64"), syscall(SYS_pread64, ffd, g, 16, 8));
	SHOW(AT("pwrite64"), syscall(SYS_pwrite64, ffd, g, 16, PAGE));
	SHOW(AT("then the size"), lseek(ffd, 0, SEEK_END));
	SHOW(AT("fstat"), syscall(SYS_fstat, pfd[0], g));
	SHOW(AT("newfstatat"), syscall(SYS_newfstatat, AT_FDCWD, "/", g, 0));
	SHOW(AT("clock_gettime"), syscall(SYS_clock_gettime, CLOCK_MONOTONIC, g));
	SHOW(AT("pipe2"), syscall(SYS_pipe2, g, 0));
	SHOW(AT("futex wait"), syscall(SYS_futex, g, FUTEX_WAIT, 0, NULL, NULL, 0));
	SHOW(AT("futex wait private"),
	     syscall(SYS_futex, g, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0));
	/* A shared futex's page must be readable; a private one is only
	 * an address. */
	SHOW(AT("futex wake"), syscall(SYS_futex, g, FUTEX_WAKE, 1, NULL, NULL, 0));
	SHOW(AT("futex wake private"), syscall(SYS_futex, g, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0));
	SHOW(AT("futex cmp_requeue onto it"),
	     syscall(SYS_futex, &word, FUTEX_CMP_REQUEUE, 1, 1, g, 0));
	SHOW(AT("rt_sigaction, new"), syscall(SYS_rt_sigaction, SIGUSR1, g, NULL, 8));
	SHOW(AT("rt_sigaction, old"), syscall(SYS_rt_sigaction, SIGUSR1, NULL, g, 8));
	SHOW(AT("rt_sigprocmask, old"), syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, g, 8));
	SHOW(AT("uname"), syscall(SYS_uname, g));
	SHOW(AT("open, path in it"), syscall(SYS_openat, AT_FDCWD, g, O_RDONLY));
	drain();
#undef AT
}

#ifdef __x86_64__
/* The same read from a file of the root image (this program: read-only,
 * through the page cache), b's first 100 bytes before the guard. */
static void
straddle_image(unsigned char *b)
{
	unsigned char good[100];
	int fd = open("/proc/self/exe", O_RDONLY);

	if (fd < 0 || pread(fd, good, sizeof(good), 0) != (ssize_t)sizeof(good)) {
		printf("straddle: the program's file: failed\n");
		return;
	}
	memset(b, 0, 100);
	SHOW("straddle: read from the program's file", syscall(SYS_read, fd, b, 200));
	printf("straddle: its bytes %s\n", memcmp(b, good, sizeof(good)) ? "differ" : "are the file's");
	SHOW("straddle: then its offset", lseek(fd, 0, SEEK_CUR));
	SHOW("straddle: pread64 from it", syscall(SYS_pread64, fd, b, 200, 4096));
	SHOW("straddle: pread64 at its end", syscall(SYS_pread64, fd, b, 200, lseek(fd, 0, SEEK_END) - 50));
	close(fd);
}
#endif

/* Buffers that start readable and run into a guard. */
static void
straddle(unsigned char *g)
{
	unsigned char *b = g - 100;
	char data[200];

	memset(data, 'x', sizeof(data));
	SHOW("straddle: write to a pipe", syscall(SYS_write, pfd[1], b, 200));
	SHOW("straddle: then in the pipe", pending());
	write(pfd[1], data, sizeof(data));
	SHOW("straddle: read from a pipe", syscall(SYS_read, pfd[0], b, 200));
	SHOW("straddle: still in the pipe", pending());
	drain();
	/* A file takes or gives the part before the guard.  Not on aarch64:
	 * qemu-user, its oracle, checks the whole buffer first (EFAULT). */
#ifdef __x86_64__
	lseek(ffd, 0, SEEK_SET);
	SHOW("straddle: write to a file", syscall(SYS_write, ffd, b, 200));
	SHOW("straddle: read from a file", syscall(SYS_read, ffd, b, 200));
	SHOW("straddle: then the offset", lseek(ffd, 0, SEEK_CUR));
	straddle_image(b);
#endif
	SHOW("straddle: fstat", syscall(SYS_fstat, pfd[0], g - 16));
	SHOW("straddle: clock_gettime", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, g - 8));
}

/* The guard's data, untouched by the calls that failed. */
static void
kept(const char *kind, unsigned char *g, unsigned char fill)
{
	int same = 1;

	mprotect(g, PAGE, PROT_READ | PROT_WRITE);
	for (int i = 0; i < PAGE; i++)
		same &= g[i] == fill;
	printf("%s: data kept: %s\n", kind, same ? "yes" : "no");
}

static void
file_pages(void)
{
	unsigned char buf[PAGE];
	int fd = open("lt_guardcopy.bin", O_CREAT | O_RDWR | O_TRUNC, 0644);

	memset(buf, 0x33, sizeof(buf));
	if (fd < 0 || write(fd, buf, sizeof(buf)) != PAGE) {
		printf("file: failed\n");
		return;
	}
	for (int shared = 0; shared < 2; shared++) {
		const char *kind = shared ? "shared file" : "private file";
		unsigned char *m = mmap(NULL, PAGE, PROT_READ, shared ? MAP_SHARED : MAP_PRIVATE,
					fd, 0);

		if (m == MAP_FAILED) {
			printf("%s: mmap failed\n", kind);
			continue;
		}
		SHOW(kind, m[0]); /* touched: the file's page is mapped */
		mprotect(m, PAGE, PROT_NONE);
		copies(kind, m);
		kept(kind, m, 0x33);
		munmap(m, PAGE);
	}
	close(fd);
	unlink("lt_guardcopy.bin");
}

int
main(void)
{
	unsigned char *p, *fresh, *to;
	int status, first_free;
	pid_t pid;

	setvbuf(stdout, NULL, _IONBF, 0);
	signal(SIGPIPE, SIG_IGN);
	if (pipe(pfd)) {
		printf("pipe failed\n");
		return 1;
	}
	ffd = open("lt_guardcopy.dat", O_CREAT | O_RDWR | O_TRUNC, 0644);
	if (ffd < 0 || ftruncate(ffd, PAGE)) {
		printf("file failed\n");
		return 1;
	}
	first_free = dup(0);
	close(first_free);
	/* A touched page made a guard between two readable ones. */
	p = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(p, 0x5a, 3 * PAGE);
	mprotect(p + PAGE, PAGE, PROT_NONE);
	copies("touched", p + PAGE);
	straddle(p + PAGE);

	/* Never touched: no page behind it yet. */
	fresh = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	copies("fresh", fresh);

	/* Shared with a child, copy-on-write: neither side reaches it. */
	pid = fork();
	if (pid == 0) {
		copies("child", p + PAGE);
		kept("child", p + PAGE, 0x5a);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	show_status("child", status);
	copies("parent", p + PAGE);

	/* Moved by mremap, still a guard at its new place. */
	to = mremap(p + PAGE, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, fresh);
	printf("mremap: %s\n", to == fresh ? "moved" : "failed");
	if (to == fresh) {
		copies("moved", to);
		kept("moved", to, 0x5a);
	}
	file_pages();
	/* pipe2's descriptors went with its EFAULT.  Not on aarch64, whose
	 * oracle, qemu-user, keeps them. */
#ifdef __x86_64__
	printf("descriptors leaked: %s\n", dup(0) == first_free ? "none" : "some");
#else
	(void)first_free;
#endif
	close(ffd);
	unlink("lt_guardcopy.dat");
	return 0;
}
