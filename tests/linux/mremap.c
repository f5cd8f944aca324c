/*
 * mremap: shrinking, growing in place, moving (MREMAP_MAYMOVE), moving
 * onto an existing mapping (MREMAP_FIXED), MREMAP_DONTUNMAP, the
 * duplicate of a shared mapping (old size 0), anonymous and file
 * mappings, private and shared, every error, and realloc of big blocks
 * (glibc's and musl's use mremap).  A range a move left behind must
 * fault: the pages moved, they were not copied.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common.h"

#define PAGE 4096

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

static sigjmp_buf jump;
static volatile int fault_code, armed;

static void
on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	if (!armed) {
		static const char msg[] = "unexpected fault\n";

		write(1, msg, sizeof(msg) - 1);
		_exit(3);
	}
	armed = 0;
	fault_code = si->si_code;
	siglongjmp(jump, 1);
}

/* "faults" (and how) or the byte read at p. */
static void
probe(const char *what, volatile unsigned char *p)
{
	if (sigsetjmp(jump, 1)) {
		printf("%s: faults (%s)\n", what,
		       fault_code == SEGV_MAPERR ? "SEGV_MAPERR" : "other code");
		return;
	}
	armed = 1;
	fault_code = *p;
	armed = 0;
	printf("%s: reads %d\n", what, fault_code);
}

/* The raw call: mremap's fifth argument is read only with MREMAP_FIXED
 * in the C libraries, and the tests pass it in every case. */
static void *
remap(void *old, size_t old_len, size_t new_len, int flags, void *to)
{
	return (void *)syscall(SYS_mremap, old, old_len, new_len, flags, to);
}

static void
fill(unsigned char *p, size_t n, unsigned char seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(seed + i * 13 + i / PAGE);
}

/* Does [p, p + n) hold what fill(seed) wrote at its byte off? */
static int
holds(const unsigned char *p, size_t n, unsigned char seed, size_t off)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (unsigned char)(seed + (i + off) * 13 + (i + off) / PAGE))
			return 0;
	return 1;
}

static int
zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

static unsigned char *
anon(size_t pages, int flags)
{
	return mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, flags | MAP_ANONYMOUS, -1, 0);
}

/* A free range of pages pages (mapped and unmapped again). */
static unsigned char *
hole(size_t pages)
{
	unsigned char *p = anon(pages, MAP_PRIVATE);

	munmap(p, pages * PAGE);
	return p;
}

