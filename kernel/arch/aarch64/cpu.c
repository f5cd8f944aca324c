/*
 * The small aarch64 CPU services of the arch interface: halting, the
 * semihosting test exit, PSCI power control, registers for panic
 * reports and the cycle counter.
 */
#include "arch/arch.h"

#include "asm/layout.h"
#include "core/irqs_off.h"
#include "core/printk.h"

#define SEMIHOSTING_SYS_EXIT	     0x18
#define ADP_STOPPED_APPLICATION_EXIT 0x20026
#define PSCI_SYSTEM_OFF		     0x84000008
#define PSCI_SYSTEM_RESET	     0x84000009

void
arch_halt(void)
{
	for (;;)
		__asm__ volatile("msr daifset, #0xf; wfi");
}

/* Semihosting SYS_EXIT with a {reason, code} block: QEMU exits with code. */
void
arch_qemu_exit(bool success)
{
	uint64_t block[2] = { ADP_STOPPED_APPLICATION_EXIT, success ? 0 : 1 };
	register uint64_t op __asm__("x0") = SEMIHOSTING_SYS_EXIT;
	register uint64_t arg __asm__("x1") = (uint64_t)block;

	__asm__ volatile("hlt #0xf000" : : "r"(op), "r"(arg) : "memory");
	arch_halt();
}

static void
psci_call(uint64_t fn)
{
	register uint64_t x0 __asm__("x0") = fn;

	__asm__ volatile("hvc #0" : "+r"(x0) : : "memory");
}

void
arch_reboot(void)
{
	psci_call(PSCI_SYSTEM_RESET);
	arch_halt();
}

void
arch_poweroff(void)
{
	psci_call(PSCI_SYSTEM_OFF);
	printk("poweroff: PSCI did not answer; halting\n");
	arch_halt();
}

__attribute__((noinline)) void
arch_capture_regs(struct arch_regs *r)
{
	for (int i = 0; i < 31; i++)
		r->x[i] = 0;
	__asm__ volatile("stp x19, x20, [%0, #152]\n\t"
			 "stp x21, x22, [%0, #168]\n\t"
			 "stp x23, x24, [%0, #184]\n\t"
			 "stp x25, x26, [%0, #200]\n\t"
			 "stp x27, x28, [%0, #216]\n\t"
			 :
			 : "r"(r)
			 : "memory");
	/* The caller's frame: our frame record holds its fp and return address. */
	uint64_t *frame = __builtin_frame_address(0);
	r->x[29] = frame[0];
	r->x[30] = frame[1];
	r->pc = frame[1];
	r->sp = (uint64_t)frame + 16;
	/* DAIF plus the mode bits of EL1h, as an exception would save
	 * them: a captured frame must not read as user mode. */
	__asm__ volatile("mrs %0, daif" : "=r"(r->pstate));
	r->pstate |= 0x5;
	r->esr = 0;
	r->far = 0;
}

void
arch_print_regs(const struct arch_regs *r)
{
	printk("PC  %016lx SP  %016lx PSTATE %08lx\n", r->pc, r->sp, r->pstate);
	if (r->esr)
		printk("ESR %016lx FAR %016lx\n", r->esr, r->far);
	for (int i = 0; i < 30; i += 3)
		printk("X%-2d %016lx X%-2d %016lx X%-2d %016lx\n", i, r->x[i], i + 1, r->x[i + 1],
		       i + 2, r->x[i + 2]);
	printk("X30 %016lx\n", r->x[30]);
}

uintptr_t
arch_regs_frame_pointer(const struct arch_regs *r)
{
	return r->x[29];
}

uintptr_t
arch_regs_pc(const struct arch_regs *r)
{
	return r->pc;
}

uintptr_t
arch_regs_sp(const struct arch_regs *r)
{
	return r->sp;
}

void
arch_cpu_relax(void)
{
	__asm__ volatile("yield");
}

static bool have_pmu_cycles;

void aarch64_cycles_init(void);

/* The PMU cycle counter, when the CPU has a PMU (QEMU's Cortex-A72 does). */
void
aarch64_cycles_init(void)
{
	uint64_t dfr0;

	__asm__ volatile("mrs %0, id_aa64dfr0_el1" : "=r"(dfr0));
	if (((dfr0 >> 8) & 0xf) == 0 || ((dfr0 >> 8) & 0xf) == 0xf)
		return;
	__asm__ volatile("msr pmcr_el0, %0\n\t"
			 "msr pmcntenset_el0, %1\n\t"
			 "isb"
			 :
			 : "r"((uint64_t)1), "r"((uint64_t)1 << 31));
	have_pmu_cycles = true;
}

uint64_t
arch_boot_entropy(void)
{
	uint64_t isar0, v, r;
	uint32_t ok;

	__asm__ volatile("mrs %0, cntvct_el0" : "=r"(v));
	__asm__ volatile("mrs %0, id_aa64isar0_el1" : "=r"(isar0));
	if ((isar0 >> 60) & 0xf) { /* FEAT_RNG: RNDR sets Z when it has nothing */
		__asm__ volatile("mrs %0, s3_3_c2_c4_0; cset %w1, ne" : "=r"(r), "=r"(ok) : : "cc");
		if (ok)
			v ^= r;
	}
	return v;
}

/* Cycles from the PMU, or else ticks of the generic counter. */
uint64_t
arch_cycles(void)
{
	uint64_t v;

	if (have_pmu_cycles)
		__asm__ volatile("isb; mrs %0, pmccntr_el0" : "=r"(v));
	else
		__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
	return v;
}

bool
arch_is_kernel_address(uintptr_t addr)
{
	return addr >= DIRECT_MAP_BASE;
}

#define DAIF_I (1ul << 7) /* IRQs masked */

unsigned long
arch_irq_save(void)
{
	unsigned long daif;

	__asm__ volatile("mrs %0, daif; msr daifset, #2" : "=r"(daif) : : "memory");
	if (!(daif & DAIF_I))
		irqs_off_begin((uintptr_t)__builtin_return_address(0));
	return daif;
}

void
arch_irq_restore(unsigned long flags)
{
	if (!(flags & DAIF_I))
		irqs_off_end((uintptr_t)__builtin_return_address(0));
	__asm__ volatile("msr daif, %0" : : "r"(flags) : "memory");
}

void
arch_irq_enable(void)
{
	irqs_off_end((uintptr_t)__builtin_return_address(0));
	__asm__ volatile("msr daifclr, #2" : : : "memory");
}

void
arch_irq_disable(void)
{
	unsigned long daif;

	__asm__ volatile("mrs %0, daif; msr daifset, #2" : "=r"(daif) : : "memory");
	if (!(daif & DAIF_I))
		irqs_off_begin((uintptr_t)__builtin_return_address(0));
}

bool
arch_irq_enabled(void)
{
	unsigned long daif;

	__asm__ volatile("mrs %0, daif" : "=r"(daif));
	return !(daif & DAIF_I);
}

/* WFI wakes on a pending interrupt even while masked; unmasking then
 * takes it, so none is lost between the check and the sleep. */
void
arch_wait_for_interrupt(void)
{
	irqs_off_end((uintptr_t)__builtin_return_address(0)); /* idle is no stretch */
	__asm__ volatile("wfi; msr daifclr, #2; isb" : : : "memory");
}
