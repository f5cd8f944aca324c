/*
 * files: File and Directory capabilities on the node's root (the
 * verified image under its RAM layer), given in slot 2.  What the image
 * holds comes from rootfs/ (tools/mkimage.sh); what a case writes goes
 * to the RAM layer and is removed again, so the memory audit after
 * each case sees the machine as it was.
 */
#include "themelios.h"
#include "utest/utest.h"

#define ROOT	       2
#define F	       10 /* file slots */
#define F2	       11
#define D	       12 /* directory slots */
#define D2	       13
#define KERNEL_ADDRESS 0xffffffff80000000ull

static const char motd[] = "ThemeliOS: this file comes from the verified root image.\n";

static long
read_all(slot_t f, char *buf, size_t size)
{
	size_t got = 0;
	long n;

	while (got < size && (n = sys_fs_read(f, buf + got, size - got)) > 0)
		got += (size_t)n;
	return (long)got;
}

/* Reads the file at path under dir and compares it with want. */
static void
check_contents(slot_t dir, const char *path, const char *want, size_t len)
{
	char buf[4096];

	CHECK(fs_open(dir, path, 0, RIGHT_READ, F), 0);
	CHECK(read_all(F, buf, sizeof(buf)), (long)len);
	CHECK(memcmp(buf, want, len), 0);
	CHECK(sys_fs_close(F), 0);
}

/* Does dir list name (readdir, packed records)? */
static int
lists(slot_t dir, const char *name)
{
	uint8_t buf[512] __attribute__((aligned(8)));
	uint64_t cookie = 0;
	long n;
	int found = 0;

	while ((n = sys_fs_readdir(dir, &cookie, buf, sizeof(buf))) > 0) {
		for (long at = 0; at < n;) {
			struct fs_dirent *e = (struct fs_dirent *)(buf + at);

			if (!strcmp(e->name, name))
				found++;
			at += e->reclen;
		}
	}
	CHECK(n, 0);
	return found;
}

void
files_read(void)
{
	struct fs_stat st, st2;
	char buf[64];

	check_contents(ROOT, "etc/motd", motd, sizeof(motd) - 1);
	/* Absolute paths, dots and ".." at the root all stay inside it. */
	check_contents(ROOT, "/etc/motd", motd, sizeof(motd) - 1);
	check_contents(ROOT, "../../../etc/./motd", motd, sizeof(motd) - 1);
	check_contents(ROOT, "//etc//motd", motd, sizeof(motd) - 1);
	/* Symbolic links: relative, and up and out of usr/lib. */
	check_contents(ROOT, "etc/os-release.link", "NAME=\"ThemeliOS\"\nID=themelios\n", 30);
	check_contents(ROOT, "usr/lib/etc-up/motd", motd, sizeof(motd) - 1);
	CHECK(sys_fs_readlink(ROOT, "etc/os-release.link", 19, buf, sizeof(buf)), 10);
	CHECK(memcmp(buf, "os-release", 10), 0);
	CHECK(sys_fs_readlink(ROOT, "etc/motd", 8, buf, sizeof(buf)), -E_INVAL);

	CHECK(fs_stat(ROOT, "etc/motd", 0, &st), 0);
	CHECK(st.mode & FS_S_IFMT, FS_S_IFREG);
	CHECK(st.size, sizeof(motd) - 1);
	CHECK(st.uid, 0);
	CHECK(fs_stat(ROOT, "etc/os-release.link", FS_STAT_NOFOLLOW, &st), 0);
	CHECK(st.mode & FS_S_IFMT, FS_S_IFLNK);
	CHECK(fs_stat(ROOT, "etc/os-release.link", 0, &st), 0);
	CHECK(fs_stat(ROOT, "etc/os-release", 0, &st2), 0);
	CHECK(st.ino == st2.ino && st.dev == st2.dev, 1);
	CHECK(fs_stat(ROOT, "bin/utest", 0, &st), 0);
	CHECK(st.size > 4096, 1);

	/* pread, seek, and reads at and past the end. */
	CHECK(fs_open(ROOT, "etc/motd", 0, RIGHT_READ, F), 0);
	CHECK(sys_fs_pread(F, buf, 9, 0), 9);
	CHECK(memcmp(buf, "ThemeliOS", 9), 0);
	CHECK(sys_fs_seek(F, -7, FS_SEEK_END), (long)sizeof(motd) - 8);
	CHECK(sys_fs_read(F, buf, sizeof(buf)), 7);
	CHECK(memcmp(buf, "image.\n", 7), 0);
	CHECK(sys_fs_read(F, buf, sizeof(buf)), 0);
	CHECK(sys_fs_pread(F, buf, sizeof(buf), 1ull << 40), 0);
	CHECK(sys_fs_seek(F, 0, FS_SEEK_CUR), (long)sizeof(motd) - 1);
	CHECK(sys_fs_fstat(F, &st), 0);
	CHECK(st.size, sizeof(motd) - 1);
	CHECK(sys_fs_close(F), 0);

	/* Directories: readdir, and a Directory capability from open. */
	CHECK(lists(ROOT, "etc"), 1);
	CHECK(lists(ROOT, "bin"), 1);
	CHECK(lists(ROOT, "."), 0);
	CHECK(fs_open(ROOT, "etc", FS_O_DIRECTORY, RIGHT_READ, D), 0);
	CHECK(lists(D, "motd"), 1);
	check_contents(D, "motd", motd, sizeof(motd) - 1);
	CHECK(sys_fs_fstat(D, &st), 0);
	CHECK(st.mode & FS_S_IFMT, FS_S_IFDIR);
	CHECK(sys_fs_close(D), 0);
}

