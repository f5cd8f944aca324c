/*
 * Runs only inside ThemeliOS, where sysinfo's free memory is the
 * process's Memory pool to the page (Linux's moves with the whole
 * machine).  mremap moves pages, it never copies them: a move charges
 * nothing but page tables, a move there and back charges exactly what
 * it did before, a forked child's move of pages it shares with its
 * parent keeps them shared, and when everything is unmapped the pool is
 * back where it started (checked before the fork: a child's memory goes
 * back after its parent's wait returns).  Prints each check; exits 1 if one fails.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common.h"

#define PAGE  4096
#define PAGES 256
/* The page tables a range of PAGES pages may need at a new place. */
#define TABLES 3

static int failed;

static void
check(const char *what, int ok, long a, long b)
{
	printf("%s: %s (%ld, %ld)\n", what, ok ? "ok" : "FAILED", a, b);
	failed |= !ok;
}

static long
diff(long a, long b)
{
	return a > b ? a - b : b - a;
}

/* Stack pages are charged when first touched: touch what printf and
 * the checks will use before counting. */
static void
warm_stack(void)
{
	volatile unsigned char buf[64 * 1024];

	for (size_t i = 0; i < sizeof(buf); i += PAGE)
		buf[i] = 1;
	printf("remap_charge: %ld pages free\n", free_pages() > 0 ? 1L : 0L);
}

/* A free range of pages pages. */
static unsigned char *
hole(size_t pages)
{
	unsigned char *p = mmap(NULL, pages * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	munmap(p, pages * PAGE);
	return p;
}

int
main(void)
{
	long base, touched, now;
	unsigned char *p, *q, *there = hole(4 * PAGES) + PAGES * PAGE, *at;
	int st;

	setvbuf(stdout, NULL, _IONBF, 0);
	warm_stack();
	base = free_pages();
	p = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (int i = 0; i < PAGES; i++)
		p[i * PAGE] = (unsigned char)i;
	touched = free_pages();
	check("touching charges each page", base - touched >= PAGES &&
						    base - touched <= PAGES + TABLES + 1,
	      base, touched);
	touched = free_pages();

	at = p;
	for (int i = 0; i < 100; i++) {
		unsigned char *to = at == p ? there : p;

		at = mremap(at, PAGES * PAGE, PAGES * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, to);
		now = free_pages();
		if (at != to || diff(now, touched) > TABLES) {
			check("a move charges only tables", 0, touched, now);
			break;
		}
	}
	now = free_pages();
	check("100 moves there and back charge nothing", now == touched, touched, now);
	check("the data moved", p[7 * PAGE] == 7 && p[(PAGES - 1) * PAGE] == (PAGES - 1) % 256, 0,
	      0);

	/* Grown in place and touched, then shrunk back. */
	q = hole(2 * PAGES);
	p = mremap(p, PAGES * PAGE, PAGES * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, q);
	now = free_pages();
	if (mremap(p, PAGES * PAGE, 2 * PAGES * PAGE, 0) != p)
		check("grow in place", 0, 0, 0);
	for (int i = PAGES; i < 2 * PAGES; i++)
		p[i * PAGE] = 1;
	check("the grown pages are charged when touched",
	      now - free_pages() >= PAGES && now - free_pages() <= PAGES + TABLES, now,
	      free_pages());
	mremap(p, 2 * PAGES * PAGE, PAGES * PAGE, 0);
	check("shrinking gives them back", free_pages() == now, now, free_pages());

	/* DONTUNMAP: the old range stays, empty, and costs nothing. */
	q = mremap(p, PAGES * PAGE, PAGES * PAGE, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, NULL);
	check("dontunmap moves the pages", q != MAP_FAILED && q[5 * PAGE] == 5 && p[5 * PAGE] == 0,
	      0, 0);
	now = free_pages();
	check("dontunmap charged nothing more", diff(now, touched) <= TABLES + 1, touched, now);
	munmap(p, PAGES * PAGE);

	munmap(q, PAGES * PAGE);
	now = free_pages();
	check("everything back", now == base, base, now);

	p = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (int i = 0; i < PAGES; i++)
		p[i * PAGE] = (unsigned char)i;
	/* A forked child moves pages it shares with its parent: they stay
	 * shared (a copy would cost PAGES pages of the same pool). */
	if (fork() == 0) {
		long before = free_pages();
		unsigned char *c = mremap(p, PAGES * PAGE, PAGES * PAGE,
					  MREMAP_MAYMOVE | MREMAP_FIXED, hole(2 * PAGES));
		long after = free_pages();
		int ok = c != MAP_FAILED && c[9 * PAGE] == 9 && diff(before, after) <= TABLES;

		printf("child's move of shared pages copies none: %s (%ld, %ld)\n",
		       ok ? "ok" : "FAILED", before, after);
		c[9 * PAGE] = 99; /* now one page is copied, the child's own */
		_exit(ok && c[9 * PAGE] == 99 && p != c ? 0 : 1);
	}
	wait(&st);
	check("the child's checks", WIFEXITED(st) && WEXITSTATUS(st) == 0, st, 0);
	check("the parent's page unchanged", p[9 * PAGE] == 9, p[9 * PAGE], 9);

	munmap(p, PAGES * PAGE);
	printf("remap_charge: %s\n", failed ? "FAILED" : "charges exact");
	return failed;
}
