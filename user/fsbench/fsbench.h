/*
 * What ThemeliOS's fsbench (user/fsbench/fsbench.c) and its Linux twin
 * (tools/bench/fsbench_linux.c) share, so that both read the same file
 * at the same offsets and walk the same tree: the paths inside the
 * bench image (tools/bench.py makes it), the sizes, the random offsets
 * and the output lines.  Plain C over <stdint.h>: it builds freestanding
 * and against glibc alike.
 *
 * Every measurement is one line, FSB_REPEAT lines per figure, in the
 * order rand_cold, walk_cold, seq_cold, seq_warm (the file last, so
 * that the cache holds it at the end); tools/bench.py parses
 *   fsbench: NAME bytes=B ops=N ns=T sum=S
 * (B bytes in N reads or N entries, T nanoseconds; S folds the first
 * word of every read, so the two systems can be seen to read the same
 * data).
 */
#ifndef FSBENCH_H
#define FSBENCH_H

#include <stdint.h>

#define FSB_FILE	 "fsbench/data" /* FSB_FILE_BYTES of random bytes */
#define FSB_TREE	 "fsbench/tree" /* FSB_TREE_DIRS directories of files */
#define FSB_FILE_BYTES	 (64ull << 20)
#define FSB_SEQ_CHUNK	 (128u << 10) /* bytes per sequential read */
#define FSB_RANDOM_READS 2000
#define FSB_RANDOM_SIZE	 4096u
#define FSB_SEED	 0x7468656d656c696full
#define FSB_DEPTH_MAX	 8 /* the walk goes no deeper */
#define FSB_REPEAT	 3 /* each figure measured so often (bench.py: the median) */

/* xorshift64*: the same sequence on both systems. */
static inline uint64_t
fsb_random(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dull;
}

/* The next random read's offset: a whole 4 KiB block of the file. */
static inline uint64_t
fsb_random_offset(uint64_t *state)
{
	return fsb_random(state) % (FSB_FILE_BYTES / FSB_RANDOM_SIZE) * FSB_RANDOM_SIZE;
}

/* Folds the first 8 bytes of a read into sum. */
static inline uint64_t
fsb_fold(uint64_t sum, const void *buf)
{
	const uint8_t *b = buf;
	uint64_t w = 0;

	for (int i = 0; i < 8; i++)
		w |= (uint64_t)b[i] << (8 * i);
	return (sum ^ w) * 0x100000001b3ull;
}

#endif
