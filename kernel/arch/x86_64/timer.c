/*
 * x86_64 time: the TSC is the clock, the local APIC timer the alarm.
 * Both are calibrated at boot against the PIT (8254) channel 2, whose
 * 1.193182 MHz input is the one frequency a PC guarantees: channel 2's
 * gate and output are reachable through port 0x61 without an interrupt.
 * With TSC-deadline mode (CPUID.1:ECX bit 24) the alarm is an absolute
 * TSC value; otherwise a one-shot count of the APIC timer.
 */
#include "arch/arch.h"

#include "asm/cpu.h"
#include "asm/io.h"
#include "asm/irq_vectors.h"
#include "asm/trap.h"
#include "core/device_control.h"
#include "core/irq.h"
#include "core/printk.h"
#include "themelios/errno.h"

#define PIT_HZ				 1193182u
#define PIT_CH0_DATA			 0x40
#define PIT_CH2_DATA			 0x42
#define PIT_MODE			 0x43
#define PIT_CH2_ONESHOT			 0xb0 /* channel 2, lo/hi byte, mode 0, binary */
#define PORT_B				 0x61
#define PORT_B_GATE2			 0x01
#define PORT_B_SPEAKER			 0x02
#define PORT_B_OUT2			 0x20

#define CALIBRATE_MS			 10
#define CALIBRATE_RUNS			 3
#define LAPIC_DIVIDE_16			 0x3
#define CPUID_1_ECX_TSC_DEADLINE	 (1u << 24)
#define CPUID_80000007_EDX_INVARIANT_TSC (1u << 8)

static uint64_t tsc_hz;
static uint64_t lapic_hz;
static uint64_t tsc_to_lapic_mult; /* lapic ticks = tsc ticks * mult >> 32 */
static bool tsc_deadline;

/*
 * One PIT interval of ms milliseconds; returns the TSC and APIC timer
 * ticks that passed, false when the PIT never finished (no PIT).
 */
static bool
pit_measure(unsigned int ms, uint64_t *tsc, uint64_t *apic)
{
	uint32_t latch = PIT_HZ * ms / 1000;
	uint8_t portb = inb(PORT_B);
	uint64_t t0, t1;
	uint32_t a0, a1;
	unsigned long spins = 0;
	bool done;

	outb(PORT_B, (portb & ~PORT_B_SPEAKER) | PORT_B_GATE2);
	outb(PIT_MODE, PIT_CH2_ONESHOT);
	outb(PIT_CH2_DATA, latch & 0xff);
	outb(PIT_CH2_DATA, (latch >> 8) & 0xff);
	/* Counting starts now; OUT2 goes high when it reaches zero. */
	t0 = arch_time_counter();
	a0 = lapic_read(LAPIC_TIMER_CURRENT);
	while (!(done = inb(PORT_B) & PORT_B_OUT2) && ++spins < 100000000ul)
		;
	t1 = arch_time_counter();
	a1 = lapic_read(LAPIC_TIMER_CURRENT);
	outb(PORT_B, portb);
	*tsc = t1 - t0;
	*apic = a0 - a1; /* the APIC timer counts down */
	return done;
}

static void
sort3(uint64_t *v)
{
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 2 - i; j++)
			if (v[j] > v[j + 1]) {
				uint64_t t = v[j];
				v[j] = v[j + 1];
				v[j + 1] = t;
			}
}

/* Median of three runs, each long enough that the loop's overhead
 * (a port read, ~1 us) is in the noise. */
static int
calibrate(void)
{
	uint64_t tsc[CALIBRATE_RUNS], apic[CALIBRATE_RUNS];

	/* Free-running APIC timer, masked, from its largest count. */
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED | VECTOR_TIMER);
	lapic_write(LAPIC_TIMER_DIVIDE, LAPIC_DIVIDE_16);
	for (int i = 0; i < CALIBRATE_RUNS; i++) {
		lapic_write(LAPIC_TIMER_INITIAL, 0xffffffff);
		if (!pit_measure(CALIBRATE_MS, &tsc[i], &apic[i]))
			return -E_NOENT;
	}
	lapic_write(LAPIC_TIMER_INITIAL, 0);
	sort3(tsc);
	sort3(apic);
	tsc_hz = tsc[1] * 1000 / CALIBRATE_MS;
	lapic_hz = apic[1] * 1000 / CALIBRATE_MS;
	return tsc_hz && lapic_hz ? 0 : -E_NOENT;
}

