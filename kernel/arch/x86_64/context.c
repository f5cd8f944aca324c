/* Building the first stack frame of a new kernel thread. */
#include "arch/arch.h"

#include "asm/context.h"

void arch_thread_start(void);

void
arch_context_init(struct arch_context *ctx, uintptr_t stack_top, void (*entry)(void))
{
	uint64_t *sp = (uint64_t *)(stack_top & ~0xfull);

	/* After the pops and the ret, %rsp is 16-byte aligned again, as the
	 * ABI wants it just before arch_thread_start calls the entry. */
	*--sp = (uint64_t)arch_thread_start; /* where the switch "returns" */
	*--sp = 0;			     /* rbp */
	*--sp = 0;			     /* rbx */
	*--sp = (uint64_t)entry;	     /* r12 */
	*--sp = 0;			     /* r13 */
	*--sp = 0;			     /* r14 */
	*--sp = 0;			     /* r15 */
	ctx->sp = (uint64_t)sp;
}
