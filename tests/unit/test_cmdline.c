#include <string.h>

#include "core/cmdline.h"
#include "unit.h"

UNIT_TEST(presence)
{
	CHECK(cmdline_has("test crash=panic", "test"));
	CHECK(cmdline_has("test crash=panic", "crash"));
	CHECK(!cmdline_has("testing crash=panic", "test"));
	CHECK(!cmdline_has("", "test"));
	CHECK(cmdline_has("  \ttest  ", "test"));
	CHECK(!cmdline_has("tes", "test"));
}

UNIT_TEST(values)
{
	char buf[8];

	CHECK_EQ(cmdline_get("a=1 crash=panic b", "crash", buf, sizeof(buf)), 5);
	CHECK(strcmp(buf, "panic") == 0);
	CHECK_EQ(cmdline_get("crash", "crash", buf, sizeof(buf)), -1);
	CHECK_EQ(cmdline_get("x=1 x=22", "x", buf, sizeof(buf)), 2);
	CHECK(strcmp(buf, "22") == 0);
	CHECK_EQ(cmdline_get("k=0123456789", "k", buf, sizeof(buf)), 10);
	CHECK(strcmp(buf, "0123456") == 0); /* truncated, terminated */
	CHECK_EQ(cmdline_get("k=", "k", buf, sizeof(buf)), 0);
	CHECK_EQ(cmdline_get("kk=1", "k", buf, sizeof(buf)), -1);
}

UNIT_TEST(numbers)
{
	CHECK_EQ(cmdline_get_ulong("loglevel=3", "loglevel", 2), 3);
	CHECK_EQ(cmdline_get_ulong("loglevel=x", "loglevel", 2), 2);
	CHECK_EQ(cmdline_get_ulong("loglevel=", "loglevel", 2), 2);
	CHECK_EQ(cmdline_get_ulong("n=99999999999999999999999", "n", 7), 7);
	CHECK_EQ(cmdline_get_ulong("n=18446744073709551615", "n", 7), 7);
	CHECK_EQ(cmdline_get_ulong("", "n", 7), 7);
}

UNIT_TEST(every_value)
{
	char buf[16];

	CHECK_EQ(
		cmdline_get_all("a linux.run=/x,1 b=2 linux.run=/y", "linux.run", buf, sizeof(buf)),
		8);
	CHECK(memcmp(buf, "/x,1\0/y\0", 8) == 0);
	CHECK_EQ(cmdline_get_all("linux.run a=1", "linux.run", buf, sizeof(buf)), 0);
	CHECK_EQ(cmdline_get_all("k=0123456789abcdef", "k", buf, sizeof(buf)), -1);
	CHECK_EQ(cmdline_get_all("k=0123456789abcde", "k", buf, sizeof(buf)), 16);
}

UNIT_MAIN()
