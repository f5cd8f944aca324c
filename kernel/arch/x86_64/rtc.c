/* The wall clock's source on a PC: the CMOS RTC (dev/rtc_cmos.h).  Read
 * once at boot, before user space exists, and not kept: a user-space
 * driver may claim the ports afterwards (the suite's device case does). */
#include "arch/arch.h"
#include "dev/rtc_cmos.h"

int
arch_rtc_read(const struct boot_info *bi, int64_t *unix_seconds, const char **source)
{
	struct civil_time t;
	int err;

	(void)bi;
	*source = "CMOS RTC";
	err = rtc_cmos_read(&t);
	if (!err)
		*unix_seconds = civil_to_unix(&t);
	return err;
}
