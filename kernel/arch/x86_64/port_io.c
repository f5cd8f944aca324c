/* Port I/O on behalf of user-space drivers (I/O port capabilities): the
 * capability code has checked the port range and width already. */
#include "arch/arch.h"

#include "asm/io.h"

uint32_t
arch_port_space(void)
{
	return 0x10000;
}

uint32_t
arch_port_read(uint16_t port, unsigned int bytes)
{
	if (bytes == 1)
		return inb(port);
	if (bytes == 2)
		return inw(port);
	return inl(port);
}

void
arch_port_write(uint16_t port, unsigned int bytes, uint32_t value)
{
	if (bytes == 1)
		outb(port, (uint8_t)value);
	else if (bytes == 2)
		outw(port, (uint16_t)value);
	else
		outl(port, value);
}
