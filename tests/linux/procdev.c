/*
 * /dev and /proc: the devices' data and numbers, the standard links,
 * the process's own /proc directory (stat, status, cmdline, exe, maps,
 * fd, root) and the system files, checked against what the process
 * knows of itself so that the output is the same everywhere.  And
 * /proc/self/root leads to the root, never above it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common.h"

static const char *
base(const char *p)
{
	const char *b = strrchr(p, '/');

	return b ? b + 1 : p;
}

static long
slurp(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	long n, total = 0;

	if (fd < 0)
		return -1;
	while ((n = read(fd, buf + total, size - 1 - (size_t)total)) > 0)
		total += n;
	buf[total] = 0;
	close(fd);
	return total;
}

static void
devices(void)
{
	static const struct {
		const char *path;
		unsigned int major, minor;
	} devs[] = { { "/dev/null", 1, 3 },   { "/dev/zero", 1, 5 },	{ "/dev/full", 1, 7 },
		     { "/dev/random", 1, 8 }, { "/dev/urandom", 1, 9 } };
	char buf[64];
	struct stat st;
	int fd, zeros = 1;

	for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
		stat(devs[i].path, &st);
		printf("%s: char %d, %u:%u\n", devs[i].path, S_ISCHR(st.st_mode), major(st.st_rdev),
		       minor(st.st_rdev));
	}
	fd = open("/dev/null", O_RDWR);
	SHOW("read null", read(fd, buf, sizeof(buf)));
	SHOW("write null", write(fd, "hello", 5));
	close(fd);
	fd = open("/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0666); /* a shell's > /dev/null */
	SHOW("write null again", write(fd, "x", 1));
	close(fd);
	fd = open("/dev/zero", O_RDONLY);
	memset(buf, 1, sizeof(buf));
	SHOW("read zero", read(fd, buf, 16));
	for (int i = 0; i < 16; i++)
		zeros &= buf[i] == 0;
	printf("zeros %d\n", zeros);
	close(fd);
	fd = open("/dev/full", O_RDWR);
	SHOW("write full", write(fd, "x", 1));
	SHOW("read full", read(fd, buf, 8));
	close(fd);
	fd = open("/dev/urandom", O_RDONLY);
	SHOW("read urandom", read(fd, buf, 32));
	close(fd);
	fd = open("/dev/random", O_RDONLY);
	SHOW("read random", read(fd, buf, 8));
	close(fd);
	fd = open("/dev/zero", O_RDWR);
	char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	printf("mmap zero: %d", m != MAP_FAILED);
	if (m != MAP_FAILED) {
		printf(" reads %d", m[0] == 0 && m[8191] == 0);
		m[100] = 7;
		printf(" writes %d\n", m[100] == 7);
		munmap(m, 8192);
	} else {
		printf("\n");
	}
	close(fd);
	for (int i = 0; i < 3; i++) {
		static const char *const names[] = { "/dev/stdin", "/dev/stdout", "/dev/stderr" };
		long n = readlink(names[i], buf, sizeof(buf) - 1);

		buf[n > 0 ? n : 0] = 0;
		lstat(names[i], &st);
		printf("%s -> %s (link %d)\n", names[i], buf, S_ISLNK(st.st_mode));
	}
	SHOW("no such device", open("/dev/nothing-here", O_RDONLY));
	DIR *d = opendir("/dev");
	struct dirent *e;
	int null_seen = 0;

	while (d && (e = readdir(d)))
		null_seen |= !strcmp(e->d_name, "null");
	printf("/dev lists null: %d\n", null_seen);
	if (d)
		closedir(d);
}

