/* The CPU as user code sees it on aarch64 (idregs.h). */
#include "idregs.h"

#include <stddef.h>

/* A 4-bit ID field; FP and AdvSIMD are signed (0xf: not implemented). */
static unsigned int
field(uint64_t reg, unsigned int shift)
{
	return (unsigned int)(reg >> shift) & 0xf;
}

static int
signed_field(uint64_t reg, unsigned int shift)
{
	unsigned int f = field(reg, shift);

	return f >= 8 ? (int)f - 16 : (int)f;
}

#define F(shift) (0xfull << (shift))

/*
 * One bit per row: set when the field of the register is at least min
 * (Linux's arm64_elf_hwcaps, cut to what this kernel offers).
 */
struct hwcap_rule {
	uint8_t reg; /* offsetof(struct idregs, ...) / 8 */
	uint8_t shift;
	uint8_t min;
	uint8_t word; /* 1: AT_HWCAP, 2: AT_HWCAP2 */
	uint64_t bit;
};

#define R(r) (offsetof(struct idregs, r) / sizeof(uint64_t))

static const struct hwcap_rule rules[] = {
	{ R(isar0), 4, 1, 1, HWCAP_AES },	{ R(isar0), 4, 2, 1, HWCAP_PMULL },
	{ R(isar0), 8, 1, 1, HWCAP_SHA1 },	{ R(isar0), 12, 1, 1, HWCAP_SHA2 },
	{ R(isar0), 12, 2, 1, HWCAP_SHA512 },	{ R(isar0), 16, 1, 1, HWCAP_CRC32 },
	{ R(isar0), 20, 2, 1, HWCAP_ATOMICS },	{ R(isar0), 28, 1, 1, HWCAP_ASIMDRDM },
	{ R(isar0), 32, 1, 1, HWCAP_SHA3 },	{ R(isar0), 36, 1, 1, HWCAP_SM3 },
	{ R(isar0), 40, 1, 1, HWCAP_SM4 },	{ R(isar0), 44, 1, 1, HWCAP_ASIMDDP },
	{ R(isar0), 48, 1, 1, HWCAP_ASIMDFHM }, { R(isar0), 52, 1, 1, HWCAP_FLAGM },
	{ R(isar0), 52, 2, 2, HWCAP2_FLAGM2 },	{ R(isar0), 60, 1, 2, HWCAP2_RNG },
	{ R(pfr0), 48, 1, 1, HWCAP_DIT },	{ R(isar1), 0, 1, 1, HWCAP_DCPOP },
	{ R(isar1), 0, 2, 2, HWCAP2_DCPODP },	{ R(isar1), 12, 1, 1, HWCAP_JSCVT },
	{ R(isar1), 16, 1, 1, HWCAP_FCMA },	{ R(isar1), 20, 1, 1, HWCAP_LRCPC },
	{ R(isar1), 20, 2, 1, HWCAP_ILRCPC },	{ R(isar1), 32, 1, 2, HWCAP2_FRINT },
	{ R(isar1), 36, 1, 1, HWCAP_SB },	{ R(isar1), 44, 1, 2, HWCAP2_BF16 },
	{ R(isar1), 48, 1, 2, HWCAP2_DGH },	{ R(isar1), 52, 1, 2, HWCAP2_I8MM },
	{ R(mmfr2), 32, 1, 1, HWCAP_USCAT },	{ R(pfr1), 4, 2, 1, HWCAP_SSBS },
	{ R(pfr0), 32, 1, 1, HWCAP_SVE },
};

/* SVE's own, from ID_AA64ZFR0_EL1, only with SVE itself. */
static const struct hwcap_rule sve_rules[] = {
	{ R(zfr0), 0, 1, 2, HWCAP2_SVE2 },	{ R(zfr0), 4, 1, 2, HWCAP2_SVEAES },
	{ R(zfr0), 4, 2, 2, HWCAP2_SVEPMULL },	{ R(zfr0), 16, 1, 2, HWCAP2_SVEBITPERM },
	{ R(zfr0), 20, 1, 2, HWCAP2_SVEBF16 },	{ R(zfr0), 32, 1, 2, HWCAP2_SVESHA3 },
	{ R(zfr0), 40, 1, 2, HWCAP2_SVESM4 },	{ R(zfr0), 44, 1, 2, HWCAP2_SVEI8MM },
	{ R(zfr0), 52, 1, 2, HWCAP2_SVEF32MM }, { R(zfr0), 56, 1, 2, HWCAP2_SVEF64MM },
};

