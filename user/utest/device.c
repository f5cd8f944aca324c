/*
 * The device cases: a user-space driver claims what it drives through
 * the device-control capability (child slot 2), takes its interrupts
 * through a Notification, and gives everything back when it dies.  The
 * devices are QEMU's: on x86_64 (q35) the CMOS RTC (ports 0x70-0x71,
 * ISA IRQ 8) and the HPET's registers; on aarch64 (virt) the PL031 RTC
 * (0x09010000, SPI 2 = INTID 34).
 */
#include "themelios.h"
#include "utest/utest.h"

#define DEVICES	  2 /* the device-control capability */
#define FREE_SLOT 20

#if defined(__x86_64__)
#define KERNEL_LINE 4 /* COM1, the kernel's console */
#define BAD_LINE    2 /* the 8259 cascade: no device */
#define FREE_LINE   5
#define RAM_PHYS    0x100000ull
#define KERNEL_PHYS 0xfee00000ull /* the local APIC */
#define FREE_PHYS   0xfed00000ull /* the HPET */
#define RTC_LINE    8
#define CMOS_INDEX  0x70
#define CMOS_DATA   0x71
#else
#define KERNEL_LINE 33 /* the PL011, the kernel's console */
#define BAD_LINE    27 /* the timer: per CPU, never a device line */
#define FREE_LINE   40
#define RAM_PHYS    0x40000000ull
#define KERNEL_PHYS 0x09000000ull /* the PL011 */
#define FREE_PHYS   0x09010000ull /* the PL031 RTC */
#define RTC_LINE    34
#endif

#define NS_PER_S 1000000000ull

/* Waits for an interrupt with a deadline: if delivery were broken
 * the case would fail with -E_TIMEOUT rather than hang the suite. */
static long
await_interrupt(slot_t n, uint64_t *word)
{
	return sys_wait_until(n, (uint64_t)sys_clock_ns() + 5 * NS_PER_S, word);
}

static void
irq_claims(void)
{
	struct cap_info info;
	slot_t irq = FREE_SLOT, weak = FREE_SLOT + 1, n = FREE_SLOT + 2;

	/* Which capability: none, the wrong type, no WRITE. */
	CHECK(sys_irq_claim(FREE_SLOT + 9, FREE_LINE, irq), -E_NOCAP);
	CHECK(sys_irq_claim(CAP_SLOT_CONSOLE, FREE_LINE, irq), -E_TYPE);
	CHECK(sys_cap_mint(DEVICES, weak, RIGHT_READ, 0), 0);
	CHECK(sys_irq_claim(weak, FREE_LINE, irq), -E_PERM);
	CHECK(sys_cap_delete(weak), 0);
	CHECK(sys_irq_claim(DEVICES, FREE_LINE, CAP_SLOT_CONSOLE), -E_EXIST);
	/* Which line: none, not a device line, the kernel's. */
	CHECK(sys_irq_claim(DEVICES, 100000, irq), -E_INVAL);
	CHECK(sys_irq_claim(DEVICES, 1ull << 40, irq), -E_INVAL);
	CHECK(sys_irq_claim(DEVICES, BAD_LINE, irq), -E_INVAL);
	CHECK(sys_irq_claim(DEVICES, KERNEL_LINE, irq), -E_BUSY);
	/* A free line is ours alone until the capability goes. */
	CHECK(sys_irq_claim(DEVICES, FREE_LINE, irq), 0);
	CHECK(sys_cap_inspect(irq, &info), 0);
	CHECK(info.type, OBJ_IRQ);
	CHECK(sys_irq_claim(DEVICES, FREE_LINE, weak), -E_BUSY);
	/* Binding and acknowledging: types, rights, bits. */
	CHECK(sys_notification_create(n), 0);
	CHECK(sys_irq_bind(CAP_SLOT_CONSOLE, n, 1), -E_TYPE);
	CHECK(sys_irq_bind(irq, CAP_SLOT_CONSOLE, 1), -E_TYPE);
	CHECK(sys_irq_bind(irq, n, 0), -E_INVAL);
	CHECK(sys_irq_bind(irq, n, 1), 0);
	CHECK(sys_irq_bind(irq, CAP_SLOT_NULL, 0), 0); /* unbind */
	CHECK(sys_irq_ack(CAP_SLOT_CONSOLE), -E_TYPE);
	CHECK(sys_irq_ack(FREE_SLOT + 9), -E_NOCAP);
	CHECK(sys_cap_mint(irq, weak, RIGHT_READ, 0), 0);
	CHECK(sys_irq_ack(weak), -E_PERM);
	CHECK(sys_irq_bind(weak, n, 1), -E_PERM);
	CHECK(sys_irq_ack(irq), 0);
	/* The derived copy keeps the line; the last capability frees it. */
	CHECK(sys_cap_delete(irq), 0);
	CHECK(sys_irq_claim(DEVICES, FREE_LINE, irq), -E_BUSY);
	CHECK(sys_cap_delete(weak), 0);
	CHECK(sys_irq_claim(DEVICES, FREE_LINE, irq), 0);
	CHECK(sys_cap_delete(irq), 0);
	CHECK(sys_cap_delete(n), 0);
	/* A revoke of our device control takes back the copies made from it. */
	CHECK(sys_cap_copy(DEVICES, weak), 0);
	CHECK(sys_cap_revoke(DEVICES), 0);
	CHECK(sys_irq_claim(weak, FREE_LINE, irq), -E_NOCAP);
	CHECK(sys_irq_claim(DEVICES, FREE_LINE, irq), 0);
	CHECK(sys_cap_delete(irq), 0);
}

