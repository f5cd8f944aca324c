/* What aarch64 user code learns about the CPU (kernel/arch/aarch64/
 * idregs.c): the AT_HWCAP bits from the ID registers of QEMU's -cpu max
 * as Linux 6.1 gives them, with SVE and without, fields at and below
 * each bit's threshold,
 * the values an emulated MRS reads, and the MRS decoding from an
 * instruction word and from an ESR's ISS. */
#include "arch/aarch64/idregs.h"
#include "unit.h"

#include <string.h>

/* QEMU 7.2's -cpu max (system mode), as read at EL1. */
static const struct idregs qemu_max = {
	.midr = 0xf0510,
	.pfr0 = 0x1000100110011ull | 0x1100, /* EL2 and EL3 too, hidden below */
	.pfr1 = 0x1000321,
	.isar0 = 0x1021111110212120ull,
	.isar1 = 0x11101101211012ull,
	.mmfr0 = 0x100032310201126ull,
	.mmfr2 = 0x1011ull,
	.zfr0 = 0x110110100110021ull,
	.smfr0 = 0x80f100fd00000000ull,
	.dfr0 = 0x110305408ull,
};

UNIT_TEST(qemu_max_gets_linux_bits_less_what_is_not_offered)
{
	uint64_t h, h2;

	idregs_hwcaps(&qemu_max, &h, &h2);
	/* Linux 6.1 in the peer guest: 0xfdffffff and 0x3ffff, less pointer
	 * authentication, the event stream and BTI. */
	CHECK_EQ(h, 0xfdffffffull & ~(HWCAP_PACA | HWCAP_PACG | HWCAP_EVTSTRM));
	CHECK_EQ(h2, 0x3ffffull & ~HWCAP2_BTI);
}

UNIT_TEST(without_sve_no_sve_bits)
{
	struct idregs r = qemu_max;
	uint64_t h, h2, v;

	/* The kernel did not enable it: cpu_features.c clears PFR0.SVE;
	 * ZFR0's fields then give nothing either. */
	r.pfr0 &= ~(0xfull << 32);
	idregs_hwcaps(&r, &h, &h2);
	CHECK_EQ(h, 0xfdffffffull & ~(HWCAP_SVE | HWCAP_PACA | HWCAP_PACG | HWCAP_EVTSTRM));
	CHECK_EQ(h2, 0x3ffffull & ~(0x7eull | (0xfull << 9) | HWCAP2_BTI));
	CHECK(idregs_user_value(&r, IDREG(3, 0, 0, 4, 0), &v));
	CHECK_EQ(v, 0x1000000110011ull);
}

UNIT_TEST(bits_follow_their_fields)
{
	struct idregs r = { 0 };
	uint64_t h, h2;

	/* FP and AdvSIMD are signed: 0 is there, 0xf absent. */
	idregs_hwcaps(&r, &h, &h2);
	CHECK_EQ(h, HWCAP_FP | HWCAP_ASIMD | HWCAP_CPUID);
	CHECK_EQ(h2, 0);
	r.pfr0 = 0xffull << 16;
	idregs_hwcaps(&r, &h, &h2);
	CHECK_EQ(h, HWCAP_CPUID);
	/* ATOMIC needs 2 (v8.1's LSE); AES 1 is AES, 2 adds PMULL. */
	r.isar0 = 1ull << 20 | 1ull << 4;
	idregs_hwcaps(&r, &h, &h2);
	CHECK_EQ(h, HWCAP_CPUID | HWCAP_AES);
	r.isar0 = 2ull << 20 | 2ull << 4;
	idregs_hwcaps(&r, &h, &h2);
	CHECK_EQ(h, HWCAP_CPUID | HWCAP_AES | HWCAP_PMULL | HWCAP_ATOMICS);
	/* SSBS 1 is the barrier alone: the bit wants 2 (PSTATE.SSBS). */
	r.pfr1 = 1ull << 4;
	idregs_hwcaps(&r, &h, &h2);
	CHECK(!(h & HWCAP_SSBS));
	/* TS 2 is FLAGM and FLAGM2; RNDR 1 is RNG. */
	r.isar0 = 2ull << 52 | 1ull << 60;
	idregs_hwcaps(&r, &h, &h2);
	CHECK(h & HWCAP_FLAGM);
	CHECK_EQ(h2, HWCAP2_FLAGM2 | HWCAP2_RNG);
}

