/* The first context of a new kernel thread. */
#include "arch/arch.h"

#include "asm/context.h"
#include "lib/string.h"

void arch_thread_start(void);

void
arch_context_init(struct arch_context *ctx, uintptr_t stack_top, void (*entry)(void))
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->x19_x28[0] = (uint64_t)entry;
	ctx->lr = (uint64_t)arch_thread_start;
	ctx->sp = stack_top & ~0xfull;
}
