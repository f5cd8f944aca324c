/*
 * Memory: brk, anonymous mmap (private and shared), MAP_FIXED and
 * MAP_FIXED_NOREPLACE, munmap of part of a mapping, mprotect, madvise
 * DONTNEED, a private file mapping, malloc of big and small blocks.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common.h"

#define PAGE 4096

static unsigned long
sum(const unsigned char *p, size_t n)
{
	unsigned long s = 0;

	for (size_t i = 0; i < n; i++)
		s += p[i];
	return s;
}

int
main(void)
{
	unsigned char *p, *q;
	char *b0, *b1;
	int fd;

	/* brk itself: musl's sbrk only reads the break. */
	b0 = (char *)syscall(SYS_brk, 0);
	b1 = (char *)syscall(SYS_brk, b0 + 10 * PAGE);
	printf("brk grows: %d\n", b1 == b0 + 10 * PAGE);
	memset(b0, 7, 10 * PAGE);
	printf("brk memory sum %lu\n", sum((unsigned char *)b0, 10 * PAGE));
	b1 = (char *)syscall(SYS_brk, b0 + 5 * PAGE);
	printf("brk shrinks: %d\n", b1 == b0 + 5 * PAGE);
	b1 = (char *)syscall(SYS_brk, b0 + 10 * PAGE);
	printf("grown again, zero: %d\n", sum((unsigned char *)b0 + 5 * PAGE, 5 * PAGE) == 0);
	syscall(SYS_brk, b0);

	p = mmap(NULL, 256 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("mmap anon ok %d, zero %d\n", p != MAP_FAILED, sum(p, 256 * PAGE) == 0);
	for (int i = 0; i < 256 * PAGE; i++)
		p[i] = (unsigned char)i;
	printf("pattern sum %lu\n", sum(p, 256 * PAGE));
	SHOW("munmap middle", munmap(p + 100 * PAGE, 10 * PAGE));
	printf("around the hole: %d %d\n", p[100 * PAGE - 1], p[110 * PAGE]);
	SHOW("munmap across the hole", munmap(p + 50 * PAGE, 100 * PAGE));
	SHOW("munmap rest", munmap(p, 256 * PAGE));

	p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	printf("mmap shared anon ok %d\n", p != MAP_FAILED);
	p[0] = 1;
	q = mmap(p + PAGE, PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	/* EEXIST; a kernel (or qemu-user) without the flag takes it as a
	 * hint and maps elsewhere: either way the mapping there stays. */
	printf("MAP_FIXED_NOREPLACE on a mapping: %s\n", q == p + PAGE ? "replaced" : "refused");
	if (q != MAP_FAILED && q != p + PAGE)
		munmap(q, PAGE);
	p[PAGE] = 9;
	q = mmap(p + PAGE, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		 -1, 0);
	printf("MAP_FIXED replaces: %d, now %d, neighbour %d\n", q == p + PAGE, p[PAGE], p[0]);
	munmap(p, 4 * PAGE);

	p = mmap(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	SHOW("mprotect rw", mprotect(p, 2 * PAGE, PROT_READ | PROT_WRITE));
	p[PAGE + 5] = 42;
	printf("written after mprotect: %d\n", p[PAGE + 5]);
	SHOW("madvise DONTNEED", madvise(p, 2 * PAGE, MADV_DONTNEED));
	printf("after DONTNEED: %d\n", p[PAGE + 5]);
	SHOW("madvise NORMAL", madvise(p, 2 * PAGE, MADV_NORMAL));
	munmap(p, 2 * PAGE);
	SHOW("mprotect unmapped", mprotect(p, PAGE, PROT_READ));

	umask(022);
	fd = open("lt_mem.bin", O_CREAT | O_RDWR | O_TRUNC, 0644);
	for (int i = 0; i < 10000; i++) {
		unsigned char c = (unsigned char)(i * 7);
		write(fd, &c, 1);
	}
	p = mmap(NULL, 10000, PROT_READ, MAP_PRIVATE, fd, 0);
	printf("file mapping ok %d sum %lu tail zero %d\n", p != MAP_FAILED, sum(p, 10000),
	       sum(p + 10000, 3 * PAGE - 10000) == 0);
	q = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, PAGE);
	printf("at offset: %d %d\n", q[0] == (unsigned char)(PAGE * 7), q[1] == (unsigned char)((PAGE + 1) * 7));
	q[0] = 1;
	{
		unsigned char c;

		pread(fd, &c, 1, PAGE);
		printf("private write stays private: %d\n", c == (unsigned char)(PAGE * 7));
	}
	SHOW("madvise DONTNEED private file", madvise(q, PAGE, MADV_DONTNEED));
	printf("the file's byte again: %d\n", q[0] == (unsigned char)(PAGE * 7));
	{
		unsigned char *w = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		unsigned char c = 0;

		printf("shared file mapping ok %d\n", w != MAP_FAILED);
		w[5] = 0xab;
		w[PAGE + 1] = 0xcd;
		pread(fd, &c, 1, 5);
		printf("shared write reaches the file: %#x\n", c);
		pwrite(fd, "\x11", 1, PAGE + 1);
		printf("file write reaches the mapping: %#x\n", w[PAGE + 1]);
		munmap(w, 2 * PAGE);
		pread(fd, &c, 1, 5);
		printf("after munmap: %#x\n", c);
	}
	{
		int ro = open("lt_mem.bin", O_RDONLY);

		SHOW("shared writable through O_RDONLY",
		     (long)mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0));
		close(ro);
	}
	SHOW("mmap misaligned offset", (long)mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 100));
	SHOW("mmap length 0", (long)mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	SHOW("munmap misaligned", munmap(p + 1, PAGE));
	munmap(p, 10000);
	munmap(q, PAGE);
	close(fd);
	unlink("lt_mem.bin");

	{
		void *big = malloc(8 << 20), *small[1000];
		unsigned long n = 0;

		memset(big, 1, 8 << 20);
		printf("8 MiB malloc sum %lu\n", sum(big, 8 << 20));
		free(big);
		for (int i = 0; i < 1000; i++) {
			small[i] = malloc(24 + i);
			memset(small[i], 1, 24 + i);
			n += sum(small[i], 24 + i);
		}
		for (int i = 0; i < 1000; i++)
			free(small[i]);
		printf("small mallocs sum %lu\n", n);
	}
	return 0;
}
