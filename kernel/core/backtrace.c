#include "core/backtrace.h"

#include <stdbool.h>

#include "arch/arch.h"
#include "core/ksyms.h"
#include "core/printk.h"

#define BACKTRACE_MAX_FRAMES 32

/* Both architectures save {previous frame pointer, return address}. */
struct stack_frame {
	struct stack_frame *next;
	uintptr_t ret;
};

void
backtrace_print_symbol(uintptr_t addr)
{
	uintptr_t off;
	const char *name = ksyms_lookup(addr, &off);

	if (name)
		printk("%s+0x%lx", name, off);
	else
		printk("%016lx", addr);
}

/*
 * A return address follows the call; when the call ends a noreturn
 * function it already points into the next function, so look up the
 * byte before it.
 */
static void
print_return_address(uintptr_t ret)
{
	uintptr_t off;
	const char *name = ksyms_lookup(ret - 1, &off);

	printk("  [%016lx] ", ret);
	if (name)
		printk("%s+0x%lx\n", name, off + 1);
	else
		printk("?\n");
}

static bool
frame_ok(uintptr_t fp)
{
	return fp && (fp & (sizeof(uintptr_t) - 1)) == 0 && arch_is_kernel_address(fp);
}

void
backtrace_print(uintptr_t pc, uintptr_t fp)
{
	const struct stack_frame *f = (const struct stack_frame *)fp;
	int i;

	printk("Backtrace:\n  [%016lx] ", pc);
	backtrace_print_symbol(pc);
	printk("\n");
	for (i = 0; i < BACKTRACE_MAX_FRAMES && frame_ok((uintptr_t)f); i++) {
		if (!f->ret)
			break;
		print_return_address(f->ret);
		/* Frames live higher up the stack; anything else is corrupt. */
		if ((uintptr_t)f->next <= (uintptr_t)f)
			break;
		f = f->next;
	}
}
