#include "mm/vm_space.h"

#include "arch/arch.h"
#include "asm/layout.h"
#include "mm/pagetable.h"
#include "mm/vm_flags.h"
#include "mm/vmm.h"
#include "themelios/errno.h"

static const struct vm_space *active;

static bool
user_page(uintptr_t va)
{
	return va < USER_SPACE_END && va >= PAGE_SIZE_4K;	/* page 0 stays unmapped */
}

int
vm_space_create(struct vm_space *vs)
{
	int err = vmm_env.alloc_table(vmm_env.ctx, &vs->root);

	if (err)
		return err;
	arch_vm_init_user_root(vs->root, vmm_kernel_root);
	vs->pages = 0;
	return 0;
}

void
vm_space_destroy(struct vm_space *vs)
{
	if (active == vs)
		vm_space_activate(NULL);
	pt_destroy(&vmm_env, vs->root, 0, USER_SPACE_END, 1);
	vs->root = 0;
	vs->pages = 0;
}

int
vm_space_map(struct vm_space *vs, uintptr_t va, uint64_t pa, unsigned int flags)
{
	int err;

	if (!user_page(va))
		return -E_RANGE;
	err = pt_map(&vmm_env, vs->root, va, pa, PAGE_SIZE_4K, (flags | VM_USER) & ~VM_GLOBAL);
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
	err = pt_unmap(&vmm_env, vs->root, va, pa, NULL);
	if (!err) {
		vs->pages--;
		if (active == vs)
			arch_tlb_flush_page(va);
	}
	return err;
}

int
vm_space_protect(struct vm_space *vs, uintptr_t va, unsigned int flags)
{
	int err;

	if (!user_page(va))
		return -E_RANGE;
	err = pt_protect(&vmm_env, vs->root, va, (flags | VM_USER) & ~VM_GLOBAL);
	if (!err && active == vs)
		arch_tlb_flush_page(va);
	return err;
}

int
vm_space_translate(struct vm_space *vs, uintptr_t va, uint64_t *pa, unsigned int *flags)
{
	if (!user_page(va))
		return -E_RANGE;
	return pt_translate(&vmm_env, vs->root, va, pa, flags);
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
