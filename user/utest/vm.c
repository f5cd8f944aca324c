/*
 * AddressSpace calls: vm_unmap and vm_protect, their arguments, regions
 * and charges, and the faults after them, of that process alone.
 */
#include "themelios.h"
#include "utest/utest.h"

#define PAGE	4096ull
#define SELF_AS CAP_SLOT_ADDRESS_SPACE
#define SPLITS	40 /* more than the old fixed table of 32 regions held */

void
vm_calls(void)
{
	struct cap_info info;
	uint64_t a, big, fa, fb, before, keep;
	volatile uint64_t *p;
	int n;

	CHECK(sys_cap_inspect(SELF_AS, &info), 0);
	CHECK(info.type, OBJ_ADDRESS_SPACE);
	/* A page that keeps the page table under the mappings below, so
	 * their counts are of pages alone (ptcharge.c counts tables). */
	CHECK(sys_map_anonymous(1, MAP_WRITE, &keep), 0);
	/* Anonymous pages go back to the pool as they are unmapped. */
	before = pool_used();
	CHECK(sys_map_anonymous(4, MAP_WRITE, &a), 0);
	CHECK(pool_used(), before + 4);
	p = (volatile uint64_t *)a;
	for (int i = 0; i < 4; i++)
		p[i * 512] = 0x100 + i;
	/* Arguments, capability, then the mapping. */
	CHECK(sys_vm_unmap(SELF_AS, a + 1, 1), -E_INVAL);
	CHECK(sys_vm_unmap(SELF_AS, a, 0), -E_INVAL);
	CHECK(sys_vm_unmap(SELF_AS, a, 1ull << 60), -E_RANGE);
	CHECK(sys_vm_unmap(SELF_AS, a, ~0ull), -E_RANGE);
	CHECK(sys_vm_unmap(SELF_AS, KERNEL_TEXT, 1), -E_RANGE);
	CHECK(sys_vm_protect(SELF_AS, a, ~0ull / PAGE, 0), -E_RANGE);
	CHECK(sys_vm_unmap(SELF_AS, UNMAPPED, 1), -E_NOENT);
	CHECK(sys_vm_unmap(SELF_AS, a + 3 * PAGE, 2), -E_NOENT); /* into the hole */
	CHECK(sys_vm_protect(SELF_AS, a - PAGE, 2, 0), -E_NOENT);
	CHECK(sys_vm_unmap(0, a, 1), -E_NOCAP);
	CHECK(sys_vm_unmap(9999, a, 1), -E_NOCAP);
	CHECK(sys_vm_protect(CAP_SLOTS, a, 1, 0), -E_NOCAP);
	CHECK(sys_vm_unmap(CAP_SLOT_MEMORY, a, 1), -E_TYPE);
	CHECK(sys_vm_protect(CAP_SLOT_CONSOLE, a, 1, 0), -E_TYPE);
	CHECK(sys_cap_mint(SELF_AS, 5, RIGHT_READ | RIGHT_COPY, 0), 0);
	CHECK(sys_vm_unmap(5, a, 1), -E_PERM);
	CHECK(sys_vm_protect(5, a, 1, 0), -E_PERM);
	/* Flags: W^X always; anonymous memory is never executable, code
	 * never writable. */
	CHECK(sys_vm_protect(SELF_AS, a, 1, 0x8), -E_INVAL);
	CHECK(sys_vm_protect(SELF_AS, a, 1, MAP_WRITE | MAP_EXEC), -E_PERM);
	CHECK(sys_vm_protect(SELF_AS, (uintptr_t)main & ~(PAGE - 1), 1, MAP_WRITE | MAP_EXEC),
	      -E_PERM);
	CHECK(sys_vm_protect(SELF_AS, a, 1, MAP_EXEC), -E_PERM);
	CHECK(sys_vm_protect(SELF_AS, (uintptr_t)main & ~(PAGE - 1), 1, MAP_WRITE), -E_PERM);
	CHECK(sys_vm_protect(SELF_AS, (uintptr_t)main & ~(PAGE - 1), 1, MAP_EXEC), 0);
	/* The middle of a region: the rest stays, the pages go back. */
	CHECK(sys_vm_unmap(SELF_AS, a + PAGE, 2), 0);
	CHECK(pool_used(), before + 2);
	CHECK(p[0], 0x100);
	CHECK(p[3 * 512], 0x103);
	CHECK(sys_vm_unmap(SELF_AS, a + PAGE, 1), -E_NOENT);
	/* Read-only and back; the contents stay. */
	CHECK(sys_vm_protect(SELF_AS, a, 1, 0), 0);
	CHECK(p[0], 0x100);
	CHECK(sys_vm_protect(SELF_AS, a, 1, MAP_WRITE), 0);
	p[0] = 0x200;
	CHECK(p[0], 0x200);
	CHECK(sys_vm_unmap(SELF_AS, a, 1), 0);
	CHECK(sys_vm_unmap(SELF_AS, a + 3 * PAGE, 1), 0);
	CHECK(pool_used(), before);
	/* Pieces of a split stay separate regions: a range over two is
	 * -E_NOENT. */
	CHECK(sys_map_anonymous(3, MAP_WRITE, &a), 0);
	CHECK(sys_vm_protect(SELF_AS, a + PAGE, 1, 0), 0);
	CHECK(sys_vm_protect(SELF_AS, a, 2, MAP_WRITE), -E_NOENT);
	CHECK(sys_vm_unmap(SELF_AS, a, 3), -E_NOENT);
	CHECK(sys_vm_unmap(SELF_AS, a, 1), 0);
	CHECK(sys_vm_unmap(SELF_AS, a + PAGE, 1), 0);
	CHECK(sys_vm_unmap(SELF_AS, a + 2 * PAGE, 1), 0);
	CHECK(pool_used(), before);

	/* Frames: WRITE only as far as the capability it was mapped
	 * through allows; never executable; pages alive while mapped. */
	CHECK(sys_frames_create(1, 6), 0);
	CHECK(sys_cap_mint(6, 7, RIGHT_READ | RIGHT_COPY, 0), 0);
	CHECK(sys_frames_map(7, 0, &fa), 0);
	CHECK(sys_frames_map(6, 0, &fb), 0);
	CHECK(sys_vm_protect(SELF_AS, fa, 1, MAP_WRITE), -E_PERM);
	CHECK(sys_vm_protect(SELF_AS, fb, 1, MAP_EXEC), -E_PERM);
	CHECK(sys_vm_protect(SELF_AS, fb, 1, MAP_WRITE), 0);
	*(volatile uint64_t *)fb = 0xf00d;
	CHECK(sys_vm_unmap(SELF_AS, fb, 1), 0);
	CHECK(sys_cap_delete(7), 0);
	CHECK(sys_cap_delete(6), 0);
	CHECK(*(volatile uint64_t *)fa, 0xf00d); /* the last mapping keeps them */
	CHECK(pool_used(), before + 2);
	CHECK(sys_vm_unmap(SELF_AS, fa, 1), 0);
	CHECK(pool_used(), before); /* nothing holds them now */

	/* No limit on regions: every other page read-only, each piece a
	 * region of its own; protected back, they join up into one again. */
	CHECK(sys_map_anonymous(2 * SPLITS, MAP_WRITE, &big), 0);
	for (n = 0; n < SPLITS; n++)
		CHECK(sys_vm_protect(SELF_AS, big + (2 * (uint64_t)n + 1) * PAGE, 1, 0), 0);
	*(volatile uint64_t *)big = 1;
	CHECK(*(volatile uint64_t *)(big + PAGE), 0);
	CHECK(sys_vm_protect(SELF_AS, big, 2, MAP_WRITE), -E_NOENT); /* over two regions */
	for (n = 0; n < SPLITS; n++)
		CHECK(sys_vm_protect(SELF_AS, big + (2 * (uint64_t)n + 1) * PAGE, 1, MAP_WRITE), 0);
	CHECK(sys_vm_protect(SELF_AS, big, 2 * SPLITS, MAP_WRITE), 0);
	*(volatile uint64_t *)(big + PAGE) = 2;
	CHECK(sys_vm_unmap(SELF_AS, big, 2 * SPLITS), 0);
}

