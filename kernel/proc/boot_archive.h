/*
 * The boot archive: the cpio newc module GRUB (module2 ... initrd) or
 * QEMU's -initrd loaded with the kernel, holding init and the programs
 * it starts.  Read-only: programs are found by name and loaded from it.
 */
#ifndef PROC_BOOT_ARCHIVE_H
#define PROC_BOOT_ARCHIVE_H

#include <stddef.h>

struct boot_info;

/* Finds the module named "initrd" (or the only module): 0, -E_NOENT. */
int boot_archive_init(const struct boot_info *bi);

/* A program by name: 0, -E_NOENT (or no archive), -E_CORRUPT. */
int boot_archive_find(const char *name, const void **data, size_t *len);

#endif
