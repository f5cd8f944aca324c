/*
 * The CPU's features as Linux programs see them on aarch64: the ID
 * registers read once (idregs.h says what is offered and why), the
 * AT_HWCAP and AT_HWCAP2 bits from them, and the emulation of an EL0
 * MRS of an ID register, which traps (EC 0x18 with FEAT_IDST, else as
 * an undefined instruction) and reads what Linux would give.
 */
#include "arch/arch.h"

#include "cpu_features.h"
#include "lib/format.h"
#include "proc/uaccess.h"

#define EC_UNKNOWN	0x00
#define EC_SYSREG	0x18

#define READ(name, out) __asm__ volatile("mrs %0, " name : "=r"(out))

static struct idregs regs;
static uint64_t hwcap, hwcap2;

void
aarch64_cpu_features_init(void)
{
	READ("midr_el1", regs.midr);
	READ("id_aa64pfr0_el1", regs.pfr0);
	READ("id_aa64pfr1_el1", regs.pfr1);
	READ("id_aa64isar0_el1", regs.isar0);
	READ("id_aa64isar1_el1", regs.isar1);
	READ("s3_0_c0_c6_2", regs.isar2); /* ID_AA64ISAR2_EL1: RAZ before v8.7 */
	READ("id_aa64mmfr0_el1", regs.mmfr0);
	READ("id_aa64mmfr1_el1", regs.mmfr1);
	READ("id_aa64mmfr2_el1", regs.mmfr2);
	READ("s3_0_c0_c4_4", regs.zfr0);  /* ID_AA64ZFR0_EL1 */
	READ("s3_0_c0_c4_5", regs.smfr0); /* ID_AA64SMFR0_EL1 */
	READ("id_aa64dfr0_el1", regs.dfr0);
	/* What the kernel did not enable is not there for user code. */
	if (!aarch64_sve_vl) {
		regs.pfr0 &= ~(0xfull << 32);
		regs.zfr0 = 0;
	}
	idregs_hwcaps(&regs, &hwcap, &hwcap2);
}

void
arch_linux_hwcaps(uint64_t *cap, uint64_t *cap2)
{
	*cap = hwcap;
	*cap2 = hwcap2;
}

/* Linux's block: BogoMIPS is its figure from the timer's frequency
 * (twice the frequency, per million, for the loops per jiffy Linux
 * counts), Features the names of the bits given, MIDR_EL1's fields. */
size_t
arch_linux_cpuinfo(char *buf, size_t size)
{
	uint64_t hz = arch_time_counter_hz(), bits[2] = { hwcap, hwcap2 };
	size_t len = 0;

	fmt_append(buf, size, &len, "processor\t: 0\nBogoMIPS\t: %lu.%02lu\nFeatures\t:",
		   (unsigned long)(hz / 500000), (unsigned long)(hz / 5000 % 100));
	for (unsigned int i = 0; i < 64; i++) {
		const char *name = idregs_feature_name(i);

		if (name && (bits[i / 32] >> (i % 32)) & 1)
			fmt_append(buf, size, &len, " %s", name);
	}
	fmt_append(buf, size, &len,
		   "\nCPU implementer\t: 0x%02lx\nCPU architecture: 8\nCPU variant\t: 0x%lx\n"
		   "CPU part\t: 0x%03lx\nCPU revision\t: %lu\n\n",
		   (unsigned long)(regs.midr >> 24 & 0xff), (unsigned long)(regs.midr >> 20 & 0xf),
		   (unsigned long)(regs.midr >> 4 & 0xfff), (unsigned long)(regs.midr & 0xf));
	return len;
}

bool
aarch64_emulate_mrs(struct arch_regs *frame)
{
	unsigned int ec = (unsigned int)(frame->esr >> 26), rt;
	uint32_t reg, insn;
	uint64_t value;

	if (ec == EC_SYSREG) {
		if (!idregs_decode_mrs_iss((uint32_t)frame->esr & 0x1ffffff, &reg, &rt))
			return false;
	} else if (ec == EC_UNKNOWN) {
		/* The word at pc: a fault reading it is no MRS (SIGILL). */
		if (copy_from_user(&insn, frame->pc, sizeof(insn)))
			return false;
		if (!idregs_decode_mrs_insn(insn, &reg, &rt))
			return false;
	} else {
		return false;
	}
	if (!idregs_user_value(&regs, reg, &value))
		return false;
	if (rt != 31)
		frame->x[rt] = value;
	frame->pc += 4;
	return true;
}
