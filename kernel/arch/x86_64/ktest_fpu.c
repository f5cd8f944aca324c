/*
 * The user FPU state's checks on the running CPU: every XSAVE header
 * x86_fpu_valid refuses does make XRSTOR fault (so the check is not too
 * strict), the fault is caught rather than fatal, and a valid state
 * loads and reads back after it.  Runs in a kernel thread, whose FPU registers
 * nobody uses.
 */
#include "arch/arch.h"
#include "asm/fpu.h"
#include "core/printk.h"
#include "ktest/ktest.h"
#include "lib/string.h"

#define MXCSR_OFFSET	 24
#define XCOMP_BV_OFF	 520
#define XHEADER_RSVD_OFF 528
#define XMM0_OFFSET	 160

static struct arch_fpu_state good, bad, back;

static int
load(const struct arch_fpu_state *fpu)
{
	unsigned long flags = arch_irq_save();
	int err = x86_fpu_restore_caught(fpu);

	arch_irq_restore(flags);
	return err;
}

KTEST(fpu_bad_states_fault_and_are_caught)
{
	uint64_t one = 1;
	uint32_t mxcsr = 0xffffffffu;

	arch_fpu_init_state(&good);
	memset(good.area + XMM0_OFFSET, 0xa5, 16);
	if (x86_fpu_xsave())
		x86_fpu_set_xstate_bv(&good, x86_fpu_features());
	KTEST_CHECK(x86_fpu_valid(&good));
	KTEST_CHECK_EQ(load(&good), 0);

	/* A reserved MXCSR bit: hardware's FXRSTOR and XRSTOR refuse it
	 * (Linux's sigreturn dies of it), QEMU's TCG takes it. */
	bad = good;
	memcpy(bad.area + MXCSR_OFFSET, &mxcsr, sizeof(mxcsr));
	KTEST_CHECK(!x86_fpu_valid(&bad));
	load(&bad);
	if (x86_fpu_xsave()) {
		bad = good; /* a feature XCR0 lacks */
		x86_fpu_set_xstate_bv(&bad, x86_fpu_features() | (1ull << 40));
		KTEST_CHECK(!x86_fpu_valid(&bad));
		KTEST_CHECK_EQ(load(&bad), -1);
		bad = good; /* XCOMP_BV in the standard form */
		memcpy(bad.area + XCOMP_BV_OFF, &one, sizeof(one));
		KTEST_CHECK(!x86_fpu_valid(&bad));
		KTEST_CHECK_EQ(load(&bad), -1);
		bad = good; /* the header's reserved bytes 16..23 */
		memcpy(bad.area + XHEADER_RSVD_OFF, &one, sizeof(one));
		KTEST_CHECK(!x86_fpu_valid(&bad));
		KTEST_CHECK_EQ(load(&bad), -1);
	}

	/* After the faults, a valid state still loads and reads back. */
	KTEST_CHECK_EQ(load(&good), 0);
	arch_fpu_init_state(&back);
	x86_fpu_save_all(&back);
	KTEST_CHECK(!memcmp(back.area + XMM0_OFFSET, good.area + XMM0_OFFSET, 16));
	arch_fpu_init_state(&good);
	KTEST_CHECK_EQ(load(&good), 0);
}