/* Helpers that fault on what they unmapped or made read-only
 * themselves, and a child whose page its supervisor unmaps. */
int
unmapped_touch(void)
{
	uint64_t a;
	volatile uint64_t *p;

	if (sys_map_anonymous(3, MAP_WRITE, &a) || a != UT_MAP_BASE)
		return 1;
	p = (volatile uint64_t *)a;
	p[0] = p[512] = p[1024] = 1;
	if (sys_vm_unmap(SELF_AS, a + PAGE, 1))
		return 2;
	p[0] = p[1024] = 2; /* the rest is still there */
	p[512] = 3;	    /* must fault */
	return 3;
}

int
readonly_write(void)
{
	uint64_t a;
	volatile uint64_t *p;

	if (sys_map_anonymous(2, MAP_WRITE, &a) || a != UT_MAP_BASE)
		return 1;
	p = (volatile uint64_t *)a;
	p[0] = 0x77;
	if (sys_vm_protect(SELF_AS, a, 1, 0))
		return 2;
	if (p[0] != 0x77)
		return 3;
	p[512] = 1; /* its neighbour stays writable */
	p[0] = 0;   /* must fault */
	return 4;
}

int
vm_child(void)
{
	uint64_t a;

	if (sys_map_anonymous(1, MAP_WRITE, &a) || a != UT_MAP_BASE)
		return 1;
	*(volatile uint64_t *)a = 5;
	memset(&utest_msg, 0, sizeof(utest_msg));
	sys_recv(2, &utest_msg, 0);	     /* mapped: the supervisor may go on */
	sys_recv(2, &utest_msg, 0);	     /* the supervisor has unmapped it */
	return (int)*(volatile uint64_t *)a; /* must fault */
}