void
files_confined(void)
{
	struct fs_stat st;
	char longpath[FS_PATH_MAX + 2];
	char name[FS_NAME_MAX + 2];

	/* A Directory for usr/lib: nothing above it can be named. */
	CHECK(fs_open(ROOT, "usr/lib", FS_O_DIRECTORY, RIGHT_READ, D), 0);
	CHECK(fs_stat(D, "..", 0, &st), 0);
	CHECK(fs_stat(D, ".", 0, &st), 0);
	CHECK(fs_open(D, "../../etc/motd", 0, RIGHT_READ, F), -E_NOENT);
	CHECK(fs_open(D, "/etc/motd", 0, RIGHT_READ, F), -E_NOENT);
	/* Its link "../../etc" resolves inside usr/lib too: to nothing. */
	CHECK(fs_open(D, "etc-up/motd", 0, RIGHT_READ, F), -E_NOENT);
	CHECK(fs_stat(D, "etc-up", FS_STAT_NOFOLLOW, &st), 0);
	/* No write or create through a read-only Directory. */
	CHECK(fs_open(D, "x", FS_O_CREAT, RIGHT_READ, F), -E_PERM);
	CHECK(fs_open(ROOT, "usr/lib", FS_O_DIRECTORY, RIGHT_READ | RIGHT_WRITE, D2), -E_ISDIR);
	CHECK(sys_fs_close(D), 0);

	/* Symbolic links the case makes in the RAM layer. */
	CHECK(sys_fs_mkdir(ROOT, "tmp-confined", 12, 0755), 0);
	CHECK(fs_open(ROOT, "tmp-confined", FS_O_DIRECTORY,
		      RIGHT_READ | RIGHT_CREATE | RIGHT_DELETE, D),
	      0);
	CHECK(sys_fs_symlink("/etc/motd", 9, D, "abs", 3), 0);
	CHECK(sys_fs_symlink("../../../etc/motd", 17, D, "rel", 3), 0);
	CHECK(sys_fs_symlink("loop2", 5, D, "loop1", 5), 0);
	CHECK(sys_fs_symlink("loop1", 5, D, "loop2", 5), 0);
	CHECK(sys_fs_symlink("self", 4, D, "self", 4), 0);
	CHECK(fs_open(D, "abs", 0, RIGHT_READ, F), -E_NOENT);
	CHECK(fs_open(D, "rel", 0, RIGHT_READ, F), -E_NOENT);
	check_contents(ROOT, "tmp-confined/abs", motd, sizeof(motd) - 1);
	check_contents(ROOT, "tmp-confined/rel", motd, sizeof(motd) - 1);
	CHECK(fs_open(D, "loop1", 0, RIGHT_READ, F), -E_LOOP);
	CHECK(fs_open(D, "self/x", 0, RIGHT_READ, F), -E_LOOP);
	CHECK(fs_open(D, "abs", FS_O_NOFOLLOW, RIGHT_READ, F), -E_LOOP);

	/* Names and paths too long. */
	memset(name, 'n', sizeof(name));
	CHECK(sys_fs_mkdir(D, name, FS_NAME_MAX + 1, 0755), -E_NAMETOOLONG);
	CHECK(sys_fs_mkdir(D, name, FS_NAME_MAX, 0755), 0);
	CHECK(sys_fs_rmdir(D, name, FS_NAME_MAX), 0);
	for (size_t i = 0; i < sizeof(longpath); i += 2) {
		longpath[i] = 'a';
		longpath[i + 1] = '/';
	}
	CHECK(sys_fs_stat(D, longpath, FS_PATH_MAX + 1, 0, &st), -E_NAMETOOLONG);
	CHECK(sys_fs_stat(D, longpath, FS_PATH_MAX, 0, &st), -E_NOENT);
	CHECK(sys_fs_symlink(longpath, FS_PATH_MAX, D, "big", 3), -E_NAMETOOLONG);

	const char *names[] = { "abs", "rel", "loop1", "loop2", "self" };
	for (unsigned i = 0; i < 5; i++)
		CHECK(sys_fs_unlink(D, names[i], strlen(names[i])), 0);
	CHECK(sys_fs_close(D), 0);
	CHECK(sys_fs_rmdir(ROOT, "tmp-confined", 12), 0);
}

