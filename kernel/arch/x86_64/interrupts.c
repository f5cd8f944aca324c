/*
 * Interrupt controller bring-up for x86_64 (arch_interrupts_init) and
 * the routing of device lines to vectors (arch_irq_attach): ISA IRQ ->
 * GSI through the ACPI source overrides -> I/O APIC redirection entry
 * -> vector -> handler registered with core/irq.
 */
#include "arch/arch.h"

#include "asm/irq_vectors.h"
#include "asm/platform.h"
#include "asm/power.h"
#include "asm/trap.h"
#include "boot/boot_info.h"
#include "core/irq.h"
#include "core/printk.h"
#include "mm/phys.h"
#include "mm/vmm.h"
#include "themelios/errno.h"

static struct apic_platform platform;
static bool interrupts_ready;

void x86_serial_irq_init(void);

/*
 * Device registers must be mapped uncached.  Once the kernel's page
 * tables are active (vmm_init), vmm_map_mmio gives an uncached window.
 * Before that, or if it fails, the direct map (which covers the first
 * 4 GiB, cached) has to do: acceptable under QEMU, whose emulated
 * devices ignore the cache type, but wrong on real hardware.
 */
void *
x86_mmio_map(uint64_t phys, size_t size)
{
	static bool warned;
	void *va = NULL;

	if (vmm_kernel_root)
		va = vmm_map_mmio(phys, size);
	if (!va) {
		if (!warned) {
			warned = true;
			pr_warn("apic: device registers at %#lx reached through the "
				"cached direct map (no uncached MMIO mapping yet)\n",
				phys);
		}
		va = phys_to_virt(phys);
	}
	return va;
}

/* The PICs' lines are masked, so only their spurious IRQ 7 and 15 can
 * arrive; anything else on their vectors is reported as unexpected. */
static void
pic_vector(struct arch_regs *regs, void *ctx)
{
	(void)regs;
	(void)ctx;
}

void
arch_interrupts_init(struct boot_info *bi)
{
	unsigned long flags = arch_irq_save();

	pic_disable();
	if (platform_from_acpi(bi, &platform) != 0)
		pr_warn("apic: using PC defaults (local APIC from its MSR, I/O APIC at "
			"%#lx, ISA IRQs identity-mapped)\n",
			platform.ioapic[0].phys);
	irq_register(VECTOR_PIC_BASE + 7, "8259 spurious (IRQ 7)", pic_vector, NULL);
	irq_register(VECTOR_PIC_BASE + 15, "8259 spurious (IRQ 15)", pic_vector, NULL);

	lapic_init(platform.lapic_phys, platform.nmi_lint);
	for (unsigned int i = 0; i < platform.nioapics; i++)
		ioapic_add(platform.ioapic[i].id, platform.ioapic[i].phys,
			   platform.ioapic[i].gsi_base);
	if (!ioapic_count())
		pr_err("apic: no usable I/O APIC; device interrupts will not work\n");
	pr_info("apic: local APIC id %u at %#lx, %u I/O APIC(s), %u ISA override(s)\n", lapic_id(),
		platform.lapic_phys, ioapic_count(), platform.noverrides);
	interrupts_ready = true;
	x86_power_reserve();
	x86_fw_cfg_reserve();
	x86_serial_irq_init();
	arch_irq_restore(flags);
}

/*
 * The lines attached so far, for detach and mask: a GSI may be routed
 * once (ISA IRQ 0 and 2 both reach GSI 2 through the usual override).
 */
#define ATTACHED_MAX 32
static struct attached_line {
	bool used;
	bool level;
	unsigned int line;
	unsigned int vector;
	uint32_t gsi;
} attached[ATTACHED_MAX];

static struct attached_line *
attached_find(unsigned int line)
{
	for (unsigned int i = 0; i < ATTACHED_MAX; i++)
		if (attached[i].used && attached[i].line == line)
			return &attached[i];
	return NULL;
}

static bool
gsi_attached(uint32_t gsi)
{
	for (unsigned int i = 0; i < ATTACHED_MAX; i++)
		if (attached[i].used && attached[i].gsi == gsi)
			return true;
	return false;
}

const struct apic_platform *
x86_platform(void)
{
	return &platform;
}

