/*
 * vm_copy: copy-on-write copies of one range (Mach's vm_copy, Zircon's
 * snapshot child), within our own space and into a clone that a child
 * runs: each side sees only its own writes from the copy on, a page is
 * paid once until a side writes it (then the writer pays for its copy),
 * and every bad argument, missing right and region that cannot be
 * copied is refused.  Slot 2 holds the root Directory.
 */
#include "themelios.h"
#include "utest/utest.h"

#define PAGE	    4096ull
#define SELF_AS	    CAP_SLOT_ADDRESS_SPACE
#define MEMORY	    CAP_SLOT_MEMORY
#define ROOT	    2
#define F	    10
#define NO_READ	    7 /* our space without READ */
#define NO_WRITE    8 /* our space without WRITE */
#define FRAMES	    9
#define PAGES	    8
#define FIXED_AT    0x100000000000ull /* 16 TiB: far from everything else */
#define CLONE_QUOTA 64
#if defined(__x86_64__)
#define USER_TOP 0x0000800000000000ull
#else
#define USER_TOP 0x0001000000000000ull
#endif

static uint64_t
word(uint64_t va, uint64_t page)
{
	return ((volatile uint64_t *)va)[page * PAGE / 8];
}

static void
set_word(uint64_t va, uint64_t page, uint64_t v)
{
	((volatile uint64_t *)va)[page * PAGE / 8] = v;
}

/* In the clone: the copy at arg holds what the source held at the copy
 * (the parent wrote page 2 since), and its own write stays its own. */
static void __attribute__((noreturn)) copy_child(uint64_t arg)
{
	long status = 0;

	for (uint64_t i = 0; i < PAGES; i++)
		if (word(arg, i) != 200 + i)
			status |= 1;
	set_word(arg, 0, 0xdead);
	if (word(arg, 0) != 0xdead)
		status |= 2;
	sys_exit(status);
}

