/*
 * The Linux personality's null system call beside Linux's (make bench):
 * getpid through syscall(2), so no C library keeps the answer, timed
 * with CLOCK_MONOTONIC around the loop.  The same static binary runs
 * under ThemeliOS (linux.run=) and in Debian's Linux on the same QEMU.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 200000

int
main(void)
{
	struct timespec a, b;
	long best = -1;

	for (int run = 0; run < 5; run++) {
		long ns;

		clock_gettime(CLOCK_MONOTONIC, &a);
		for (int i = 0; i < ROUNDS; i++)
			syscall(SYS_getpid);
		clock_gettime(CLOCK_MONOTONIC, &b);
		ns = (b.tv_sec - a.tv_sec) * 1000000000l + (b.tv_nsec - a.tv_nsec);
		if (best < 0 || ns < best)
			best = ns;
	}
	printf("lxbench: getpid %ld ns/call (best of 5 runs of %d)\n", best / ROUNDS, ROUNDS);
	return 0;
}
