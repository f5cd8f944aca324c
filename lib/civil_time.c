/*
 * Days from and to a date by eras of 400 years (146,097 days), the
 * Gregorian cycle, with March as the first month so that the leap day
 * ends the year (the method of H. Hinnant's "chrono-compatible low-level
 * date algorithms", written again here).
 */
#include "lib/civil_time.h"

#define SECS_PER_DAY 86400
#define DAYS_PER_ERA 146097
#define MIN_UNIX     (-62135596800ll) /* 0001-01-01 */
#define MAX_UNIX     253402300799ll   /* 9999-12-31 23:59:59 */
#define EPOCH_SHIFT  719468	      /* days from 0000-03-01 to 1970-01-01 */

static bool
leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned int
days_in_month(int64_t y, unsigned int m)
{
	static const unsigned char days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && leap(y) ? 29 : days[m - 1];
}

bool
civil_time_valid(const struct civil_time *t)
{
	return t->year >= 1 && t->year <= 9999 && t->month >= 1 && t->month <= 12 && t->day >= 1 &&
	       t->day <= days_in_month(t->year, t->month) && t->hour < 24 && t->minute < 60 &&
	       t->second < 60;
}

/* Days since the epoch of year-month-day; years >= 1, so no era is
 * negative. */
static int64_t
days_from_civil(int64_t y, unsigned int m, unsigned int d)
{
	int64_t era, yoe, doy;

	if (m <= 2)
		y--;
	era = y / 400;
	yoe = y - era * 400;				       /* 0..399 */
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* 0..365 */
	return era * DAYS_PER_ERA + yoe * 365 + yoe / 4 - yoe / 100 + doy - EPOCH_SHIFT;
}

int64_t
civil_to_unix(const struct civil_time *t)
{
	return days_from_civil(t->year, t->month, t->day) * SECS_PER_DAY + (int64_t)t->hour * 3600 +
	       (int64_t)t->minute * 60 + t->second;
}

void
unix_to_civil(int64_t secs, struct civil_time *t)
{
	int64_t days, rem, era, doe, yoe, doy, mp, y;

	if (secs < MIN_UNIX)
		secs = MIN_UNIX;
	if (secs > MAX_UNIX)
		secs = MAX_UNIX;
	days = (secs - MIN_UNIX) / SECS_PER_DAY + days_from_civil(1, 1, 1);
	rem = (secs - MIN_UNIX) % SECS_PER_DAY;
	days += EPOCH_SHIFT; /* from 0000-03-01: never negative here */
	era = days / DAYS_PER_ERA;
	doe = days - era * DAYS_PER_ERA;			     /* 0..146096 */
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* 0..399 */
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);		     /* 0..365 */
	mp = (5 * doy + 2) / 153;				     /* 0..11, from March */
	y = yoe + era * 400;
	t->day = (unsigned int)(doy - (153 * mp + 2) / 5 + 1);
	t->month = (unsigned int)(mp < 10 ? mp + 3 : mp - 9);
	t->year = t->month <= 2 ? y + 1 : y;
	t->hour = (unsigned int)(rem / 3600);
	t->minute = (unsigned int)(rem / 60 % 60);
	t->second = (unsigned int)(rem % 60);
}

int
bcd_value(uint8_t b)
{
	if ((b & 0xf) > 9 || (b >> 4) > 9)
		return -1;
	return (b >> 4) * 10 + (b & 0xf);
}