static void
anonymous(void)
{
	unsigned char *p, *q, *r, *big;

	/* Shrinking keeps the address and unmaps the tail. */
	big = anon(16, MAP_PRIVATE);
	munmap(big + 4 * PAGE, 12 * PAGE); /* room after the first four pages */
	p = big;
	fill(p, 4 * PAGE, 1);
	r = remap(p, 4 * PAGE, 2 * PAGE, 0, NULL);
	printf("shrink: same address %d, data %d\n", r == p, holds(p, 2 * PAGE, 1, 0));
	probe("shrunk tail", p + 2 * PAGE);

	/* Growing in place into the free range after it. */
	r = remap(p, 2 * PAGE, 8 * PAGE, 0, NULL);
	printf("grow in place: same address %d, data %d, new pages zero %d\n", r == p,
	       holds(p, 2 * PAGE, 1, 0), zero(p + 2 * PAGE, 6 * PAGE));
	fill(p + 2 * PAGE, 6 * PAGE, 2);
	/* Unaligned lengths are rounded up to pages. */
	r = remap(p, 8 * PAGE - 100, 9 * PAGE - 5, 0, NULL);
	printf("grow by unaligned lengths: same address %d\n", r == p);
	p[9 * PAGE - 1] = 5;

	/* Blocked by a mapping right after it: ENOMEM without MAYMOVE. */
	q = mmap(p + 9 * PAGE, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		 -1, 0);
	printf("neighbour mapped %d\n", q == p + 9 * PAGE);
	q[0] = 77;
	SHOW("grow blocked", (long)remap(p, 9 * PAGE, 12 * PAGE, 0, NULL));
	SHOW("grow a part that does not end its mapping", (long)remap(p, PAGE, 3 * PAGE, 0, NULL));

	/* With MAYMOVE it moves: the pages go, the old range faults. */
	r = remap(p, 9 * PAGE, 12 * PAGE, MREMAP_MAYMOVE, NULL);
	printf("moved %d, data %d %d, last byte %d, new pages zero %d\n",
	       r != MAP_FAILED && r != p, holds(r, 2 * PAGE, 1, 0), holds(r + 2 * PAGE, 6 * PAGE, 2, 0),
	       r[9 * PAGE - 1], zero(r + 9 * PAGE, 3 * PAGE));
	probe("old range after the move", p);
	probe("old range's last page", p + 8 * PAGE);
	probe("the neighbour stays", q);
	r[11 * PAGE] = 3;
	printf("moved pages writable: %d\n", r[11 * PAGE]);
	munmap(q, PAGE);

	/* Same size, no flags: nothing happens. */
	SHOW("same size", remap(r, 12 * PAGE, 12 * PAGE, 0, NULL) == r);

	/* MREMAP_FIXED onto the middle of another mapping: what was there
	 * goes, its neighbours stay. */
	q = anon(8, MAP_PRIVATE);
	fill(q, 8 * PAGE, 9);
	p = remap(r, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, q + 3 * PAGE);
	printf("fixed: at the target %d, moved data %d, around it %d %d\n", p == q + 3 * PAGE,
	       holds(p, 2 * PAGE, 1, 0), holds(q, 3 * PAGE, 9, 0),
	       holds(q + 5 * PAGE, 3 * PAGE, 9, 5 * PAGE));
	probe("source of the fixed move", r);
	probe("rest of the source", r + 2 * PAGE);

	/* Fixed and shrinking: the tail goes too. */
	p = remap(r + 2 * PAGE, 6 * PAGE, 3 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, hole(4));
	printf("fixed shrink: moved %d, data %d\n", p != MAP_FAILED,
	       holds(p, 3 * PAGE, 2, 0));
	probe("tail of the fixed shrink's source", r + 6 * PAGE);
	probe("the source's last pages stay", r + 11 * PAGE);

	/* Fixed and growing. */
	big = hole(16);
	p = remap(p, 3 * PAGE, 6 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, big);
	printf("fixed grow: at the target %d, data %d, new zero %d\n", p == big,
	       holds(p, 3 * PAGE, 2, 0), zero(p + 3 * PAGE, 3 * PAGE));
	munmap(p, 6 * PAGE);
	munmap(q, 8 * PAGE);
	munmap(r, 12 * PAGE);

	/* MREMAP_DONTUNMAP: the pages move, the old range stays mapped and
	 * reads as fresh memory. */
	p = anon(4, MAP_PRIVATE);
	fill(p, 4 * PAGE, 4);
	r = remap(p, 4 * PAGE, 4 * PAGE, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, NULL);
	printf("dontunmap: moved %d, data %d, old range zero %d\n", r != MAP_FAILED && r != p,
	       holds(r, 4 * PAGE, 4, 0), zero(p, 4 * PAGE));
	p[0] = 1;
	printf("dontunmap: both sides written apart %d %d\n", p[0], r[0]);
	big = hole(8);
	q = remap(r, 4 * PAGE, 4 * PAGE, MREMAP_MAYMOVE | MREMAP_DONTUNMAP | MREMAP_FIXED, big);
	printf("dontunmap fixed: at the target %d, data %d, old zero %d\n", q == big,
	       holds(q, 4 * PAGE, 4, 0), zero(r, 4 * PAGE));
	munmap(p, 4 * PAGE);
	munmap(q, 4 * PAGE);
	munmap(r, 4 * PAGE);

	/* A shared anonymous mapping moves too. */
	p = anon(4, MAP_SHARED);
	fill(p, 4 * PAGE, 6);
	r = remap(p, 4 * PAGE, 6 * PAGE, MREMAP_MAYMOVE, NULL);
	printf("shared anonymous: data %d\n", r != MAP_FAILED && holds(r, 4 * PAGE, 6, 0));
	munmap(r, 6 * PAGE);

#ifndef __aarch64__ /* qemu-user's mremap has no old size 0 (ENOMEM) */
	/* Private memory cannot be duplicated. */
	p = anon(2, MAP_PRIVATE);
	SHOW("duplicate private", (long)remap(p, 0, PAGE, MREMAP_MAYMOVE, NULL));
	munmap(p, 2 * PAGE);
#endif

	/* Moves keep the permissions. */
	p = anon(2, MAP_PRIVATE);
	p[0] = 8;
	mprotect(p, 2 * PAGE, PROT_READ);
	r = remap(p, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, hole(4));
	probe("read-only moved", r);
	if (sigsetjmp(jump, 1)) {
		printf("read-only moved: a write faults (%s)\n",
		       fault_code == SEGV_ACCERR ? "SEGV_ACCERR" : "other code");
	} else {
		armed = 1;
		r[0] = 1;
		armed = 0;
		printf("read-only moved: written\n");
	}
	munmap(r, 2 * PAGE);
}

