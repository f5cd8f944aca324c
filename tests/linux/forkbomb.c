/*
 * A bounded fork bomb: fork until fork fails or 200 children wait, each
 * child blocked on a pipe.  Inside ThemeliOS the instance's process
 * limit (and its Memory pool behind it) stops it with EAGAIN or ENOMEM
 * well before 200; on Linux all 200 are made.  Either way every child
 * is reaped once the pipe closes, and forking works again after.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

#define MAX_CHILDREN 200

int
main(void)
{
	int fd[2], made = 0, reaped = 0, st, ok = 1;
	char c;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (pipe(fd))
		return 1;
	while (made < MAX_CHILDREN) {
		pid_t p = fork();

		if (p == 0) {
			close(fd[1]);
			_exit(read(fd[0], &c, 1) == 0 ? 0 : 1);
		}
		if (p < 0) {
			if (errno != EAGAIN && errno != ENOMEM) {
				printf("fork failed with %s\n", errno_name(errno));
				ok = 0;
			}
			break;
		}
		made++;
	}
	printf("some children made: %d\n", made > 10);
	close(fd[0]);
	close(fd[1]);
	while (wait(&st) > 0) {
		reaped++;
		ok &= WIFEXITED(st) && WEXITSTATUS(st) == 0;
	}
	printf("all reaped: %d, all saw EOF: %d\n", reaped == made, ok);
	pid_t p = fork();
	if (p == 0)
		_exit(4);
	waitpid(p, &st, 0);
	printf("fork again: exited %d\n", WEXITSTATUS(st));
	return 0;
}