void
files_write(void)
{
	char buf[8192];
	struct fs_stat st;

	CHECK(sys_fs_mkdir(ROOT, "tmp-write", 9, 0700), 0);
	CHECK(sys_fs_mkdir(ROOT, "tmp-write", 9, 0700), -E_EXIST);
	CHECK(fs_open(ROOT, "tmp-write/a", FS_O_CREAT | FS_O_EXCL, RIGHT_READ | RIGHT_WRITE, F), 0);
	CHECK(fs_open(ROOT, "tmp-write/a", FS_O_CREAT | FS_O_EXCL, RIGHT_READ, F2), -E_EXIST);
	CHECK(sys_fs_write(F, "hello, world", 12), 12);
	CHECK(sys_fs_pwrite(F, "H", 1, 0), 1);
	CHECK(sys_fs_pread(F, buf, sizeof(buf), 0), 12);
	CHECK(memcmp(buf, "Hello, world", 12), 0);
	/* A hole, read back as zeros. */
	CHECK(sys_fs_pwrite(F, "!", 1, 6000), 1);
	CHECK(sys_fs_pread(F, buf, sizeof(buf), 0), 6001);
	CHECK(buf[12] == 0 && buf[5999] == 0 && buf[6000] == '!', 1);
	CHECK(sys_fs_truncate(F, 5), 0);
	CHECK(sys_fs_fstat(F, &st), 0);
	CHECK(st.size, 5);
	CHECK(sys_fs_fsync(F), 0);
	CHECK(sys_fs_close(F), 0);

	/* Append mode writes at the end whatever the position. */
	CHECK(fs_open(ROOT, "tmp-write/a", FS_O_APPEND, RIGHT_WRITE, F), 0);
	CHECK(sys_fs_write(F, "!", 1), 1);
	CHECK(sys_fs_close(F), 0);
	check_contents(ROOT, "tmp-write/a", "Hello!", 6);

	/* Links, renames, removal. */
	CHECK(sys_fs_link(ROOT, "tmp-write/a", 11, ROOT, "tmp-write/b", 11), 0);
	CHECK(fs_stat(ROOT, "tmp-write/b", 0, &st), 0);
	CHECK(st.nlink, 2);
	CHECK(sys_fs_rename(ROOT, "tmp-write/b", 11, ROOT, "tmp-write/c", 11), 0);
	CHECK(fs_stat(ROOT, "tmp-write/b", 0, &st), -E_NOENT);
	check_contents(ROOT, "tmp-write/c", "Hello!", 6);
	CHECK(sys_fs_mkdir(ROOT, "tmp-write/d", 11, 0755), 0);
	CHECK(sys_fs_rename(ROOT, "tmp-write", 9, ROOT, "tmp-write/d/e", 13), -E_INVAL);
	CHECK(sys_fs_rmdir(ROOT, "tmp-write", 9), -E_NOTEMPTY);
	CHECK(sys_fs_unlink(ROOT, "tmp-write/d", 11), -E_ISDIR);
	CHECK(sys_fs_rmdir(ROOT, "tmp-write/c", 11), -E_NOTDIR);
	CHECK(sys_fs_link(ROOT, "tmp-write/d", 11, ROOT, "tmp-write/f", 11), -E_PERM);

	/* An open file outlives its name. */
	CHECK(fs_open(ROOT, "tmp-write/c", 0, RIGHT_READ, F), 0);
	CHECK(sys_fs_unlink(ROOT, "tmp-write/c", 11), 0);
	CHECK(sys_fs_unlink(ROOT, "tmp-write/a", 11), 0);
	CHECK(read_all(F, buf, sizeof(buf)), 6);
	CHECK(sys_fs_close(F), 0);
	CHECK(sys_fs_rmdir(ROOT, "tmp-write/d", 11), 0);
	CHECK(sys_fs_rmdir(ROOT, "tmp-write", 9), 0);
	CHECK(fs_stat(ROOT, "tmp-write", 0, &st), -E_NOENT);
}

