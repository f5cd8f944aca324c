/*
 * What user code learns about the CPU on aarch64, as Linux tells it: the
 * AT_HWCAP and AT_HWCAP2 bits and the values an EL0 MRS of an ID
 * register reads (Linux traps and emulates those, so that glibc may read
 * MIDR_EL1 once HWCAP_CPUID says it can).  Pure logic from the raw
 * register values (cpu_features.c reads them), host-tested in
 * tests/unit/test_idregs.c.
 *
 * Only what works at EL0 under this kernel is offered: SVE only when
 * the kernel enabled it (the caller clears ID_AA64PFR0_EL1.SVE and
 * ID_AA64ZFR0_EL1 otherwise), no SME (its state is not switched), no
 * pointer authentication (no keys), no BTI or MTE (no page attributes
 * for them), no event stream (the timer does not generate one).  A
 * hidden feature is hidden in both: its bit is clear and its ID register
 * field reads as Linux shows hidden fields.
 */
#ifndef ARCH_AARCH64_IDREGS_H
#define ARCH_AARCH64_IDREGS_H

#include <stdbool.h>
#include <stdint.h>

/* The registers the bits come from, raw, as the CPU reports them. */
struct idregs {
	uint64_t midr;
	uint64_t pfr0, pfr1;
	uint64_t isar0, isar1, isar2;
	uint64_t mmfr0, mmfr1, mmfr2;
	uint64_t zfr0, smfr0, dfr0;
};

/* Linux's bit numbers (uapi asm/hwcap.h): the ones offered, and those
 * the tests name. */
#define HWCAP_FP	  (1ull << 0)
#define HWCAP_ASIMD	  (1ull << 1)
#define HWCAP_EVTSTRM	  (1ull << 2)
#define HWCAP_AES	  (1ull << 3)
#define HWCAP_PMULL	  (1ull << 4)
#define HWCAP_SHA1	  (1ull << 5)
#define HWCAP_SHA2	  (1ull << 6)
#define HWCAP_CRC32	  (1ull << 7)
#define HWCAP_ATOMICS	  (1ull << 8)
#define HWCAP_FPHP	  (1ull << 9)
#define HWCAP_ASIMDHP	  (1ull << 10)
#define HWCAP_CPUID	  (1ull << 11)
#define HWCAP_ASIMDRDM	  (1ull << 12)
#define HWCAP_JSCVT	  (1ull << 13)
#define HWCAP_FCMA	  (1ull << 14)
#define HWCAP_LRCPC	  (1ull << 15)
#define HWCAP_DCPOP	  (1ull << 16)
#define HWCAP_SHA3	  (1ull << 17)
#define HWCAP_SM3	  (1ull << 18)
#define HWCAP_SM4	  (1ull << 19)
#define HWCAP_ASIMDDP	  (1ull << 20)
#define HWCAP_SHA512	  (1ull << 21)
#define HWCAP_SVE	  (1ull << 22)
#define HWCAP_ASIMDFHM	  (1ull << 23)
#define HWCAP_DIT	  (1ull << 24)
#define HWCAP_USCAT	  (1ull << 25)
#define HWCAP_ILRCPC	  (1ull << 26)
#define HWCAP_FLAGM	  (1ull << 27)
#define HWCAP_SSBS	  (1ull << 28)
#define HWCAP_SB	  (1ull << 29)
#define HWCAP_PACA	  (1ull << 30)
#define HWCAP_PACG	  (1ull << 31)
#define HWCAP2_DCPODP	  (1ull << 0)
#define HWCAP2_SVE2	  (1ull << 1)
#define HWCAP2_SVEAES	  (1ull << 2)
#define HWCAP2_SVEPMULL	  (1ull << 3)
#define HWCAP2_SVEBITPERM (1ull << 4)
#define HWCAP2_SVESHA3	  (1ull << 5)
#define HWCAP2_SVESM4	  (1ull << 6)
#define HWCAP2_FLAGM2	  (1ull << 7)
#define HWCAP2_FRINT	  (1ull << 8)
#define HWCAP2_SVEI8MM	  (1ull << 9)
#define HWCAP2_SVEF32MM	  (1ull << 10)
#define HWCAP2_SVEF64MM	  (1ull << 11)
#define HWCAP2_SVEBF16	  (1ull << 12)
#define HWCAP2_I8MM	  (1ull << 13)
#define HWCAP2_BF16	  (1ull << 14)
#define HWCAP2_DGH	  (1ull << 15)
#define HWCAP2_RNG	  (1ull << 16)
#define HWCAP2_BTI	  (1ull << 17)

/* An ID register as sys_reg(op0, op1, CRn, CRm, op2), packed as Linux
 * packs it: op0 << 14 | op1 << 11 | CRn << 7 | CRm << 3 | op2. */
#define IDREG(op0, op1, crn, crm, op2) \
	((uint32_t)(op0) << 14 | (uint32_t)(op1) << 11 | (uint32_t)(crn) << 7 | (crm) << 3 | (op2))
#define IDREG_MIDR   IDREG(3, 0, 0, 0, 0)
#define IDREG_MPIDR  IDREG(3, 0, 0, 0, 5)
#define IDREG_REVIDR IDREG(3, 0, 0, 0, 6)

/* The bits a Linux program gets for these registers. */
void idregs_hwcaps(const struct idregs *r, uint64_t *hwcap, uint64_t *hwcap2);

/* Linux's name of a bit in /proc/cpuinfo's Features: bit of AT_HWCAP,
 * or 32 + bit of AT_HWCAP2; NULL past those Linux 6.1 names. */
const char *idregs_feature_name(unsigned int bit);

/*
 * What an EL0 read of the register reg reads, as on Linux: MIDR_EL1
 * itself, MPIDR_EL1 as its fixed bit alone, REVIDR_EL1 0, the
 * ID_AA64* registers with their hidden fields replaced, any other
 * register of sys_reg(3, 0, 0, 2..7, x) 0.  False for every other
 * register (the read stays an undefined instruction).
 */
bool idregs_user_value(const struct idregs *r, uint32_t reg, uint64_t *value);

/*
 * The register and destination of an MRS, from the instruction word
 * (an undefined-instruction trap) or from the ISS of a trapped system
 * register access (ESR_EL1, EC 0x18).  False if it is not an MRS (an
 * MSR, SYS or anything else).  *rt is 0..31, 31 being xzr.
 */
bool idregs_decode_mrs_insn(uint32_t insn, uint32_t *reg, unsigned int *rt);
bool idregs_decode_mrs_iss(uint32_t iss, uint32_t *reg, unsigned int *rt);

#endif
