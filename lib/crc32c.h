/*
 * CRC-32C (Castagnoli, reflected polynomial 0x82f63b78), as EROFS's
 * superblock checksum uses it.  crc32c() only updates the register: the
 * usual CRC-32C of a buffer is ~crc32c(~0u, data, len), and EROFS
 * stores crc32c(~0u, ...) without the final inversion.
 */
#ifndef LIB_CRC32C_H
#define LIB_CRC32C_H

#include <stddef.h>
#include <stdint.h>

uint32_t crc32c(uint32_t crc, const void *data, size_t len);

#endif