void
files_overlay(void)
{
	struct fs_stat st;

	/* Writing a file of the image copies it up; the image is intact
	 * below (the overlay answers for it again once removed). */
	CHECK(fs_open(ROOT, "etc/os-release", 0, RIGHT_READ | RIGHT_WRITE, F), 0);
	CHECK(sys_fs_pwrite(F, "X", 1, 0), 1);
	CHECK(sys_fs_close(F), 0);
	check_contents(ROOT, "etc/os-release", "XAME=\"ThemeliOS\"\nID=themelios\n", 30);
	check_contents(ROOT, "etc/os-release.link", "XAME=\"ThemeliOS\"\nID=themelios\n", 30);
	CHECK(fs_open(ROOT, "etc/os-release", 0, RIGHT_READ | RIGHT_WRITE, F), 0);
	CHECK(sys_fs_pwrite(F, "N", 1, 0), 1);
	CHECK(sys_fs_close(F), 0);

	/* Removing a file of the image hides it (a whiteout). */
	CHECK(sys_fs_rename(ROOT, "etc/motd", 8, ROOT, "etc/motd.old", 12), 0);
	CHECK(fs_stat(ROOT, "etc/motd", 0, &st), -E_NOENT);
	CHECK(lists(ROOT, "motd"), 0);
	CHECK(fs_open(ROOT, "etc", FS_O_DIRECTORY, RIGHT_READ, D), 0);
	CHECK(lists(D, "motd"), 0);
	CHECK(lists(D, "motd.old"), 1);
	CHECK(sys_fs_rename(ROOT, "etc/motd.old", 12, ROOT, "etc/motd", 8), 0);
	CHECK(lists(D, "motd"), 1);
	CHECK(lists(D, "motd.old"), 0);
	CHECK(sys_fs_close(D), 0);
	check_contents(ROOT, "etc/motd", motd, sizeof(motd) - 1);
}