/* Helper id must fault with that access (FAULT_ACCESS_* bits) at addr. */
static void
expect_fault_at(uint64_t id, uint32_t access, uint64_t addr)
{
	struct ipc_msg m;
	long pid = spawn("utest", id, UT_IDLE_QUOTA, 3, id, NULL, 0);

	CHECK(pid > 0, 1);
	CHECK(await_report(3, &m), 0);
	CHECK_FAULT(&m, FAULT_KIND_MEMORY, access, addr);
	CHECK(m.badge, id);
	CHECK(m.words[0], pid);
}

void
vm_faults(void)
{
	struct ipc_msg m;
	long pid;

	CHECK(sys_endpoint_create(2), 0);
	CHECK(sys_endpoint_create(3), 0);
	expect_fault_at(UT_H_UNMAPPED_TOUCH, FAULT_ACCESS_WRITE, UT_MAP_BASE + PAGE);
	expect_fault_at(UT_H_READONLY_WRITE, FAULT_ACCESS_WRITE | FAULT_ACCESS_PRESENT,
			UT_MAP_BASE);
	/* A supervisor unmaps a child's page through its AddressSpace. */
	pid = spawn_with_process_cap(UT_H_VM_CHILD, 4);
	CHECK(pid > 0, 1);
	CHECK(sys_process_parts(4, 0, 5), 0);
	memset(&m, 0, sizeof(m));
	CHECK(sys_send(2, &m, 0), 0);
	CHECK(sys_vm_protect(5, UT_MAP_BASE, 1, 0), 0);
	CHECK(sys_vm_unmap(5, UT_MAP_BASE, 1), 0);
	CHECK(sys_vm_unmap(5, UT_MAP_BASE, 1), -E_NOENT);
	CHECK(sys_send(2, &m, 0), 0);
	CHECK(await_report(3, &m), 0);
	CHECK_FAULT(&m, FAULT_KIND_MEMORY, FAULT_ACCESS_READ, UT_MAP_BASE);
	CHECK(m.words[0], pid);
	CHECK(sys_vm_unmap(5, UT_MAP_BASE, 1), -E_DEAD);
	CHECK(sys_vm_protect(5, UT_MAP_BASE, 1, 0), -E_DEAD);
}

/* MAP_NOACCESS: a guard that keeps its data, which no system call reads
 * or writes (-E_FAULT); its read is a protection fault at the address
 * (cases.list). */
void
vm_noaccess(void)
{
	volatile uint64_t *p = (volatile uint64_t *)UNMAPPED;
	uint64_t va = UNMAPPED;

	CHECK(sys_vm_map(SELF_AS, UNMAPPED, 2, MAP_WRITE | MAP_FIXED, &va), 0);
	p[0] = 0x5eed;
	p[512] = 0xf00d;
	CHECK(sys_vm_protect(SELF_AS, UNMAPPED, 1, MAP_NOACCESS | MAP_WRITE), -E_INVAL);
	CHECK(sys_vm_protect(SELF_AS, UNMAPPED, 1, MAP_NOACCESS | MAP_EXEC), -E_INVAL);
	CHECK(sys_vm_protect(SELF_AS, UNMAPPED, 1, MAP_NOACCESS), 0);
	CHECK(p[512], 0xf00d); /* the page beside it is untouched */
	CHECK(sys_vm_protect(SELF_AS, UNMAPPED, 1, 0), 0);
	CHECK(p[0], 0x5eed);
	CHECK(sys_vm_protect(SELF_AS, UNMAPPED, 1, MAP_WRITE), 0);
	p[0] = 0x5eee;
	/* Never touched, then no access: a touch is refused all the same. */
	CHECK(sys_vm_map(SELF_AS, UNMAPPED + 4 * PAGE, 1, MAP_WRITE | MAP_FIXED, &va), 0);
	CHECK(sys_vm_protect(SELF_AS, UNMAPPED + 4 * PAGE, 1, MAP_NOACCESS), 0);
	CHECK(sys_vm_protect(SELF_AS, UNMAPPED, 1, MAP_NOACCESS), 0);
	/* The kernel's copies are refused the same, both ways, and for a
	 * buffer that runs into a guard from a page that may be read. */
	CHECK(sys_console_write(1, (const void *)UNMAPPED, 8), -E_FAULT);
	CHECK(sys_console_write(1, (const void *)(UNMAPPED + 4 * PAGE), 8), -E_FAULT);
	CHECK(sys_vm_map(SELF_AS, UNMAPPED + 3 * PAGE, 1, MAP_WRITE | MAP_FIXED, &va), 0);
	CHECK(sys_console_write(1, (const void *)(UNMAPPED + 4 * PAGE - 4), 8), -E_FAULT);
	CHECK(sys_random((void *)UNMAPPED, 16), -E_FAULT);
	CHECK(sys_random((void *)(UNMAPPED + 4 * PAGE), 16), -E_FAULT);
	CHECK(sys_cap_inspect(1, (void *)UNMAPPED), -E_FAULT);
	CHECK(sys_vm_protect(SELF_AS, UNMAPPED, 1, 0), 0);
	CHECK(p[0], 0x5eee); /* nothing written into it */
	CHECK(sys_vm_protect(SELF_AS, UNMAPPED, 1, MAP_NOACCESS), 0);
	(void)p[1]; /* the fault the case expects */
}
