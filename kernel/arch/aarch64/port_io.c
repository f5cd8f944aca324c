/* aarch64 has no I/O port space: devices are memory-mapped, so no port
 * range can ever be claimed and these are never reached. */
#include "arch/arch.h"

uint32_t
arch_port_space(void)
{
	return 0;
}

uint32_t
arch_port_read(uint16_t port, unsigned int bytes)
{
	(void)port;
	(void)bytes;
	return UINT32_MAX; /* what a read of nothing returns on a bus */
}

void
arch_port_write(uint16_t port, unsigned int bytes, uint32_t value)
{
	(void)port;
	(void)bytes;
	(void)value;
}
