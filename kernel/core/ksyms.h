/*
 * The kernel's own function symbols, embedded in the image at link time
 * (tools/gen-ksyms.sh), so panics and fault reports name functions.
 */
#ifndef CORE_KSYMS_H
#define CORE_KSYMS_H

#include <stddef.h>
#include <stdint.h>

/* The function containing addr and the offset into it; NULL if none. */
const char *ksyms_lookup(uintptr_t addr, uintptr_t *offset);
size_t ksyms_count(void);

#endif
