/*
 * Multiboot2 boot information parser.  The loader's data is untrusted
 * input: every tag is bounds-checked against the total size and the
 * bytes actually readable, and anything malformed is skipped with a
 * warning (counted in boot_info.warnings and reported through warn).
 */
#ifndef BOOT_MULTIBOOT2_H
#define BOOT_MULTIBOOT2_H

#include <stddef.h>
#include <stdint.h>

#include "boot/boot_info.h"

#define MB2_BOOTLOADER_MAGIC 0x36d76289

typedef void (*mb2_warn_fn)(const char *what, uint32_t tag_type, size_t offset);

/*
 * Parses the information at info (readable for avail bytes) into bi.
 * info_phys is its physical address, recorded so the frame allocator
 * keeps it.  Returns 0, or -E_CORRUPT when the fixed header itself is
 * unusable (then bi holds nothing from the loader).
 */
int mb2_parse(const void *info, size_t avail, uint64_t info_phys, struct boot_info *bi,
	      mb2_warn_fn warn);

#endif
