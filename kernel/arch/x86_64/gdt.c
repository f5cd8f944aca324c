/*
 * The GDT and the TSS (see asm/gdt.h for the layout).  The boot GDT in
 * boot.S lives at a low physical address that the kernel's page tables
 * no longer map, and has no TSS, so the kernel installs this one before
 * anything can trap.
 */
#include "asm/gdt.h"

#include "asm/layout.h"

/* The 64-bit task state segment: stack pointers only, no I/O bitmap. */
struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

_Static_assert(sizeof(struct tss) == 104, "TSS layout");

/* Code and data descriptors: only the access byte and the L/D bits
 * matter in long mode; base 0, limit 4 GiB for the sake of tradition. */
#define SEG_KERNEL_CODE 0x00af9a000000ffffull /* P, DPL0, code RX, L */
#define SEG_KERNEL_DATA 0x00cf92000000ffffull /* P, DPL0, data RW */
#define SEG_USER_DATA	0x00cff2000000ffffull /* P, DPL3, data RW */
#define SEG_USER_CODE	0x00affa000000ffffull /* P, DPL3, code RX, L */
#define SYS_TSS_AVAIL	0x89		      /* P, DPL0, 64-bit TSS */

#define IST_STACK_SIZE	16384

/* Separate stacks for the exceptions that may arrive with a bad stack
 * (a double fault from a kernel stack overflow) or at any moment (NMI,
 * machine check, which may interrupt a handler still on its way in). */
static uint8_t ist_df_stack[IST_STACK_SIZE] __attribute__((aligned(16)));
static uint8_t ist_nmi_stack[IST_STACK_SIZE] __attribute__((aligned(16)));
static uint8_t ist_mc_stack[IST_STACK_SIZE] __attribute__((aligned(16)));

static struct tss tss __attribute__((aligned(16)));
static uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16)));

extern char boot_stack_top[];

static void
gdt_set_tss(int index, const struct tss *t)
{
	uint64_t base = (uint64_t)(uintptr_t)t;
	uint64_t limit = sizeof(*t) - 1;

	gdt[index] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
		     ((uint64_t)SYS_TSS_AVAIL << 40) | (((limit >> 16) & 0xf) << 48) |
		     (((base >> 24) & 0xff) << 56);
	gdt[index + 1] = base >> 32;
}

void
x86_gdt_init(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) gdtr;

	tss.ist[IST_DOUBLE_FAULT - 1] = (uint64_t)(uintptr_t)(ist_df_stack + IST_STACK_SIZE);
	tss.ist[IST_NMI - 1] = (uint64_t)(uintptr_t)(ist_nmi_stack + IST_STACK_SIZE);
	tss.ist[IST_MACHINE_CHECK - 1] = (uint64_t)(uintptr_t)(ist_mc_stack + IST_STACK_SIZE);
	tss.rsp[0] = (uint64_t)(uintptr_t)boot_stack_top;
	tss.iomap_base = sizeof(tss); /* no I/O permission bitmap */

	gdt[0] = 0;
	gdt[GDT_KERNEL_CODE / 8] = SEG_KERNEL_CODE;
	gdt[GDT_KERNEL_DATA / 8] = SEG_KERNEL_DATA;
	gdt[GDT_USER_DATA / 8] = SEG_USER_DATA;
	gdt[GDT_USER_CODE / 8] = SEG_USER_CODE;
	gdt_set_tss(GDT_TSS / 8, &tss);

	gdtr.limit = sizeof(gdt) - 1;
	gdtr.base = (uint64_t)(uintptr_t)gdt;
	/* A far return reloads CS; the data segments follow.  FS and GS
	 * stay null: their bases come from MSRs (per-CPU data, later). */
	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movl %2, %%eax\n\t"
			 "movl %%eax, %%ds\n\t"
			 "movl %%eax, %%es\n\t"
			 "movl %%eax, %%ss\n\t"
			 "xorl %%eax, %%eax\n\t"
			 "movl %%eax, %%fs\n\t"
			 "movl %%eax, %%gs\n\t"
			 "ltr %w3"
			 :
			 : "m"(gdtr), "i"(GDT_KERNEL_CODE), "i"(GDT_KERNEL_DATA), "r"(GDT_TSS)
			 : "rax", "memory");
}

void
x86_tss_set_kernel_stack(uint64_t top)
{
	tss.rsp[0] = top;
}
