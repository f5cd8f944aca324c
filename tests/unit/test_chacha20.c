/* ChaCha20 against RFC 8439's test vectors, and the random generator
 * built on it: fast key erasure, mixing, lengths. */
#include <string.h>

#include "core/random.h"
#include "lib/chacha20.h"
#include "unit.h"

/* RFC 8439 appendix A.1, test vector 1: all-zero key, nonce, counter 0. */
static const uint8_t zero_keystream[64] = {
	0x76, 0xb8, 0xe0, 0xad, 0xa0, 0xf1, 0x3d, 0x90, 0x40, 0x5d, 0x6a, 0xe5, 0x53,
	0x86, 0xbd, 0x28, 0xbd, 0xd2, 0x19, 0xb8, 0xa0, 0x8d, 0xed, 0x1a, 0xa8, 0x36,
	0xef, 0xcc, 0x8b, 0x77, 0x0d, 0xc7, 0xda, 0x41, 0x59, 0x7c, 0x51, 0x57, 0x48,
	0x8d, 0x77, 0x24, 0xe0, 0x3f, 0xb8, 0xd8, 0x4a, 0x37, 0x6a, 0x43, 0xb8, 0xf4,
	0x15, 0x18, 0xa1, 0x1c, 0xc3, 0x87, 0xb6, 0x69, 0xb2, 0xee, 0x65, 0x86,
};

UNIT_TEST(rfc8439_zero_vector)
{
	uint8_t key[32] = { 0 }, nonce[12] = { 0 }, out[64];

	chacha20_block(key, 0, nonce, out);
	CHECK(memcmp(out, zero_keystream, sizeof(out)) == 0);
}

/* RFC 8439 section 2.3.2: key 00..1f, nonce 00 00 00 09 00 00 00 4a 00 00
 * 00 00, counter 1; the first 16 bytes of the serialized block. */
UNIT_TEST(rfc8439_block_vector)
{
	static const uint8_t want[16] = {
		0x10, 0xf1, 0xe7, 0xe4, 0xd1, 0x3b, 0x59, 0x15,
		0x50, 0x0f, 0xdd, 0x1f, 0xa3, 0x20, 0x71, 0xc4,
	};
	uint8_t key[32], nonce[12] = { 0, 0, 0, 0x09, 0, 0, 0, 0x4a, 0, 0, 0, 0 }, out[64];

	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)i;
	chacha20_block(key, 1, nonce, out);
	CHECK(memcmp(out, want, sizeof(want)) == 0);
}

UNIT_TEST(fill_erases_its_key)
{
	struct random_state a = { { 0 }, 0 }, b;
	uint8_t first[100], again[100], key_before[32];

	memcpy(key_before, a.key, sizeof(key_before));
	b = a;
	random_state_fill(&a, first, sizeof(first));
	CHECK(memcmp(a.key, key_before, sizeof(key_before)) != 0); /* rekeyed */
	/* The same state gives the same bytes (it is deterministic)... */
	random_state_fill(&b, again, sizeof(again));
	CHECK(memcmp(first, again, sizeof(first)) == 0);
	/* ...but the next request gives new ones. */
	random_state_fill(&a, again, sizeof(again));
	CHECK(memcmp(first, again, sizeof(first)) != 0);
	/* The output never contains the next key. */
	for (size_t i = 0; i + 32 <= sizeof(again); i++)
		CHECK(memcmp(again + i, a.key, 32) != 0);
}

UNIT_TEST(mix_changes_everything)
{
	struct random_state a = { { 0 }, 0 }, b = { { 0 }, 0 };
	uint8_t x[32], y[32];
	uint64_t one = 1, two = 2;

	random_state_mix(&a, &one, sizeof(one));
	random_state_mix(&b, &two, sizeof(two));
	random_state_fill(&a, x, sizeof(x));
	random_state_fill(&b, y, sizeof(y));
	int same = 0;
	for (int i = 0; i < 32; i++)
		same += x[i] == y[i];
	CHECK(same < 8); /* one input bit: unrelated outputs */
}

UNIT_TEST(any_length)
{
	struct random_state st = { { 7 }, 0 };
	static uint8_t buf[1000];

	for (size_t len = 0; len < sizeof(buf); len += 37) {
		memset(buf, 0, sizeof(buf));
		random_state_fill(&st, buf, len);
		for (size_t i = len; i < sizeof(buf); i++)
			CHECK(buf[i] == 0); /* nothing past the end */
	}
	random_state_fill(&st, buf, sizeof(buf));
	int zeros = 0;
	for (size_t i = 0; i < sizeof(buf); i++)
		zeros += buf[i] == 0;
	CHECK(zeros < 20); /* about 4 expected */
}

UNIT_MAIN();
