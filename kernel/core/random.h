/*
 * The kernel's random numbers: a ChaCha20 generator with fast key
 * erasure (every request ends with a fresh key drawn from its own first
 * block, so a later look at the state cannot reproduce what was given
 * out before).  Entropy (RDRAND/RNDR, cycle counts) is mixed into the
 * key.  The state functions are pure and host-tested; random_fill is
 * the kernel's locked instance.
 */
#ifndef CORE_RANDOM_H
#define CORE_RANDOM_H

#include <stddef.h>
#include <stdint.h>

#include "lib/chacha20.h"

struct random_state {
	uint8_t key[CHACHA20_KEY_BYTES];
	uint64_t requests; /* the nonce: never the same twice per key */
};

/* Zeroes a buffer that held random bytes (a store the compiler keeps). */
void random_state_wipe(void *p, size_t len);

/* Folds data into the key. */
void random_state_mix(struct random_state *st, const void *data, size_t len);
/* len bytes of output, then a new key. */
void random_state_fill(struct random_state *st, void *out, size_t len);

/* The kernel's generator: seeded at boot (random_init), then safe to
 * call from any thread. */
void random_init(void);
void random_fill(void *out, size_t len);

#endif
