/*
 * A new program's initial stack as Linux lays it out (pure,
 * host-tested): at sp, argc; then argv[0..argc-1] and a NULL; envp and
 * a NULL; the auxiliary vector (type, value pairs, AT_NULL last); above
 * them the 16 AT_RANDOM bytes, a copy of the program headers when no
 * segment loads them, and the strings.  sp is 16-byte aligned.  crt0
 * reads argc and argv and ignores the rest, so every program gets it.
 */
#ifndef PROC_INITSTACK_H
#define PROC_INITSTACK_H

#include <stddef.h>
#include <stdint.h>

#include "themelios/abi.h"

struct initstack_in {
	const char *const *argv; /* argc strings, argv[0] the program's name */
	size_t argc;
	const char *const *envp;
	size_t envc;
	const char *execfn;    /* AT_EXECFN */
	uint8_t random[16];    /* AT_RANDOM's bytes */
	const void *phdrs;     /* copied onto the stack when phdr is 0 */
	uint64_t phdr;	       /* AT_PHDR: where a segment loads them, or 0 */
	uint64_t phent, phnum; /* AT_PHENT, AT_PHNUM */
	uint64_t entry, base;  /* AT_ENTRY, AT_BASE (the interpreter's; 0: none) */
	uint64_t hwcap;	       /* AT_HWCAP */
	uint64_t hwcap2;       /* AT_HWCAP2 */
};

/*
 * Builds the block in buf, whose last byte sits at user address
 * top - 1 (so buf[i] is at top - size + i).  *sp: where the stack
 * pointer starts; the block is buf[size - (top - *sp) .. size).
 * -E_RANGE if it does not fit in size bytes.
 */
int initstack_build(uint8_t *buf, size_t size, uint64_t top, const struct initstack_in *in,
		    uint64_t *sp);

#endif