static void
port_claims(void)
{
	slot_t io = FREE_SLOT + 3, weak = FREE_SLOT + 4;
#if defined(__x86_64__)
	struct object_info info;
#endif

#if defined(__x86_64__)
	CHECK(sys_ioport_claim(CAP_SLOT_CONSOLE, CMOS_INDEX, 2, io), -E_TYPE);
	CHECK(sys_ioport_claim(DEVICES, CMOS_INDEX, 0, io), -E_INVAL);
	CHECK(sys_ioport_claim(DEVICES, 0xffff, 2, io), -E_RANGE);
	CHECK(sys_ioport_claim(DEVICES, 0x10000, 1, io), -E_RANGE);
	CHECK(sys_ioport_claim(DEVICES, 1, ~0ull, io), -E_RANGE);
	/* The kernel's: its console, PCI configuration, fw_cfg, the PICs. */
	CHECK(sys_ioport_claim(DEVICES, 0x3f8, 1, io), -E_BUSY);
	CHECK(sys_ioport_claim(DEVICES, 0x3f0, 0x10, io), -E_BUSY);
	CHECK(sys_ioport_claim(DEVICES, 0xcfc, 4, io), -E_BUSY);
	CHECK(sys_ioport_claim(DEVICES, 0x511, 1, io), -E_BUSY);
	CHECK(sys_ioport_claim(DEVICES, 0x21, 1, io), -E_BUSY);
	CHECK(sys_ioport_claim(DEVICES, 0xf4, 1, io), -E_BUSY); /* no faked verdicts */
	CHECK(sys_ioport_claim(DEVICES, CMOS_INDEX, 2, io), 0);
	CHECK(sys_object_info(io, &info), 0);
	CHECK(info.type, OBJ_IO_PORTS);
	CHECK(info.id, CMOS_INDEX);
	CHECK(info.size, 2);
	CHECK(sys_ioport_claim(DEVICES, CMOS_DATA, 1, weak), -E_BUSY);
	/* Access: inside the range, at a width it holds. */
	CHECK(sys_port_in(io, CMOS_DATA + 1, PORT_WIDTH_8), -E_RANGE);
	CHECK(sys_port_in(io, CMOS_INDEX - 1, PORT_WIDTH_8), -E_RANGE);
	CHECK(sys_port_in(io, CMOS_DATA, PORT_WIDTH_16), -E_RANGE);
	CHECK(sys_port_in(io, CMOS_INDEX, 3), -E_INVAL);
	CHECK(sys_port_in(io, CMOS_INDEX, 0), -E_INVAL);
	CHECK(sys_port_out(io, CMOS_INDEX, PORT_WIDTH_8, 0x100), -E_INVAL);
	CHECK(sys_port_in(CAP_SLOT_CONSOLE, CMOS_INDEX, PORT_WIDTH_8), -E_TYPE);
	CHECK(sys_cap_mint(io, weak, RIGHT_READ, 0), 0);
	CHECK(sys_port_out(weak, CMOS_INDEX, PORT_WIDTH_8, 0x0a), -E_PERM);
	CHECK(sys_port_out(io, CMOS_INDEX, PORT_WIDTH_8, 0x0a), 0);
	CHECK(sys_port_in(weak, CMOS_DATA, PORT_WIDTH_8) >= 0, 1); /* READ reads */
	CHECK(sys_cap_delete(weak), 0);
	CHECK(sys_cap_delete(io), 0);
	CHECK(sys_ioport_claim(DEVICES, CMOS_INDEX, 2, io), 0); /* given back */
	CHECK(sys_cap_delete(io), 0);
#else
	CHECK(sys_ioport_claim(DEVICES, 0x70, 2, io), -E_NOTSUP); /* no port space */
	CHECK(sys_ioport_claim(CAP_SLOT_CONSOLE, 0x70, 2, io), -E_TYPE);
	(void)weak;
#endif
}