/* Arguments, rights and regions a copy cannot take: nothing is made. */
static void
bad_copies(uint64_t src)
{
	uint64_t before = pool_used(), d = 0, fr, fm;

	CHECK(sys_vm_copy(SELF_AS, src, PAGES, SELF_AS, 0x100, &d), -E_INVAL);
	CHECK(sys_vm_copy(SELF_AS, src + 1, PAGES, SELF_AS, 0, &d), -E_INVAL);
	CHECK(sys_vm_copy(SELF_AS, src, 0, SELF_AS, 0, &d), -E_INVAL);
	CHECK(sys_vm_copy(SELF_AS, src, 1ull << 60, SELF_AS, 0, &d), -E_RANGE);
	CHECK(sys_vm_copy(SELF_AS, ~0xfffull, 2, SELF_AS, 0, &d), -E_RANGE);
	CHECK(sys_vm_copy(SELF_AS, KERNEL_TEXT, 1, SELF_AS, 0, &d), -E_RANGE);
	d = FIXED_AT; /* an address needs MAP_FIXED */
	CHECK(sys_vm_copy(SELF_AS, src, PAGES, SELF_AS, 0, &d), -E_INVAL);
	d = FIXED_AT + 1;
	CHECK(sys_vm_copy(SELF_AS, src, PAGES, SELF_AS, MAP_FIXED, &d), -E_INVAL);
	d = KERNEL_TEXT;
	CHECK(sys_vm_copy(SELF_AS, src, PAGES, SELF_AS, MAP_FIXED, &d), -E_RANGE);
	d = USER_TOP - PAGE; /* the range would leave user space */
	CHECK(sys_vm_copy(SELF_AS, src, PAGES, SELF_AS, MAP_FIXED, &d), -E_RANGE);
	d = 0;
	CHECK(sys_vm_copy(SELF_AS, src, PAGES, SELF_AS, MAP_FIXED, &d), -E_RANGE); /* page 0 */
	d = src + PAGE; /* over the source itself */
	CHECK(sys_vm_copy(SELF_AS, src, PAGES, SELF_AS, MAP_FIXED, &d), -E_EXIST);
	d = 0;
	CHECK(sys_vm_copy(SELF_AS, src, PAGES + 1, SELF_AS, 0, &d), -E_NOENT); /* past it */
	CHECK(sys_vm_copy(SELF_AS, src - PAGE, 2, SELF_AS, 0, &d), -E_NOENT);  /* its guard */
	CHECK(sys_vm_copy(SELF_AS, FIXED_AT, 1, SELF_AS, 0, &d), -E_NOENT);    /* nothing */
	CHECK(sys_vm_copy(SELF_AS, src, 1, SELF_AS, 0, (uint64_t *)KERNEL_TEXT), -E_FAULT);
	/* Capabilities: types, READ on the source, WRITE on the destination. */
	CHECK(sys_vm_copy(MEMORY, src, 1, SELF_AS, 0, &d), -E_TYPE);
	CHECK(sys_vm_copy(SELF_AS, src, 1, MEMORY, 0, &d), -E_TYPE);
	CHECK(sys_vm_copy(SELF_AS, src, 1, 200, 0, &d), -E_NOCAP);
	CHECK(sys_cap_mint(SELF_AS, NO_READ, RIGHT_WRITE, 0), 0);
	CHECK(sys_cap_mint(SELF_AS, NO_WRITE, RIGHT_READ, 0), 0);
	CHECK(sys_vm_copy(NO_READ, src, 1, SELF_AS, 0, &d), -E_PERM);
	CHECK(sys_vm_copy(SELF_AS, src, 1, NO_WRITE, 0, &d), -E_PERM);
	d = 0; /* READ is enough on the source, WRITE on the destination */
	CHECK(sys_vm_copy(NO_WRITE, src, 1, NO_READ, 0, &d), 0);
	CHECK(word(d, 0), word(src, 0));
	CHECK(sys_vm_unmap(SELF_AS, d, 1), 0);
	CHECK(sys_cap_delete(NO_READ), 0);
	CHECK(sys_cap_delete(NO_WRITE), 0);
	/* Frames are shared memory already: no copy-on-write of them. */
	CHECK(sys_frames_create(1, FRAMES), 0);
	CHECK(sys_frames_map(FRAMES, MAP_WRITE, &fr), 0);
	d = 0;
	CHECK(sys_vm_copy(SELF_AS, fr, 1, SELF_AS, 0, &d), -E_NOTSUP);
	CHECK(sys_vm_unmap(SELF_AS, fr, 1), 0);
	CHECK(sys_cap_delete(FRAMES), 0);
	/* Nor a shared file mapping (the file's pages themselves). */
	CHECK(fs_open(ROOT, "bin/echo", 0, RIGHT_READ, F), 0);
	fm = 0;
	CHECK(sys_vm_map_file(SELF_AS, F, 0, 1, MAP_SHARED, &fm), 0);
	CHECK(sys_vm_copy(SELF_AS, fm, 1, SELF_AS, 0, &d), -E_NOTSUP);
	CHECK(sys_vm_unmap(SELF_AS, fm, 1), 0);
	CHECK(sys_fs_close(F), 0);
	CHECK(pool_used(), before);
}

/* A private file mapping copies too: the file's page mapped in both, a
 * write in one a private page of its own. */
static void
file_copy(void)
{
	uint64_t fm = 0, d = 0;

	CHECK(fs_open(ROOT, "bin/echo", 0, RIGHT_READ, F), 0);
	CHECK(sys_vm_map_file(SELF_AS, F, 0, 2, MAP_WRITE, &fm), 0);
	CHECK(((volatile uint8_t *)fm)[1], 'E'); /* the file's page, present */
	CHECK(sys_vm_copy(SELF_AS, fm, 2, SELF_AS, 0, &d), 0);
	CHECK(((volatile uint8_t *)d)[1], 'E');
	((volatile uint8_t *)d)[1] = 'X';
	CHECK(((volatile uint8_t *)fm)[1], 'E');
	CHECK(((volatile uint8_t *)d)[1], 'X');
	CHECK(((volatile uint8_t *)d + PAGE)[0], ((volatile uint8_t *)fm + PAGE)[0]);
	CHECK(sys_vm_unmap(SELF_AS, d, 2), 0);
	CHECK(sys_vm_unmap(SELF_AS, fm, 2), 0);
	CHECK(sys_fs_close(F), 0);
}

