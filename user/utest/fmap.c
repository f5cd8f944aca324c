/*
 * File mappings (vm_map_file): a file's pages in the page cache mapped
 * without copying, private (copy-on-write) or shared (writes reach the
 * file, and write() reaches the mappings); paid once; through a clone;
 * past the end of the file; bad arguments.  Slot 2 holds the root
 * Directory; what a case writes to the RAM layer it removes again.
 */
#include "themelios.h"
#include "utest/utest.h"

#define PAGE	       4096ull
#define SELF_AS	       CAP_SLOT_ADDRESS_SPACE
#define MEMORY	       CAP_SLOT_MEMORY
#define ROOT	       2
#define F	       10
#define F2	       11
#define KERNEL_ADDRESS 0xffffffff80000000ull

/* The byte at offset off of the files the cases make. */
static uint8_t
pattern(uint64_t off)
{
	return (uint8_t)(off * 7 + off / PAGE + 1);
}

/* A new file at path in the RAM layer with size bytes of pattern, open
 * in slot f for reading and writing. */
static void
make_file(const char *path, slot_t f, uint64_t size)
{
	uint8_t buf[512];

	CHECK(fs_open(ROOT, path, FS_O_CREAT | FS_O_EXCL, RIGHT_READ | RIGHT_WRITE, f), 0);
	for (uint64_t at = 0; at < size; at += sizeof(buf)) {
		uint64_t n = size - at < sizeof(buf) ? size - at : sizeof(buf);

		for (uint64_t i = 0; i < n; i++)
			buf[i] = pattern(at + i);
		CHECK(sys_fs_pwrite(f, buf, n, at), (long)n);
	}
}

/* The first offset in [0, len) where p differs from pattern, or len. */
static uint64_t
first_difference(const volatile uint8_t *p, uint64_t len)
{
	for (uint64_t i = 0; i < len; i++)
		if (p[i] != pattern(i))
			return i;
	return len;
}

static uint64_t
map_file(slot_t f, uint64_t off, uint64_t pages, uint64_t flags)
{
	uint64_t va = 0;

	CHECK(sys_vm_map_file(SELF_AS, f, off, pages, flags, &va), 0);
	return va;
}