UNIT_TEST(user_values_hide_what_is_not_offered)
{
	uint64_t v;

	CHECK(idregs_user_value(&qemu_max, IDREG_MIDR, &v));
	CHECK_EQ(v, 0xf0510);
	CHECK(idregs_user_value(&qemu_max, IDREG_MPIDR, &v));
	CHECK_EQ(v, 0x80000000ull);
	CHECK(idregs_user_value(&qemu_max, IDREG_REVIDR, &v));
	CHECK_EQ(v, 0);
	/* PFR0: EL2 and EL3 hidden, as Linux shows it. */
	CHECK(idregs_user_value(&qemu_max, IDREG(3, 0, 0, 4, 0), &v));
	CHECK_EQ(v, 0x1000100110011ull);
	/* PFR1: SSBS alone (no BT, MTE or SME). */
	CHECK(idregs_user_value(&qemu_max, IDREG(3, 0, 0, 4, 1), &v));
	CHECK_EQ(v, 0x20);
	CHECK(idregs_user_value(&qemu_max, IDREG(3, 0, 0, 6, 0), &v));
	CHECK_EQ(v, 0x1021111110212120ull);
	/* ISAR1: no pointer authentication fields. */
	CHECK(idregs_user_value(&qemu_max, IDREG(3, 0, 0, 6, 1), &v));
	CHECK_EQ(v, 0x11101100211002ull);
	CHECK(idregs_user_value(&qemu_max, IDREG(3, 0, 0, 7, 0), &v));
	CHECK_EQ(v, 0x111ff000000ull);
	CHECK(idregs_user_value(&qemu_max, IDREG(3, 0, 0, 5, 0), &v));
	CHECK_EQ(v, 0x6);
	CHECK(idregs_user_value(&qemu_max, IDREG(3, 0, 0, 4, 4), &v));
	CHECK_EQ(v, 0x110110100110021ull); /* ZFR0, as Linux shows it */
	CHECK(idregs_user_value(&qemu_max, IDREG(3, 0, 0, 4, 5), &v));
	CHECK_EQ(v, 0); /* no SME */
	/* AArch32 and unallocated ID registers read 0. */
	CHECK(idregs_user_value(&qemu_max, IDREG(3, 0, 0, 2, 0), &v));
	CHECK_EQ(v, 0);
	CHECK(idregs_user_value(&qemu_max, IDREG(3, 0, 0, 7, 7), &v));
	CHECK_EQ(v, 0);
}

UNIT_TEST(other_registers_are_not_emulated)
{
	uint64_t v = 7;

	CHECK(!idregs_user_value(&qemu_max, IDREG(3, 0, 0, 1, 0), &v)); /* ID_PFR0_EL1 */
	CHECK(!idregs_user_value(&qemu_max, IDREG(3, 0, 0, 0, 1), &v));
	CHECK(!idregs_user_value(&qemu_max, IDREG(3, 0, 1, 0, 0), &v)); /* SCTLR_EL1 */
	CHECK(!idregs_user_value(&qemu_max, IDREG(3, 1, 0, 0, 0), &v)); /* CCSIDR_EL1 */
	CHECK(!idregs_user_value(&qemu_max, IDREG(3, 3, 0, 0, 1), &v)); /* CTR_EL0 */
	CHECK(!idregs_user_value(&qemu_max, IDREG(2, 0, 0, 2, 0), &v)); /* a debug register */
	CHECK_EQ(v, 7);
}

UNIT_TEST(mrs_decoding)
{
	uint32_t reg;
	unsigned int rt;

	/* mrs x3, midr_el1; mrs x30, id_aa64isar0_el1; mrs xzr, s3_0_c0_c7_7 */
	CHECK(idregs_decode_mrs_insn(0xd5380003u, &reg, &rt));
	CHECK_EQ(reg, IDREG_MIDR);
	CHECK_EQ(rt, 3);
	CHECK(idregs_decode_mrs_insn(0xd538061eu, &reg, &rt));
	CHECK_EQ(reg, IDREG(3, 0, 0, 6, 0));
	CHECK_EQ(rt, 30);
	CHECK(idregs_decode_mrs_insn(0xd53807ffu, &reg, &rt));
	CHECK_EQ(reg, IDREG(3, 0, 0, 7, 7));
	CHECK_EQ(rt, 31);
	/* msr id_aa64isar0_el1, x0; udf #0; nop: no MRS. */
	CHECK(!idregs_decode_mrs_insn(0xd5180600u, &reg, &rt));
	CHECK(!idregs_decode_mrs_insn(0, &reg, &rt));
	CHECK(!idregs_decode_mrs_insn(0xd503201fu, &reg, &rt));
	/* ISS of a read of ID_AA64ISAR0_EL1 into x5: op0 3, op2 0, op1 0,
	 * CRn 0, Rt 5, CRm 6, read. */
	CHECK(idregs_decode_mrs_iss(3u << 20 | 5u << 5 | 6u << 1 | 1, &reg, &rt));
	CHECK_EQ(reg, IDREG(3, 0, 0, 6, 0));
	CHECK_EQ(rt, 5);
	CHECK(idregs_decode_mrs_iss(3u << 20 | 5u << 17 | 2u << 5 | 1, &reg, &rt));
	CHECK_EQ(reg, IDREG_MPIDR);
	CHECK(!idregs_decode_mrs_iss(3u << 20 | 6u << 1, &reg, &rt)); /* a write */
}

UNIT_TEST(feature_names_are_linuxs)
{
	/* /proc/cpuinfo's order: AT_HWCAP's bits, then AT_HWCAP2's. */
	CHECK(!strcmp(idregs_feature_name(0), "fp"));
	CHECK(!strcmp(idregs_feature_name(8), "atomics"));
	CHECK(!strcmp(idregs_feature_name(22), "sve"));
	CHECK(!strcmp(idregs_feature_name(31), "pacg"));
	CHECK(!strcmp(idregs_feature_name(32), "dcpodp"));
	CHECK(!strcmp(idregs_feature_name(32 + 16), "rng"));
	CHECK(!strcmp(idregs_feature_name(32 + 17), "bti"));
	CHECK(idregs_feature_name(200) == NULL);
}

UNIT_MAIN();
