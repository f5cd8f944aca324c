/*
 * Memory: exhaustion of a pool, Memory objects, shared memory through
 * Frames, and another process's memory out of reach.
 */
#include "themelios.h"
#include "utest/utest.h"

void
memory_exhaustion(void)
{
	uint64_t addr, total = 0;
	slot_t console = 1;

	CHECK(sys_map_anonymous(1ull << 40, MAP_WRITE, &addr), -E_NOMEM);
	CHECK(sys_map_anonymous(~0ull, MAP_WRITE, &addr), -E_NOMEM);
	for (uint64_t chunk = 64; chunk;) {
		long err = sys_map_anonymous(chunk, MAP_WRITE, &addr);

		if (err == -E_NOMEM) {
			chunk /= 2;
			continue;
		}
		CHECK(err, 0);
		if (err)
			break;
		for (uint64_t i = 0; i < chunk; i++)
			((volatile uint8_t *)addr)[i * 4096] = 1;
		total += chunk;
	}
	CHECK(total > 100, 1);
	/* The quota is spent: every request that needs memory says so. */
	CHECK(sys_map_anonymous(1, MAP_WRITE, &addr), -E_NOMEM);
	CHECK(sys_endpoint_create(2), -E_NOMEM);
	CHECK(spawn("utest", UT_H_IDLE, 20, 0, 0, &console, 1), -E_NOMEM);
	CHECK(malloc(100) == NULL, 1);
	/* What needs none still works. */
	CHECK(sys_cap_copy(1, 3), 0);
	printf("utest: memory exhaustion after %lu pages\n", total);
}

void
memory_objects(void)
{
	struct memory_info own, before, info;
	struct ipc_msg m;
	long pid;

	CHECK(sys_memory_info(CAP_SLOT_MEMORY, &before), 0);
	CHECK(before.limit, UTEST_QUOTA);
	CHECK(before.used > 0 && before.used < before.limit, 1);
	CHECK(sys_memory_split(CAP_SLOT_MEMORY, 2, 10), 0);
	CHECK(sys_memory_info(2, &info), 0);
	CHECK(info.limit, 10);
	CHECK(info.used, 0);
	CHECK(sys_memory_info(CAP_SLOT_MEMORY, &own), 0);
	CHECK(own.used, before.used + 10);
	CHECK(sys_memory_split(2, 3, 11), -E_NOMEM);
	CHECK(sys_memory_split(2, 3, 0), -E_INVAL);
	CHECK(sys_memory_split(2, 1, 1), -E_EXIST);
	CHECK(sys_memory_split(1, 3, 1), -E_TYPE);
	CHECK(sys_memory_split(CAP_SLOT_MEMORY, 3, 1ull << 60), -E_NOMEM);
	CHECK(sys_cap_mint(2, 4, RIGHT_READ, 0), 0);
	CHECK(sys_memory_split(4, 3, 1), -E_PERM);
	CHECK(sys_memory_info(2, (struct memory_info *)KERNEL_TEXT), -E_FAULT);
	/* Too small a pool for a process: refused, and nothing leaks. */
	CHECK(spawn("utest", UT_H_IDLE, 8, 0, 0, NULL, 0), -E_NOMEM);
	CHECK(sys_cap_delete(4), 0);
	CHECK(sys_cap_delete(2), 0);
	CHECK(sys_memory_info(CAP_SLOT_MEMORY, &own), 0);
	CHECK(own.used, before.used);
	/* A child's pool comes back when it has gone. */
	CHECK(sys_endpoint_create(5), 0);
	CHECK(sys_memory_info(CAP_SLOT_MEMORY, &before), 0);
	pid = spawn("utest", UT_H_IDLE, UT_IDLE_QUOTA, 5, 1, NULL, 0);
	CHECK(pid > 0, 1);
	CHECK(sys_memory_info(CAP_SLOT_MEMORY, &own), 0);
	CHECK(own.used, before.used + UT_IDLE_QUOTA);
	CHECK(await_report(5, &m), 0);
	sys_memory_info(CAP_SLOT_MEMORY, &own); /* the report waits for every page */
	CHECK(own.used, before.used);
	/* Reports nobody has read keep the ended children charged to us. */
	for (int i = 0; i < 3; i++)
		CHECK(spawn("utest", UT_H_IDLE, UT_IDLE_QUOTA, 5, 1, NULL, 0) > 0, 1);
	/* Running or ended, each holds its pool until its report is taken. */
	CHECK(sys_memory_info(CAP_SLOT_MEMORY, &own), 0);
	CHECK(own.used, before.used + 3 * UT_IDLE_QUOTA);
	for (int i = 0; i < 3; i++)
		CHECK(await_report(5, &m), 0);
	sys_memory_info(CAP_SLOT_MEMORY, &own);
	CHECK(own.used, before.used);
}

