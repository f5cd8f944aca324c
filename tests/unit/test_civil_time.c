/* Dates and Unix time against the host's C library (timegm, gmtime_r),
 * at the edges and at 200,000 random instants of years 1 to 9999. */
#define _GNU_SOURCE
#include <string.h>
#include <time.h>

#include "lib/civil_time.h"
#include "unit.h"

static struct civil_time
from_tm(const struct tm *tm)
{
	struct civil_time t = { tm->tm_year + 1900ll,  (unsigned)tm->tm_mon + 1,
				(unsigned)tm->tm_mday, (unsigned)tm->tm_hour,
				(unsigned)tm->tm_min,  (unsigned)tm->tm_sec };

	return t;
}

static bool
same(const struct civil_time *a, const struct civil_time *b)
{
	return a->year == b->year && a->month == b->month && a->day == b->day &&
	       a->hour == b->hour && a->minute == b->minute && a->second == b->second;
}

static void
check_against_libc(int64_t secs)
{
	time_t tt = (time_t)secs;
	struct tm tm;
	struct civil_time want, got;

	CHECK(gmtime_r(&tt, &tm) != NULL);
	want = from_tm(&tm);
	unix_to_civil(secs, &got);
	CHECK(same(&got, &want));
	CHECK(civil_time_valid(&want));
	CHECK_EQ(civil_to_unix(&want), secs);
}

UNIT_TEST(known_instants)
{
	struct civil_time t;

	unix_to_civil(0, &t);
	CHECK(t.year == 1970 && t.month == 1 && t.day == 1 && t.hour == 0);
	unix_to_civil(951782400, &t); /* the leap day of 2000 */
	CHECK(t.year == 2000 && t.month == 2 && t.day == 29);
	unix_to_civil(4107542399ll, &t);
	CHECK(t.year == 2100 && t.month == 2 && t.day == 28 && t.hour == 23 && t.second == 59);
	unix_to_civil(4107542400ll, &t); /* 2100 is not a leap year */
	CHECK(t.year == 2100 && t.month == 3 && t.day == 1);
	unix_to_civil(-1, &t);
	CHECK(t.year == 1969 && t.month == 12 && t.day == 31 && t.hour == 23 && t.minute == 59 &&
	      t.second == 59);
	check_against_libc(-62135596800ll); /* 0001-01-01 */
	check_against_libc(253402300799ll); /* 9999-12-31 23:59:59 */
	unix_to_civil(-62135596801ll, &t);  /* clamped */
	CHECK(t.year == 1 && t.month == 1 && t.day == 1 && t.second == 0);
	unix_to_civil(253402300800ll, &t);
	CHECK(t.year == 9999 && t.month == 12 && t.day == 31 && t.second == 59);
}

UNIT_TEST(random_instants_match_libc)
{
	unit_srand(7);
	for (int i = 0; i < 200000; i++) {
		uint64_t r = (uint64_t)unit_rand() << 32 | (uint32_t)unit_rand();

		check_against_libc(-62135596800ll + (int64_t)(r % 315537897600ull));
	}
}

UNIT_TEST(bad_dates_are_invalid)
{
	static const struct civil_time bad[] = {
		{ 2023, 2, 29, 0, 0, 0 }, { 1900, 2, 29, 0, 0, 0 }, { 2024, 4, 31, 0, 0, 0 },
		{ 2024, 0, 1, 0, 0, 0 },  { 2024, 13, 1, 0, 0, 0 }, { 2024, 1, 0, 0, 0, 0 },
		{ 2024, 1, 1, 24, 0, 0 }, { 2024, 1, 1, 0, 60, 0 }, { 2024, 1, 1, 0, 0, 60 },
		{ 0, 1, 1, 0, 0, 0 },	  { 10000, 1, 1, 0, 0, 0 },
	};
	static const struct civil_time good[] = { { 2024, 2, 29, 23, 59, 59 },
						  { 2000, 2, 29, 0, 0, 0 } };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(!civil_time_valid(&bad[i]));
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CHECK(civil_time_valid(&good[i]));
}

UNIT_TEST(bcd)
{
	CHECK_EQ(bcd_value(0x00), 0);
	CHECK_EQ(bcd_value(0x59), 59);
	CHECK_EQ(bcd_value(0x99), 99);
	CHECK_EQ(bcd_value(0x5a), -1);
	CHECK_EQ(bcd_value(0xa0), -1);
}

UNIT_MAIN();
