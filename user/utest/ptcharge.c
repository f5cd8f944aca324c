/*
 * Page tables are paid for by the process whose address space holds
 * them.  The numbers here are exact because the layout is known: a
 * case's first mapping is at UT_MAP_BASE (2 MiB-aligned), the next ones
 * at the lowest free place with a one-page hole on each side, and
 * everything below 2 GiB already has its page directories (the program
 * at 4 MiB, the stack below 2 GiB); vm_map with MAP_FIXED places the
 * rest.  So a mapping in a fresh 2 MiB area costs its pages and one
 * page table, and an unmap that empties the table gives both back.
 */
#include "themelios.h"
#include "utest/utest.h"

#define PAGE	     4096ull
#define AREA	     (2ull << 20) /* what one page table maps */
#define SELF_AS	     CAP_SLOT_ADDRESS_SPACE
#define MEMORY	     CAP_SLOT_MEMORY
/* The spreading child: its program, stack and pages in areas of their
 * own, and more than room enough for SPREAD_AREAS of them (it gives the
 * rest away first). */
#define SPREAD_QUOTA 160
#define SPREAD_AREAS 16

/* pages committed pages at exactly va: 0, or the error. */
static long
map_at(uint64_t va, uint64_t pages)
{
	uint64_t got;
	long err = sys_vm_map(SELF_AS, va, pages, MAP_WRITE | MAP_FIXED | MAP_COMMIT, &got);

	return err ? err : got == va ? 0 : -1;
}

/* Our own mappings, counted exactly. */
static void
own_mappings(void)
{
	uint64_t before, a, b;

	before = pool_used_of(MEMORY);
	/* The first mapping: a fresh area, so its page and a page table. */
	CHECK(sys_map_anonymous(1, MAP_WRITE, &a), 0);
	CHECK(a, UT_MAP_BASE);
	CHECK(pool_used_of(MEMORY), before + 2);
	/* The next shares the table. */
	CHECK(sys_map_anonymous(1, MAP_WRITE, &b), 0);
	CHECK(b, a + 2 * PAGE);
	CHECK(pool_used_of(MEMORY), before + 3);
	/* Unmapped, the pages go at once, the table with its last page. */
	CHECK(sys_vm_unmap(SELF_AS, a, 1), 0);
	CHECK(pool_used_of(MEMORY), before + 2);
	CHECK(sys_vm_unmap(SELF_AS, b, 1), 0);
	CHECK(pool_used_of(MEMORY), before);
	/* A freed range is reused: the first place again. */
	CHECK(sys_map_anonymous(1, MAP_WRITE, &a), 0);
	CHECK(a, UT_MAP_BASE);
	CHECK(sys_vm_unmap(SELF_AS, a, 1), 0);
	CHECK(pool_used_of(MEMORY), before);
	/* Eight pages over the end of the area: two tables. */
	a = UT_MAP_BASE + AREA - 4 * PAGE;
	CHECK(map_at(a, 8), 0);
	CHECK(pool_used_of(MEMORY), before + 8 + 2);
	((volatile uint64_t *)a)[0] = 1;
	((volatile uint64_t *)a)[7 * 512] = 8;
	/* Protecting changes no table; unmapping the half in the second
	 * area empties its table. */
	CHECK(sys_vm_protect(SELF_AS, a, 8, 0), 0);
	CHECK(pool_used_of(MEMORY), before + 10);
	CHECK(sys_vm_unmap(SELF_AS, a + 4 * PAGE, 4), 0);
	CHECK(pool_used_of(MEMORY), before + 4 + 1);
	CHECK(((volatile uint64_t *)a)[0], 1);
	CHECK(sys_vm_unmap(SELF_AS, a, 4), 0);
	CHECK(pool_used_of(MEMORY), before);
}

/*
 * A child with a quota too small for the tables of what it maps: one
 * page in each of many areas.  It has the pages, not the tables:
 * -E_NOMEM halfway, and its pool (and so ours) comes back whole.
 */
static void
spreading_child(void)
{
	slot_t console = CAP_SLOT_CONSOLE; /* for its CHECKs */
	struct ipc_msg m;
	uint64_t before = pool_used_of(MEMORY);
	long pid = spawn("utest", UT_H_PT_SPREAD_CHILD, SPREAD_QUOTA, 3, 1, &console, 1);

	CHECK(pid > 0, 1);
	CHECK(pool_used_of(MEMORY), before + SPREAD_QUOTA);
	CHECK(await_report(3, &m), 0);
	CHECK(m.label, PROCESS_EVENT_EXIT);
	CHECK(m.words[0], pid);
	CHECK(m.words[1], 0);
	CHECK(pool_used_of(MEMORY), before); /* whole once the report is in */
}

/*
 * The smallest pool a process can start with covers its tables too:
 * anything less is refused with nothing kept, and with exactly that
 * much it starts with its pool full.
 */
static void
smallest_spawn(void)
{
	slot_t console = CAP_SLOT_CONSOLE;
	struct ipc_msg m;
	uint64_t before = pool_used_of(MEMORY), quota;
	long pid = -E_NOMEM;
	int kept = 0;

	for (quota = 1; quota < 200 && pid == -E_NOMEM; quota++) {
		pid = spawn("utest", UT_H_PT_FULL_CHILD, quota, 3, 2, &console, 1);
		if (pid == -E_NOMEM)
			kept += pool_used_of(MEMORY) != before;
	}
	CHECK(kept, 0);
	CHECK(pid > 0, 1);
	CHECK(await_report(3, &m), 0);
	CHECK(m.label, PROCESS_EVENT_EXIT);
	CHECK(m.words[1], 0);
	CHECK(pool_used_of(MEMORY), before); /* whole once the report is in */
	printf("utest: the smallest process takes %lu pages\n", quota - 1);
}