static void
apply(const struct idregs *r, const struct hwcap_rule *rule, size_t n, uint64_t *h, uint64_t *h2)
{
	const uint64_t *regs = (const uint64_t *)r;

	for (size_t i = 0; i < n; i++) {
		if (field(regs[rule[i].reg], rule[i].shift) < rule[i].min)
			continue;
		if (rule[i].word == 1)
			*h |= rule[i].bit;
		else
			*h2 |= rule[i].bit;
	}
}

void
idregs_hwcaps(const struct idregs *r, uint64_t *hwcap, uint64_t *hwcap2)
{
	uint64_t h = HWCAP_CPUID, h2 = 0; /* MRS of ID registers is emulated */
	int fp = signed_field(r->pfr0, 16), simd = signed_field(r->pfr0, 20);

	if (fp >= 0)
		h |= HWCAP_FP;
	if (fp >= 1)
		h |= HWCAP_FPHP;
	if (simd >= 0)
		h |= HWCAP_ASIMD;
	if (simd >= 1)
		h |= HWCAP_ASIMDHP;
	apply(r, rules, sizeof(rules) / sizeof(rules[0]), &h, &h2);
	if (h & HWCAP_SVE)
		apply(r, sve_rules, sizeof(sve_rules) / sizeof(sve_rules[0]), &h, &h2);
	*hwcap = h;
	*hwcap2 = h2;
}

/*
 * The ID_AA64* registers EL0 may read: the fields behind the bits
 * offered show as they are, the others as Linux shows a hidden field
 * (mostly 0; the values below where Linux gives another safe value).
 */
struct user_view {
	uint32_t reg;
	uint8_t off; /* offsetof(struct idregs, ...) / 8 */
	uint64_t visible, hidden;
};

static const struct user_view views[] = {
	/* ID_AA64PFR0_EL1: FP, AdvSIMD, SVE, DIT; EL0 and EL1 read as
	 * AArch64 only. */
	{ IDREG(3, 0, 0, 4, 0), R(pfr0), F(16) | F(20) | F(32) | F(48), 0x11 },
	/* ID_AA64PFR1_EL1: SSBS. */
	{ IDREG(3, 0, 0, 4, 1), R(pfr1), F(4), 0 },
	/* ID_AA64ZFR0_EL1: the fields of the bits above (0 without SVE:
	 * the caller's zfr0 says so); ID_AA64SMFR0_EL1: no SME. */
	{ IDREG(3, 0, 0, 4, 4), R(zfr0),
	  F(0) | F(4) | F(16) | F(20) | F(32) | F(40) | F(44) | F(52) | F(56), 0 },
	{ IDREG(3, 0, 0, 4, 5), R(smfr0), 0, 0 },
	/* ID_AA64DFR0_EL1: the debug architecture reads as v8.0. */
	{ IDREG(3, 0, 0, 5, 0), R(dfr0), 0, 0x6 },
	/* ID_AA64ISAR0_EL1: all but TME and TLB. */
	{ IDREG(3, 0, 0, 6, 0), R(isar0),
	  F(4) | F(8) | F(12) | F(16) | F(20) | F(28) | F(32) | F(36) | F(40) | F(44) | F(48) |
		  F(52) | F(60),
	  0 },
	/* ID_AA64ISAR1_EL1: DPB, JSCVT, FCMA, LRCPC, FRINTTS, SB, BF16,
	 * DGH, I8MM (not the pointer authentication fields). */
	{ IDREG(3, 0, 0, 6, 1), R(isar1),
	  F(0) | F(12) | F(16) | F(20) | F(32) | F(36) | F(44) | F(48) | F(52), 0 },
	{ IDREG(3, 0, 0, 6, 2), R(isar2), 0, 0 },
	/* ID_AA64MMFR0_EL1: Linux shows the 4K and 64K granules as absent
	 * and the stage 2 granules as "as stage 1". */
	{ IDREG(3, 0, 0, 7, 0), R(mmfr0), 0, 0x111ff000000ull },
	{ IDREG(3, 0, 0, 7, 1), R(mmfr1), 0, 0 },
	/* ID_AA64MMFR2_EL1: AT (USCAT). */
	{ IDREG(3, 0, 0, 7, 2), R(mmfr2), F(32), 0 },
};

