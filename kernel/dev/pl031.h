/* The ARM PL031 real-time clock (QEMU virt's RTC): seconds since the
 * epoch in one register. */
#ifndef DEV_PL031_H
#define DEV_PL031_H

#include <stdint.h>

/* regs: the clock's registers, mapped as device memory.  0, or -E_NOENT
 * when the identification registers name another device. */
int pl031_read(volatile void *regs, int64_t *unix_seconds);

#endif
