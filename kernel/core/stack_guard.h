/*
 * The stack protector's guard (GCC -fstack-protector-strong with a
 * global guard): functions with arrays on the stack put it below their
 * return address and check it before returning, so an overflow of a
 * local buffer stops the kernel with a named panic instead of returning
 * through whatever the overflow wrote.
 */
#ifndef CORE_STACK_GUARD_H
#define CORE_STACK_GUARD_H

#include <stdint.h>

/*
 * Sets the guard from entropy.  First thing at boot, from a function
 * that never returns: a function still running from before the change
 * would find its canary wrong on return.
 */
void stack_guard_init(uint64_t entropy);

/* crash=smash: overflows a local buffer on purpose. */
void stack_guard_crash(void);

#endif
