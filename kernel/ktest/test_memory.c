/*
 * Memory management, tested on the real machine: the frame allocator
 * over all of RAM, the kernel's page permissions checked by faulting on
 * purpose, and map/unmap/protect.
 */
#include "arch/arch.h"
#include "core/fault.h"
#include "core/printk.h"
#include "ktest/ktest.h"
#include "mm/phys.h"
#include "mm/pmm.h"
#include "mm/vm_flags.h"
#include "mm/vm_space.h"
#include "mm/vmm.h"
#include "proc/uaccess.h"
#include "themelios/errno.h"

/* A page at the top of the MMIO window, which the bump allocator never reaches. */
#define TEST_VA (MMIO_AREA_BASE + MMIO_AREA_SIZE - 2 * PAGE_SIZE_4K)

static const char rodata_word[8] = "constant";
extern char __text_start[];

/* Allocates every free frame, chaining them through the direct map. */
static uint64_t
allocate_everything(uint64_t *count, uint64_t *highest)
{
	uint64_t head = ~0ull, pa;

	*count = 0;
	*highest = 0;
	while (pmm_alloc_frame(&pa) == 0) {
		*(uint64_t *)phys_to_virt(pa) = head;
		head = pa;
		(*count)++;
		if (pa > *highest)
			*highest = pa;
	}
	return head;
}

static uint64_t
free_chain(uint64_t head)
{
	uint64_t n = 0;

	while (head != ~0ull) {
		uint64_t next = *(uint64_t *)phys_to_virt(head);
		KTEST_CHECK_EQ(pmm_free_frame(head), 0);
		head = next;
		n++;
	}
	return n;
}

KTEST(pmm_all_memory_twice)
{
	struct pmm_stats before, empty, after;

	pmm_get_stats(&before);
	KTEST_CHECK_EQ(before.total, before.free + before.used + before.reserved);
	for (int round = 0; round < 2; round++) {
		uint64_t count, highest;
		uint64_t head = allocate_everything(&count, &highest);

		pmm_get_stats(&empty);
		KTEST_CHECK_EQ(count, before.free);
		KTEST_CHECK_EQ(empty.free, 0);
		/* With RAM above 4 GiB, the allocator hands it out too. */
		if (before.highest_pa > (4ull << 30))
			KTEST_CHECK(highest >= (4ull << 30));
		KTEST_CHECK_EQ(free_chain(head), count);
		pmm_get_stats(&after);
		KTEST_CHECK_EQ(after.free, before.free);
		printk("    round %d: %lu frames allocated and freed, highest %#lx\n", round, count,
		       highest);
	}
}

KTEST(pmm_contiguous_runs_and_bad_frees)
{
	uint64_t pa, single;

	KTEST_CHECK_EQ(pmm_alloc_frames(16, 16, &pa), 0);
	KTEST_CHECK_EQ(pa % (16 * PAGE_SIZE_4K), 0);
	KTEST_CHECK_EQ(pmm_free_frames(pa, 16), 0);
	KTEST_CHECK_EQ(pmm_alloc_frames(512, 512, &pa), 0);
	KTEST_CHECK_EQ(pa % PAGE_SIZE_2M, 0);
	KTEST_CHECK_EQ(pmm_free_frames(pa, 512), 0);

	KTEST_CHECK_EQ(pmm_alloc_frame(&single), 0);
	KTEST_CHECK_EQ(pmm_free_frame(single), 0);
	printk("    (a double free and a free outside RAM are reported next)\n");
	KTEST_CHECK(pmm_free_frame(single) < 0);
	KTEST_CHECK(pmm_free_frame(0xfff00000000ull) < 0);
	KTEST_CHECK(pmm_alloc_frames(0, 1, &pa) < 0);
}

static void
write_byte(void *p)
{
	*(volatile char *)p = 1;
}

static void
read_byte(void *p)
{
	(void)*(volatile char *)p;
}

static void
call_code(void *p)
{
	((void (*)(void))p)();
}

KTEST(rodata_is_read_only)
{
	struct fault_info fi;

	KTEST_CHECK_EQ(fault_catch(write_byte, (void *)rodata_word, &fi), 1);
	KTEST_CHECK(fi.access & FAULT_WRITE);
	KTEST_CHECK(fi.access & FAULT_PRESENT);
	KTEST_CHECK_EQ(fi.addr, (uintptr_t)rodata_word);
	fault_print(&fi);
}

KTEST(text_is_not_writable)
{
	struct fault_info fi;

	KTEST_CHECK_EQ(fault_catch(write_byte, (void *)ktest_run_all, &fi), 1);
	KTEST_CHECK(fi.access & FAULT_WRITE);
}

static void
harmless(void)
{
}

KTEST(direct_map_is_not_executable)
{
	struct fault_info fi;
	void *alias = phys_to_virt(arch_kernel_image_phys((uintptr_t)harmless));

	/* The same bytes run fine at their kernel-image address... */
	KTEST_CHECK_EQ(fault_catch(call_code, (void *)harmless, &fi), 0);
	/* ...but not through the direct map. */
	KTEST_CHECK_EQ(fault_catch(call_code, alias, &fi), 1);
	KTEST_CHECK(fi.access & FAULT_EXEC);
	KTEST_CHECK_EQ(fi.addr, (uintptr_t)alias);
	fault_print(&fi);
}

