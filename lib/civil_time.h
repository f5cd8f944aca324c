/*
 * Calendar dates and Unix time, in the proleptic Gregorian calendar and
 * UTC (no leap seconds, as POSIX counts).  Pure: the real-time clocks'
 * drivers give dates, the wall clock keeps seconds since the epoch.
 */
#ifndef LIB_CIVIL_TIME_H
#define LIB_CIVIL_TIME_H

#include <stdbool.h>
#include <stdint.h>

struct civil_time {
	int64_t year;
	unsigned int month;  /* 1..12 */
	unsigned int day;    /* 1..31, as the month has */
	unsigned int hour;   /* 0..23 */
	unsigned int minute; /* 0..59 */
	unsigned int second; /* 0..59 */
};

/* True when every field is in range (the day for its month and year),
 * for years 1 to 9999. */
bool civil_time_valid(const struct civil_time *t);

/* Seconds since 1970-01-01 00:00:00 UTC; t must be valid. */
int64_t civil_to_unix(const struct civil_time *t);

/* The date of secs seconds since the epoch, for years 1 to 9999 (secs
 * from -62135596800 to 253402300799); other values are clamped. */
void unix_to_civil(int64_t secs, struct civil_time *t);

/* A packed BCD byte (two digits) as a number; -1 when not BCD. */
int bcd_value(uint8_t b);

#endif