static void
frame_claims(void)
{
	slot_t f = FREE_SLOT + 5, other = FREE_SLOT + 6;
	uint64_t va = 0;

	CHECK(sys_device_frames(CAP_SLOT_CONSOLE, FREE_PHYS, 1, f), -E_TYPE);
	CHECK(sys_device_frames(DEVICES, RAM_PHYS, 1, f), -E_INVAL); /* RAM is no device */
	CHECK(sys_device_frames(DEVICES, FREE_PHYS + 4, 1, f), -E_INVAL);
	CHECK(sys_device_frames(DEVICES, FREE_PHYS, 0, f), -E_INVAL);
	CHECK(sys_device_frames(DEVICES, FREE_PHYS, FRAMES_MAX_PAGES + 1, f), -E_RANGE);
	CHECK(sys_device_frames(DEVICES, DEVICE_PHYS_LIMIT, 1, f), -E_RANGE);
	CHECK(sys_device_frames(DEVICES, DEVICE_PHYS_LIMIT - 4096, 2, f), -E_RANGE);
	CHECK(sys_device_frames(DEVICES, KERNEL_PHYS, 1, f), -E_BUSY);
	CHECK(sys_device_frames(DEVICES, FREE_PHYS, 1, f), 0);
	CHECK(sys_device_frames(DEVICES, FREE_PHYS, 1, other), -E_BUSY);
	CHECK(sys_frames_map(f, MAP_WRITE, &va), 0);
	CHECK(va != 0, 1);
	CHECK(sys_cap_delete(f), 0);
	/* The mapping keeps the object, so the registers stay claimed. */
	CHECK(sys_device_frames(DEVICES, FREE_PHYS, 1, other), -E_BUSY);
}

/* A driver that dies holding its line and registers gives them back. */
static void
crash_releases(void)
{
	slot_t caps[2] = { CAP_SLOT_CONSOLE, DEVICES }, sup = FREE_SLOT + 7, irq = FREE_SLOT + 8;
	struct ipc_msg m;
	long pid;

	CHECK(sys_endpoint_create(sup), 0);
	pid = spawn("utest", UT_H_DEVICE_DRIVER_CRASH, UT_IDLE_QUOTA, sup, 9, caps, 2);
	CHECK(pid > 0, 1);
	CHECK(await_report(sup, &m), 0);
	CHECK_FAULT(&m, FAULT_KIND_MEMORY, FAULT_ACCESS_WRITE, UT_FAULT_ADDR);
	CHECK(m.words[0], pid);
	CHECK(sys_irq_claim(DEVICES, RTC_LINE, irq), 0);
	CHECK(sys_cap_delete(irq), 0);
#if defined(__x86_64__)
	CHECK(sys_ioport_claim(DEVICES, CMOS_INDEX, 2, irq), 0);
	CHECK(sys_cap_delete(irq), 0);
#endif
}

