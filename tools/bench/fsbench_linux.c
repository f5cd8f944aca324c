/*
 * fsbench's Linux twin: the same figures as user/fsbench/fsbench.c, on
 * the same image, at the same offsets (fsbench/fsbench.h), for
 * tools/bench.py to set beside ThemeliOS's.  Built static on the host
 * (gcc, aarch64-linux-gnu-gcc) and placed inside the bench image; the
 * peer guest mounts the image and runs it as
 *   fsbench-linux MOUNTPOINT
 * Cold figures follow a drop of Linux's caches (sync, then 3 into
 * /proc/sys/vm/drop_caches: page cache, dentries and inodes), as
 * ThemeliOS's follow sys_memory_audit.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fsbench/fsbench.h"

static unsigned char buf[FSB_SEQ_CHUNK];

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
drop_caches(void)
{
	int fd;

	sync();
	fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
	if (fd < 0 || write(fd, "3\n", 2) != 2) {
		perror("fsbench: drop_caches");
		exit(1);
	}
	close(fd);
}

static void
report(const char *name, uint64_t bytes, uint64_t ops, uint64_t ns, uint64_t sum)
{
	printf("fsbench: %s bytes=%llu ops=%llu ns=%llu sum=%llu\n", name,
	       (unsigned long long)bytes, (unsigned long long)ops, (unsigned long long)ns,
	       (unsigned long long)sum);
	fflush(stdout);
}

static int
seq_read(int fd, const char *name)
{
	uint64_t bytes = 0, ops = 0, sum = 0, t0;
	ssize_t n;

	if (lseek(fd, 0, SEEK_SET) != 0)
		return 1;
	t0 = now_ns();
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		sum = fsb_fold(sum, buf);
		bytes += (uint64_t)n;
		ops++;
	}
	report(name, bytes, ops, now_ns() - t0, sum);
	return n < 0 || bytes != FSB_FILE_BYTES;
}

static int
random_reads(int fd)
{
	uint64_t state = FSB_SEED, sum = 0, t0;

	t0 = now_ns();
	for (int i = 0; i < FSB_RANDOM_READS; i++) {
		if (pread(fd, buf, FSB_RANDOM_SIZE, (off_t)fsb_random_offset(&state)) !=
		    FSB_RANDOM_SIZE) {
			perror("fsbench: random read");
			return 1;
		}
		sum = fsb_fold(sum, buf);
	}
	report("rand_cold", (uint64_t)FSB_RANDOM_READS * FSB_RANDOM_SIZE, FSB_RANDOM_READS,
	       now_ns() - t0, sum);
	return 0;
}

/* Stats every entry under dirfd (which it closes) and walks into the
 * directories; the number of entries, or -1. */
static long
walk(int dirfd, unsigned int depth)
{
	DIR *d = fdopendir(dirfd);
	struct dirent *e;
	long count = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		struct stat st;
		long sub;
		int fd;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW)) {
			count = -1;
			break;
		}
		count++;
		if (!S_ISDIR(st.st_mode) || depth + 1 >= FSB_DEPTH_MAX)
			continue;
		fd = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY);
		sub = fd < 0 ? -1 : walk(fd, depth + 1);
		if (sub < 0) {
			count = -1;
			break;
		}
		count += sub;
	}
	closedir(d);
	return count;
}

int
main(int argc, char **argv)
{
	uint64_t t0;
	long n;
	int fd, dir, bad = 0;

	if (argc != 2 || chdir(argv[1])) {
		fprintf(stderr, "usage: fsbench-linux MOUNTPOINT\n");
		return 2;
	}
	fd = open(FSB_FILE, O_RDONLY);
	if (fd < 0) {
		perror("fsbench: " FSB_FILE);
		return 1;
	}
	for (int i = 0; i < FSB_REPEAT; i++) {
		drop_caches();
		bad |= random_reads(fd);
	}
	for (int i = 0; i < FSB_REPEAT; i++) {
		drop_caches();
		t0 = now_ns();
		dir = open(FSB_TREE, O_RDONLY | O_DIRECTORY);
		n = dir < 0 ? -1 : walk(dir, 0);
		if (n < 0) {
			perror("fsbench: walk");
			return 1;
		}
		report("walk_cold", 0, (uint64_t)n, now_ns() - t0, 0);
	}
	for (int i = 0; i < FSB_REPEAT; i++) {
		drop_caches();
		bad |= seq_read(fd, "seq_cold");
	}
	for (int i = 0; i < FSB_REPEAT; i++)
		bad |= seq_read(fd, "seq_warm");
	close(fd);
	printf("fsbench: done\n");
	return bad;
}
