/*
 * The small x86_64 CPU services of the arch interface: halting, the
 * QEMU test exit, registers for panic reports and the cycle counter.
 */
#include "arch/arch.h"

#include "asm/cpu.h"
#include "asm/io.h"
#include "asm/layout.h"
#include "core/irqs_off.h"
#include "core/printk.h"

/* isa-debug-exit (iobase 0xf4) makes QEMU exit with (value << 1) | 1. */
#define DEBUG_EXIT_PORT 0xf4
#define DEBUG_EXIT_PASS 0x10 /* QEMU status 33 */
#define DEBUG_EXIT_FAIL 0x11 /* QEMU status 35 */

void
arch_halt(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

void
arch_qemu_exit(bool success)
{
	outl(DEBUG_EXIT_PORT, success ? DEBUG_EXIT_PASS : DEBUG_EXIT_FAIL);
	arch_halt();
}

/* Not inlined, so the frame we report is the caller's. */
__attribute__((noinline)) void
arch_capture_regs(struct arch_regs *r)
{
	__asm__ volatile("movq %%rax, 0x70(%0)\n\t"
			 "movq %%rbx, 0x68(%0)\n\t"
			 "movq %%rcx, 0x60(%0)\n\t"
			 "movq %%rdx, 0x58(%0)\n\t"
			 "movq %%rsi, 0x50(%0)\n\t"
			 "movq %%rdi, 0x48(%0)\n\t"
			 "movq %%r8, 0x38(%0)\n\t"
			 "movq %%r9, 0x30(%0)\n\t"
			 "movq %%r10, 0x28(%0)\n\t"
			 "movq %%r11, 0x20(%0)\n\t"
			 "movq %%r12, 0x18(%0)\n\t"
			 "movq %%r13, 0x10(%0)\n\t"
			 "movq %%r14, 0x08(%0)\n\t"
			 "movq %%r15, 0x00(%0)\n\t"
			 :
			 : "r"(r)
			 : "memory");
	/* The caller's frame: our return address and its frame pointer. */
	r->rbp = *(uint64_t *)__builtin_frame_address(0);
	r->rip = (uint64_t)__builtin_return_address(0);
	r->rsp = (uint64_t)__builtin_frame_address(0) + 16;
	__asm__ volatile("movq %%cs, %0" : "=r"(r->cs));
	__asm__ volatile("movq %%ss, %0" : "=r"(r->ss));
	__asm__ volatile("pushfq; popq %0" : "=r"(r->rflags));
	r->vector = ~0ull;
	r->error = 0;
}

void
arch_print_regs(const struct arch_regs *r)
{
	uint64_t cr0, cr2, cr3, cr4;

	__asm__ volatile("movq %%cr0, %0" : "=r"(cr0));
	__asm__ volatile("movq %%cr2, %0" : "=r"(cr2));
	__asm__ volatile("movq %%cr3, %0" : "=r"(cr3));
	__asm__ volatile("movq %%cr4, %0" : "=r"(cr4));
	printk("RIP %04lx:%016lx RFLAGS %016lx\n", r->cs, r->rip, r->rflags);
	printk("RSP %04lx:%016lx RBP %016lx\n", r->ss, r->rsp, r->rbp);
	printk("RAX %016lx RBX %016lx RCX %016lx\n", r->rax, r->rbx, r->rcx);
	printk("RDX %016lx RSI %016lx RDI %016lx\n", r->rdx, r->rsi, r->rdi);
	printk("R8  %016lx R9  %016lx R10 %016lx\n", r->r8, r->r9, r->r10);
	printk("R11 %016lx R12 %016lx R13 %016lx\n", r->r11, r->r12, r->r13);
	printk("R14 %016lx R15 %016lx\n", r->r14, r->r15);
	printk("CR0 %016lx CR2 %016lx CR3 %016lx CR4 %016lx\n", cr0, cr2, cr3, cr4);
}

uintptr_t
arch_regs_frame_pointer(const struct arch_regs *r)
{
	return r->rbp;
}

uintptr_t
arch_regs_pc(const struct arch_regs *r)
{
	return r->rip;
}

void
arch_cpu_relax(void)
{
	__asm__ volatile("pause");
}

uint64_t
arch_cycles(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

uint64_t
arch_boot_entropy(void)
{
	struct cpuid_regs id;
	uint64_t v = arch_cycles();
	uint8_t ok = 0;

	cpuid(1, 0, &id);
	if (id.ecx & (1u << 30)) /* RDRAND; it may fail for a while: try a few times */
		for (int i = 0; i < 10 && !ok; i++) {
			uint64_t r;

			__asm__ volatile("rdrand %0; setc %1" : "=r"(r), "=qm"(ok));
			if (ok)
				v ^= r;
		}
	return v;
}

bool
arch_is_kernel_address(uintptr_t addr)
{
	return addr >= DIRECT_MAP_BASE;
}

/* ---- the interrupt flag ---- */

unsigned long
arch_irq_save(void)
{
	unsigned long flags;

	__asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
	if (flags & RFLAGS_IF)
		irqs_off_begin((uintptr_t)__builtin_return_address(0));
	return flags;
}

void
arch_irq_restore(unsigned long flags)
{
	if (flags & RFLAGS_IF) {
		irqs_off_end((uintptr_t)__builtin_return_address(0));
		__asm__ volatile("sti" ::: "memory");
	}
}

void
arch_irq_enable(void)
{
	irqs_off_end((uintptr_t)__builtin_return_address(0));
	__asm__ volatile("sti" ::: "memory");
}

void
arch_irq_disable(void)
{
	unsigned long flags;

	__asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
	if (flags & RFLAGS_IF)
		irqs_off_begin((uintptr_t)__builtin_return_address(0));
}

bool
arch_irq_enabled(void)
{
	unsigned long flags;

	__asm__ volatile("pushfq; popq %0" : "=r"(flags));
	return flags & RFLAGS_IF;
}

/* STI's one-instruction shadow: no interrupt can slip in before HLT,
 * so a wake-up that arrives after the caller's check still ends it. */
void
arch_wait_for_interrupt(void)
{
	irqs_off_end((uintptr_t)__builtin_return_address(0)); /* idle is no stretch */
	__asm__ volatile("sti; hlt" ::: "memory");
}