void
file_map_private(void)
{
	uint8_t buf[PAGE];
	struct object_info oi;
	volatile uint8_t *p;
	uint64_t va, pages;
	long n;

	CHECK(fs_open(ROOT, "bin/echo", 0, RIGHT_READ, F), 0);
	CHECK(sys_object_info(F, &oi), 0);
	pages = (oi.size + PAGE - 1) / PAGE;
	CHECK(pages >= 2, 1);
	/* Arguments first, then the capabilities: nothing mapped. */
	va = 0;
	CHECK(sys_vm_map_file(SELF_AS, F, 1, 1, 0, &va), -E_INVAL); /* offset in a page */
	CHECK(sys_vm_map_file(SELF_AS, F, 0, 0, 0, &va), -E_INVAL);
	CHECK(sys_vm_map_file(SELF_AS, F, 0, 1, MAP_COMMIT, &va), -E_INVAL);
	CHECK(sys_vm_map_file(SELF_AS, F, 0, 1, MAP_WRITE | MAP_EXEC, &va), -E_PERM);
	CHECK(sys_vm_map_file(SELF_AS, F, 0, 1, 0, (uint64_t *)KERNEL_ADDRESS), -E_FAULT);
	va = PAGE; /* an address needs MAP_FIXED */
	CHECK(sys_vm_map_file(SELF_AS, F, 0, 1, 0, &va), -E_INVAL);
	va = KERNEL_ADDRESS;
	CHECK(sys_vm_map_file(SELF_AS, F, 0, 1, MAP_FIXED, &va), -E_RANGE);
	va = 0;
	CHECK(sys_vm_map_file(SELF_AS, ROOT, 0, 1, 0, &va), -E_TYPE);
	CHECK(sys_vm_map_file(MEMORY, F, 0, 1, 0, &va), -E_TYPE);
	CHECK(sys_vm_map_file(SELF_AS, 40, 0, 1, 0, &va), -E_NOCAP);
	CHECK(sys_vm_map_file(SELF_AS, F, 0, 1, MAP_EXEC, &va), -E_PERM); /* no EXECUTE */
	/* Shared and writable needs WRITE on the File. */
	CHECK(sys_vm_map_file(SELF_AS, F, 0, 1, MAP_SHARED | MAP_WRITE, &va), -E_PERM);
	CHECK(va, 0);
	/* Private: the file's bytes, zeros past its end in the last page. */
	p = (volatile uint8_t *)map_file(F, 0, pages, 0);
	CHECK((uint64_t)(uintptr_t)p, UT_MAP_BASE);
	for (uint64_t i = 0; i < pages; i++) {
		n = sys_fs_pread(F, buf, PAGE, i * PAGE);
		CHECK(n > 0, 1);
		CHECK(memcmp((const void *)(p + i * PAGE), buf, (size_t)n), 0);
		for (long j = n; j < (long)PAGE; j++)
			CHECK(p[i * PAGE + j], 0);
	}
	CHECK(p[0], 0x7f); /* an ELF file */
	/* Read-only now, writable later (a private copy), never executable. */
	CHECK(sys_vm_protect(SELF_AS, (uint64_t)(uintptr_t)p, 1, MAP_EXEC), -E_PERM);
	CHECK(sys_vm_protect(SELF_AS, (uint64_t)(uintptr_t)p, 1, MAP_WRITE), 0);
	p[1] = 'X';
	CHECK(p[1], 'X');
	CHECK(sys_fs_pread(F, buf, 4, 0), 4);
	CHECK(memcmp(buf,
		     "\x7f"
		     "ELF",
		     4),
	      0); /* the file is as it was */
	/* Read-only again, the pieces join (their file pages follow on). */
	CHECK(sys_vm_protect(SELF_AS, (uint64_t)(uintptr_t)p, 1, 0), 0);
	CHECK(p[1], 'X');
	/* A mapping from an offset, which another private one does not see. */
	va = map_file(F, PAGE, 1, MAP_WRITE);
	CHECK(sys_fs_pread(F, buf, PAGE, PAGE) > 0, 1);
	CHECK(((volatile uint8_t *)va)[17], buf[17]);
	CHECK(sys_vm_unmap(SELF_AS, va, 1), 0);
	CHECK(sys_vm_unmap(SELF_AS, (uint64_t)(uintptr_t)p, pages), 0);
	/* Code: EXECUTE on the File, mapped R+X, never writable. */
	CHECK(sys_fs_close(F), 0);
	CHECK(fs_open(ROOT, "bin/echo", 0, RIGHT_READ | RIGHT_EXECUTE, F), 0);
	va = map_file(F, 0, 1, MAP_EXEC);
	CHECK(((volatile uint8_t *)va)[1], 'E');
	CHECK(sys_vm_protect(SELF_AS, va, 1, MAP_WRITE), -E_PERM);
	CHECK(sys_vm_unmap(SELF_AS, va, 1), 0);
	CHECK(sys_fs_close(F), 0);
}

