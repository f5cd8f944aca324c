/*
 * MAP_SHARED|MAP_ANONYMOUS across fork (docs/linux.md): parent and child
 * see each other's writes, pages first touched before or after the fork
 * by either side; an munmap on one side leaves the other's; a private
 * mapping stays private; mremap's old size 0 duplicate of it.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common.h"

#define PAGE  4096
#define PAGES 8

/* Waits until *w is want (the other side's write), a second at most. */
static int
await(volatile uint64_t *w, uint64_t want)
{
	for (int i = 0; i < 100000; i++) {
		if (*w == want)
			return 1;
		usleep(10);
	}
	return 0;
}

int
main(void)
{
	volatile uint64_t *s, *priv, *dup;
	int status, fds[2];
	pid_t pid;
	char c;

	setvbuf(stdout, NULL, _IONBF, 0);
	s = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	priv = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s == MAP_FAILED || priv == MAP_FAILED || pipe(fds))
		return 1;
	/* /proc/self/maps says which mappings are shared. */
	{
		static char maps[16384];
		int fd = open("/proc/self/maps", O_RDONLY);
		ssize_t n = fd < 0 ? -1 : read(fd, maps, sizeof(maps) - 1);

		maps[n > 0 ? n : 0] = 0;
		printf("maps shows it shared: %d\n", strstr(maps, "rw-s") != NULL);
		if (fd >= 0)
			close(fd);
	}
	s[0] = 11; /* touched before the fork */
	priv[0] = 5;
	pid = fork();
	if (pid == 0) {
		/* Page 0 made before, pages 1 and 2 first touched here (page
		 * 2 by the parent first), page 3 by the child alone. */
		printf("child sees the parent's old word: %lu\n", (unsigned long)s[0]);
		s[0] = 12;
		s[PAGE / 8] = 21;
		priv[0] = 6;
		s[3 * PAGE / 8] = 41;
		if (read(fds[0], &c, 1) != 1)
			_exit(2);
		printf("child sees the parent's new page: %lu\n",
		       (unsigned long)s[2 * PAGE / 8]);
		s[2 * PAGE / 8 + 1] = 32;
		/* Its own unmap leaves the parent's mapping. */
		munmap((void *)s, PAGES * PAGE);
		_exit(0);
	}
	printf("parent sees the child's word: %d\n", await(&s[0], 12));
	printf("parent sees the child's new page: %d\n", await(&s[PAGE / 8], 21));
	printf("parent sees the child's untouched page: %d\n", await(&s[3 * PAGE / 8], 41));
	s[2 * PAGE / 8] = 31;
	if (write(fds[1], "x", 1) != 1)
		return 1;
	waitpid(pid, &status, 0);
	printf("child exited %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	printf("parent sees the child's last word: %lu\n", (unsigned long)s[2 * PAGE / 8 + 1]);
	printf("private stays: %lu\n", (unsigned long)priv[0]);
	printf("a page nobody touched: %lu\n", (unsigned long)s[7 * PAGE / 8]);

	/* Unmapped in the parent after a second child: the child's stays. */
	pid = fork();
	if (pid == 0) {
		if (read(fds[0], &c, 1) != 1)
			_exit(2);
		printf("second child still sees: %lu %lu\n", (unsigned long)s[0],
		       (unsigned long)s[6 * PAGE / 8]);
		_exit(0);
	}
	s[6 * PAGE / 8] = 66;
	munmap((void *)s + 4 * PAGE, 4 * PAGE);
	if (write(fds[1], "x", 1) != 1)
		return 1;
	waitpid(pid, &status, 0);
	printf("second child exited %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);

#ifndef __aarch64__ /* qemu-user's mremap has no old size 0 */
	dup = mremap((void *)s, 0, 4 * PAGE, MREMAP_MAYMOVE);
	if (dup == MAP_FAILED) {
		printf("duplicate: %s\n", errno_name(errno));
	} else {
		dup[PAGE / 8] = 77;
		printf("duplicate: the same pages %lu %lu\n", (unsigned long)dup[0],
		       (unsigned long)s[PAGE / 8]);
	}
#else
	(void)dup;
#endif
	return 0;
}
