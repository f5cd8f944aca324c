/*
 * The CMOS RTC through ports 0x70 (index; bit 7 keeps NMIs masked as
 * they were not, so it stays clear) and 0x71 (data).  The date is read
 * outside an update (status A's UIP clear) and twice, until two reads
 * agree, since an update may start between registers.  BCD or binary
 * and 12- or 24-hour as status B says; the century from register 0x32,
 * where QEMU and PCs with ACPI's FADT default keep it.
 */
#include "dev/rtc_cmos.h"

#include "asm/io.h"
#include "lib/string.h"
#include "themelios/errno.h"

#define PORT_INDEX  0x70
#define PORT_DATA   0x71

#define REG_SEC	    0x00
#define REG_MIN	    0x02
#define REG_HOUR    0x04
#define REG_DAY	    0x07
#define REG_MONTH   0x08
#define REG_YEAR    0x09
#define REG_A	    0x0a
#define REG_B	    0x0b
#define REG_CENTURY 0x32

#define A_UIP	    0x80 /* an update is in progress */
#define B_24H	    0x02
#define B_BINARY    0x04
#define HOUR_PM	    0x80

static uint8_t
cmos(uint8_t reg)
{
	outb(PORT_INDEX, reg);
	return inb(PORT_DATA);
}

struct raw_date {
	uint8_t sec, min, hour, day, month, year, century;
};

static bool
read_raw(struct raw_date *r)
{
	for (int spins = 0; cmos(REG_A) & A_UIP; spins++)
		if (spins > 100000) /* an update lasts under 2 ms */
			return false;
	r->sec = cmos(REG_SEC);
	r->min = cmos(REG_MIN);
	r->hour = cmos(REG_HOUR);
	r->day = cmos(REG_DAY);
	r->month = cmos(REG_MONTH);
	r->year = cmos(REG_YEAR);
	r->century = cmos(REG_CENTURY);
	return true;
}

/* A register's value: BCD unless the clock counts in binary. */
static int
value(uint8_t v, bool binary)
{
	return binary ? v : bcd_value(v);
}

int
rtc_cmos_read(struct civil_time *t)
{
	struct raw_date a, b;
	uint8_t status_b;
	int sec, min, hour, day, month, year, century;
	bool binary, pm;
	int tries = 0;

	do {
		if (!read_raw(&a) || !read_raw(&b) || ++tries > 10)
			return -E_IO;
	} while (memcmp(&a, &b, sizeof(a)) != 0);
	status_b = cmos(REG_B);
	binary = status_b & B_BINARY;
	pm = !(status_b & B_24H) && (a.hour & HOUR_PM);
	sec = value(a.sec, binary);
	min = value(a.min, binary);
	hour = value(a.hour & (uint8_t)~HOUR_PM, binary);
	day = value(a.day, binary);
	month = value(a.month, binary);
	year = value(a.year, binary);
	century = value(a.century, binary);
	if (sec < 0 || min < 0 || hour < 0 || day < 0 || month < 0 || year < 0 || century < 0)
		return -E_IO;
	if (!(status_b & B_24H)) { /* 12 is midnight and noon */
		if (hour < 1 || hour > 12)
			return -E_IO;
		hour = hour % 12 + (pm ? 12 : 0);
	}
	if (century < 19) /* no century register: it reads 0 or garbage */
		return -E_IO;
	t->year = century * 100 + year;
	t->month = (unsigned int)month;
	t->day = (unsigned int)day;
	t->hour = (unsigned int)hour;
	t->minute = (unsigned int)min;
	t->second = (unsigned int)sec;
	return civil_time_valid(t) ? 0 : -E_IO;
}