void
file_map_shared(void)
{
	uint8_t buf[64];
	volatile uint8_t *a, *b, *c;
	uint64_t t0, t1;
	struct fs_stat st;

	make_file("fmap-shared", F, 3 * PAGE);
	CHECK(fs_open(ROOT, "fmap-shared", 0, RIGHT_READ, F2), 0);
	/* read() into and write() from a mapping of the same file, whose
	 * pages are not cached yet: filling them reads the file, which must
	 * not wait for the lock the read or write holds. */
	c = (volatile uint8_t *)map_file(F, 0, 3, MAP_WRITE);
	CHECK(sys_fs_pread(F, (void *)(uintptr_t)(c + PAGE), 16, 0), 16);
	CHECK(c[PAGE] == pattern(0) && c[PAGE + 15] == pattern(15), 1);
	CHECK(c[PAGE + 16], pattern(PAGE + 16)); /* the rest of the copy: the file's */
	CHECK(sys_fs_pwrite(F, (const void *)(uintptr_t)(c + 2 * PAGE), 16, 2 * PAGE), 16);
	CHECK(sys_vm_unmap(SELF_AS, (uint64_t)(uintptr_t)c, 3), 0);
	t0 = pool_used();
	b = NULL;
	/* Shared and writable needs WRITE on the File. */
	CHECK(sys_vm_map_file(SELF_AS, F2, 0, 3, MAP_SHARED | MAP_WRITE, (uint64_t *)&b), -E_PERM);
	/* One page more than the file: it comes when the file grows. */
	a = (volatile uint8_t *)map_file(F, 0, 4, MAP_SHARED | MAP_WRITE);
	CHECK(pool_used(), t0); /* nothing until touched */
	CHECK(a[0], pattern(0));
	t1 = pool_used(); /* the page and its tables */
	CHECK(first_difference(a, 3 * PAGE), 3 * PAGE);
	CHECK(pool_used(), t1 + 2);
	/* A second mapping, read-only, of the same pages: paid once. */
	b = (volatile uint8_t *)map_file(F2, 0, 3, MAP_SHARED);
	CHECK(first_difference(b, 3 * PAGE), 3 * PAGE);
	CHECK(pool_used(), t1 + 2);
	CHECK(sys_vm_protect(SELF_AS, (uint64_t)(uintptr_t)b, 3, MAP_WRITE), -E_PERM);
	/* A write through one mapping is the file's: the other mapping and
	 * read() see it; a write() reaches both mappings. */
	a[PAGE + 1] = 0xa5;
	CHECK(b[PAGE + 1], 0xa5);
	CHECK(sys_fs_pread(F2, buf, 4, PAGE), 4);
	CHECK(buf[1], 0xa5);
	CHECK(sys_fs_pwrite(F, "mapped", 6, 2 * PAGE + 100), 6);
	CHECK(memcmp((const void *)(b + 2 * PAGE + 100), "mapped", 6), 0);
	CHECK(memcmp((const void *)(a + 2 * PAGE + 100), "mapped", 6), 0);
	/* Private: the file's page until written, then a copy of ours. */
	c = (volatile uint8_t *)map_file(F, 0, 3, MAP_WRITE);
	CHECK(c[PAGE + 1], 0xa5);
	CHECK(pool_used(), t1 + 2);
	c[PAGE + 1] = 0x5a;
	CHECK(pool_used(), t1 + 3);
	CHECK(a[PAGE + 1], 0xa5);
	CHECK(c[PAGE + 1], 0x5a);
	/* The page past the end comes with the file's growth. */
	CHECK(sys_fs_pwrite(F, "end", 3, 3 * PAGE), 3);
	CHECK(a[3 * PAGE], 'e');
	CHECK(a[3 * PAGE + 3], 0);
	CHECK(pool_used(), t1 + 4);
	a[3 * PAGE + 3] = '!';
	/* Unmapped, every page and table goes back; the file keeps what
	 * the mappings wrote. */
	CHECK(sys_vm_unmap(SELF_AS, (uint64_t)(uintptr_t)a, 4), 0);
	CHECK(sys_vm_unmap(SELF_AS, (uint64_t)(uintptr_t)b, 3), 0);
	CHECK(sys_vm_unmap(SELF_AS, (uint64_t)(uintptr_t)c, 3), 0);
	CHECK(pool_used(), t0);
	CHECK(sys_fs_close(F), 0);
	CHECK(sys_fs_close(F2), 0);
	CHECK(fs_open(ROOT, "fmap-shared", 0, RIGHT_READ, F), 0);
	CHECK(sys_fs_fstat(F, &st), 0);
	CHECK(st.size, 3 * PAGE + 3);
	CHECK(sys_fs_pread(F, buf, 4, PAGE), 4);
	CHECK(buf[0] == pattern(PAGE) && buf[1] == 0xa5 && buf[2] == pattern(PAGE + 2), 1);
	CHECK(sys_fs_pread(F, buf, 8, 3 * PAGE), 3); /* '!' was past the end */
	CHECK(memcmp(buf, "end", 3), 0);
	CHECK(sys_fs_close(F), 0);
	CHECK(sys_fs_unlink(ROOT, "fmap-shared", 11), 0);
}

/* What the clone's child finds and does. */
static volatile uint8_t *clone_shared, *clone_private;

static void __attribute__((noreturn)) fmap_child(uint64_t arg)
{
	long status = 0;

	(void)arg;
	if (clone_shared[PAGE] != pattern(PAGE))
		status |= 1;
	if (clone_private[0] != 'p') /* the copy made before the clone */
		status |= 2;
	if (clone_private[PAGE] != pattern(PAGE)) /* the file's page */
		status |= 4;
	clone_shared[8] = 'c';	   /* the file's */
	clone_private[PAGE] = 'q'; /* a copy of its own */
	if (clone_private[PAGE] != 'q' || clone_shared[8] != 'c')
		status |= 8;
	if (status)
		sys_exit(status);
	status = clone_shared[2 * PAGE]; /* past the end of the file: a fault */
	sys_exit(16 + status);
}

