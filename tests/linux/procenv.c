/*
 * /proc/self/environ, /proc/self/cwd/ as a path prefix, and /dev/shm
 * (docs/linux.md): what the process reads there against what it knows
 * (its environment as it started, its working directory, the root).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

extern char **environ;

static char start_env[4096];
static size_t start_len;

static long
slurp(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	size_t len = 0;
	long n;

	if (fd < 0)
		return -errno;
	while (len < size && (n = read(fd, buf + len, size - len)) > 0)
		len += (size_t)n;
	close(fd);
	return (long)len;
}

/* The environment as main got it, NUL-separated as Linux lays it out. */
static void
remember_env(void)
{
	for (char **e = environ; *e; e++) {
		size_t n = strlen(*e) + 1;

		if (start_len + n > sizeof(start_env))
			break;
		memcpy(start_env + start_len, *e, n);
		start_len += n;
	}
}

static void
show_environ(const char *what, const char *path)
{
	char buf[4096];
	long n = slurp(path, buf, sizeof(buf));

	if (n < 0) {
		printf("%s: %s\n", what, errno_name((int)-n));
		return;
	}
	printf("%s: %ld bytes, %s the environment main got\n", what, n,
	       (size_t)n == start_len && !memcmp(buf, start_env, start_len) ? "as" : "not as");
}

static void
environ_file(void)
{
	char path[64];
	pid_t c;
	int p[2], st;
	char b;

	printf("-- environ\n");
	/* The variables, one a line, as the file gives them. */
	for (size_t at = 0; at < start_len; at += strlen(start_env + at) + 1)
		printf("  %s\n", start_env + at);
	show_environ("/proc/self/environ", "/proc/self/environ");
	/* setenv and unsetenv change the program's copy, not the file. */
	setenv("ADDED", "1", 1);
	unsetenv("HOME");
	show_environ("after setenv and unsetenv", "/proc/self/environ");
	/* Another process's, and a forked child's own. */
	pipe(p);
	c = fork();
	if (c == 0) {
		close(p[1]);
		read(p[0], &b, 1);
		_exit(0);
	}
	snprintf(path, sizeof(path), "/proc/%d/environ", (int)c);
	show_environ("a child's", path);
	close(p[1]);
	waitpid(c, &st, 0);
	SHOW("a reaped child's", open(path, O_RDONLY));
}

static int
same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	if (stat(a, &sa) || stat(b, &sb))
		return -1;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static void
cwd_prefix(void)
{
	char buf[64];
	DIR *d;
	struct dirent *e;
	int fd, seen = 0;

	printf("-- /proc/self/cwd/ as a prefix\n");
	mkdir("procenv.d", 0755);
	chdir("procenv.d");
	fd = open("file", O_CREAT | O_WRONLY | O_TRUNC, 0644);
	write(fd, "in the cwd\n", 11);
	close(fd);
	memset(buf, 0, sizeof(buf));
	printf("read through it: %ld %s", slurp("/proc/self/cwd/file", buf, sizeof(buf) - 1), buf);
	printf("the cwd itself: %d\n", same_file("/proc/self/cwd/", "."));
	printf("double slash: %d\n", same_file("/proc/self/cwd//file", "file"));
	printf("its parent: %d\n", same_file("/proc/self/cwd/..", ".."));
	printf("far up is the root: %d\n", same_file("/proc/self/cwd/../../../../../../../..", "/"));
	snprintf(buf, sizeof(buf), "/proc/%d/cwd/file", (int)getpid());
	printf("by pid: %d\n", same_file(buf, "file"));
	printf("under root: %d\n", same_file("/proc/self/root/proc/self/cwd/file", "file"));
	d = opendir("/proc/self/cwd/");
	while (d && (e = readdir(d)))
		seen |= !strcmp(e->d_name, "file");
	printf("listed: %d\n", seen);
	if (d)
		closedir(d);
	fd = open("/proc/self/cwd/made", O_CREAT | O_WRONLY, 0644);
	printf("created through it: %d\n", fd >= 0 && same_file("made", "/proc/self/cwd/made"));
	close(fd);
	SHOW("missing", open("/proc/self/cwd/missing", O_RDONLY));
	SHOW("unlink through it", unlink("/proc/self/cwd/made"));
	SHOW("unlink file", unlink("/proc/self/cwd/file"));
	chdir("..");
	SHOW("rmdir", rmdir("procenv.d"));
}

static void
dev_shm(void)
{
	char name[64];
	struct stat st;
	int fd, fd2;
	char *m, *m2;

	printf("-- /dev/shm\n");
	printf("a directory: %d\n", stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode));
	snprintf(name, sizeof(name), "/procenv-%d", (int)getpid());
	fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
	printf("shm_open: %d\n", fd >= 0);
	SHOW("ftruncate", ftruncate(fd, 4096));
	m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m != MAP_FAILED) {
		strcpy(m, "shared");
		munmap(m, 4096);
	}
	close(fd);
	/* The same memory, opened again by name once unmapped and closed. */
	fd2 = shm_open(name, O_RDONLY, 0);
	m2 = fd2 < 0 ? MAP_FAILED : mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd2, 0);
	printf("again: %s\n", m2 != MAP_FAILED ? m2 : "(not mapped)");
	if (m2 != MAP_FAILED)
		munmap(m2, 4096);
	close(fd2);
	SHOW("exclusive again", shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600));
	SHOW("shm_unlink", shm_unlink(name));
	SHOW("gone", shm_open(name, O_RDONLY, 0));
}

int
main(void)
{
	remember_env();
	environ_file();
	cwd_prefix();
	dev_shm();
	return 0;
}