int
device_driver_crash(void)
{
	slot_t irq = 10, regs = 11;

	if (sys_irq_claim(DEVICES, RTC_LINE, irq) ||
	    sys_irq_claim(DEVICES, RTC_LINE, 12) != -E_BUSY)
		return 1;
#if defined(__x86_64__)
	if (sys_ioport_claim(DEVICES, CMOS_INDEX, 2, regs))
		return 1;
#else
	(void)regs;
#endif
	*(volatile uint64_t *)UT_FAULT_ADDR = 1;
	return 1;
}

/*
 * An IRQ object's readiness without an interrupt: object_bind and
 * irq_bind side by side, rights, and the line's bindings going with its
 * last capability.  device_irq sees SIGNAL_IRQ asserted by a real one.
 */
void
irq_readiness(void)
{
	slot_t irq = FREE_SLOT, n = FREE_SLOT + 1, n2 = FREE_SLOT + 2, weak = FREE_SLOT + 3;
	struct object_info info;
	uint64_t word = 0;

	CHECK(sys_irq_claim(DEVICES, FREE_LINE, irq), 0);
	CHECK(sys_notification_create(n), 0);
	CHECK(sys_notification_create(n2), 0);
	CHECK(sys_object_signals(irq), 0);
	CHECK(sys_object_info(irq, &info), 0);
	CHECK(info.type, OBJ_IRQ);
	CHECK(info.id, FREE_LINE);
	CHECK(sys_object_bind(irq, n, SIGNAL_READABLE, 1), -E_INVAL);
	CHECK(sys_object_bind(DEVICES, n, SIGNAL_IRQ, 1), -E_TYPE);
	CHECK(sys_object_bind(irq, n, SIGNAL_IRQ, 1), 0);
	CHECK(sys_object_bind(irq, n2, SIGNAL_IRQ, 2), 0);
	CHECK(sys_wait(n, IPC_NONBLOCK, &word), -E_AGAIN); /* nothing asserted */
	/* irq_bind puts its one binding in place of all of them. */
	CHECK(sys_irq_bind(irq, n, 4), 0);
	CHECK(sys_object_bind(irq, n2, 0, 0), -E_NOENT);
	CHECK(sys_object_bind(irq, n, 0, 0), 0);
	CHECK(sys_object_bind(irq, n, 0, 0), -E_NOENT);
	CHECK(sys_object_bind(irq, n, SIGNAL_IRQ, 1), 0);
	CHECK(sys_irq_bind(irq, CAP_SLOT_NULL, 0), 0);
	CHECK(sys_object_bind(irq, n, 0, 0), -E_NOENT);
	/* READ observes (binds), WRITE acknowledges. */
	CHECK(sys_cap_mint(irq, weak, RIGHT_READ, 0), 0);
	CHECK(sys_object_bind(weak, n, SIGNAL_IRQ, 1), 0);
	CHECK(sys_irq_ack(weak), -E_PERM);
	CHECK(sys_irq_bind(weak, n, 1), -E_PERM);
	/* A revoke ends the copy; the binding is the object's and stays. */
	CHECK(sys_cap_revoke(irq), 0);
	CHECK(sys_object_bind(weak, n, 0, 0), -E_NOCAP);
	CHECK(sys_object_bind(irq, n, 0, 0), 0);
	CHECK(sys_object_bind(irq, n2, SIGNAL_IRQ, 2), 0);
	/* The last capability to the line takes its bindings and gives the
	 * line back. */
	CHECK(sys_cap_delete(irq), 0);
	CHECK(sys_irq_claim(DEVICES, FREE_LINE, irq), 0);
	CHECK(sys_object_bind(irq, n2, 0, 0), -E_NOENT);
	CHECK(sys_cap_delete(irq), 0);
	CHECK(sys_cap_delete(n), 0);
	CHECK(sys_cap_delete(n2), 0);
}

