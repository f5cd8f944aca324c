/*
 * Files and names: open, read, write, positions, stat, rename, links,
 * directories, getdents64, attributes.  Works in its own directory
 * under the working directory, and removes it at the end.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "common.h"

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in dir, sorted, on one line (getdents64 through readdir). */
static void
list(const char *dir)
{
	char *names[64];
	int n = 0;
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d) {
		printf("opendir %s: %s\n", dir, errno_name(errno));
		return;
	}
	while ((e = readdir(d)) && n < 64)
		names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp);
	printf("list %s:", dir);
	for (int i = 0; i < n; i++) {
		printf(" %s", names[i]);
		free(names[i]);
	}
	printf("\n");
}

static void
show_stat(const char *what, const char *path, int follow)
{
	struct stat st;
	int r = follow ? stat(path, &st) : lstat(path, &st);

	if (r) {
		printf("%s %s: %s\n", what, path, errno_name(errno));
		return;
	}
	printf("%s %s: type %o mode %o size %lld nlink %lu\n", what, path,
	       (unsigned)(st.st_mode & S_IFMT) >> 12, (unsigned)(st.st_mode & 07777),
	       S_ISDIR(st.st_mode) ? 0 : (long long)st.st_size,
	       S_ISDIR(st.st_mode) ? 0 : (unsigned long)st.st_nlink);
}

/* 1 when a and b name the same file, else 0 (or the errno's name). */
static void
same_file(const char *what, const char *a, const char *b)
{
	struct stat sa, sb;

	if (stat(a, &sa) || stat(b, &sb)) {
		printf("%s: %s\n", what, errno_name(errno));
		return;
	}
	printf("%s: %d\n", what, sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino);
}

#define UP20 "../../../../../../../../../../../../../../../../../../../.."

/* Nothing climbs above the root: "..", relative and absolute links. */
static void
confinement(void)
{
	char cwd[4096];
	int here = open(".", O_RDONLY | O_DIRECTORY);

	same_file("/.. is /", "/..", "/");
	same_file("twenty .. is /", UP20, "/");
	SHOW("symlink up", symlink(UP20, "up"));
	same_file("link up is /", "up", "/");
	same_file("link up/.. is /", "up/..", "/");
	SHOW("symlink abs", symlink("/", "abs"));
	same_file("link abs/../.. is /", "abs/../..", "/");
	SHOW("chdir up", chdir(UP20 "/.."));
	if (getcwd(cwd, sizeof(cwd)))
		printf("cwd after climbing: %s\n", cwd);
	SHOW("back", fchdir(here));
	close(here);
	unlink("up");
	unlink("abs");
}

