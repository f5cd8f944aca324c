/*
 * virtio-blk against the disks tests/system/test_virtio_blk.py gives
 * QEMU: every 512-byte sector n holds n (8 bytes, little-endian), then
 * bytes (n + i) & 0xff.  A disk whose serial is "break-me" is the one
 * the broken-device test stops; the others leave it alone.  Without a
 * virtio disk the tests have nothing to do and pass.
 */
#include "core/printk.h"
#include "dev/block.h"
#include "dev/virtio/virtio_blk.h"
#include "ktest/ktest.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "themelios/errno.h"

#define SECTORS_READ 20 /* three 4 KiB pieces in flight at once */
#define WRITE_AT     100
#define ERROR_AT     200 /* where the blkdebug boot injects EIO */
#define BREAK_ME     "break-me"

#define ROOT_IMAGE   "themelios-root" /* tools/qemu-run.sh attaches it unless --root none */

static bool
to_break(const struct blk_device *bd)
{
	return !strcmp(bd->serial, BREAK_ME);
}

/* The root image holds a filesystem, not the test pattern. */
static bool
is_root_image(const struct blk_device *bd)
{
	return !strcmp(bd->serial, ROOT_IMAGE);
}

static bool
pattern_ok(const uint8_t *s, uint64_t n)
{
	uint64_t got;

	memcpy(&got, s, 8);
	if (got != n)
		return false;
	for (unsigned int i = 8; i < BLK_SECTOR_SIZE; i++)
		if (s[i] != (uint8_t)(n + i))
			return false;
	return true;
}

static void
fill(uint8_t *s, uint64_t n)
{
	for (unsigned int i = 0; i < BLK_SECTOR_SIZE; i++)
		s[i] = (uint8_t)(0xa5 ^ (n + i));
	memcpy(s, "WRITTEN!", 8);
}

static void
check_device(struct blk_device *bd, uint8_t *buf)
{
	uint8_t *back = buf + SECTORS_READ * BLK_SECTOR_SIZE;
	int bad = 0;

	printk("ktest: %s: %lu sectors%s\n", bd->name, (unsigned long)bd->sectors,
	       bd->read_only ? ", read-only" : "");
	KTEST_CHECK_EQ(blk_read(bd, 0, SECTORS_READ, buf), 0);
	for (uint64_t n = 0; n < SECTORS_READ; n++)
		bad += !pattern_ok(buf + n * BLK_SECTOR_SIZE, n);
	KTEST_CHECK_EQ(bad, 0);
	KTEST_CHECK_EQ(blk_read(bd, bd->sectors - 1, 1, buf), 0);
	KTEST_CHECK(pattern_ok(buf, bd->sectors - 1));
	printk("ktest: %s: sectors 0-%u and %lu read right\n", bd->name, SECTORS_READ - 1,
	       (unsigned long)(bd->sectors - 1));
	KTEST_CHECK_EQ(blk_read(bd, bd->sectors, 1, buf), -E_RANGE);
	KTEST_CHECK_EQ(blk_read(bd, bd->sectors - 1, 2, buf), -E_RANGE);
	KTEST_CHECK_EQ(blk_read(bd, 0, 0, buf), -E_RANGE);

	fill(buf, WRITE_AT);
	fill(buf + BLK_SECTOR_SIZE, WRITE_AT + 1);
	if (bd->read_only) {
		KTEST_CHECK_EQ(blk_write(bd, WRITE_AT, 2, buf), -E_ROFS);
		KTEST_CHECK_EQ(blk_read(bd, WRITE_AT, 1, back), 0);
		KTEST_CHECK(pattern_ok(back, WRITE_AT));
		printk("ktest: %s: write refused: -E_ROFS\n", bd->name);
		return;
	}
	KTEST_CHECK_EQ(blk_write(bd, WRITE_AT, 2, buf), 0);
	KTEST_CHECK_EQ(blk_flush(bd), 0);
	memset(back, 0, 2 * BLK_SECTOR_SIZE);
	KTEST_CHECK_EQ(blk_read(bd, WRITE_AT, 2, back), 0);
	KTEST_CHECK(memcmp(back, buf, 2 * BLK_SECTOR_SIZE) == 0);
	KTEST_CHECK_EQ(blk_read(bd, WRITE_AT + 2, 1, back), 0);
	KTEST_CHECK(pattern_ok(back, WRITE_AT + 2));
	printk("ktest: %s: sectors %u-%u written, flushed and read back\n", bd->name, WRITE_AT,
	       WRITE_AT + 1);
}

