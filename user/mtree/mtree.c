/*
 * mtree: prints an mtree(5) manifest of a directory, in the form that
 *
 *   bsdtar --format=mtree --options='!all,type,mode,uid,gid,size,sha256,link'
 *
 * prints on a host for the same tree, so that the two can be compared
 * line by line (tests/system/test_storage.py):
 *
 *   #mtree
 *   . mode=755 gid=0 uid=0 type=dir
 *   ./a\040b mode=644 gid=0 uid=0 type=file size=3 sha256digest=...
 *   ./l mode=777 gid=0 uid=0 type=link link=a\040b
 *
 * libarchive's order: a directory's line, then its other entries, then
 * its subdirectories, each group sorted by name (strcmp); names and link
 * targets with every byte outside printable ASCII, and ' ', '#', '=',
 * '\\', as \ooo.  Hard links are shown as the files they are.
 *
 * Usage: mtree [PATH]: the console in slot 1, a Directory in slot 2;
 * PATH (default ".") is resolved under it.  The walk is depth first
 * and holds one Directory capability per level (slots 3 and up), so a
 * tree deeper than MTREE_DEPTH_MAX is an error.  It exits with 0, or 1
 * after printing each entry it could not read ("mtree: PATH: E_IO").
 */
#include <stdbool.h>

#include "themelios.h"
#include "lib/sha256.h"

#define SLOT_CONSOLE	CAP_SLOT_CONSOLE
#define SLOT_DIR	2
#define SLOT_FILE	3
#define SLOT_LEVEL0	4 /* the Directory of depth d is in SLOT_LEVEL0 + d */
#define MTREE_DEPTH_MAX (CAP_SLOT_PROGRAM - SLOT_LEVEL0)
#define READ_CHUNK	65536

struct entry {
	char *name;
	struct fs_stat st;
};

static char out[CONSOLE_WRITE_MAX];
static size_t out_len;
static char path[FS_PATH_MAX + 1]; /* the walk's path, raw: "./a/b" */
static uint8_t *chunk;
static int errors;

static void
out_flush(void)
{
	long err = out_len ? sys_console_write(SLOT_CONSOLE, out, out_len) : 0;

	out_len = 0;
	if (err < 0) /* the manifest is incomplete: fail loudly */
		sys_exit(2);
}

static void
out_char(char c)
{
	if (out_len == sizeof(out))
		out_flush();
	out[out_len++] = c;
}

static void
out_str(const char *s)
{
	while (*s)
		out_char(*s++);
}

static void out_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
out_fmt(const char *fmt, ...)
{
	char buf[96];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	out_str(buf);
}

/* lib/format has no %o. */
static void
out_octal(uint32_t v)
{
	char buf[12];
	int n = 0;

	do {
		buf[n++] = (char)('0' + v % 8);
		v /= 8;
	} while (v);
	while (n)
		out_char(buf[--n]);
}

/* libarchive's mtree_quote: the bytes it writes as they are. */
static bool
safe_char(unsigned char c)
{
	return c > ' ' && c < 0x7f && c != '#' && c != '=' && c != '\\';
}

static void
out_quoted(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (safe_char(c)) {
			out_char((char)c);
			continue;
		}
		out_char('\\');
		out_char((char)('0' + c / 64));
		out_char((char)('0' + c / 8 % 8));
		out_char((char)('0' + c % 8));
	}
}

/* An error on the entry at path: printed after what is already out. */
static void
fail(const char *what, long err)
{
	out_flush();
	printf("mtree: %s: %s: %s\n", path, what, strerror(err));
	errors++;
}

static const char *
type_name(uint32_t mode)
{
	switch (mode & FS_S_IFMT) {
	case FS_S_IFREG:
		return "file";
	case FS_S_IFDIR:
		return "dir";
	case FS_S_IFLNK:
		return "link";
	case 0020000:
		return "char";
	case 0060000:
		return "block";
	case 0010000:
		return "fifo";
	case 0140000:
		return "socket";
	}
	return "unknown";
}

/* The SHA-256 of the file name in the Directory at dir, in hex. */
static int
file_digest(slot_t dir, const char *name, uint64_t size, char hex[2 * SHA256_DIGEST_BYTES + 1])
{
	uint8_t digest[SHA256_DIGEST_BYTES];
	struct sha256_ctx c;
	uint64_t total = 0;
	long n, err;

	err = fs_open(dir, name, FS_O_NOFOLLOW, RIGHT_READ, SLOT_FILE);
	if (err)
		return (int)err;
	sha256_init(&c);
	while ((n = sys_fs_read(SLOT_FILE, chunk, READ_CHUNK)) > 0) {
		sha256_update(&c, chunk, (size_t)n);
		total += (uint64_t)n;
	}
	sys_fs_close(SLOT_FILE);
	sha256_final(&c, digest);
	if (n < 0)
		return (int)n;
	if (total != size)
		return -E_CORRUPT; /* the stat and the data disagree */
	for (int i = 0; i < SHA256_DIGEST_BYTES; i++)
		fmt_snprintf(hex + 2 * i, 3, "%02x", digest[i]);
	return 0;
}

