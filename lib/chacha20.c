#include "lib/chacha20.h"

static uint32_t
load32_le(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void
store32_le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t
rotl32(uint32_t v, int n)
{
	return v << n | v >> (32 - n);
}

static void
quarter_round(uint32_t *s, int a, int b, int c, int d)
{
	s[a] += s[b];
	s[d] = rotl32(s[d] ^ s[a], 16);
	s[c] += s[d];
	s[b] = rotl32(s[b] ^ s[c], 12);
	s[a] += s[b];
	s[d] = rotl32(s[d] ^ s[a], 8);
	s[c] += s[d];
	s[b] = rotl32(s[b] ^ s[c], 7);
}

void
chacha20_block(const uint8_t key[CHACHA20_KEY_BYTES], uint32_t counter,
	       const uint8_t nonce[CHACHA20_NONCE_BYTES], uint8_t out[CHACHA20_BLOCK_BYTES])
{
	/* "expand 32-byte k", then the key, the counter and the nonce. */
	uint32_t in[16] = { 0x61707865, 0x3320646e, 0x79622d32, 0x6b206574 }, s[16];

	for (int i = 0; i < 8; i++)
		in[4 + i] = load32_le(key + 4 * i);
	in[12] = counter;
	for (int i = 0; i < 3; i++)
		in[13 + i] = load32_le(nonce + 4 * i);
	for (int i = 0; i < 16; i++)
		s[i] = in[i];
	for (int round = 0; round < 10; round++) { /* 20 rounds: column, then diagonal */
		quarter_round(s, 0, 4, 8, 12);
		quarter_round(s, 1, 5, 9, 13);
		quarter_round(s, 2, 6, 10, 14);
		quarter_round(s, 3, 7, 11, 15);
		quarter_round(s, 0, 5, 10, 15);
		quarter_round(s, 1, 6, 11, 12);
		quarter_round(s, 2, 7, 8, 13);
		quarter_round(s, 3, 4, 9, 14);
	}
	for (int i = 0; i < 16; i++)
		store32_le(out + 4 * i, s[i] + in[i]);
}