KTEST(virtio_blk_read_write)
{
	uint8_t *buf = kmalloc(2 * SECTORS_READ * BLK_SECTOR_SIZE);
	unsigned int i;

	KTEST_CHECK(buf != NULL);
	if (!buf)
		return;
	for (i = 0; blk_device_at(i); i++)
		if (!to_break(blk_device_at(i)) && !is_root_image(blk_device_at(i)))
			check_device(blk_device_at(i), buf);
	if (i == 0)
		printk("ktest: no virtio-blk disk; nothing to read\n");
	kfree(buf);
}

/* A device error is -E_IO for that request only: the disk goes on. */
KTEST(virtio_blk_io_error)
{
	uint8_t *buf = kmalloc(BLK_SECTOR_SIZE);
	struct blk_device *bd;

	KTEST_CHECK(buf != NULL);
	if (!buf)
		return;
	for (unsigned int i = 0; (bd = blk_device_at(i)); i++) {
		int r;

		if (bd->sectors <= ERROR_AT || to_break(bd) || is_root_image(bd))
			continue;
		r = blk_read(bd, ERROR_AT, 1, buf);
		KTEST_CHECK(r == 0 || r == -E_IO);
		if (r == 0)
			KTEST_CHECK(pattern_ok(buf, ERROR_AT));
		KTEST_CHECK_EQ(blk_read(bd, 0, 1, buf), 0);
		KTEST_CHECK(pattern_ok(buf, 0));
		printk("ktest: %s: sector %u: %s; sector 0 still reads\n", bd->name, ERROR_AT,
		       r == 0 ? "read" : "-E_IO");
	}
	kfree(buf);
}

/*
 * A device that writes a used index it has no reason to is stopped
 * (FAILED, logged): its requests are -E_IO from then on, and the other
 * disks work on.
 */
KTEST(virtio_blk_broken_device_is_stopped)
{
	uint8_t *buf = kmalloc(BLK_SECTOR_SIZE);
	struct blk_device *bd;

	KTEST_CHECK(buf != NULL);
	if (!buf)
		return;
	for (unsigned int i = 0; (bd = blk_device_at(i)); i++) {
		if (!to_break(bd))
			continue;
		KTEST_CHECK_EQ(blk_read(bd, 0, 1, buf), 0);
		KTEST_CHECK(pattern_ok(buf, 0));
		virtio_blk_test_corrupt(bd);
		KTEST_CHECK_EQ(blk_read(bd, 0, 1, buf), -E_IO);
		if (!bd->read_only)
			KTEST_CHECK_EQ(blk_write(bd, 0, 1, buf), -E_IO);
		KTEST_CHECK_EQ(blk_flush(bd), bd->ops->flush ? -E_IO : 0);
		printk("ktest: %s: stopped after a bad used index; requests get -E_IO\n", bd->name);
		for (unsigned int k = 0; blk_device_at(k); k++) {
			struct blk_device *other = blk_device_at(k);

			if (to_break(other) || is_root_image(other))
				continue;
			KTEST_CHECK_EQ(blk_read(other, 1, 1, buf), 0);
			KTEST_CHECK(pattern_ok(buf, 1));
			printk("ktest: %s: still reads\n", other->name);
		}
	}
	kfree(buf);
}
