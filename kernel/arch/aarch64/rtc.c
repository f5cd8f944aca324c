/* The wall clock's source on aarch64: the device tree's PL031.  Read
 * once at boot, before user space exists, and not kept: a user-space
 * driver may claim it afterwards (the suite's device case does). */
#include "arch/arch.h"
#include "asm/layout.h"
#include "boot/boot_info.h"
#include "dev/pl031.h"
#include "themelios/errno.h"

int
arch_rtc_read(const struct boot_info *bi, int64_t *unix_seconds, const char **source)
{
	*source = "PL031 RTC";
	if (!bi->rtc_base || bi->rtc_base >= DIRECT_MAP_DEVICE_END)
		return -E_NOENT;
	return pl031_read((volatile void *)(DIRECT_MAP_BASE + bi->rtc_base), unix_seconds);
}
