/*
 * Reading the boot archive of user programs: cpio "newc" format (what
 * `cpio -H newc` writes), pure and host-tested.  Every header is checked
 * against the archive's length; a malformed archive is an error.
 */
#ifndef BOOT_CPIO_H
#define BOOT_CPIO_H

#include <stddef.h>
#include <stdint.h>

struct cpio_entry {
	const char *name; /* NUL-terminated, inside the archive */
	const void *data;
	size_t size;
	uint32_t mode;
};

/*
 * Steps through the archive: *pos starts at 0.  Returns 1 with *e filled,
 * 0 at the trailer, -E_CORRUPT for a damaged archive.
 */
int cpio_next(const void *archive, size_t len, size_t *pos, struct cpio_entry *e);

/* Finds a regular file by name: 0, -E_NOENT or -E_CORRUPT. */
int cpio_find(const void *archive, size_t len, const char *name, struct cpio_entry *e);

#endif
