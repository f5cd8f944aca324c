/*
 * Initial sequence numbers (RFC 6528) and SYN cookies, both from
 * ChaCha20 keyed with the caller's secret: ISN = M + F(4-tuple, key),
 * M a clock ticking every 4 microseconds, so that a new incarnation of
 * a connection starts past the old one and nobody off the path can
 * guess the numbers of another's connection.
 */
#include "net/tcp_internal.h"

#include "lib/byteorder.h"
#include "lib/chacha20.h"
#include "lib/string.h"

/* The nonce is the 4-tuple: 4 + 4 + 2 + 2 = 12 bytes exactly. */
static void
tuple_nonce(uint8_t n[CHACHA20_NONCE_BYTES], uint32_t laddr, uint16_t lport, uint32_t raddr,
	    uint16_t rport)
{
	put_be32(n, laddr);
	put_be32(n + 4, raddr);
	put_be16(n + 8, lport);
	put_be16(n + 10, rport);
}

void
tcp_isn_init(struct tcp_stack *s, const uint8_t key[32])
{
	uint8_t nonce[CHACHA20_NONCE_BYTES] = { 0 }, block[CHACHA20_BLOCK_BYTES];

	memcpy(s->isn_key, key, 32);
	/* A second key for cookies, so the two uses never share a block. */
	chacha20_block(key, 0xffffffffu, nonce, block);
	memcpy(s->cookie_key, block, 32);
	s->hash_salt = be32(block + 32);
	s->next_port = (uint16_t)(49152 + be16(block + 36) % 16384);
	memset(block, 0, sizeof(block));
}

uint32_t
tcp_isn(struct tcp_stack *s, const struct tcp_conn *c, uint64_t now, uint32_t *ts_offset)
{
	uint8_t nonce[CHACHA20_NONCE_BYTES], block[CHACHA20_BLOCK_BYTES];
	uint32_t f;

	tuple_nonce(nonce, c->local_addr, c->local_port, c->remote_addr, c->remote_port);
	chacha20_block(s->isn_key, 0, nonce, block);
	f = be32(block);
	*ts_offset = be32(block + 4); /* RFC 7323, section 5.4: per connection */
	return f + (uint32_t)(now / 4000);
}

/*
 * A cookie: 28 bits of MAC over the tuple, the peer's ISN and the
 * 64-second period, then 2 bits of the period and 2 bits naming the MSS.
 * A cookie is good in its period and the next.
 */
static const uint16_t cookie_mss[4] = { 536, 1220, 1440, 1460 };
#define COOKIE_PERIOD (64 * TCP_NS_PER_S)

static uint32_t
cookie_mac(struct tcp_stack *s, uint32_t laddr, uint16_t lport, uint32_t raddr, uint16_t rport,
	   uint32_t irs, unsigned period)
{
	uint8_t nonce[CHACHA20_NONCE_BYTES], block[CHACHA20_BLOCK_BYTES];

	tuple_nonce(nonce, laddr, lport, raddr, rport);
	chacha20_block(s->cookie_key, irs, nonce, block);
	return be32(block + 4 * period) & ~0xfu;
}

uint32_t
tcp_cookie_make(struct tcp_stack *s, uint32_t laddr, uint16_t lport, uint32_t raddr, uint16_t rport,
		uint32_t irs, uint16_t mss, uint64_t now)
{
	unsigned period = (unsigned)(now / COOKIE_PERIOD) & 3, m = 0;

	for (unsigned i = 0; i < 4; i++)
		if (cookie_mss[i] <= mss)
			m = i;
	return cookie_mac(s, laddr, lport, raddr, rport, irs, period) | period << 2 | m;
}

uint16_t
tcp_cookie_check(struct tcp_stack *s, uint32_t laddr, uint16_t lport, uint32_t raddr,
		 uint16_t rport, uint32_t irs, uint32_t cookie, uint64_t now)
{
	unsigned now_period = (unsigned)(now / COOKIE_PERIOD) & 3;
	unsigned period = cookie >> 2 & 3;

	if (period != now_period && period != ((now_period + 3) & 3))
		return 0;
	if (cookie_mac(s, laddr, lport, raddr, rport, irs, period) != (cookie & ~0xfu))
		return 0;
	return cookie_mss[cookie & 3];
}
