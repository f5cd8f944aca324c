#include "core/panic.h"

#include <stdarg.h>

#include "core/backtrace.h"
#include "core/printk.h"

static bool test_mode;
static volatile int panicking;

void
panic_set_test_mode(bool on)
{
	test_mode = on;
}

bool
panic_test_mode(void)
{
	return test_mode;
}

static void __attribute__((noreturn))
panic_va(const struct arch_regs *regs, const char *fmt, va_list ap)
{
	/* A panic inside the panic report: stop at once. */
	if (panicking++) {
		printk("\nnested panic; halting\n");
		if (test_mode)
			arch_qemu_exit(false);
		arch_halt();
	}
	printk("\n*** KERNEL PANIC: ");
	vprintk(fmt, ap);
	printk("\n");
	arch_print_regs(regs);
	backtrace_print(arch_regs_pc(regs), arch_regs_frame_pointer(regs));
	printk("System halted.\n");
	if (test_mode)
		arch_qemu_exit(false);
	arch_halt();
}

void
panic(const char *fmt, ...)
{
	struct arch_regs regs;
	va_list ap;

	arch_capture_regs(&regs);
	va_start(ap, fmt);
	panic_va(&regs, fmt, ap);
}

void
panic_regs(const struct arch_regs *regs, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	panic_va(regs, fmt, ap);
}
