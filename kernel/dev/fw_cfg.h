/*
 * QEMU's firmware configuration device (fw_cfg): named blobs the host
 * passes with -fw_cfg name=opt/...,string=... .  ThemeliOS reads extra
 * kernel arguments from opt/themelios/cmdline and, later, the node
 * configuration from opt/themelios/config.
 */
#ifndef DEV_FW_CFG_H
#define DEV_FW_CFG_H

#include <stddef.h>
#include <stdint.h>

/* How an architecture reaches the device: I/O ports or MMIO. */
struct fw_cfg_transport {
	void (*select)(uint16_t key);
	void (*read)(void *dst, size_t len);
};

/* Returns 0 when a fw_cfg device answers with the QEMU signature. */
int fw_cfg_init(const struct fw_cfg_transport *t);

/*
 * Reads the named file into buf (at most size bytes).  Returns its full
 * size (which may exceed size), or -E_NOENT / -E_NOSYS.
 */
long fw_cfg_read_file(const char *name, void *buf, size_t size);

/* The x86_64 port transport (0x510/0x511). */
extern const struct fw_cfg_transport fw_cfg_port_transport;

#endif