static void
files(void)
{
	unsigned char buf[3 * PAGE], c = 0, *p, *r, *d;
	int fd;

	fd = open("lt_mremap.bin", O_CREAT | O_RDWR | O_TRUNC, 0644);
	fill(buf, sizeof(buf), 30);
	write(fd, buf, sizeof(buf));

	/* Private: a page written before the move keeps the write, the
	 * others still read the file. */
	p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	p[1] = 0xee;
	r = remap(p, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, hole(4));
	printf("private file moved: written byte %#x, rest %d, page 1 %d\n", r[1],
	       holds(r + 2, PAGE - 2, 30, 2), holds(r + PAGE, PAGE, 30, PAGE));
	probe("private file's old range", p);
	pread(fd, &c, 1, 1);
	printf("the file unchanged %d\n", c == buf[1]);
	/* Grown in place over the file's next page. */
	r = remap(r, 2 * PAGE, 3 * PAGE, 0, NULL);
	printf("private file grown: page 2 from the file %d\n",
	       r != MAP_FAILED && holds(r + 2 * PAGE, PAGE, 30, 2 * PAGE));
	munmap(r, 3 * PAGE);

	/* Shared: writes after the move reach the file. */
	p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, PAGE);
	p[0] = 0x5a;
	r = remap(p, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, hole(4));
	r[1] = 0xa5;
	pread(fd, &c, 1, PAGE);
	printf("shared file moved: first write %#x", c);
	pread(fd, &c, 1, PAGE + 1);
	printf(", write after the move %#x\n", c);
	probe("shared file's old range", p);

#ifndef __aarch64__
	/* Old size 0: a second mapping of the same pages. */
	d = remap(r, 0, 2 * PAGE, MREMAP_MAYMOVE, NULL);
	printf("duplicate: new address %d, same bytes %d\n", d != MAP_FAILED && d != r,
	       d != MAP_FAILED && d[0] == 0x5a && d[1] == 0xa5);
	d[2] = 0x77;
	printf("a write through the duplicate shows in the first: %#x\n", r[2]);
	SHOW("duplicate without MAYMOVE", (long)remap(r, 0, PAGE, 0, NULL));
	munmap(d, 2 * PAGE);
#endif
	r[2] = 0x77;

	/* DONTUNMAP of a shared file mapping: the old range reads the file. */
	d = remap(r, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, NULL);
	printf("shared file dontunmap: moved %d, old range reads the file %d %d\n",
	       d != MAP_FAILED && d != r, r[0] == 0x5a, r[2] == 0x77);
	munmap(d, 2 * PAGE);
	munmap(r, 2 * PAGE);
	close(fd);
	unlink("lt_mremap.bin");
}

static void
errors(void)
{
	unsigned char *p = anon(5, MAP_PRIVATE), *q, *h = hole(8);

	munmap(p + 4 * PAGE, PAGE); /* p is 4 pages, with room after it */

	SHOW("unknown flag", (long)remap(p, PAGE, PAGE, 8, NULL));
	SHOW("FIXED without MAYMOVE", (long)remap(p, PAGE, PAGE, MREMAP_FIXED, h));
	SHOW("DONTUNMAP without MAYMOVE", (long)remap(p, PAGE, PAGE, MREMAP_DONTUNMAP, NULL));
	SHOW("DONTUNMAP resizing",
	     (long)remap(p, PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, NULL));
	SHOW("unaligned address", (long)remap(p + 1, PAGE, PAGE, MREMAP_MAYMOVE, NULL));
#ifndef __aarch64__ /* qemu-user checks its own ranges first (ENOMEM) */
	SHOW("new size 0", (long)remap(p, PAGE, 0, MREMAP_MAYMOVE, NULL));
	SHOW("huge new size", (long)remap(p, PAGE, (size_t)1 << 62, MREMAP_MAYMOVE, NULL));
#endif
	SHOW("unmapped old range", (long)remap(h, PAGE, 2 * PAGE, MREMAP_MAYMOVE, NULL));
	SHOW("old range past its mapping", (long)remap(p, 6 * PAGE, 8 * PAGE, MREMAP_MAYMOVE, NULL));
	SHOW("fixed unaligned target",
	     (long)remap(p, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, h + 1));
	SHOW("fixed overlapping target",
	     (long)remap(p, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, p + PAGE));
	/* A range over two mappings that are not alike (the room after p
	 * is ours: what lies beyond a fresh mapping may be the vDSO's). */
	q = mmap(p + 4 * PAGE, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	printf("second mapping %d\n", q == p + 4 * PAGE);
	SHOW("grow over two mappings", (long)remap(p, 5 * PAGE, 6 * PAGE, MREMAP_MAYMOVE, NULL));
	p[0] = 9;
	printf("after the errors: %d\n", p[0]);
	munmap(p, 5 * PAGE);
}

static void
reallocs(void)
{
	size_t sizes[] = { 1 << 20, 3 << 20, 9 << 20, 2 << 20, 12 << 20 };
	unsigned char *b = malloc(256 << 10);
	size_t have = 256 << 10;
	int ok = 1;

	fill(b, have, 40);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t keep = have < sizes[i] ? have : sizes[i];

		b = realloc(b, sizes[i]);
		ok &= b != NULL && holds(b, keep, 40, 0);
		if (b && sizes[i] > have)
			fill(b + have, sizes[i] - have, (unsigned char)(40 + have * 13 + have / PAGE));
		have = sizes[i];
	}
	printf("realloc of big blocks keeps the data: %d\n", ok);
	free(b);
}

int
main(void)
{
	struct sigaction sa = { 0 };

	setvbuf(stdout, NULL, _IONBF, 0);
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);
	anonymous();
	files();
	errors();
	reallocs();
	return 0;
}