bool
idregs_user_value(const struct idregs *r, uint32_t reg, uint64_t *value)
{
	const uint64_t *regs = (const uint64_t *)r;
	unsigned int crm = (reg >> 3) & 0xf;

	/* Only sys_reg(3, 0, 0, CRm, op2) is emulated, as on Linux. */
	if ((reg & ~(uint32_t)IDREG(0, 0, 0, 0xf, 7)) != IDREG(3, 0, 0, 0, 0))
		return false;
	switch (reg) {
	case IDREG_MIDR:
		*value = r->midr;
		return true;
	case IDREG_MPIDR:
		*value = 1ull << 31; /* RES1: no affinity is told */
		return true;
	case IDREG_REVIDR:
		*value = 0;
		return true;
	}
	if (crm < 2)
		return false; /* the rest of CRm 0, and CRm 1: undefined */
	for (size_t i = 0; i < sizeof(views) / sizeof(views[0]); i++) {
		if (views[i].reg == reg) {
			*value = (regs[views[i].off] & views[i].visible) | views[i].hidden;
			return true;
		}
	}
	*value = 0; /* AArch32 and unallocated ID registers read as zero */
	return true;
}

static const char *const feature_names[] = {
	"fp",	     "asimd",	   "evtstrm",  "aes",	    "pmull",	 "sha1",      "sha2",
	"crc32",     "atomics",	   "fphp",     "asimdhp",   "cpuid",	 "asimdrdm",  "jscvt",
	"fcma",	     "lrcpc",	   "dcpop",    "sha3",	    "sm3",	 "sm4",	      "asimddp",
	"sha512",    "sve",	   "asimdfhm", "dit",	    "uscat",	 "ilrcpc",    "flagm",
	"ssbs",	     "sb",	   "paca",     "pacg",	    "dcpodp",	 "sve2",      "sveaes",
	"svepmull",  "svebitperm", "svesha3",  "svesm4",    "flagm2",	 "frint",     "svei8mm",
	"svef32mm",  "svef64mm",   "svebf16",  "i8mm",	    "bf16",	 "dgh",	      "rng",
	"bti",	     "mte",	   "ecv",      "afp",	    "rpres",	 "mte3",      "sme",
	"smei16i64", "smef64f64",  "smei8i32", "smef16f32", "smeb16f32", "smef32f32", "smefa64",
	"wfxt",	     "ebf16",	   "sveebf16",
};

const char *
idregs_feature_name(unsigned int bit)
{
	return bit < sizeof(feature_names) / sizeof(feature_names[0]) ? feature_names[bit] : NULL;
}

/* MRS Xt, <sysreg>: 1101 0101 0011 o0 op1 CRn CRm op2 Rt, op0 = 2 + o0. */
bool
idregs_decode_mrs_insn(uint32_t insn, uint32_t *reg, unsigned int *rt)
{
	if ((insn & 0xfff00000u) != 0xd5300000u)
		return false;
	*reg = IDREG(2 + ((insn >> 19) & 1), (insn >> 16) & 7, (insn >> 12) & 0xf,
		     (insn >> 8) & 0xf, (insn >> 5) & 7);
	*rt = insn & 0x1f;
	return true;
}

/* ISS: op0 [21:20], op2 [19:17], op1 [16:14], CRn [13:10], Rt [9:5],
 * CRm [4:1], direction [0] (1: a read). */
bool
idregs_decode_mrs_iss(uint32_t iss, uint32_t *reg, unsigned int *rt)
{
	if (!(iss & 1))
		return false;
	*reg = IDREG((iss >> 20) & 3, (iss >> 14) & 7, (iss >> 10) & 0xf, (iss >> 1) & 0xf,
		     (iss >> 17) & 7);
	*rt = (iss >> 5) & 0x1f;
	return true;
}
