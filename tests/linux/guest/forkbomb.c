/*
 * Runs only inside ThemeliOS (never on the host: it is a real fork
 * bomb).  Every child forks for ever; the first process forks until
 * fork fails, says why, lets the bomb spin a while, then exits, which
 * ends its whole instance (as pid 1 of a pid namespace does on Linux).
 * test_linux.py requires the limit's errno, and that the kernel and the
 * next program run on.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

int
main(void)
{
	struct timespec t = { 0, 100000000 };
	long made = 0;

	setvbuf(stdout, NULL, _IONBF, 0);
	for (;;) {
		pid_t p = fork();

		if (p == 0)
			for (;;)
				fork(); /* each child: more, for ever */
		if (p < 0)
			break;
		made++;
	}
	printf("forkbomb: fork failed with %s after %ld children\n",
	       errno == EAGAIN ? "EAGAIN" : errno == ENOMEM ? "ENOMEM" : "another error", made);
	nanosleep(&t, NULL);
	printf("forkbomb: pid 1 still runs beside the bomb\n");
	return 0;
}
