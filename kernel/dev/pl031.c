/* The PL031 real-time clock (ARM DDI 0224): RTCDR counts seconds; QEMU
 * starts it at the host's time (its -rtc base, UTC by default). */
#include "dev/pl031.h"

#include "themelios/errno.h"

#define RTCDR	  0x000 /* data: the current count */
#define PERIPHID0 0xfe0
#define PERIPHID1 0xfe4

static uint32_t
rd(volatile void *regs, unsigned int off)
{
	return *(volatile uint32_t *)((volatile uint8_t *)regs + off);
}

int
pl031_read(volatile void *regs, int64_t *unix_seconds)
{
	/* Part number 0x031, designer ARM: 0x31 and 0x?0 (low nibble 0). */
	if ((rd(regs, PERIPHID0) & 0xff) != 0x31 || (rd(regs, PERIPHID1) & 0xf) != 0)
		return -E_NOENT;
	*unix_seconds = rd(regs, RTCDR);
	return 0;
}
