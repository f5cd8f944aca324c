/*
 * Block devices: what a disk driver offers the rest of the kernel (and,
 * later, the block cache).  Sectors are 512 bytes.  Every call checks
 * the range and the device's read-only flag before the driver runs.
 */
#ifndef DEV_BLOCK_H
#define DEV_BLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define BLK_SECTOR_SIZE 512
#define BLK_MAX_DEVICES 8

struct blk_device;

struct blk_ops {
	/* buf is any kernel memory; count > 0 and in range. */
	int (*read)(struct blk_device *bd, uint64_t sector, uint32_t count, void *buf);
	int (*write)(struct blk_device *bd, uint64_t sector, uint32_t count, const void *buf);
	int (*flush)(struct blk_device *bd); /* NULL: nothing to flush */
};

#define BLK_SERIAL_MAX 20

struct blk_device {
	const char *name;
	uint64_t sectors;
	bool read_only;
	char serial[BLK_SERIAL_MAX + 1]; /* the device's ID string, or "" */
	const struct blk_ops *ops;
	void *priv;
};

/* Makes bd known (blk_device_at); 0 or -E_NOMEM. */
int blk_register(struct blk_device *bd);
struct blk_device *blk_device_at(unsigned int i);

/*
 * 0 or: -E_RANGE (past the end, or count 0), -E_ROFS (a write to a
 * read-only device), -E_IO (the device failed the request, or has
 * failed), -E_NOTSUP.  They sleep until the device answers: call them
 * from a thread, never with interrupts off.
 */
int blk_read(struct blk_device *bd, uint64_t sector, uint32_t count, void *buf);
int blk_write(struct blk_device *bd, uint64_t sector, uint32_t count, const void *buf);
int blk_flush(struct blk_device *bd);

#endif