void
files_rights(void)
{
	char buf[8];

	/* A File gets no right its Directory lacks, and uses only its own. */
	CHECK(sys_cap_mint(ROOT, D, RIGHT_READ, 0), 0);
	CHECK(fs_open(D, "etc/motd", 0, RIGHT_READ | RIGHT_WRITE, F), -E_PERM);
	CHECK(fs_open(D, "etc/motd", 0, RIGHT_READ, F), 0);
	CHECK(sys_fs_write(F, "x", 1), -E_PERM);
	CHECK(sys_fs_truncate(F, 0), -E_PERM);
	CHECK(sys_fs_close(F), 0);
	CHECK(fs_open(D, "etc/motd", 0, 0, F), 0);
	CHECK(sys_fs_read(F, buf, 1), -E_PERM);
	CHECK(sys_fs_close(F), 0);
	CHECK(fs_open(D, "bin/echo", 0, RIGHT_READ | RIGHT_EXECUTE, F), -E_PERM);
	CHECK(sys_fs_mkdir(D, "x", 1, 0755), -E_PERM);
	CHECK(sys_fs_unlink(D, "etc/motd", 8), -E_PERM);
	CHECK(sys_fs_rename(D, "etc/motd", 8, ROOT, "etc/m", 5), -E_PERM);
	CHECK(sys_fs_symlink("a", 1, D, "x", 1), -E_PERM);
	CHECK(fs_open(D, "etc/new", FS_O_CREAT, RIGHT_READ, F2), -E_PERM);
	CHECK(sys_fs_close(D), 0);
	/* Rights beyond the defined ones, and closing what is no file. */
	CHECK(fs_open(ROOT, "etc/motd", 0, 1u << 9, F), -E_INVAL);
	CHECK(sys_fs_close(CAP_SLOT_CONSOLE), -E_TYPE);
	CHECK(sys_fs_close(F), -E_NOCAP);
}

void
files_badargs(void)
{
	char buf[64];
	uint64_t cookie = 0;
	struct fs_stat st;

	CHECK(sys_fs_open(ROOT, (const char *)KERNEL_ADDRESS, 4, 0, RIGHT_READ, F), -E_FAULT);
	CHECK(sys_fs_open(ROOT, NULL, 4, 0, RIGHT_READ, F), -E_FAULT);
	CHECK(sys_fs_open(ROOT, "etc", 0, 0, RIGHT_READ, F), -E_NOENT);
	CHECK(sys_fs_open(ROOT, "etc\0motd", 8, 0, RIGHT_READ, F), -E_INVAL);
	CHECK(sys_fs_open(ROOT, "etc", 3, 0x1000, RIGHT_READ, F), -E_INVAL);
	CHECK(sys_fs_open(ROOT, "etc/motd", 8, 0, RIGHT_READ, CAP_SLOT_CONSOLE), -E_EXIST);
	CHECK(sys_fs_open(ROOT, "etc/motd", 8, 0, RIGHT_READ, 9999), -E_NOCAP);
	CHECK(sys_fs_open(CAP_SLOT_CONSOLE, "etc", 3, 0, RIGHT_READ, F), -E_TYPE);
	CHECK(sys_fs_open(40, "etc", 3, 0, RIGHT_READ, F), -E_NOCAP);
	CHECK(fs_open(ROOT, "etc/motd/x", 0, RIGHT_READ, F), -E_NOTDIR);
	CHECK(fs_open(ROOT, "etc/motd/", 0, RIGHT_READ, F), -E_NOTDIR);
	CHECK(fs_open(ROOT, "nowhere", 0, RIGHT_READ, F), -E_NOENT);
	CHECK(fs_open(ROOT, "etc/motd", FS_O_DIRECTORY, RIGHT_READ, F), -E_NOTDIR);
	CHECK(fs_open(ROOT, "etc/motd", 0, RIGHT_READ, F), 0);
	CHECK(sys_fs_read(F, (void *)KERNEL_ADDRESS, 8), -E_FAULT);
	CHECK(sys_fs_read(F, (void *)(uintptr_t)files_badargs, 8), -E_FAULT); /* our code */
	CHECK(sys_fs_read(F, buf, 0), 0);
	CHECK(sys_fs_seek(F, -1, FS_SEEK_SET), -E_INVAL);
	CHECK(sys_fs_seek(F, 0, 3), -E_INVAL);
	CHECK(sys_fs_pread(F, buf, 8, 1ull << 63), -E_INVAL);
	CHECK(sys_fs_write(F, "x", 1), -E_PERM);
	CHECK(sys_fs_readdir(F, &cookie, buf, sizeof(buf)), -E_TYPE);
	CHECK(sys_fs_fstat(F, (struct fs_stat *)KERNEL_ADDRESS), -E_FAULT);
	CHECK(sys_fs_close(F), 0);
	CHECK(sys_fs_read(F, buf, 8), -E_NOCAP);
	CHECK(sys_fs_fstat(CAP_SLOT_CONSOLE, &st), -E_TYPE);
	CHECK(sys_fs_readdir(ROOT, &cookie, buf, 8), -E_RANGE);
	CHECK(sys_fs_readdir(ROOT, (uint64_t *)KERNEL_ADDRESS, buf, sizeof(buf)), -E_FAULT);
	CHECK(sys_fs_readdir(ROOT, &cookie, (void *)KERNEL_ADDRESS, sizeof(buf)), -E_FAULT);
	CHECK(sys_fs_stat(ROOT, "etc", 3, 2, &st), -E_INVAL);
	CHECK(sys_fs_stat(ROOT, "etc", 3, 0, (struct fs_stat *)KERNEL_ADDRESS), -E_FAULT);
	CHECK(sys_fs_readlink(ROOT, "etc/os-release.link", 19, (char *)KERNEL_ADDRESS, 64),
	      -E_FAULT);
	CHECK(sys_fs_readlink(ROOT, "etc/os-release.link", 19, buf, 3), -E_RANGE);
	/* The image is read-only below, the root cannot go, "." is no name. */
	CHECK(sys_fs_rmdir(ROOT, "/", 1), -E_BUSY);
	CHECK(sys_fs_mkdir(ROOT, ".", 1, 0755), -E_EXIST);
	CHECK(sys_fs_unlink(ROOT, "etc/..", 6), -E_INVAL);
	CHECK(sys_fs_truncate(ROOT, 0), -E_TYPE);
	CHECK(sys_fs_fsync(ROOT), -E_TYPE);
}

