/* fw_cfg through I/O ports: selector at 0x510, data at 0x511. */
#include "dev/fw_cfg.h"

#include "asm/io.h"
#include "asm/platform.h"
#include "core/device_control.h"

#define FW_CFG_PORT_SEL	 0x510
#define FW_CFG_PORT_DATA 0x511

static void
port_select(uint16_t key)
{
	outw(FW_CFG_PORT_SEL, key);
}

static void
port_read(void *dst, size_t len)
{
	uint8_t *p = dst;

	while (len--)
		*p++ = inb(FW_CFG_PORT_DATA);
}

const struct fw_cfg_transport fw_cfg_port_transport = {
	.select = port_select,
	.read = port_read,
};

/* Selector, data and DMA address ports. */
void
x86_fw_cfg_reserve(void)
{
	device_reserve(RESOURCE_PORTS, FW_CFG_PORT_SEL, 12, "fw_cfg");
}
