/*
 * Physical memory as the kernel sees it: every frame of RAM is reachable
 * at DIRECT_MAP_BASE + its physical address (asm/layout.h).
 */
#ifndef MM_PHYS_H
#define MM_PHYS_H

#include <stdint.h>

#include "asm/layout.h"

static inline void *
phys_to_virt(uint64_t pa)
{
	return (void *)(uintptr_t)(DIRECT_MAP_BASE + pa);
}

static inline uint64_t
virt_to_phys(const void *va)
{
	return (uint64_t)(uintptr_t)va - DIRECT_MAP_BASE;
}

#endif
