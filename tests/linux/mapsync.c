/*
 * Writes through a shared file mapping reach the file (docs/linux.md):
 * a file in the working directory and one in /dev/shm, each written
 * through a MAP_SHARED mapping, unmapped and closed, then opened again
 * at once and read, many times with different data; msync(MS_SYNC) then
 * read() through another descriptor while still mapped; write() through
 * a descriptor then read through the mapping.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common.h"

#define SIZE   8192
#define ROUNDS 50

/* Fills buf with round r's bytes. */
static void
pattern(char *buf, size_t len, int r)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (char)('a' + (i * 7 + (size_t)r * 13) % 26);
}

/* The whole file read from a new descriptor equals want: 1, else 0. */
static int
reads_as(const char *path, int shm, const char *want)
{
	static char got[SIZE];
	int fd = shm ? shm_open(path, O_RDONLY, 0) : open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = pread(fd, got, SIZE, 0);
	close(fd);
	return n == SIZE && memcmp(got, want, SIZE) == 0;
}

/* Rounds of map, write, unmap, close, open, read; how many read it all. */
static int
rounds(const char *path, int shm)
{
	static char want[SIZE];
	int ok = 0;

	for (int r = 0; r < ROUNDS; r++) {
		int fd = shm ? shm_open(path, O_CREAT | O_RDWR, 0600) : open(path, O_CREAT | O_RDWR, 0600);
		char *m;

		if (fd < 0 || ftruncate(fd, SIZE))
			return -1;
		m = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (m == MAP_FAILED)
			return -1;
		pattern(want, SIZE, r);
		memcpy(m, want, SIZE);
		munmap(m, SIZE);
		close(fd);
		ok += reads_as(path, shm, want);
	}
	return ok;
}

/* While mapped: msync then read(), and write() then the mapping. */
static void
while_mapped(const char *path)
{
	static char want[SIZE], got[SIZE];
	int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600), fd2;
	char *m, *gone;

	if (fd < 0 || ftruncate(fd, SIZE))
		return;
	m = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	gone = mmap(NULL, SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED || gone == MAP_FAILED)
		return;
	munmap(gone, SIZE);
	pattern(want, SIZE, 99);
	memcpy(m, want, SIZE);
	SHOW("msync unaligned", msync(m + 1, SIZE - 1, MS_SYNC));
	SHOW("msync async and sync", msync(m, SIZE, MS_ASYNC | MS_SYNC));
	SHOW("msync bad flag", msync(m, SIZE, 8));
	SHOW("msync unmapped", msync(gone, SIZE, MS_SYNC));
	SHOW("msync", msync(m, SIZE, MS_SYNC));
	printf("read after msync: %d\n", reads_as(path, 0, want));
	fd2 = open(path, O_RDWR);
	pattern(want, SIZE, 100);
	SHOW("write", (int)pwrite(fd2, want, SIZE, 0));
	printf("mapping after write: %d\n", memcmp(m, want, SIZE) == 0);
	memcpy(got, m + 4096, 4096);
	printf("second page after write: %d\n", memcmp(got, want + 4096, 4096) == 0);
	munmap(m, SIZE);
	close(fd2);
	close(fd);
}

/* Closed before unmapped; and written by a child that exits. */
static void
other_orders(const char *path)
{
	static char want[SIZE];
	int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600), status;
	char *m;
	pid_t pid;

	if (fd < 0 || ftruncate(fd, SIZE))
		return;
	m = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return;
	pattern(want, SIZE, 7);
	memcpy(m, want, SIZE);
	munmap(m, SIZE);
	printf("closed first, then unmapped: %d\n", reads_as(path, 0, want));
	pattern(want, SIZE, 8);
	pid = fork();
	if (pid == 0) {
		fd = open(path, O_RDWR);
		m = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (m != MAP_FAILED)
			memcpy(m, want, SIZE);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	printf("written by a child that exited: %d\n", reads_as(path, 0, want));
}

int
main(void)
{
	char name[64];

	printf("file rounds read back: %d of %d\n", rounds("mapsync.f", 0), ROUNDS);
	SHOW("unlink", unlink("mapsync.f"));
	snprintf(name, sizeof(name), "/mapsync-%d", (int)getpid());
	printf("shm rounds read back: %d of %d\n", rounds(name, 1), ROUNDS);
	SHOW("shm_unlink", shm_unlink(name));
	while_mapped("mapsync.g");
	SHOW("unlink", unlink("mapsync.g"));
	other_orders("mapsync.h");
	SHOW("unlink", unlink("mapsync.h"));
	return 0;
}