void
device_claims(void)
{
	irq_claims();
	port_claims();
	frame_claims();
	crash_releases();
}

/*
 * After an interrupt, before irq_ack: SIGNAL_IRQ is asserted, so a
 * Notification bound now (slot spare) hears it at once.
 */
static void
irq_level_check(slot_t irq, slot_t spare)
{
	uint64_t word = 0;

	CHECK(sys_object_signals(irq), SIGNAL_IRQ);
	CHECK(sys_notification_create(spare), 0);
	CHECK(sys_object_bind(irq, spare, SIGNAL_IRQ, 1ull << 9), 0);
	CHECK(sys_wait(spare, IPC_NONBLOCK, &word), 0);
	CHECK(word, 1ull << 9);
	CHECK(sys_cap_delete(spare), 0);
}

#if defined(__x86_64__)
static uint8_t
cmos_read(slot_t io, uint8_t reg)
{
	sys_port_out(io, CMOS_INDEX, PORT_WIDTH_8, reg);
	return (uint8_t)sys_port_in(io, CMOS_DATA, PORT_WIDTH_8);
}

static void
cmos_write(slot_t io, uint8_t reg, uint8_t v)
{
	sys_port_out(io, CMOS_INDEX, PORT_WIDTH_8, reg);
	sys_port_out(io, CMOS_DATA, PORT_WIDTH_8, v);
}

#define RTC_A		  0x0a
#define RTC_B		  0x0b
#define RTC_C		  0x0c
#define RTC_B_PIE	  0x40 /* periodic interrupt enable */
#define RTC_C_IRQF	  0x80
#define RTC_C_PF	  0x40
#define RTC_RATE_1024HZ	  0x06
#define HPET_VENDOR_SHIFT 16

/*
 * The RTC's periodic interrupt (ISA IRQ 8, edge) through a Notification,
 * each wait with a deadline.  Reading register C is what lets the RTC
 * interrupt again.  Then the HPET's capability register through device
 * Frames.
 */
static void
rtc_driver(void)
{
	slot_t io = 10, irq = 11, n = 12, hpet = 13;
	uint64_t word = 0, va = 0;
	int seen = 0, quiet;

	CHECK(sys_ioport_claim(DEVICES, CMOS_INDEX, 2, io), 0);
	CHECK(sys_irq_claim(DEVICES, RTC_LINE, irq), 0);
	CHECK(sys_notification_create(n), 0);
	CHECK(sys_irq_bind(irq, n, 1ull << 8), 0);
	cmos_write(io, RTC_A, (cmos_read(io, RTC_A) & 0xf0) | RTC_RATE_1024HZ);
	cmos_write(io, RTC_B, cmos_read(io, RTC_B) | RTC_B_PIE);
	cmos_read(io, RTC_C);
	/*
	 * Five interrupts, each the RTC's: its flags are in register C, and
	 * reading C is what lets it raise the next.  A wake whose flags an
	 * earlier read already took (an interrupt that landed just before
	 * that read, as a slow or loaded machine allows) is not counted.
	 */
	for (int tries = 0; seen < 5 && tries < 50; tries++) {
		word = 0;
		CHECK(await_interrupt(n, &word), 0);
		CHECK(word, 1ull << 8);
		if (tries == 0)
			irq_level_check(irq, 14);
		if ((cmos_read(io, RTC_C) & (RTC_C_IRQF | RTC_C_PF)) == (RTC_C_IRQF | RTC_C_PF))
			seen++;
		CHECK(sys_irq_ack(irq), 0);
	}
	CHECK(seen, 5);
	cmos_write(io, RTC_B, cmos_read(io, RTC_B) & ~RTC_B_PIE);
	cmos_read(io, RTC_C);
	CHECK(sys_irq_ack(irq), 0);
	/* Quiet now: the RTC raises none once disabled; one already on its
	 * way may still land, but then 20 ms pass without any. */
	for (quiet = 0; quiet < 5; quiet++) {
		if (sys_wait_until(n, (uint64_t)sys_clock_ns() + NS_PER_S / 50, &word) ==
		    -E_TIMEOUT)
			break;
		cmos_read(io, RTC_C);
		sys_irq_ack(irq);
	}
	CHECK(quiet < 5, 1);

	CHECK(sys_device_frames(DEVICES, FREE_PHYS, 1, hpet), 0);
	CHECK(sys_frames_map(hpet, 0, &va), 0);
	if (va)
		CHECK((*(volatile uint32_t *)va >> HPET_VENDOR_SHIFT) & 0xffff, 0x8086);
}
#else
/* PL031 registers, 32-bit words. */
#define RTC_DR	 0
#define RTC_MR	 1
#define RTC_IMSC 4
#define RTC_RIS	 5
#define RTC_MIS	 6
#define RTC_ICR	 7

