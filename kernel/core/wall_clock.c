/* The wall clock (wall_clock.h). */
#include "core/wall_clock.h"

#include "arch/arch.h"
#include "core/printk.h"
#include "core/time.h"
#include "lib/civil_time.h"
#include "lib/format.h"

/* Written once at boot, before any other thread reads it. */
static uint64_t offset_ns;
static bool known;

void
wall_clock_init(const struct boot_info *bi)
{
	const char *source = "real-time clock";
	int64_t secs = 0;
	uint64_t now = time_now_ns();
	char date[32];
	int err = arch_rtc_read(bi, &secs, &source);

	if (err || secs < 0 || (uint64_t)secs < now / NSEC_PER_SEC) {
		pr_warn("time: no wall clock (%s: error %d); the epoch is at boot\n", source, err);
		return;
	}
	offset_ns = (uint64_t)secs * NSEC_PER_SEC - now;
	known = true;
	wall_clock_format(secs, date);
	pr_info("time: wall clock %s, from the %s\n", date, source);
}

bool
wall_clock_known(void)
{
	return known;
}

uint64_t
wall_clock_offset_ns(void)
{
	return offset_ns;
}

uint64_t
wall_clock_ns(void)
{
	return offset_ns + time_now_ns();
}

void
wall_clock_format(int64_t secs, char buf[32])
{
	struct civil_time t;

	unix_to_civil(secs, &t);
	fmt_snprintf(buf, 32, "%04ld-%02u-%02u %02u:%02u:%02u UTC", (long)t.year, t.month, t.day,
		     t.hour, t.minute, t.second);
}
