/*
 * The file directory (key 0x19) is a big-endian u32 count followed by
 * 64-byte entries {be32 size, be16 key, u16 reserved, char name[56]}.
 * Names from the device are treated as untrusted: only compared within
 * their 56 bytes.
 */
#include "dev/fw_cfg.h"

#include "lib/string.h"
#include "themelios/errno.h"

#define FW_CFG_SIGNATURE 0x0000
#define FW_CFG_FILE_DIR	 0x0019
#define FW_CFG_NAME_LEN	 56
#define FW_CFG_MAX_FILES 4096

static const struct fw_cfg_transport *fw;

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int
fw_cfg_init(const struct fw_cfg_transport *t)
{
	char sig[4];

	t->select(FW_CFG_SIGNATURE);
	t->read(sig, sizeof(sig));
	if (memcmp(sig, "QEMU", 4) != 0)
		return -E_NOSYS;
	fw = t;
	return 0;
}

long
fw_cfg_read_file(const char *name, void *buf, size_t size)
{
	uint8_t hdr[4], entry[64];
	uint32_t count;

	if (!fw)
		return -E_NOSYS;
	fw->select(FW_CFG_FILE_DIR);
	fw->read(hdr, sizeof(hdr));
	count = be32(hdr);
	if (count > FW_CFG_MAX_FILES)
		return -E_CORRUPT;
	for (uint32_t i = 0; i < count; i++) {
		fw->read(entry, sizeof(entry));
		if (strncmp((const char *)entry + 8, name, FW_CFG_NAME_LEN) != 0)
			continue;
		uint32_t fsize = be32(entry);
		uint16_t key = (uint16_t)(entry[4] << 8 | entry[5]);
		fw->select(key);
		fw->read(buf, fsize < size ? fsize : size);
		return (long)fsize;
	}
	return -E_NOENT;
}
