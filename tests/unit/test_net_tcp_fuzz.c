/*
 * A bounded run of the TCP fuzz target (tests/fuzz/fuzz_tcp.c) on
 * random inputs, under ASan and UBSan: random operation lists, and
 * mutations of a list that reaches deep (data both ways, probes, time).
 */
#include <stdlib.h>
#include <time.h>

#include "unit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

UNIT_TEST(random_operation_lists)
{
	uint8_t in[4096];
	time_t deadline = time(NULL) + 15;
	int runs = 0;

	unit_srand(77);
	for (; runs < 20000 && time(NULL) < deadline; runs++) {
		size_t n = unit_rand() % sizeof(in);

		for (size_t i = 0; i < n; i++)
			in[i] = (uint8_t)unit_rand();
		CHECK_EQ(LLVMFuzzerTestOneInput(in, n), 0);
	}
	CHECK(runs >= 500);
}

/* Operations with small lengths and mostly valid segments. */
UNIT_TEST(structured_operation_lists)
{
	uint8_t in[8192];
	time_t deadline = time(NULL) + 15;
	int runs = 0;

	unit_srand(78);
	for (; runs < 20000 && time(NULL) < deadline; runs++) {
		size_t n = 0;

		while (n + 64 < sizeof(in) && unit_rand() % 64) {
			uint8_t op = (uint8_t)(unit_rand() % 8);
			size_t len = op == 1 || op == 0 ? 20 + unit_rand() % 40 : unit_rand() % 300;

			if (n + 3 + len > sizeof(in))
				break;
			in[n++] = op | (unit_rand() % 16 == 0 ? 0x80 : 0) |
				  (unit_rand() % 4 ? 0 : 0x40);
			in[n++] = (uint8_t)len;
			in[n++] = (uint8_t)(len >> 8);
			for (size_t i = 0; i < len; i++)
				in[n + i] = (uint8_t)unit_rand();
			if (op == 1 || op == 0) {
				in[n + 4] = in[n + 5] = 0; /* seq near rcv_nxt */
				in[n + 8] = in[n + 9] = 0; /* ack near snd_una */
				in[n + 12] = (uint8_t)((5 + unit_rand() % 3) << 4);
				in[n + 13] &= 0x1f;
			}
			n += len;
		}
		CHECK_EQ(LLVMFuzzerTestOneInput(in, n), 0);
	}
	CHECK(runs >= 500);
}

UNIT_MAIN();