static int
attach_route(unsigned int line, struct isa_route route, const char *name,
	     void (*fn)(struct arch_regs *regs, void *ctx), void *ctx)
{
	struct attached_line *slot = NULL;
	unsigned int vector;
	unsigned long flags;
	int err;

	if (!ioapic_has_gsi(route.gsi))
		return -E_INVAL;
	flags = arch_irq_save();
	for (unsigned int i = 0; i < ATTACHED_MAX && !slot; i++)
		if (!attached[i].used)
			slot = &attached[i];
	err = !slot ? -E_BUSY : gsi_attached(route.gsi) ? -E_BUSY : 0;
	if (!err && line < ISA_IRQS) {
		vector = VECTOR_DEVICE_BASE + line;
		err = irq_register(vector, name, fn, ctx);
	} else if (!err) {
		/* The first free vector above the ISA ones. */
		vector = VECTOR_DEVICE_BASE + ISA_IRQS;
		while ((err = irq_register(vector, name, fn, ctx)) == -E_BUSY &&
		       ++vector < VECTOR_DEVICE_END)
			;
	}
	if (!err && (err = ioapic_route(route.gsi, vector, route.level, route.active_low)))
		irq_unregister(vector);
	if (!err)
		*slot = (struct attached_line){ .used = true,
						.level = route.level,
						.line = line,
						.vector = vector,
						.gsi = route.gsi };
	arch_irq_restore(flags);
	if (err)
		return err;
	pr_info("irq: %s: line %u -> GSI %u (%s, active %s) -> vector %#x\n", name, line, route.gsi,
		route.level ? "level" : "edge", route.active_low ? "low" : "high", vector);
	return (int)vector;
}

int
arch_irq_attach(unsigned int line, const char *name, void (*fn)(struct arch_regs *regs, void *ctx),
		void *ctx)
{
	struct isa_route route;

	if (!interrupts_ready)
		return -E_NOENT;
	if (line < ISA_IRQS)
		route = platform.isa[line];
	else /* PCI-style GSI: level-triggered, active low. */
		route = (struct isa_route){ .gsi = line, .level = true, .active_low = true };
	return attach_route(line, route, name, fn, ctx);
}

/* MSI: the message is a write to the local APIC's window (address bits
 * 12-19 name the destination APIC) whose data is the vector, fixed
 * delivery, edge-triggered. */
#define MSI_ADDRESS_BASE 0xfee00000u

int
arch_msi_attach(const char *name, void (*fn)(struct arch_regs *regs, void *ctx), void *ctx,
		uint64_t *addr, uint32_t *data)
{
	unsigned int vector = VECTOR_DEVICE_BASE + ISA_IRQS;
	unsigned long flags;
	int err;

	if (!interrupts_ready)
		return -E_NOENT;
	flags = arch_irq_save();
	while ((err = irq_register(vector, name, fn, ctx)) == -E_BUSY &&
	       ++vector < VECTOR_DEVICE_END)
		;
	arch_irq_restore(flags);
	if (err)
		return err;
	*addr = MSI_ADDRESS_BASE | (uint64_t)(lapic_id() & 0xff) << 12;
	*data = vector;
	pr_info("irq: %s: MSI -> vector %#x\n", name, vector);
	return 0;
}

/* A PCI line the firmware routed to an ISA IRQ is still a PCI line:
 * level-triggered and active low, whatever ISA lines default to. */
int
arch_pci_irq_attach(unsigned int line, const char *name,
		    void (*fn)(struct arch_regs *regs, void *ctx), void *ctx)
{
	struct isa_route route;

	if (!interrupts_ready)
		return -E_NOENT;
	if (line < ISA_IRQS)
		route = (struct isa_route){ .gsi = platform.isa[line].gsi,
					    .level = true,
					    .active_low = true };
	else
		route = (struct isa_route){ .gsi = line, .level = true, .active_low = true };
	return attach_route(line, route, name, fn, ctx);
}

bool
arch_irq_line_exists(unsigned int line)
{
	if (line < ISA_IRQS)
		return line != 2 && ioapic_has_gsi(platform.isa[line].gsi); /* 2: the cascade */
	return ioapic_has_gsi(line);
}

void
arch_irq_detach(unsigned int line)
{
	unsigned long flags = arch_irq_save();
	struct attached_line *a = attached_find(line);

	if (a) {
		ioapic_mask(a->gsi, true);
		irq_unregister(a->vector);
		a->used = false;
	}
	arch_irq_restore(flags);
}

void
arch_irq_mask(unsigned int line, bool masked)
{
	unsigned long flags = arch_irq_save();
	struct attached_line *a = attached_find(line);

	if (a)
		ioapic_mask(a->gsi, masked);
	arch_irq_restore(flags);
}

bool
arch_irq_level_triggered(unsigned int line)
{
	struct attached_line *a = attached_find(line);

	return a && a->level;
}