KTEST(stack_guard_pages)
{
	struct fault_info fi;
	uintptr_t stack = vmm_alloc_stack(4);

	KTEST_CHECK_EQ(fault_catch(read_byte, (void *)arch_boot_stack_guard(), &fi), 1);
	KTEST_CHECK(!(fi.access & FAULT_PRESENT));
	KTEST_CHECK(stack != 0);
	KTEST_CHECK_EQ(fault_catch(write_byte, (void *)(stack + 4 * PAGE_SIZE_4K - 1), &fi), 0);
	KTEST_CHECK_EQ(fault_catch(write_byte, (void *)stack, &fi), 0);
	KTEST_CHECK_EQ(fault_catch(write_byte, (void *)(stack - 1), &fi), 1);
	KTEST_CHECK_EQ(fi.addr, stack - 1);
	vmm_free_stack(stack, 4);
}

KTEST(null_is_unmapped)
{
	struct fault_info fi;

	KTEST_CHECK_EQ(fault_catch(read_byte, (void *)0, &fi), 1);
	KTEST_CHECK(!(fi.access & FAULT_PRESENT));
}

KTEST(map_protect_unmap)
{
	struct fault_info fi;
	uint64_t pa, got;
	unsigned int flags;
	volatile uint32_t *page = (volatile uint32_t *)TEST_VA;

	KTEST_CHECK_EQ(pmm_alloc_frame(&pa), 0);
	KTEST_CHECK_EQ(vmm_map_page(TEST_VA, pa, VM_READ | VM_WRITE), 0);
	KTEST_CHECK_EQ(vmm_map_page(TEST_VA, pa, VM_READ), -E_EXIST);
	page[5] = 0xfeedface;
	KTEST_CHECK_EQ(((uint32_t *)phys_to_virt(pa))[5], 0xfeedface);
	KTEST_CHECK_EQ(vmm_translate(TEST_VA + 20, &got, &flags), 0);
	KTEST_CHECK_EQ(got, pa + 20);
	KTEST_CHECK(flags & VM_WRITE);
	KTEST_CHECK(!(flags & VM_EXEC));

	KTEST_CHECK_EQ(vmm_protect_page(TEST_VA, VM_READ), 0);
	KTEST_CHECK_EQ(fault_catch(write_byte, (void *)TEST_VA, &fi), 1);
	KTEST_CHECK(fi.access & FAULT_WRITE);
	KTEST_CHECK_EQ(fault_catch(read_byte, (void *)TEST_VA, &fi), 0);

	KTEST_CHECK_EQ(vmm_unmap_page(TEST_VA, &got), 0);
	KTEST_CHECK_EQ(got, pa);
	KTEST_CHECK_EQ(fault_catch(read_byte, (void *)TEST_VA, &fi), 1);
	KTEST_CHECK(!(fi.access & FAULT_PRESENT));
	KTEST_CHECK_EQ(vmm_translate(TEST_VA, &got, &flags), -E_NOENT);
	KTEST_CHECK_EQ(vmm_unmap_page(TEST_VA, &got), -E_NOENT);
	KTEST_CHECK_EQ(vmm_map_page(TEST_VA + 1, pa, VM_READ), -E_INVAL);
	KTEST_CHECK_EQ(pmm_free_frame(pa), 0);
}

