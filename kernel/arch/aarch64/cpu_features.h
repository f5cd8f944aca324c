/* The ID registers and the EL0 MRS emulation (cpu_features.c). */
#ifndef ARCH_AARCH64_CPU_FEATURES_H
#define ARCH_AARCH64_CPU_FEATURES_H

#include <stdbool.h>
#include <stdint.h>

#include "idregs.h"

struct arch_regs;

/* The SVE vector length in bytes, 0 without SVE (user.c). */
extern uint32_t aarch64_sve_vl;

/* Reads the ID registers; once, before the first user program. */
void aarch64_cpu_features_init(void);

/*
 * An EL0 exception in frame (EC 0x18, or an undefined instruction) that
 * is an MRS of an emulated ID register: the value written to its
 * register and the instruction stepped over, true.  False for anything
 * else, which stays a fault (SIGILL).
 */
bool aarch64_emulate_mrs(struct arch_regs *frame);

#endif