void
shared_memory(void)
{
	slot_t caps[2] = { 1, 2 };
	struct memory_info before, during, after;
	struct cap_info info;
	struct ipc_msg m;
	uint64_t addr, addr2;
	volatile uint64_t *p;

	CHECK(sys_memory_info(CAP_SLOT_MEMORY, &before), 0);
	CHECK(sys_frames_create(2, 2), 0);
	CHECK(sys_cap_inspect(2, &info), 0);
	CHECK(info.type, OBJ_FRAMES);
	CHECK(sys_memory_info(CAP_SLOT_MEMORY, &during), 0);
	CHECK(during.used, before.used + 3); /* two pages and the bookkeeping */
	CHECK(sys_frames_map(2, MAP_WRITE, &addr), 0);
	p = (volatile uint64_t *)addr;
	CHECK(p[0], 0); /* fresh pages are zero */
	p[0] = 0xfeed;
	p[512] = 0xbeef; /* the second page */
	/* Mapped twice, it is the same memory. */
	CHECK(sys_frames_map(2, 0, &addr2), 0);
	CHECK(*(volatile uint64_t *)addr2, 0xfeed);
	/* A child maps it too, reads, and answers through it. */
	CHECK(sys_endpoint_create(3), 0);
	CHECK(spawn("utest", UT_H_SHARED_CHILD, UT_IDLE_QUOTA, 3, 1, caps, 2) > 0, 1);
	CHECK(await_report(3, &m), 0);
	CHECK(m.label, PROCESS_EVENT_EXIT);
	CHECK(m.words[1], 0);
	CHECK(p[1], 0xfeed + 0xbeef);
	/* Read-only for a child with READ alone: its write faults. */
	CHECK(sys_cap_mint(2, 4, RIGHT_READ | RIGHT_COPY, 0), 0);
	caps[1] = 4;
	CHECK(spawn("utest", UT_H_SHARED_READONLY, UT_IDLE_QUOTA, 3, 2, caps, 2) > 0, 1);
	CHECK(await_report(3, &m), 0);
	CHECK_FAULT(&m, FAULT_KIND_MEMORY, FAULT_ACCESS_WRITE | FAULT_ACCESS_PRESENT, UT_MAP_BASE);
	CHECK(p[1], 0xfeed + 0xbeef);
	/* Arguments. */
	CHECK(sys_frames_map(4, MAP_WRITE, &addr2), -E_PERM);
	CHECK(sys_frames_map(1, 0, &addr2), -E_TYPE);
	CHECK(sys_frames_map(2, 0x4, &addr2), -E_INVAL);
	CHECK(sys_frames_map(2, 0, (uint64_t *)KERNEL_TEXT), -E_FAULT);
	CHECK(sys_frames_create(0, 5), -E_INVAL);
	CHECK(sys_frames_create(100000, 5), -E_RANGE);
	CHECK(sys_frames_create(FRAMES_MAX_PAGES, 5), 0);
	CHECK(sys_frames_create(FRAMES_MAX_PAGES, 6), -E_NOMEM); /* our pool is spent */
	CHECK(sys_cap_delete(5), 0);				 /* and back */
	CHECK(sys_frames_create(1, 1), -E_EXIST);
	/* The capability gone, the mappings keep the pages (and the charge). */
	CHECK(sys_cap_delete(4), 0);
	CHECK(sys_cap_delete(2), 0);
	CHECK(p[0], 0xfeed);
	/* (The children's pools came back before their reports.) */
	CHECK(sys_memory_info(CAP_SLOT_MEMORY, &after), 0);
	/* + the endpoint, + the page table under the mappings (our first) */
	CHECK(after.used, during.used + 2);
}

/* Maps the Frames in slot 2 and writes the sum of its two pages' first
 * words after the first. */
int
shared_child(void)
{
	uint64_t at;
	volatile uint64_t *sh;

	if (sys_frames_map(2, MAP_WRITE, &at))
		return 1;
	sh = (volatile uint64_t *)at;
	sh[1] = sh[0] + sh[512];
	return 0;
}

/* Holds the Frames with READ alone: maps them read-only, then writes. */
int
shared_readonly(void)
{
	uint64_t at;

	if (sys_frames_map(2, MAP_WRITE, &at) != -E_PERM || sys_frames_map(2, 0, &at))
		return 1;
	if (*(volatile uint64_t *)at != 0xfeed)
		return 2;
	*(volatile uint64_t *)at = 0; /* must fault */
	return 3;
}

void
other_process(void)
{
	struct ipc_msg m;
	uint64_t addr;
	long pid;

	CHECK(sys_map_anonymous(1, MAP_WRITE, &addr), 0);
	CHECK(addr, UT_MAP_BASE);
	*(volatile uint64_t *)addr = 0x5ec7e7;
	CHECK(sys_endpoint_create(3), 0);
	pid = spawn("utest", UT_H_READ_PARENT, UT_IDLE_QUOTA, 3, 1, NULL, 0);
	CHECK(pid > 0, 1);
	CHECK(await_report(3, &m), 0);
	CHECK_FAULT(&m, FAULT_KIND_MEMORY, FAULT_ACCESS_READ, UT_MAP_BASE);
	CHECK(*(volatile uint64_t *)addr, 0x5ec7e7);
}

/* Where its parent's page is, it has none. */
int
read_parent(void)
{
	return (int)*(volatile uint64_t *)UT_MAP_BASE;
}
