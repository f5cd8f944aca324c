/*
 * Block-device figures for `make bench` (the `bench` command-line word):
 * a cold sequential read of the first disk (64 MiB at most, 128 KiB
 * requests) and 4 KiB reads at random places, through blk_read as a
 * file system will use it.  Wall time from time_now_ns; tools/bench.py
 * sets the figures beside Linux reading the same image on the same QEMU.
 */
#include "dev/block_bench.h"

#include "core/printk.h"
#include "core/time.h"
#include "dev/block.h"
#include "mm/kmalloc.h"

#define SEQ_MAX_BYTES (64ull << 20)
#define SEQ_CHUNK     (128u << 10)
#define RANDOM_READS  2000u
#define RANDOM_SIZE   4096u

void
block_bench(void)
{
	struct blk_device *bd = blk_device_at(0);
	uint64_t bytes, done = 0, t0, t1, seed = 0x9e3779b97f4a7c15ull, blocks;
	uint8_t *buf;
	unsigned int reads = 0;

	if (!bd || bd->sectors * BLK_SECTOR_SIZE < SEQ_CHUNK)
		return;
	buf = kmalloc(SEQ_CHUNK);
	if (!buf)
		return;
	bytes = bd->sectors * BLK_SECTOR_SIZE;
	if (bytes > SEQ_MAX_BYTES)
		bytes = SEQ_MAX_BYTES;
	bytes -= bytes % SEQ_CHUNK;
	t0 = time_now_ns();
	while (done < bytes &&
	       blk_read(bd, done / BLK_SECTOR_SIZE, SEQ_CHUNK / BLK_SECTOR_SIZE, buf) == 0)
		done += SEQ_CHUNK;
	t1 = time_now_ns();
	if (done == bytes && t1 > t0)
		printk("bench: blk_seq_read %lu MiB in %lu ms: %lu MB/s\n",
		       (unsigned long)(bytes >> 20), (unsigned long)((t1 - t0) / 1000000),
		       (unsigned long)(bytes * 1000 / (t1 - t0)));

	/* Random 4 KiB reads over the same range (a xorshift, fixed seed). */
	blocks = bytes / RANDOM_SIZE;
	t0 = time_now_ns();
	for (reads = 0; reads < RANDOM_READS; reads++) {
		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		if (blk_read(bd, (seed % blocks) * (RANDOM_SIZE / BLK_SECTOR_SIZE),
			     RANDOM_SIZE / BLK_SECTOR_SIZE, buf) != 0)
			break;
	}
	t1 = time_now_ns();
	if (reads == RANDOM_READS && t1 > t0)
		printk("bench: blk_random_read_4k %u reads in %lu ms: %lu IOPS\n", RANDOM_READS,
		       (unsigned long)((t1 - t0) / 1000000),
		       (unsigned long)((uint64_t)RANDOM_READS * 1000000000ull / (t1 - t0)));
	kfree(buf);
}