/* One entry's line; path holds its path. */
static void
print_entry(slot_t dir, const char *name, const struct fs_stat *st)
{
	uint32_t type = st->mode & FS_S_IFMT;
	char hex[2 * SHA256_DIGEST_BYTES + 1];
	char target[FS_PATH_MAX];
	long n = 0;
	int err = 0;

	/* Read first, so that a failure prints no half line. */
	if (type == FS_S_IFREG)
		err = file_digest(dir, name, st->size, hex);
	else if (type == FS_S_IFLNK)
		n = sys_fs_readlink(dir, name, strlen(name), target, sizeof(target));
	if (err || n < 0) {
		fail(type == FS_S_IFREG ? "read" : "readlink", err ? err : n);
		return;
	}
	out_quoted(path, strlen(path));
	out_str(" mode=");
	out_octal(st->mode & 07777);
	out_fmt(" gid=%u uid=%u type=%s", st->gid, st->uid, type_name(st->mode));
	if (type == FS_S_IFREG)
		out_fmt(" size=%lu sha256digest=%s", (unsigned long)st->size, hex);
	else if (type == FS_S_IFLNK) {
		out_str(" link=");
		out_quoted(target, (size_t)n);
	}
	out_char('\n');
}

static int
entry_cmp(const struct entry *a, const struct entry *b)
{
	return strcmp(a->name, b->name);
}

/* Shell sort: no recursion, no extra memory. */
static void
sort_entries(struct entry *e, size_t n)
{
	size_t gap = 1;

	while (gap < n / 3)
		gap = 3 * gap + 1;
	for (; gap > 0; gap /= 3)
		for (size_t i = gap; i < n; i++) {
			struct entry t = e[i];
			size_t j = i;

			for (; j >= gap && entry_cmp(&e[j - gap], &t) > 0; j -= gap)
				e[j] = e[j - gap];
			e[j] = t;
		}
}

static void
free_entries(struct entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(e[i].name);
	free(e);
}

/* Every entry of the Directory at dir with its lstat, sorted by name. */
static long
read_entries(slot_t dir, struct entry **out_e, size_t *out_n)
{
	static uint8_t buf[4096];
	struct entry *e = NULL;
	size_t n = 0, cap = 0;
	uint64_t cookie = 0;
	long got;

	while ((got = sys_fs_readdir(dir, &cookie, buf, sizeof(buf))) > 0) {
		for (long at = 0; at < got;) {
			struct fs_dirent *d = (struct fs_dirent *)(buf + at);

			at += d->reclen;
			if (n == cap) {
				size_t ncap = cap ? 2 * cap : 64;
				struct entry *bigger = malloc(ncap * sizeof(*e));

				if (!bigger)
					goto nomem;
				if (n)
					memcpy(bigger, e, n * sizeof(*e));
				free(e);
				e = bigger;
				cap = ncap;
			}
			if (!(e[n].name = malloc(d->name_len + 1u)))
				goto nomem;
			memcpy(e[n].name, d->name, d->name_len);
			e[n].name[d->name_len] = '\0';
			n++;
		}
	}
	if (got < 0) {
		free_entries(e, n);
		return got;
	}
	sort_entries(e, n);
	for (size_t i = 0; i < n; i++) {
		got = fs_stat(dir, e[i].name, FS_STAT_NOFOLLOW, &e[i].st);
		if (got) {
			free_entries(e, n);
			return got;
		}
	}
	*out_e = e;
	*out_n = n;
	return 0;
nomem:
	free_entries(e, n);
	return -E_NOMEM;
}

/* The manifest of the Directory at depth's slot, path its path. */
static void
walk(unsigned depth)
{
	slot_t dir = SLOT_LEVEL0 + depth;
	size_t n, len = strlen(path);
	struct entry *e;
	long err;

	if ((err = read_entries(dir, &e, &n))) {
		fail("readdir", err);
		return;
	}
	for (int dirs = 0; dirs < 2; dirs++)
		for (size_t i = 0; i < n; i++) {
			bool is_dir = (e[i].st.mode & FS_S_IFMT) == FS_S_IFDIR;

			if ((int)is_dir != dirs)
				continue;
			if (len + 1 + strlen(e[i].name) > FS_PATH_MAX) {
				fail("path", -E_NAMETOOLONG);
				continue;
			}
			path[len] = '/';
			strlcpy(path + len + 1, e[i].name, sizeof(path) - len - 1);
			print_entry(dir, e[i].name, &e[i].st);
			if (is_dir) {
				if (depth + 1 >= MTREE_DEPTH_MAX)
					fail("depth", -E_RANGE);
				else if ((err = fs_open(dir, e[i].name,
							FS_O_DIRECTORY | FS_O_NOFOLLOW, RIGHT_READ,
							dir + 1)))
					fail("open", err);
				else {
					walk(depth + 1);
					sys_fs_close(dir + 1);
				}
			}
			path[len] = '\0';
		}
	free_entries(e, n);
}

int
main(uint64_t arg)
{
	const char *top = prog_argc > 1 ? prog_argv[1] : ".";
	struct fs_stat st;
	long err;

	(void)arg;
	strlcpy(path, ".", sizeof(path));
	if (!(chunk = malloc(READ_CHUNK))) {
		printf("mtree: no memory\n");
		return 1;
	}
	err = fs_stat(SLOT_DIR, top, 0, &st);
	if (!err)
		err = fs_open(SLOT_DIR, top, FS_O_DIRECTORY, RIGHT_READ, SLOT_LEVEL0);
	if (err) {
		printf("mtree: %s: %s\n", top, strerror(err));
		return 1;
	}
	out_str("#mtree\n");
	print_entry(SLOT_DIR, top, &st);
	walk(0);
	out_flush();
	sys_fs_close(SLOT_LEVEL0);
	return errors ? 1 : 0;
}