static void
self(const char *argv0)
{
	static char buf[16384];
	char path[64], want[64], comm[16];
	struct stat a, b;
	long n;
	int fd, pid = 0;
	char state = '?';

	n = readlink("/proc/self", buf, 63);
	buf[n > 0 ? n : 0] = 0;
	printf("/proc/self is the pid: %d\n", atoi(buf) == getpid());
	slurp("/proc/self/stat", buf, sizeof(buf));
	snprintf(comm, sizeof(comm), "%s", base(argv0));
	snprintf(want, sizeof(want), "(%s)", comm);
	sscanf(buf, "%d", &pid);
	char *close_paren = strrchr(buf, ')');
	if (close_paren)
		state = close_paren[2];
	/* qemu-user (aarch64's oracle) makes up a state of 0 and a status
	 * named after itself: those two are x86_64's alone. */
#ifdef __x86_64__
	printf("stat: pid %d comm %d state %c\n", pid == getpid(), strstr(buf, want) != NULL,
	       state);
#else
	(void)state;
	printf("stat: pid %d comm %d\n", pid == getpid(), strstr(buf, want) != NULL);
#endif
	snprintf(path, sizeof(path), "/proc/%d/stat", getpid());
	printf("stat by pid: %d\n", slurp(path, buf, sizeof(buf)) > 0 && atoi(buf) == getpid());
	slurp("/proc/self/status", buf, sizeof(buf));
	snprintf(want, sizeof(want), "Name:\t%s\n", comm);
#ifdef __x86_64__
	printf("status: name %d", strstr(buf, want) != NULL);
#else
	printf("status:");
#endif
	snprintf(want, sizeof(want), "\nPid:\t%d\n", getpid());
	printf(" pid %d running %d\n", strstr(buf, want) != NULL,
	       strstr(buf, "State:\tR") != NULL);
	n = slurp("/proc/self/cmdline", buf, sizeof(buf));
	printf("cmdline: argv[0] and its NUL %d\n",
	       n == (long)strlen(argv0) + 1 && !strcmp(buf, argv0));
	n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = 0;
	printf("exe: %d", !strcmp(base(buf), base(argv0)));
	fd = open("/proc/self/exe", O_RDONLY);
	n = read(fd, buf, 4);
	printf(" opens the program: %d\n", n == 4 && !memcmp(buf, "\177ELF", 4));
	close(fd);
	slurp("/proc/self/maps", buf, sizeof(buf));
	printf("maps: code %d stack %d\n", strstr(buf, "r-xp") != NULL,
	       strstr(buf, "[stack]") != NULL);

	fd = open("pf.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);
	write(fd, "through fd", 10);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = 0;
	printf("fd link: %s\n", base(buf));
	int fd2 = open(path, O_RDONLY);
	n = read(fd2, buf, sizeof(buf));
	printf("fd reopened: %ld, own position %d\n", n, lseek(fd, 0, SEEK_CUR) == 10);
	close(fd2);
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int seen = 0;

	snprintf(want, sizeof(want), "%d", fd);
	while (d && (e = readdir(d)))
		seen |= (!strcmp(e->d_name, "0") ? 1 : 0) | (!strcmp(e->d_name, "2") ? 2 : 0) |
			(!strcmp(e->d_name, want) ? 4 : 0);
	printf("fd lists 0, 2 and the file: %d\n", seen == 7);
	if (d)
		closedir(d);
	close(fd);
	unlink("pf.txt");
	SHOW("closed fd", open(path, O_RDONLY));

	n = readlink("/proc/self/root", buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = 0;
	printf("root -> %s\n", buf);
	stat("/", &a);
	stat("/proc/self/root/..", &b);
	printf("root/.. is the root: %d\n", a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	stat("/proc/self/root/../../..", &b);
	printf("root/../../.. is the root: %d\n", a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	snprintf(path, sizeof(path), "/proc/%d/root/..", getpid());
	stat(path, &b);
	printf("pid root/.. is the root: %d\n", a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	SHOW("no such entry", open("/proc/self/nothing", O_RDONLY));
}

static void
system_files(void)
{
	static char buf[16384];
	double up = -1, idle = -1;

	slurp("/proc/meminfo", buf, sizeof(buf));
	printf("meminfo: %d\n", !strncmp(buf, "MemTotal:", 9));
	slurp("/proc/uptime", buf, sizeof(buf));
	printf("uptime: %d\n", sscanf(buf, "%lf %lf", &up, &idle) == 2 && up >= 0);
	slurp("/proc/mounts", buf, sizeof(buf));
	printf("mounts: proc %d\n", strstr(buf, " /proc proc ") != NULL);
	slurp("/proc/cpuinfo", buf, sizeof(buf));
	printf("cpuinfo: %d\n", strstr(buf, "processor") != NULL);
}

int
main(int argc, char **argv)
{
	(void)argc;
	setvbuf(stdout, NULL, _IONBF, 0);
	devices();
	self(argv[0]);
	system_files();
	return 0;
}