void
cow_copy(void)
{
	struct ipc_msg m;
	uint64_t src, d = 0, fixed, t, before, stack, c;
	long pid;

	/* Lazy: every page but the last touched. */
	CHECK(sys_vm_map(SELF_AS, 0, PAGES, MAP_WRITE, &src), 0);
	for (uint64_t i = 0; i + 1 < PAGES; i++)
		set_word(src, i, 100 + i);
	bad_copies(src);
	/* Within our space: the pages are shared, not paid again. */
	before = pool_used();
	CHECK(sys_vm_copy(SELF_AS, src, PAGES, SELF_AS, 0, &d), 0);
	CHECK(d != src && d != 0, 1);
	t = pool_used();
	CHECK(t - before <= 2, 1); /* a page table or two at most */
	for (uint64_t i = 0; i + 1 < PAGES; i++)
		CHECK(word(d, i), 100 + i);
	/* A write to the copy copies its page, paid by us (the copy's
	 * pool); the source's page is its alone again: writable, no copy. */
	set_word(d, 0, 1);
	CHECK(pool_used(), t + 1);
	set_word(src, 0, 2);
	CHECK(pool_used(), t + 1);
	CHECK(word(d, 0), 1);
	CHECK(word(src, 0), 2);
	/* A write to the source copies it; the copy keeps the old value. */
	set_word(src, 1, 3);
	CHECK(pool_used(), t + 2);
	CHECK(word(d, 1), 101);
	/* A page untouched at the copy is made in each on its own. */
	set_word(src, PAGES - 1, 4);
	CHECK(word(d, PAGES - 1), 0);
	/* At a fixed address, a part of the range. */
	fixed = FIXED_AT;
	CHECK(sys_vm_copy(SELF_AS, src + 2 * PAGE, 3, SELF_AS, MAP_FIXED, &fixed), 0);
	CHECK(fixed, FIXED_AT);
	CHECK(word(fixed, 0), 102);
	CHECK(word(fixed, 2), 104);
	CHECK(sys_vm_copy(SELF_AS, src, 1, SELF_AS, MAP_FIXED, &fixed), -E_EXIST);
	/* Copies of copies. */
	d = 0;
	CHECK(sys_vm_copy(SELF_AS, fixed, 3, SELF_AS, 0, &d), 0);
	set_word(fixed, 1, 5);
	CHECK(word(d, 1), 103);
	CHECK(sys_vm_unmap(SELF_AS, d, 3), 0);
	CHECK(sys_vm_unmap(SELF_AS, fixed, 3), 0);
	file_copy();

	/* Into a clone, read and written by a child run in it: it pays for
	 * what it writes; our writes after the copy stay ours. */
	for (uint64_t i = 0; i < PAGES; i++)
		set_word(src, i, 200 + i);
	CHECK(sys_endpoint_create(3), 0);
	stack = child_stack();
	CHECK(stack != 0, 1);
	CHECK(sys_memory_split(MEMORY, 5, CLONE_QUOTA), 0);
	CHECK(sys_as_clone(SELF_AS, 5, 6), 0);
	d = 0;
	CHECK(sys_vm_copy(SELF_AS, src, PAGES, 6, 0, &d), 0);
	set_word(src, 2, 0x7777);
	c = pool_used_of(5);
	pid = spawn_in_clone(6, 5, copy_child, d, stack);
	CHECK(pid > 0, 1);
	CHECK(await_report(3, &m), 0);
	CHECK(m.label, PROCESS_EVENT_EXIT);
	CHECK(m.words[1], 0);
	CHECK(word(src, 0), 200);
	CHECK(word(src, 2), 0x7777);
	/* Its stack page and its copy of page 0 (its process went with it). */
	CHECK(pool_used_of(5), c + 2);
	CHECK(sys_cap_delete(6), 0);
	CHECK(pool_used_of(5), 0);
	CHECK(sys_cap_delete(5), 0);
	CHECK(sys_vm_unmap(SELF_AS, src, PAGES), 0);
}
