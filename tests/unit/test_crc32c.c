/* CRC-32C against its catalogued check value and RFC 3720's examples. */
#include <string.h>

#include "lib/crc32c.h"
#include "unit.h"

static uint32_t
standard(const void *p, size_t n)
{
	return ~crc32c(~0u, p, n);
}

UNIT_TEST(check_value)
{
	CHECK_EQ(standard("123456789", 9), 0xe3069283);
	CHECK_EQ(standard("", 0), 0);
}

UNIT_TEST(rfc3720_examples)
{
	uint8_t buf[32];

	memset(buf, 0, sizeof(buf));
	CHECK_EQ(standard(buf, 32), 0x8a9136aa);
	memset(buf, 0xff, sizeof(buf));
	CHECK_EQ(standard(buf, 32), 0x62a8ab43);
	for (int i = 0; i < 32; i++)
		buf[i] = (uint8_t)i;
	CHECK_EQ(standard(buf, 32), 0x46dd794e);
}

UNIT_TEST(pieces_chain)
{
	const char *s = "The quick brown fox jumps over the lazy dog";
	size_t n = strlen(s);

	for (size_t cut = 0; cut <= n; cut++)
		CHECK_EQ(crc32c(crc32c(~0u, s, cut), s + cut, n - cut), crc32c(~0u, s, n));
}

UNIT_MAIN();