/*
 * The RAM layer is paid by a Memory object of its own: filling it is
 * -E_NOSPC for the writer, what was written stays, and freeing it gives
 * the room back.
 */
void
files_full(void)
{
	const size_t size = 32768;
	char back[16], *chunk;
	uint64_t written = 0, a;
	long n = 0;

	/* Mapped, not static: every helper would carry it otherwise. */
	CHECK(sys_map_anonymous(size / 4096, MAP_WRITE, &a), 0);
	chunk = (char *)(uintptr_t)a;
	memset(chunk, 'z', size);
	memcpy(chunk, "first bytes here", 16);
	CHECK(fs_open(ROOT, "full.bin", FS_O_CREAT | FS_O_EXCL, RIGHT_READ | RIGHT_WRITE, F), 0);
	/* At most 4 GiB: far more than any RAM layer the suite boots with. */
	for (int i = 0; i < 131072; i++) {
		n = sys_fs_write(F, chunk, size);
		if (n <= 0)
			break;
		written += (uint64_t)n;
		if (n < (long)size) {
			n = sys_fs_write(F, chunk, size);
			break;
		}
	}
	CHECK(n, -E_NOSPC);
	CHECK(written > 1024 * 1024, 1);
	printf("utest: files: the RAM layer took %lu KiB, then -E_NOSPC\n",
	       (unsigned long)(written / 1024));
	/* What was written is there, and other names cannot grow either. */
	CHECK(sys_fs_pread(F, back, 16, 0), 16);
	CHECK(memcmp(back, "first bytes here", 16), 0);
	CHECK(sys_fs_pread(F, back, 1, written - 1), 1);
	CHECK(back[0], 'z');
	/* Freeing it gives the room back. */
	CHECK(sys_fs_truncate(F, 0), 0);
	CHECK(sys_fs_write(F, chunk, size), size);
	CHECK(sys_fs_close(F), 0);
	CHECK(sys_fs_unlink(ROOT, "full.bin", 8), 0);
}