KTEST(user_address_space_lifecycle)
{
	struct vm_space vs;
	struct pmm_stats before, after;
	uint64_t frames[3], pa;
	uint32_t magic = 0xabcd1234, got = 0;
	unsigned int flags;

	pmm_get_stats(&before);
	KTEST_CHECK_EQ(vm_space_create(&vs, NULL, NULL), 0);
	for (int i = 0; i < 3; i++) {
		KTEST_CHECK_EQ(pmm_alloc_frame(&frames[i]), 0);
		KTEST_CHECK_EQ(vm_space_map(&vs, 0x400000 + i * PAGE_SIZE_4K, frames[i],
					    VM_READ | VM_WRITE),
			       0);
	}
	KTEST_CHECK_EQ(vs.pages, 3);
	KTEST_CHECK_EQ(vm_space_map(&vs, 0x400000, frames[0], VM_READ), -E_EXIST);
	KTEST_CHECK_EQ(vm_space_map(&vs, 0, frames[0], VM_READ), -E_RANGE);
	KTEST_CHECK_EQ(vm_space_map(&vs, USER_SPACE_END, frames[0], VM_READ), -E_RANGE);
	KTEST_CHECK_EQ(vm_space_map(&vs, (uintptr_t)__text_start, frames[0], VM_READ), -E_RANGE);
	KTEST_CHECK_EQ(vm_space_translate(&vs, 0x401234, &pa, &flags), 0);
	KTEST_CHECK_EQ(pa, frames[1] + 0x234);
	KTEST_CHECK(flags & VM_USER);
	KTEST_CHECK(!(flags & VM_EXEC));

	/* Through the mapping, once the space is active: only by the user
	 * copy functions (SMAP/PAN keep plain kernel accesses out), which
	 * answer a hole or a kernel address with -E_FAULT. */
	vm_space_activate(&vs);
	KTEST_CHECK_EQ(copy_to_user(0x402010, &magic, sizeof(magic)), 0);
	KTEST_CHECK_EQ(copy_to_user(0x402ffe, &magic, sizeof(magic)), -E_FAULT);
	KTEST_CHECK_EQ(copy_from_user(&got, 0x402010, sizeof(got)), 0);
	KTEST_CHECK_EQ(got, magic);
	KTEST_CHECK_EQ(copy_from_user(&got, (uintptr_t)&magic, sizeof(got)), -E_FAULT);
	KTEST_CHECK_EQ(copy_from_user(&got, ~(uintptr_t)0 - 1, sizeof(got)), -E_FAULT);
	vm_space_activate(NULL);
	KTEST_CHECK_EQ(*(uint32_t *)((uint8_t *)phys_to_virt(frames[2]) + 0x10), 0xabcd1234);

	KTEST_CHECK_EQ(vm_space_protect(&vs, 0x400000, VM_READ | VM_EXEC), 0);
	KTEST_CHECK_EQ(vm_space_translate(&vs, 0x400000, NULL, &flags), 0);
	KTEST_CHECK((flags & VM_EXEC) && !(flags & VM_WRITE));
	KTEST_CHECK_EQ(vm_space_unmap(&vs, 0x401000, &pa), 0);
	KTEST_CHECK_EQ(pa, frames[1]);
	KTEST_CHECK_EQ(vm_space_unmap(&vs, 0x401000, &pa), -E_NOENT);
	vm_space_destroy(&vs);
	for (int i = 0; i < 3; i++)
		pmm_free_frame(frames[i]);
	pmm_get_stats(&after);
	/* Every page-table page came back. */
	KTEST_CHECK_EQ(after.free, before.free);
}

/* A payer with a budget of table pages, as a Memory pool is. */
struct table_budget {
	int left, charged;
};

static int
budget_charge(void *ctx)
{
	struct table_budget *b = ctx;

	if (b->left == 0)
		return -E_NOMEM;
	b->left--;
	b->charged++;
	return 0;
}

static void
budget_uncharge(void *ctx)
{
	struct table_budget *b = ctx;

	b->left++;
	b->charged--;
}

static const struct vm_payer budget_payer = { budget_charge, budget_uncharge };

KTEST(user_page_tables_are_paid_for)
{
	struct table_budget b = { .left = 3 };
	struct pmm_stats before, after;
	struct vm_space vs;
	uint64_t frame, pa;

	pmm_get_stats(&before);
	KTEST_CHECK_EQ(pmm_alloc_frame(&frame), 0);
	KTEST_CHECK_EQ(vm_space_create(&vs, &budget_payer, &b), 0);
	KTEST_CHECK_EQ(b.charged, 1); /* the root */
	/* Three tables to make, two paid for: refused, nothing made. */
	KTEST_CHECK_EQ(vm_space_map(&vs, 0x400000, frame, VM_READ), -E_NOMEM);
	KTEST_CHECK_EQ(b.charged, 1);
	KTEST_CHECK_EQ(vs.tables, 1);
	KTEST_CHECK_EQ(vm_space_translate(&vs, 0x400000, &pa, NULL), -E_NOENT);
	b.left = 3;
	KTEST_CHECK_EQ(vm_space_map(&vs, 0x400000, frame, VM_READ), 0);
	KTEST_CHECK_EQ(b.charged, 4);
	KTEST_CHECK_EQ(vs.tables, 4);
	/* The next 2 MiB needs a page table of its own. */
	KTEST_CHECK_EQ(vm_space_map(&vs, 0x600000, frame, VM_READ), -E_NOMEM);
	KTEST_CHECK_EQ(vm_space_map(&vs, 0x401000, frame, VM_READ), 0);
	KTEST_CHECK_EQ(b.charged, 4);
	/* Unmapped and trimmed, the tables go back: the root stays. */
	KTEST_CHECK_EQ(vm_space_unmap(&vs, 0x400000, NULL), 0);
	vm_space_trim(&vs, 0x400000, 1);
	KTEST_CHECK_EQ(b.charged, 4); /* 0x401000 still there */
	KTEST_CHECK_EQ(vm_space_unmap(&vs, 0x401000, NULL), 0);
	vm_space_trim(&vs, 0x401000, 1);
	KTEST_CHECK_EQ(b.charged, 1);
	KTEST_CHECK_EQ(vs.tables, 1);
	KTEST_CHECK_EQ(vm_space_map(&vs, 0x600000, frame, VM_READ), 0);
	KTEST_CHECK_EQ(b.charged, 4);
	vm_space_destroy(&vs);
	KTEST_CHECK_EQ(b.charged, 0);
	pmm_free_frame(frame);
	pmm_get_stats(&after);
	KTEST_CHECK_EQ(after.free, before.free);
}
