/* Pure parts of the Linux personality: the errno table, the ELF note
 * that tells native programs apart, and path strings. */
#include <string.h>

#include "linux/errno.h"
#include "linux/path.h"
#include "linux/personality.h"
#include "themelios/errno.h"
#include "unit.h"

UNIT_TEST(errno_table)
{
	CHECK_EQ(linux_errno(0), 0);
	CHECK_EQ(linux_errno(42), 42); /* counts pass through */
	CHECK_EQ(linux_errno(-E_NOENT), -LX_ENOENT);
	CHECK_EQ(linux_errno(-E_FAULT), -LX_EFAULT);
	CHECK_EQ(linux_errno(-E_NOCAP), -LX_EBADF);
	CHECK_EQ(linux_errno(-E_PERM), -LX_EACCES);
	CHECK_EQ(linux_errno(-E_NOTDIR), -LX_ENOTDIR);
	CHECK_EQ(linux_errno(-E_ISDIR), -LX_EISDIR);
	CHECK_EQ(linux_errno(-E_NOTEMPTY), -LX_ENOTEMPTY);
	CHECK_EQ(linux_errno(-E_ROFS), -LX_EROFS);
	CHECK_EQ(linux_errno(-E_LOOP), -LX_ELOOP);
	CHECK_EQ(linux_errno(-E_NAMETOOLONG), -LX_ENAMETOOLONG);
	CHECK_EQ(linux_errno(-E_NOSYS), -LX_ENOSYS);
	CHECK_EQ(linux_errno(-E_PIPE), -LX_EPIPE);
	/* Every code has a translation, and an unknown one is EINVAL. */
	for (long e = 1; e < E_MAX; e++)
		CHECK(linux_errno(-e) < 0);
	CHECK_EQ(linux_errno(-E_MAX), -LX_EINVAL);
	CHECK_EQ(linux_errno(-1000), -LX_EINVAL);
}

/* An ELF64 image with one PT_NOTE program header over notes[]. */
static uint8_t image[512];

static void
put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void
put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static size_t
make_image(const char *name, uint32_t type, uint32_t namesz_adjust)
{
	uint8_t *ph = image + 64, *note = image + 256;
	size_t nlen = strlen(name) + 1, at = 0;

	memset(image, 0, sizeof(image));
	put32(ph, 4); /* PT_NOTE */
	put64(ph + 8, 256);
	put32(note, (uint32_t)nlen + namesz_adjust);
	put32(note + 4, 4);
	put32(note + 8, type);
	memcpy(note + 12, name, nlen);
	at = 12 + ((nlen + 3) & ~(size_t)3) + 4;
	put64(ph + 32, at);
	return 256 + at;
}

UNIT_TEST(native_note)
{
	size_t len = make_image("ThemeliOS", NT_THEMELIOS_ABI, 0);

	CHECK(personality_has_native_note(image, len, 64, 1));
	/* A Linux program: no note, another name, another type. */
	CHECK(!personality_has_native_note(image, len, 64, 0));
	len = make_image("GNU", NT_THEMELIOS_ABI, 0);
	CHECK(!personality_has_native_note(image, len, 64, 1));
	len = make_image("ThemeliOS", 3, 0);
	CHECK(!personality_has_native_note(image, len, 64, 1));
	/* Damaged: sizes past the segment, headers past the image. */
	len = make_image("ThemeliOS", NT_THEMELIOS_ABI, 1000);
	CHECK(!personality_has_native_note(image, len, 64, 1));
	len = make_image("ThemeliOS", NT_THEMELIOS_ABI, 0);
	CHECK(!personality_has_native_note(image, 100, 64, 1));
	CHECK(!personality_has_native_note(image, len, 500, 1));
	CHECK(!personality_has_native_note(image, len, UINT64_MAX - 8, 2));
}

UNIT_TEST(path_join)
{
	char buf[16];

	CHECK_EQ(lx_path_join(buf, sizeof(buf), "/a", "b", 1), 4);
	CHECK(strcmp(buf, "/a/b") == 0);
	CHECK_EQ(lx_path_join(buf, sizeof(buf), "/", "b/c", 3), 4);
	CHECK(strcmp(buf, "/b/c") == 0);
	CHECK_EQ(lx_path_join(buf, sizeof(buf), "/a", "/abs", 4), 4);
	CHECK(strcmp(buf, "/abs") == 0);
	/* Not NUL-terminated input: only len bytes count. */
	CHECK_EQ(lx_path_join(buf, sizeof(buf), "/a", "xyz", 2), 5);
	CHECK(strcmp(buf, "/a/xy") == 0);
	CHECK_EQ(lx_path_join(buf, sizeof(buf), "/0123456789", "abcd", 4), -LX_ENAMETOOLONG);
	CHECK_EQ(lx_path_join(buf, sizeof(buf), "/0123456789", "abc", 3), 15);
	CHECK_EQ(lx_path_join(buf, sizeof(buf), "/", "0123456789abcdef", 16), -LX_ENAMETOOLONG);
}

