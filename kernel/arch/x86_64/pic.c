/*
 * The legacy 8259 PICs.  The local and I/O APICs do the work, but the
 * PICs still exist: remap them away from the exception vectors (their
 * BIOS default, 0x08-0x0f, overlaps the double fault) and mask every
 * line.  A masked PIC can still raise a spurious IRQ 7 or 15, which
 * must not get an EOI (or, for 15, only the master gets one).
 */
#include "asm/trap.h"

#include "asm/io.h"
#include "asm/irq_vectors.h"
#include "core/device_control.h"

#define PIC1_CMD	0x20
#define PIC1_DATA	0x21
#define PIC2_CMD	0xa0
#define PIC2_DATA	0xa1

#define ICW1_INIT_ICW4	0x11 /* edge, cascaded, ICW4 follows */
#define ICW4_8086	0x01
#define OCW3_READ_ISR	0x0b
#define PIC_EOI		0x20
#define PIC_CASCADE_IRQ 2

/* Port 0x80 is the POST code port: a write takes about a microsecond,
 * the pause old PICs need between commands. */
static void
io_wait(void)
{
	outb(0x80, 0);
}

void
pic_disable(void)
{
	device_reserve(RESOURCE_PORTS, PIC1_CMD, 2, "8259 PIC");
	device_reserve(RESOURCE_PORTS, PIC2_CMD, 2, "8259 PIC");
	outb(PIC1_CMD, ICW1_INIT_ICW4);
	io_wait();
	outb(PIC2_CMD, ICW1_INIT_ICW4);
	io_wait();
	outb(PIC1_DATA, VECTOR_PIC_BASE);
	io_wait();
	outb(PIC2_DATA, VECTOR_PIC_BASE + 8);
	io_wait();
	outb(PIC1_DATA, 1 << PIC_CASCADE_IRQ); /* slave on IRQ 2 */
	io_wait();
	outb(PIC2_DATA, PIC_CASCADE_IRQ); /* its cascade identity */
	io_wait();
	outb(PIC1_DATA, ICW4_8086);
	io_wait();
	outb(PIC2_DATA, ICW4_8086);
	io_wait();
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
}

static uint8_t
pic_isr(uint16_t cmd)
{
	outb(cmd, OCW3_READ_ISR);
	return inb(cmd);
}

bool
pic_acknowledge(unsigned int vector)
{
	unsigned int irq = vector - VECTOR_PIC_BASE;

	if (irq >= 16)
		return false;
	if (irq < 8) {
		if (!(pic_isr(PIC1_CMD) & (1u << irq)))
			return false;
		outb(PIC1_CMD, PIC_EOI);
		return true;
	}
	/* The master saw the cascade line either way. */
	if (!(pic_isr(PIC2_CMD) & (1u << (irq - 8)))) {
		outb(PIC1_CMD, PIC_EOI);
		return false;
	}
	outb(PIC2_CMD, PIC_EOI);
	outb(PIC1_CMD, PIC_EOI);
	return true;
}
