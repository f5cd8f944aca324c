/*
 * GICv3 with affinity routing, all interrupts in Group 1.  SGIs and PPIs
 * (INTID < 32) are configured in the CPU's redistributor, SPIs in the
 * distributor; the CPU interface is reached through system registers.
 */
#include "dev/gicv3.h"

#define GICD_CTLR	      0x0000
#define GICD_TYPER	      0x0004
#define GICD_IGROUPR	      0x0080
#define GICD_ISENABLER	      0x0100
#define GICD_ICENABLER	      0x0180
#define GICD_IPRIORITYR	      0x0400
#define GICD_ICFGR	      0x0c00
#define GICD_IROUTER	      0x6000
#define CTLR_ENABLE_G0	      (1u << 0)
#define CTLR_ENABLE_G1	      (1u << 1)
#define CTLR_ARE	      (1u << 4)
#define CTLR_RWP	      (1u << 31)

#define GICR_WAKER	      0x0014
#define WAKER_PROCESSOR_SLEEP (1u << 1)
#define WAKER_CHILDREN_ASLEEP (1u << 2)
#define GICR_SGI_BASE	      0x10000

#define PRIORITY_NORMAL	      0xa0

static volatile uint8_t *gicd, *gicr;

static inline uint32_t
rd32(volatile uint8_t *base, unsigned int off)
{
	return *(volatile uint32_t *)(base + off);
}

static inline void
wr32(volatile uint8_t *base, unsigned int off, uint32_t v)
{
	*(volatile uint32_t *)(base + off) = v;
}

#define SYSREG_WRITE(name, v) __asm__ volatile("msr " name ", %0" : : "r"((uint64_t)(v)))
#define SYSREG_READ(name, v)  __asm__ volatile("mrs %0, " name : "=r"(v))

#define ICC_SRE_EL1	      "S3_0_C12_C12_5"
#define ICC_PMR_EL1	      "S3_0_C4_C6_0"
#define ICC_BPR1_EL1	      "S3_0_C12_C12_3"
#define ICC_IGRPEN1_EL1	      "S3_0_C12_C12_7"
#define ICC_IAR1_EL1	      "S3_0_C12_C12_0"
#define ICC_EOIR1_EL1	      "S3_0_C12_C12_1"
#define ICC_SGI1R_EL1	      "S3_0_C12_C11_5"

static void
wait_rwp(void)
{
	unsigned int spins = 0;

	while ((rd32(gicd, GICD_CTLR) & CTLR_RWP) && ++spins < 1000000)
		;
}

void
gicv3_init(volatile void *d, volatile void *r)
{
	unsigned int spins = 0;

	gicd = d;
	gicr = r;
	wr32(gicd, GICD_CTLR, 0);
	wait_rwp();
	wr32(gicd, GICD_CTLR, CTLR_ARE | CTLR_ENABLE_G1 | CTLR_ENABLE_G0);
	wait_rwp();

	/* Wake this CPU's redistributor. */
	wr32(gicr, GICR_WAKER, rd32(gicr, GICR_WAKER) & ~WAKER_PROCESSOR_SLEEP);
	while ((rd32(gicr, GICR_WAKER) & WAKER_CHILDREN_ASLEEP) && ++spins < 1000000)
		;
	wr32(gicr, GICR_SGI_BASE + GICD_IGROUPR, 0xffffffff);

	SYSREG_WRITE(ICC_SRE_EL1, 0x7);
	__asm__ volatile("isb");
	SYSREG_WRITE(ICC_PMR_EL1, 0xff);
	SYSREG_WRITE(ICC_BPR1_EL1, 0);
	SYSREG_WRITE(ICC_IGRPEN1_EL1, 1);
	__asm__ volatile("isb");
}

void
gicv3_enable(unsigned int intid, int level)
{
	if (intid < 32) {
		volatile uint8_t *sgi = gicr + GICR_SGI_BASE;
		sgi[GICD_IPRIORITYR + intid] = PRIORITY_NORMAL;
		wr32(sgi, GICD_ISENABLER, 1u << intid);
		return;
	}
	wr32(gicd, GICD_IGROUPR + 4 * (intid / 32),
	     rd32(gicd, GICD_IGROUPR + 4 * (intid / 32)) | 1u << (intid % 32));
	gicd[GICD_IPRIORITYR + intid] = PRIORITY_NORMAL;
	uint32_t cfg = rd32(gicd, GICD_ICFGR + 4 * (intid / 16));
	unsigned int shift = 2 * (intid % 16) + 1;
	cfg = level ? cfg & ~(1u << shift) : cfg | 1u << shift;
	wr32(gicd, GICD_ICFGR + 4 * (intid / 16), cfg);
	*(volatile uint64_t *)(gicd + GICD_IROUTER + 8 * intid) = 0; /* CPU 0 */
	wr32(gicd, GICD_ISENABLER + 4 * (intid / 32), 1u << (intid % 32));
	wait_rwp();
}

void
gicv3_disable(unsigned int intid)
{
	if (intid < 32)
		wr32(gicr + GICR_SGI_BASE, GICD_ICENABLER, 1u << intid);
	else
		wr32(gicd, GICD_ICENABLER + 4 * (intid / 32), 1u << (intid % 32));
}

void
gicv3_unmask(unsigned int intid)
{
	if (intid < 32)
		wr32(gicr + GICR_SGI_BASE, GICD_ISENABLER, 1u << intid);
	else
		wr32(gicd, GICD_ISENABLER + 4 * (intid / 32), 1u << (intid % 32));
}

/* INTIDs the distributor implements: 32 * (ITLinesNumber + 1), at most 1020. */
unsigned int
gicv3_lines(void)
{
	unsigned int n = 32 * ((rd32(gicd, GICD_TYPER) & 0x1f) + 1);

	return n > 1020 ? 1020 : n;
}

unsigned int
gicv3_ack(void)
{
	uint64_t v;

	SYSREG_READ(ICC_IAR1_EL1, v);
	__asm__ volatile("dsb sy");
	return (unsigned int)(v & 0xffffff);
}

void
gicv3_eoi(unsigned int intid)
{
	SYSREG_WRITE(ICC_EOIR1_EL1, intid);
	__asm__ volatile("isb");
}

void
gicv3_send_sgi_self(unsigned int intid)
{
	/* Target list bit 0 = affinity 0.0.0.0, the boot CPU. */
	SYSREG_WRITE(ICC_SGI1R_EL1, ((uint64_t)(intid & 0xf) << 24) | 1);
	__asm__ volatile("isb");
}