/*
 * The PL031's alarm (a level-triggered SPI) through a Notification.  The
 * kernel masks the line from the interrupt until irq_ack: acknowledging
 * while the device still asserts it brings it straight back; clearing
 * the device first quietens it.
 */
static void
rtc_driver(void)
{
	slot_t f = 10, irq = 11, n = 12;
	volatile uint32_t *rtc;
	uint64_t word = 0, va = 0;

	CHECK(sys_device_frames(DEVICES, FREE_PHYS, 1, f), 0);
	CHECK(sys_frames_map(f, MAP_WRITE, &va), 0);
	if (!va)
		return;
	rtc = (volatile uint32_t *)va;
	CHECK(rtc[RTC_DR] > 1700000000u, 1); /* seconds since 1970: the host's clock */
	/* Protect keeps device registers device memory; they stay readable. */
	CHECK(sys_vm_protect(CAP_SLOT_ADDRESS_SPACE, va, 1, 0), 0);
	CHECK(rtc[RTC_DR] > 1700000000u, 1);
	CHECK(sys_vm_protect(CAP_SLOT_ADDRESS_SPACE, va, 1, MAP_WRITE), 0);
	CHECK(sys_irq_claim(DEVICES, RTC_LINE, irq), 0);
	CHECK(sys_notification_create(n), 0);
	CHECK(sys_irq_bind(irq, n, 1ull << 2), 0);
	rtc[RTC_ICR] = 1;
	rtc[RTC_IMSC] = 1;
	rtc[RTC_MR] = rtc[RTC_DR] + 1; /* within a second */
	CHECK(await_interrupt(n, &word), 0);
	CHECK(word, 1ull << 2);
	CHECK(rtc[RTC_MIS], 1);
	irq_level_check(irq, 14);
	/* Still asserted: unmasking brings it back at once. */
	CHECK(sys_irq_ack(irq), 0);
	word = 0;
	CHECK(sys_wait(n, 0, &word), 0);
	CHECK(word, 1ull << 2);
	/* Quietened first: no more. */
	rtc[RTC_ICR] = 1;
	CHECK(rtc[RTC_RIS], 0);
	CHECK(sys_irq_ack(irq), 0);
	CHECK(sys_object_signals(irq), 0); /* the ack lowers it, and it stays low */
	/* Quiet now: 20 ms without an interrupt. */
	CHECK(sys_wait_until(n, (uint64_t)sys_clock_ns() + NS_PER_S / 50, &word), -E_TIMEOUT);
	rtc[RTC_IMSC] = 0;
}
#endif

void
device_irq(void)
{
	rtc_driver();
}