int
main(void)
{
	char buf[256], cwd[4096];
	struct iovec iov[3];
	int fd, fd2, dfd;
	ssize_t n;

	umask(022);
	SHOW("mkdir lt_files", mkdir("lt_files", 0755));
	SHOW("chdir lt_files", chdir("lt_files"));
	if (getcwd(cwd, sizeof(cwd)))
		printf("cwd ends with %s\n", strrchr(cwd, '/'));

	fd = open("a.txt", O_CREAT | O_WRONLY | O_TRUNC, 0666);
	SHOW("open a.txt", fd);
	SHOW("write", write(fd, "hello world\n", 12));
	SHOW("close", close(fd));
	show_stat("stat", "a.txt", 1);

	fd = open("a.txt", O_RDONLY);
	n = read(fd, buf, 5);
	printf("read %zd: %.5s\n", n, buf);
	SHOW("lseek cur", lseek(fd, 0, SEEK_CUR));
	SHOW("lseek end", lseek(fd, 0, SEEK_END));
	SHOW("lseek set 3", lseek(fd, 3, SEEK_SET));
	n = pread(fd, buf, 5, 6);
	printf("pread %zd: %.5s\n", n, buf);
	SHOW("lseek cur after pread", lseek(fd, 0, SEEK_CUR));
	SHOW("read at end", (lseek(fd, 0, SEEK_END), read(fd, buf, 10)));
	SHOW("write on O_RDONLY", write(fd, "x", 1));
	close(fd);

	fd = open("a.txt", O_WRONLY | O_APPEND);
	SHOW("lseek 0", lseek(fd, 0, SEEK_SET));
	SHOW("append", write(fd, "more\n", 5));
	SHOW("position after append", lseek(fd, 0, SEEK_CUR));
	close(fd);
	fd = open("a.txt", O_RDWR);
	SHOW("pwrite", pwrite(fd, "H", 1, 0));
	iov[0] = (struct iovec){ buf, 3 };
	iov[1] = (struct iovec){ buf + 10, 4 };
	iov[2] = (struct iovec){ buf + 20, 100 };
	memset(buf, 0, sizeof(buf));
	n = readv(fd, iov, 3);
	printf("readv %zd: %.3s|%.4s|%.10s\n", n, buf, buf + 10, buf + 20);
	iov[0] = (struct iovec){ "ab", 2 };
	iov[1] = (struct iovec){ "", 0 };
	iov[2] = (struct iovec){ "cd\n", 3 };
	SHOW("writev", writev(fd, iov, 3));
	show_stat("after writev", "a.txt", 1);
	SHOW("ftruncate 4", ftruncate(fd, 4));
	show_stat("after ftruncate", "a.txt", 1);
	SHOW("truncate 100", truncate("a.txt", 100));
	n = pread(fd, buf, sizeof(buf), 0);
	printf("pread after truncate %zd: %.4s then %d %d\n", n, buf, buf[4], buf[99]);
	close(fd);

	SHOW("rename", rename("a.txt", "b.txt"));
	show_stat("old name", "a.txt", 1);
	SHOW("link", link("b.txt", "c.txt"));
	show_stat("linked", "b.txt", 1);
	SHOW("symlink", symlink("b.txt", "l"));
	n = readlink("l", buf, sizeof(buf));
	printf("readlink %zd: %.*s\n", n, (int)(n > 0 ? n : 0), buf);
	n = readlink("l", buf, 3);
	printf("readlink short %zd: %.*s\n", n, (int)(n > 0 ? n : 0), buf);
	show_stat("lstat", "l", 0);
	show_stat("stat through link", "l", 1);
	SHOW("open O_NOFOLLOW", open("l", O_RDONLY | O_NOFOLLOW));
	SHOW("access rw", access("b.txt", R_OK | W_OK));
	SHOW("access missing", access("nothing", F_OK));
	SHOW("chmod", chmod("b.txt", 0600));
	show_stat("chmod'd", "b.txt", 1);

	SHOW("mkdir d", mkdir("d", 0750));
	show_stat("dir", "d", 1);
	SHOW("mkdir d again", mkdir("d", 0750));
	dfd = open("d", O_RDONLY | O_DIRECTORY);
	SHOW("open d", dfd);
	fd2 = openat(dfd, "x", O_CREAT | O_WRONLY, 0640);
	SHOW("openat d/x", fd2);
	SHOW("write d/x", write(fd2, "12345", 5));
	close(fd2);
	show_stat("d/x", "d/x", 1);
	{
		struct stat st;

		SHOW("fstatat", fstatat(dfd, "x", &st, 0));
		printf("fstatat size %lld\n", (long long)st.st_size);
	}
	SHOW("fchdir d", fchdir(dfd));
	if (getcwd(cwd, sizeof(cwd)))
		printf("cwd ends with %s\n", strrchr(cwd, '/'));
	show_stat("relative x", "x", 1);
	show_stat("dotdot", "../b.txt", 1);
	SHOW("chdir ..", chdir(".."));
	list(".");
	list("d");
	SHOW("rmdir non-empty", rmdir("d"));
	SHOW("unlink dir", unlink("d"));
	SHOW("open dir for writing", open("d", O_WRONLY));
	SHOW("O_EXCL on existing", open("b.txt", O_CREAT | O_EXCL | O_WRONLY, 0644));
	SHOW("open missing", open("missing", O_RDONLY));
	SHOW("O_DIRECTORY on file", open("b.txt", O_RDONLY | O_DIRECTORY));
	SHOW("rmdir file", rmdir("b.txt"));
	SHOW("mkdir under file", mkdir("b.txt/x", 0755));
	SHOW("unlinkat d/x", unlinkat(dfd, "x", 0));
	close(dfd);
	SHOW("unlinkat d", unlinkat(AT_FDCWD, "d", AT_REMOVEDIR));
	SHOW("rename over", rename("c.txt", "b.txt"));
	show_stat("renamed over", "b.txt", 1);
	SHOW("unlink l", unlink("l"));
	SHOW("unlink b", unlink("b.txt"));
	SHOW("unlink c", unlink("c.txt"));
	list(".");
	confinement();
	list(".");
	SHOW("chdir ..", chdir(".."));
	SHOW("rmdir lt_files", rmdir("lt_files"));
	return 0;
}