/* Frequencies as "2.994 GHz" / "62.500 MHz". */
static void
print_hz(const char *what, uint64_t hz)
{
	if (hz >= 1000000000)
		printk("%s %lu.%03lu GHz", what, hz / 1000000000, hz / 1000000 % 1000);
	else
		printk("%s %lu.%03lu MHz", what, hz / 1000000, hz / 1000 % 1000);
}

int
arch_time_init(void (*fn)(struct arch_regs *regs, void *ctx), void *ctx)
{
	struct cpuid_regs id;
	bool invariant = false;
	unsigned long flags;
	int err;

	device_reserve(RESOURCE_PORTS, PIT_CH0_DATA, 4, "8254 PIT (calibration)");
	device_reserve(RESOURCE_PORTS, PORT_B, 1, "8254 PIT gate");
	if (!lapic_ready()) {
		pr_err("time: no local APIC (arch_interrupts_init first)\n");
		return -E_NOENT;
	}
	flags = arch_irq_save(); /* nothing may stretch a measurement */
	err = calibrate();
	arch_irq_restore(flags);
	if (err) {
		pr_err("time: the PIT did not count; cannot calibrate the TSC\n");
		return err;
	}
	cpuid(1, 0, &id);
	tsc_deadline = id.ecx & CPUID_1_ECX_TSC_DEADLINE;
	cpuid(0x80000000, 0, &id);
	if (id.eax >= 0x80000007) {
		cpuid(0x80000007, 0, &id);
		invariant = id.edx & CPUID_80000007_EDX_INVARIANT_TSC;
	}
	tsc_to_lapic_mult = (lapic_hz << 32) / tsc_hz;

	err = irq_register(VECTOR_TIMER, "timer", fn, ctx);
	if (err)
		return err;
	lapic_write(LAPIC_LVT_TIMER, VECTOR_TIMER | (tsc_deadline ? LAPIC_TIMER_TSC_DEADLINE : 0));
	/* The SDM asks for a fence between the LVT write and the first
	 * TSC-deadline write. */
	__asm__ volatile("mfence" ::: "memory");

	print_hz("time: TSC", tsc_hz);
	printk("%s, ", invariant ? " (invariant)" : "");
	print_hz("LAPIC timer", lapic_hz);
	printk(" (bus / 16), alarm %s; calibrated against the PIT\n",
	       tsc_deadline ? "in TSC-deadline mode" : "by one-shot APIC timer");
	return 0;
}

uint64_t
arch_time_counter(void)
{
	uint32_t lo, hi;

	/* LFENCE keeps RDTSC from running ahead of earlier loads. */
	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

uint64_t
arch_time_counter_hz(void)
{
	return tsc_hz;
}

void
arch_timer_arm(uint64_t deadline)
{
	uint64_t now, count;

	if (tsc_deadline) {
		/* 0 disarms; a deadline already passed fires at once. */
		wrmsr(MSR_TSC_DEADLINE, deadline == ARCH_TIMER_OFF ? 0 : deadline ? deadline : 1);
		return;
	}
	if (deadline == ARCH_TIMER_OFF) {
		lapic_write(LAPIC_TIMER_INITIAL, 0);
		return;
	}
	now = arch_time_counter();
	count = deadline > now
			? (uint64_t)(((unsigned __int128)(deadline - now) * tsc_to_lapic_mult) >>
				     32)
			: 0;
	/* Round up (never early by rounding), at least 1 (0 stops the
	 * timer); beyond 32 bits the caller re-arms when it fires. */
	count += 1;
	if (count > 0xffffffffu)
		count = 0xffffffffu;
	lapic_write(LAPIC_TIMER_INITIAL, (uint32_t)count);
}