static const char *
norm(const char *in)
{
	static char buf[64];

	strcpy(buf, in);
	lx_path_normalize(buf);
	return buf;
}

UNIT_TEST(path_normalize)
{
	CHECK(strcmp(norm("/"), "/") == 0);
	CHECK(strcmp(norm("//a//b/"), "/a/b") == 0);
	CHECK(strcmp(norm("/a/./b/."), "/a/b") == 0);
	CHECK(strcmp(norm("/a/b/.."), "/a") == 0);
	CHECK(strcmp(norm("/a/.."), "/") == 0);
	/* Never above the root. */
	CHECK(strcmp(norm("/../../x"), "/x") == 0);
	CHECK(strcmp(norm("/a/../../b/../c"), "/c") == 0);
	CHECK(strcmp(norm("/..a/.b/..."), "/..a/.b/...") == 0);
}

static const char *
strip(const char *in, uint64_t pid)
{
	static char buf[64];
	size_t len;

	strcpy(buf, in);
	len = lx_path_strip_proc_root(buf, strlen(buf), pid);
	return len == strlen(buf) ? buf : "length wrong";
}

UNIT_TEST(path_strip_proc_root)
{
	CHECK(strcmp(strip("/proc/self/root/etc", 1), "/etc") == 0);
	CHECK(strcmp(strip("/proc/self/root/..", 1), "/..") == 0);
	CHECK(strcmp(norm(strip("/proc/self/root/../../x", 7)), "/x") == 0);
	CHECK(strcmp(strip("/proc/self/root/proc/self/root/a", 1), "/a") == 0);
	CHECK(strcmp(strip("/proc/42/root/a", 42), "/a") == 0);
	CHECK(strcmp(strip("/proc/1/root/proc/self/root/", 1), "/") == 0);
	/* Another pid's, the link itself, and near misses stay. */
	CHECK(strcmp(strip("/proc/42/root/a", 4), "/proc/42/root/a") == 0);
	CHECK(strcmp(strip("/proc/4/root/a", 42), "/proc/4/root/a") == 0);
	CHECK(strcmp(strip("/proc/self/root", 1), "/proc/self/root") == 0);
	CHECK(strcmp(strip("/proc/self/rootx/a", 1), "/proc/self/rootx/a") == 0);
	CHECK(strcmp(strip("/proc/selfroot/a", 1), "/proc/selfroot/a") == 0);
	CHECK(strcmp(strip("/a/proc/self/root/b", 1), "/a/proc/self/root/b") == 0);
	CHECK(strcmp(strip("/proc/self/root/", 1), "/") == 0);
}

UNIT_TEST(path_proc_cwd)
{
	CHECK_EQ(lx_path_proc_cwd("/proc/self/cwd/a", 16, 1), 15);
	CHECK_EQ(lx_path_proc_cwd("/proc/self/cwd//a", 17, 1), 16);
	CHECK_EQ(lx_path_proc_cwd("/proc/self/cwd/", 15, 1), 15);
	CHECK_EQ(lx_path_proc_cwd("/proc/42/cwd/..", 15, 42), 13);
	/* The link itself, another pid's, near misses and other links. */
	CHECK_EQ(lx_path_proc_cwd("/proc/self/cwd", 14, 1), 0);
	CHECK_EQ(lx_path_proc_cwd("/proc/42/cwd/a", 14, 4), 0);
	CHECK_EQ(lx_path_proc_cwd("/proc/4/cwd/a", 13, 42), 0);
	CHECK_EQ(lx_path_proc_cwd("/proc/self/cwdx/a", 17, 1), 0);
	CHECK_EQ(lx_path_proc_cwd("/proc/self/root/a", 17, 1), 0);
	CHECK_EQ(lx_path_proc_cwd("/a/proc/self/cwd/b", 18, 1), 0);
	CHECK_EQ(lx_path_proc_cwd("/proc/", 6, 1), 0);
}

UNIT_MAIN()