void
file_map_clone(void)
{
	struct ipc_msg m;
	uint64_t stack;
	uint8_t c;

	CHECK(sys_endpoint_create(3), 0);
	make_file("fmap-clone", F, 2 * PAGE);
	clone_shared = (volatile uint8_t *)map_file(F, 0, 3, MAP_SHARED | MAP_WRITE);
	clone_private = (volatile uint8_t *)map_file(F, 0, 2, MAP_WRITE);
	CHECK(clone_shared[0], pattern(0));
	clone_private[0] = 'p';
	stack = child_stack();
	CHECK(stack != 0, 1);
	CHECK(sys_memory_split(MEMORY, 5, 96), 0);
	CHECK(sys_as_clone(SELF_AS, 5, 6), 0);
	CHECK(spawn_in_clone(6, 5, fmap_child, 0, stack) > 0, 1);
	CHECK(await_report(3, &m), 0);
	CHECK_FAULT(&m, FAULT_KIND_MEMORY, FAULT_ACCESS_READ,
		    (uint64_t)(uintptr_t)clone_shared + 2 * PAGE);
	/* Its shared write is the file's; its private one its own. */
	CHECK(clone_shared[8], 'c');
	CHECK(sys_fs_pread(F, &c, 1, 8), 1);
	CHECK(c, 'c');
	CHECK(clone_private[PAGE], pattern(PAGE));
	CHECK(clone_private[0], 'p');
	/* A truncate reaches the mapped pages: zeros past the new end. */
	CHECK(sys_fs_truncate(F, PAGE + 10), 0);
	CHECK(clone_shared[8], 'c');
	CHECK(clone_shared[PAGE + 9], pattern(PAGE + 9));
	CHECK(clone_shared[PAGE + 10], 0);
	CHECK(clone_private[PAGE + 10], 0); /* the file's page, not a copy */
	CHECK(clone_private[0], 'p');	    /* a copy */
	/* With the clone gone, its pool still pays for the one file page
	 * it mapped first (page 1), which we map too: paid once, by its
	 * first mapper, until the last mapping goes. */
	CHECK(sys_cap_delete(6), 0);
	CHECK(pool_used_of(5), 1);
	CHECK(sys_vm_unmap(SELF_AS, (uint64_t)(uintptr_t)clone_shared, 3), 0);
	CHECK(sys_vm_unmap(SELF_AS, (uint64_t)(uintptr_t)clone_private, 2), 0);
	CHECK(pool_used_of(5), 0);
	CHECK(sys_cap_delete(5), 0);
	CHECK(sys_fs_close(F), 0);
	CHECK(sys_fs_unlink(ROOT, "fmap-clone", 10), 0);
}

#define POOR_FILE_PAGES 100 /* pages of the file the poor child reads */

/* Reads page after page of a file mapping no one else has touched: each
 * first mapping is its pool's to pay, until it cannot. */
static void __attribute__((noreturn)) poor_reader(uint64_t arg)
{
	volatile const uint8_t *p = (volatile const uint8_t *)arg;
	long sum = 0;

	for (uint64_t i = 0; i < POOR_FILE_PAGES; i++)
		sum += p[i * PAGE];
	sys_exit(1 + (sum & 0)); /* must not get here */
}

void
file_map_exhaustion(void)
{
	struct ipc_msg m;
	uint64_t va, stack;
	volatile uint8_t *p;
	long pid;

	CHECK(sys_endpoint_create(3), 0);
	make_file("fmap-poor", F, POOR_FILE_PAGES * PAGE);
	va = map_file(F, 0, POOR_FILE_PAGES, MAP_SHARED);
	stack = child_stack();
	CHECK(stack != 0, 1);
	CHECK(sys_memory_split(MEMORY, 5, POOR_FILE_PAGES / 2), 0);
	CHECK(sys_as_clone(SELF_AS, 5, 6), 0);
	pid = spawn_in_clone(6, 5, poor_reader, va, stack);
	CHECK(pid > 0, 1);
	CHECK(await_report(3, &m), 0);
	CHECK_FAULT(&m, FAULT_KIND_MEMORY, FAULT_ACCESS_READ, m.words[2]);
	CHECK(m.words[0], pid);
	CHECK(m.words[2] > va && m.words[2] < va + POOR_FILE_PAGES * PAGE, 1);
	/* Its pages went with it: we map and pay for them all. */
	CHECK(sys_cap_delete(6), 0);
	CHECK(pool_used_of(5), 0);
	CHECK(sys_cap_delete(5), 0);
	p = (volatile uint8_t *)va;
	CHECK(first_difference(p, POOR_FILE_PAGES * PAGE), POOR_FILE_PAGES * PAGE);
	CHECK(sys_vm_unmap(SELF_AS, va, POOR_FILE_PAGES), 0);
	CHECK(sys_fs_close(F), 0);
	CHECK(sys_fs_unlink(ROOT, "fmap-poor", 9), 0);
}
