/* The PC's CMOS real-time clock (MC146818 and its descendants). */
#ifndef DEV_RTC_CMOS_H
#define DEV_RTC_CMOS_H

#include "lib/civil_time.h"

/* The clock's date: 0, or -E_IO when it stays in an update or gives a
 * date that is no date (bad BCD, a month 13, no century register). */
int rtc_cmos_read(struct civil_time *t);

#endif
