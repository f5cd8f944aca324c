#include "mm/vm_space.h"

#include "arch/arch.h"
#include "asm/layout.h"
#include "mm/pagetable.h"
#include "mm/vm_flags.h"
#include "mm/vmm.h"
#include "themelios/errno.h"

static const struct vm_space *active;

#define VM_ACCESS (VM_READ | VM_WRITE | VM_EXEC)

/*
 * The leaf flags for flags: a user page, or with no access at all a guard
 * leaf, its frame and data kept but not present for the CPU.  Not a page
 * for the kernel alone: the kernel's copies (proc/uaccess.c) would read
 * and write it on the program's behalf, where Linux says EFAULT.  As a
 * guard, a copy faults on it and the fault resolves through the region,
 * which refuses the access: the same path on both architectures, exact
 * whatever a copy does, and nothing added to a copy that does not fault
 * (aarch64's LDTR/STTR would check EL0 permissions too, but x86_64 has
 * nothing like them).
 */
static unsigned int
leaf_flags(unsigned int flags)
{
	if (!(flags & VM_ACCESS))
		return VM_GUARD;
	return (flags | VM_USER) & ~(VM_GLOBAL | VM_GUARD);
}

/* What a leaf reads back as: a guard has no access. */
static unsigned int
user_flags(unsigned int f)
{
	return f & VM_USER ? f : f & ~VM_ACCESS;
}

static bool
user_page(uintptr_t va)
{
	return va < USER_SPACE_END && va >= PAGE_SIZE_4K; /* page 0 stays unmapped */
}

/* A table for vs: paid for first, so a refusal costs nothing. */
static int
space_alloc_table(void *ctx, uint64_t *pa)
{
	struct vm_space *vs = ctx;
	int err;

	if (vs->payer && vs->payer->charge(vs->payer_ctx))
		return -E_NOMEM;
	err = vmm_env.alloc_table(vmm_env.ctx, pa);
	if (err) {
		if (vs->payer)
			vs->payer->uncharge(vs->payer_ctx);
		return err;
	}
	vs->tables++;
	return 0;
}

/* The entry that pointed here is empty already; a walk cached while it
 * was not must not outlive the page, so an active space flushes first. */
static void
space_free_table(void *ctx, uint64_t pa)
{
	struct vm_space *vs = ctx;

	if (active == vs)
		arch_tlb_flush_all();
	vmm_env.free_table(vmm_env.ctx, pa);
	vs->tables--;
	if (vs->payer)
		vs->payer->uncharge(vs->payer_ctx);
}

int
vm_space_create(struct vm_space *vs, const struct vm_payer *payer, void *payer_ctx)
{
	int err;

	vs->env = (struct pt_env){ vmm_env.phys_to_virt, space_alloc_table, space_free_table, vs };
	vs->payer = payer;
	vs->payer_ctx = payer_ctx;
	vs->tables = 0;
	vs->pages = 0;
	err = space_alloc_table(vs, &vs->root);
	if (err) {
		vs->root = 0;
		return err;
	}
	arch_vm_init_user_root(vs->root, vmm_kernel_root);
	return 0;
}

/* Only the user half: the kernel's entries in an x86_64 root are copies
 * of tables every space shares. */
void
vm_space_destroy(struct vm_space *vs)
{
	if (active == vs)
		vm_space_activate(NULL);
	if (vs->root)
		pt_destroy(&vs->env, vs->root, 0, USER_SPACE_END, 1);
	vs->root = 0;
	vs->pages = 0;
}

int
vm_space_map(struct vm_space *vs, uintptr_t va, uint64_t pa, unsigned int flags)
{
	int err;

	if (!user_page(va))
		return -E_RANGE;
	err = pt_map(&vs->env, vs->root, va, pa, PAGE_SIZE_4K, leaf_flags(flags));
	if (!err)
		vs->pages++;
	return err;
}

int
vm_space_unmap(struct vm_space *vs, uintptr_t va, uint64_t *pa)
{
	int err;

	if (!user_page(va))
		return -E_RANGE;
	err = pt_unmap(&vs->env, vs->root, va, pa, NULL);
	if (!err) {
		vs->pages--;
		if (active == vs)
			arch_tlb_flush_page(va);
	}
	return err;
}

void
vm_space_trim(struct vm_space *vs, uintptr_t va, size_t pages)
{
	uintptr_t end;

	if (va >= USER_SPACE_END || pages == 0)
		return;
	end = pages > (USER_SPACE_END - va) / PAGE_SIZE_4K ? USER_SPACE_END
							   : va + pages * PAGE_SIZE_4K;
	pt_prune(&vs->env, vs->root, va, end);
}

int
vm_space_protect(struct vm_space *vs, uintptr_t va, unsigned int flags)
{
	int err;

	if (!user_page(va))
		return -E_RANGE;
	err = pt_protect(&vs->env, vs->root, va, leaf_flags(flags));
	if (!err && active == vs)
		arch_tlb_flush_page(va);
	return err;
}

int
vm_space_translate(struct vm_space *vs, uintptr_t va, uint64_t *pa, unsigned int *flags)
{
	int err;

	if (!user_page(va))
		return -E_RANGE;
	err = pt_translate(&vs->env, vs->root, va, pa, flags);
	if (!err && flags)
		*flags = user_flags(*flags);
	return err;
}

int
vm_space_next(struct vm_space *vs, uintptr_t va, uintptr_t end, uintptr_t *at, uint64_t *pa,
	      unsigned int *flags)
{
	uint64_t a;
	int err;

	if (end > USER_SPACE_END)
		end = USER_SPACE_END;
	err = pt_next_leaf(&vs->env, vs->root, va, end, &a, pa, flags);
	if (!err)
		*at = (uintptr_t)a;
	if (!err && flags)
		*flags = user_flags(*flags);
	return err;
}

int
vm_space_copy(struct vm_space *src, uintptr_t va, size_t pages, struct vm_space *dst,
	      uintptr_t dst_va, const struct pt_copy_ops *ops, size_t *copied)
{
	struct pt_copy_result res;
	int err;

	*copied = 0;
	if (!user_page(va) || !user_page(dst_va) || pages > (USER_SPACE_END - va) / PAGE_SIZE_4K ||
	    pages > (USER_SPACE_END - dst_va) / PAGE_SIZE_4K)
		return -E_RANGE;
	err = pt_copy_leaves(&src->env, src->root, va, va + pages * PAGE_SIZE_4K, &dst->env,
			     dst->root, dst_va, ops, &res);
	dst->pages += res.copied;
	*copied = res.copied;
	/* One flush for the whole range: the caller holds src's lock, so no
	 * fault of src can see the new entries before it. */
	if (res.src_changed && active == src)
		arch_tlb_flush_all();
	return err;
}

void
vm_space_clear(struct vm_space *vs, uintptr_t va, size_t pages,
	       void (*leaf)(void *ctx, uint64_t va, uint64_t pa), void *ctx)
{
	uintptr_t end;

	if (active == vs || va >= USER_SPACE_END || pages == 0)
		return; /* never while it may run: no flush here */
	end = pages > (USER_SPACE_END - va) / PAGE_SIZE_4K ? USER_SPACE_END
							   : va + pages * PAGE_SIZE_4K;
	vs->pages -= pt_clear_leaves(&vs->env, vs->root, va, end, leaf, ctx);
}

void
vm_space_activate(struct vm_space *vs)
{
	active = vs;
	arch_vm_activate_user(vs ? vs->root : 0);
}

bool
vm_space_is_active(const struct vm_space *vs)
{
	return active == vs;
}
