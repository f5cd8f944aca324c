/* The block-device registry and the checks every request passes (block.h). */
#include "dev/block.h"

#include <stddef.h>

#include "themelios/errno.h"

static struct blk_device *devices[BLK_MAX_DEVICES];
static unsigned int ndevices;

int
blk_register(struct blk_device *bd)
{
	if (ndevices == BLK_MAX_DEVICES)
		return -E_NOMEM;
	devices[ndevices++] = bd;
	return 0;
}

struct blk_device *
blk_device_at(unsigned int i)
{
	return i < ndevices ? devices[i] : NULL;
}

static int
check_range(const struct blk_device *bd, uint64_t sector, uint32_t count)
{
	if (count == 0 || sector >= bd->sectors || count > bd->sectors - sector)
		return -E_RANGE;
	return 0;
}

int
blk_read(struct blk_device *bd, uint64_t sector, uint32_t count, void *buf)
{
	int err = check_range(bd, sector, count);

	return err ? err : bd->ops->read(bd, sector, count, buf);
}

int
blk_write(struct blk_device *bd, uint64_t sector, uint32_t count, const void *buf)
{
	int err = check_range(bd, sector, count);

	if (err)
		return err;
	if (bd->read_only)
		return -E_ROFS;
	return bd->ops->write(bd, sector, count, buf);
}

int
blk_flush(struct blk_device *bd)
{
	return bd->ops->flush ? bd->ops->flush(bd) : 0;
}