/* Frames a supervisor maps into a child: the frames stay the
 * supervisor's, the tables under them are the child's. */
static void
map_into_child(void)
{
	struct spawn_args sa;
	struct memory_info child;
	struct ipc_msg m;
	uint64_t before, mine, theirs, addr;
	long pid;

	CHECK(sys_endpoint_create(2), 0);
	before = pool_used_of(MEMORY);
	CHECK(sys_memory_split(MEMORY, 5, UT_IDLE_QUOTA), 0);
	memset(&sa, 0, sizeof(sa));
	sa.name = "utest";
	sa.name_len = 5;
	sa.memory = 5;		/* we keep a capability to its pool */
	sa.arg = UT_H_NO_REPLY; /* waits for a message on its slot 2 */
	sa.supervisor = 3;
	sa.supervisor_badge = 3;
	sa.process_slot = 4;
	sa.ncaps = 2;
	sa.caps[0] = CAP_SLOT_CONSOLE;
	sa.caps[1] = 2;
	pid = sys_spawn(&sa);
	CHECK(pid > 0, 1);
	CHECK(sys_process_parts(4, 0, 6), 0);
	CHECK(sys_frames_create(1, 7), 0);
	mine = pool_used_of(MEMORY);
	theirs = pool_used_of(5);
	CHECK(sys_frames_map_into(6, 7, 0, &addr), 0);
	CHECK(addr, UT_MAP_BASE); /* its first mapping: a fresh area */
	CHECK(pool_used_of(5), theirs + 1);
	CHECK(pool_used_of(MEMORY), mine);
	CHECK(sys_vm_unmap(6, addr, 1), 0);
	CHECK(pool_used_of(5), theirs);
	/* Its pool full: refused, nothing mapped, nothing charged to us. */
	CHECK(sys_memory_info(5, &child), 0);
	CHECK(sys_memory_split(5, 8, child.limit - child.used), 0);
	CHECK(sys_frames_map_into(6, 7, 0, &addr), -E_NOMEM);
	CHECK(sys_vm_unmap(6, UT_MAP_BASE, 1), -E_NOENT);
	CHECK(pool_used_of(MEMORY), mine);
	CHECK(sys_cap_delete(8), 0);
	CHECK(sys_frames_map_into(6, 7, 0, &addr), 0);
	CHECK(addr, UT_MAP_BASE); /* the freed range again */
	CHECK(pool_used_of(5), theirs + 1);
	/* It ends with the mapping in place: all of it comes back. */
	memset(&m, 0, sizeof(m));
	CHECK(sys_send(2, &m, 0), 0);
	CHECK(await_report(3, &m), 0);
	CHECK(m.label, PROCESS_EVENT_EXIT);
	CHECK(m.words[0], pid);
	for (slot_t s = 4; s <= 7; s++)
		CHECK(sys_cap_delete(s), 0);
	CHECK(pool_used_of(MEMORY), before); /* whole once the report is in */
}

void
page_table_charges(void)
{
	CHECK(sys_endpoint_create(3), 0);
	own_mappings();
	spreading_child();
	smallest_spawn();
	map_into_child();
}

/*
 * The spreading child: one page in each fresh area until the pool says
 * no.  It keeps room for SPREAD_AREAS pages and one table fewer, so the
 * old kernel (tables free) would map them all; here the last map that
 * works is half that, and the one after gets its page but not its table.
 */
int
pt_spread_child(void)
{
	struct memory_info mi;
	uint64_t next = UT_MAP_BASE, start, used, n = 0;
	long err;

	CHECK(sys_memory_info(MEMORY, &mi), 0);
	CHECK(mi.limit - mi.used > 2 * SPREAD_AREAS, 1);
	CHECK(sys_memory_split(MEMORY, 8, mi.limit - mi.used - (2 * SPREAD_AREAS - 1)), 0);
	start = used = pool_used_of(MEMORY);
	CHECK(start, mi.limit - (2 * SPREAD_AREAS - 1));
	while ((err = map_at(next, 1)) == 0) {
		used += 2;
		CHECK(pool_used_of(MEMORY), used);
		*(volatile uint64_t *)next = next;
		n++;
		next += AREA;
	}
	CHECK(err, -E_NOMEM);
	CHECK(n, SPREAD_AREAS - 1);	   /* the pages were there, not the tables */
	CHECK(pool_used_of(MEMORY), used); /* the refused map took nothing */
	CHECK(sys_vm_unmap(SELF_AS, next, 1), -E_NOENT);
	for (uint64_t i = 0; i < n; i++)
		CHECK(*(volatile uint64_t *)(UT_MAP_BASE + i * AREA), UT_MAP_BASE + i * AREA);
	/* An unmap gives back a page and its table: room for one more. */
	CHECK(sys_vm_unmap(SELF_AS, UT_MAP_BASE, 1), 0);
	CHECK(pool_used_of(MEMORY), used - 2);
	CHECK(map_at(next, 1), 0);
	CHECK(pool_used_of(MEMORY), used);
	/* All of them: back to the start, table for table. */
	for (uint64_t i = 1; i < n; i++)
		CHECK(sys_vm_unmap(SELF_AS, UT_MAP_BASE + i * AREA, 1), 0);
	CHECK(sys_vm_unmap(SELF_AS, next, 1), 0);
	CHECK(pool_used_of(MEMORY), start);
	return utest_failures;
}

/* Started with the smallest pool that works: it is all in use. */
int
pt_full_child(void)
{
	struct memory_info mi;
	uint64_t va;

	CHECK(sys_memory_info(MEMORY, &mi), 0);
	CHECK(mi.used, mi.limit);
	CHECK(sys_map_anonymous(1, MAP_WRITE, &va), -E_NOMEM);
	return utest_failures;
}
