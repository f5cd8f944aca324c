/*
 * fsbench: file-level storage figures for `make bench` (tools/bench.py).
 * init starts it with "test fsbench" on the kernel command line, with
 * the console in slot 1 and the root Directory in slot 2.  It measures,
 * with sys_clock_ns:
 *   rand_cold  2,000 random 4 KiB preads of the 64 MiB file, after
 *              dropping the caches;
 *   walk_cold  readdir and stat of every entry of the tree, likewise;
 *   seq_cold   the file read from start to end in 128 KiB reads, likewise;
 *   seq_warm   the same again, from the page cache;
 * each FSB_REPEAT times.
 * The caches are dropped by sys_memory_audit (test mode only), which
 * empties the page cache and the name cache first.  The Linux twin,
 * tools/bench/fsbench_linux.c, does the same through fsbench.h.
 */
#include "themelios.h"
#include "fsbench/fsbench.h"

#define SLOT_ROOT  2
#define SLOT_FILE  8
#define SLOT_DIR0  16 /* the walk's directories: SLOT_DIR0 + depth */
#define DIRENT_BUF 4096

static uint8_t buf[FSB_SEQ_CHUNK];
static uint8_t dirents[FSB_DEPTH_MAX][DIRENT_BUF];

static void
drop_caches(void)
{
	struct mem_audit a;

	sys_memory_audit(&a);
}

static void
report(const char *name, uint64_t bytes, uint64_t ops, uint64_t ns, uint64_t sum)
{
	printf("fsbench: %s bytes=%lu ops=%lu ns=%lu sum=%lu\n", name, (unsigned long)bytes,
	       (unsigned long)ops, (unsigned long)ns, (unsigned long)sum);
}

static int
seq_read(const char *name)
{
	uint64_t bytes = 0, ops = 0, sum = 0, t0;
	long n;

	if (sys_fs_seek(SLOT_FILE, 0, FS_SEEK_SET) < 0)
		return 1;
	t0 = (uint64_t)sys_clock_ns();
	while ((n = sys_fs_read(SLOT_FILE, buf, sizeof(buf))) > 0) {
		sum = fsb_fold(sum, buf);
		bytes += (uint64_t)n;
		ops++;
	}
	report(name, bytes, ops, (uint64_t)sys_clock_ns() - t0, sum);
	if (n < 0 || bytes != FSB_FILE_BYTES) {
		printf("fsbench: %s: read %lu bytes: %s\n", name, (unsigned long)bytes,
		       strerror(n));
		return 1;
	}
	return 0;
}

static int
random_reads(void)
{
	uint64_t state = FSB_SEED, sum = 0, t0;

	t0 = (uint64_t)sys_clock_ns();
	for (int i = 0; i < FSB_RANDOM_READS; i++) {
		long n = sys_fs_pread(SLOT_FILE, buf, FSB_RANDOM_SIZE, fsb_random_offset(&state));

		if (n != FSB_RANDOM_SIZE) {
			printf("fsbench: random read %d: %s\n", i, strerror(n));
			return 1;
		}
		sum = fsb_fold(sum, buf);
	}
	report("rand_cold", (uint64_t)FSB_RANDOM_READS * FSB_RANDOM_SIZE, FSB_RANDOM_READS,
	       (uint64_t)sys_clock_ns() - t0, sum);
	return 0;
}

/* Stats every entry under the directory in SLOT_DIR0 + depth, and walks
 * into the directories; the number of entries, or an error. */
static long
walk(unsigned int depth)
{
	slot_t dir = SLOT_DIR0 + depth;
	uint64_t cookie = 0;
	long n, count = 0;

	while ((n = sys_fs_readdir(dir, &cookie, dirents[depth], DIRENT_BUF)) > 0) {
		for (long at = 0; at < n;) {
			struct fs_dirent *e = (struct fs_dirent *)(dirents[depth] + at);
			struct fs_stat st;
			long err, sub;

			at += e->reclen;
			if ((err = fs_stat(dir, e->name, FS_STAT_NOFOLLOW, &st)))
				return err;
			count++;
			if ((st.mode & FS_S_IFMT) != FS_S_IFDIR || depth + 1 >= FSB_DEPTH_MAX)
				continue;
			if ((err = fs_open(dir, e->name, FS_O_DIRECTORY, RIGHT_READ, dir + 1)))
				return err;
			sub = walk(depth + 1);
			sys_fs_close(dir + 1);
			if (sub < 0)
				return sub;
			count += sub;
		}
	}
	return n < 0 ? n : count;
}

static int
tree_walk(void)
{
	uint64_t t0;
	long n, err;

	t0 = (uint64_t)sys_clock_ns();
	if ((err = fs_open(SLOT_ROOT, FSB_TREE, FS_O_DIRECTORY, RIGHT_READ, SLOT_DIR0))) {
		printf("fsbench: cannot open %s: %s\n", FSB_TREE, strerror(err));
		return 1;
	}
	n = walk(0);
	sys_fs_close(SLOT_DIR0);
	if (n < 0) {
		printf("fsbench: walk: %s\n", strerror(n));
		return 1;
	}
	report("walk_cold", 0, (uint64_t)n, (uint64_t)sys_clock_ns() - t0, 0);
	return 0;
}

int
main(uint64_t arg)
{
	long err;
	int bad = 0;

	(void)arg;
	err = fs_open(SLOT_ROOT, FSB_FILE, 0, RIGHT_READ, SLOT_FILE);
	if (err) {
		printf("fsbench: cannot open %s: %s\n", FSB_FILE, strerror(err));
		return 1;
	}
	for (int i = 0; i < FSB_REPEAT; i++) {
		drop_caches();
		bad |= random_reads();
	}
	for (int i = 0; i < FSB_REPEAT; i++) {
		drop_caches();
		bad |= tree_walk();
	}
	for (int i = 0; i < FSB_REPEAT; i++) {
		drop_caches();
		bad |= seq_read("seq_cold");
	}
	for (int i = 0; i < FSB_REPEAT; i++)
		bad |= seq_read("seq_warm");
	sys_fs_close(SLOT_FILE);
	printf("fsbench: done\n");
	return bad;
}
