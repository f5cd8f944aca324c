#include "core/random.h"

#include "lib/string.h"

void
random_state_wipe(void *p, size_t len)
{
	volatile uint8_t *b = p; /* volatile: a dead store the compiler must keep */

	while (len--)
		*b++ = 0;
}

void
random_state_mix(struct random_state *st, const void *data, size_t len)
{
	static const uint8_t mix_nonce[CHACHA20_NONCE_BYTES] = { 'm', 'i', 'x' };
	const uint8_t *d = data;
	uint8_t key[CHACHA20_KEY_BYTES], block[CHACHA20_BLOCK_BYTES];

	memcpy(key, st->key, sizeof(key));
	for (size_t i = 0; i < len; i++)
		key[i % sizeof(key)] ^= d[i];
	/* The new key is a ChaCha20 output under the combined one: every
	 * input bit affects all of it. */
	chacha20_block(key, 0, mix_nonce, block);
	memcpy(st->key, block, sizeof(st->key));
	random_state_wipe(key, sizeof(key));
	random_state_wipe(block, sizeof(block));
}

void
random_state_fill(struct random_state *st, void *out, size_t len)
{
	uint8_t nonce[CHACHA20_NONCE_BYTES] = { 0 }, block[CHACHA20_BLOCK_BYTES];
	uint8_t next_key[CHACHA20_KEY_BYTES];
	uint8_t *o = out;
	uint32_t counter = 0;
	size_t n;

	for (int i = 0; i < 8; i++)
		nonce[i] = (uint8_t)(st->requests >> (8 * i));
	st->requests++;
	/* Block 0: its first half is the next key, its second half output. */
	chacha20_block(st->key, counter++, nonce, block);
	memcpy(next_key, block, sizeof(next_key));
	n = len < CHACHA20_BLOCK_BYTES - sizeof(next_key) ? len
							  : CHACHA20_BLOCK_BYTES - sizeof(next_key);
	memcpy(o, block + sizeof(next_key), n);
	o += n;
	len -= n;
	while (len) {
		chacha20_block(st->key, counter++, nonce, block);
		n = len < sizeof(block) ? len : sizeof(block);
		memcpy(o, block, n);
		o += n;
		len -= n;
	}
	memcpy(st->key, next_key, sizeof(st->key));
	random_state_wipe(next_key, sizeof(next_key));
	random_state_wipe(block, sizeof(block));
}

#ifndef HOST_TEST
#include "arch/arch.h"
#include "sched/spinlock.h"

static struct random_state kernel_state;
static struct spinlock random_lock = SPINLOCK_INIT("random");

void
random_init(void)
{
	uint64_t seed[8];

	for (int i = 0; i < 8; i++)
		seed[i] = arch_boot_entropy();
	random_state_mix(&kernel_state, seed, sizeof(seed));
	random_state_wipe(seed, sizeof(seed));
}

void
random_fill(void *out, size_t len)
{
	unsigned long flags = spin_lock_irqsave(&random_lock);
	uint64_t jitter = arch_cycles(); /* cheap fresh bits on every request */

	random_state_mix(&kernel_state, &jitter, sizeof(jitter));
	random_state_fill(&kernel_state, out, len);
	spin_unlock_irqrestore(&random_lock, flags);
}
#endif
