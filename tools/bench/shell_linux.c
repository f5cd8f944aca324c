/*
 * busybox beside Linux (make bench, tools/bench.py ARCH linux): a
 * busybox sh loop of 10,000 iterations, and busybox tar xzf of an
 * archive into a directory of the RAM layer (ThemeliOS) or of tmpfs
 * (Linux).  The same static binary and the same busybox run on both;
 * each figure is the best of RUNS, timed with CLOCK_MONOTONIC around
 * fork+execve+wait.
 *
 *   shell BUSYBOX ARCHIVE OUTDIR
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RUNS 3

static const char loop[] = "i=0; while [ $i -lt 10000 ]; do i=$((i+1)); done; [ $i = 10000 ]";

static long
now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000l + t.tv_nsec;
}

/* Runs argv, returns its time in ns, or -1 when it failed. */
static long
timed(char **argv)
{
	long t0 = now_ns();
	pid_t c = fork();
	int st;

	if (c == 0) {
		char *env[] = { "PATH=/bin:/usr/bin", NULL };

		execve(argv[0], argv, env);
		_exit(127);
	}
	if (c < 0 || waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st)) {
		printf("lxbench: %s %s failed\n", argv[0], argv[1]);
		return -1;
	}
	return now_ns() - t0;
}

/* Best of RUNS of argv (after clean, when given, before each run). */
static long
best(char **argv, char **clean)
{
	long min = -1;

	for (int i = 0; i < RUNS; i++) {
		long ns;

		if (clean && timed(clean) < 0)
			return -1;
		ns = timed(argv);
		if (ns < 0)
			return -1;
		if (min < 0 || ns < min)
			min = ns;
	}
	return min;
}

int
main(int argc, char **argv)
{
	char out[256];
	long ns;

	if (argc != 4 || strlen(argv[3]) > 200) {
		fprintf(stderr, "usage: shell BUSYBOX ARCHIVE OUTDIR\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	{
		char *sh[] = { argv[1], "sh", "-c", (char *)loop, NULL };

		ns = best(sh, NULL);
		if (ns < 0)
			return 1;
		printf("lxbench: sh-loop-10000 %ld us\n", ns / 1000);
	}
	snprintf(out, sizeof(out), "%s", argv[3]);
	{
		char *tar[] = { argv[1], "tar", "xzf", argv[2], "-C", out, NULL };
		char *clean[] = { argv[1], "sh", "-c", "rm -rf \"$0\" && mkdir \"$0\"", out, NULL };

		ns = best(tar, clean);
		if (ns < 0)
			return 1;
		printf("lxbench: tar-xzf %ld us\n", ns / 1000);
	}
	{
		char *check[] = { argv[1], "sh", "-c", "find \"$0\" -type f | wc -l", out, NULL };

		fflush(stdout);
		printf("lxbench-files: ");
		timed(check);
	}
	return 0;
}
