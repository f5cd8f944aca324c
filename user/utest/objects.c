/*
 * The generic object calls (docs/capabilities.md, "Object types and
 * their operations"): readiness through object_bind and object_signals
 * on a Process, and object_info, object_read and object_write through
 * the operations table; every bad input a clear error.  The IRQ's
 * readiness is in device.c (it needs the device-control capability).
 */
#include "themelios.h"
#include "utest/utest.h"

#define SUP	  20 /* supervisor endpoint */
#define CHILD	  21 /* the child's Process capability */
#define NOTE	  22 /* notifications */
#define NOTE2	  23
#define WEAK	  24 /* a capability with fewer rights */
#define FRAMES	  25
#define SPARE	  26 /* NOTE_BUSY .. NOTE_BUSY + 4: more notifications */
#define NOTE_BUSY 30

#define NS_PER_S  1000000000ull

static long
wait_briefly(slot_t n, uint64_t *word)
{
	return sys_wait_until(n, (uint64_t)sys_clock_ns() + 5 * NS_PER_S, word);
}

/* Bad slots, wrong types, missing rights, bad signals and bits. */
static void
bind_refusals(void)
{
	CHECK(sys_notification_create(NOTE), 0);
	/* Bad slots: 0, empty, out of range, both sides. */
	CHECK(sys_object_bind(0, NOTE, SIGNAL_ENDED, 1), -E_NOCAP);
	CHECK(sys_object_bind(SPARE, NOTE, SIGNAL_ENDED, 1), -E_NOCAP);
	CHECK(sys_object_bind(1ull << 40, NOTE, SIGNAL_ENDED, 1), -E_NOCAP);
	CHECK(sys_object_bind(CHILD, 0, SIGNAL_ENDED, 1), -E_NOCAP);
	CHECK(sys_object_bind(CHILD, SPARE, SIGNAL_ENDED, 1), -E_NOCAP);
	CHECK(sys_object_signals(0), -E_NOCAP);
	CHECK(sys_object_signals(~0ull), -E_NOCAP);
	/* Wrong types: a type without signals, a target that is no Notification. */
	CHECK(sys_object_bind(CAP_SLOT_CONSOLE, NOTE, SIGNAL_READABLE, 1), -E_TYPE);
	CHECK(sys_object_bind(CAP_SLOT_MEMORY, NOTE, SIGNAL_READABLE, 1), -E_TYPE);
	CHECK(sys_object_bind(NOTE, NOTE, SIGNAL_READABLE, 1), -E_TYPE);
	CHECK(sys_object_bind(CHILD, CAP_SLOT_CONSOLE, SIGNAL_ENDED, 1), -E_TYPE);
	CHECK(sys_object_bind(CHILD, CHILD, SIGNAL_ENDED, 1), -E_TYPE);
	CHECK(sys_object_signals(CAP_SLOT_CONSOLE), -E_TYPE);
	CHECK(sys_object_signals(NOTE), -E_TYPE);
	/* Missing rights: READ on the object, WRITE on the Notification. */
	CHECK(sys_cap_mint(CHILD, WEAK, RIGHT_WRITE, 0), 0);
	CHECK(sys_object_bind(WEAK, NOTE, SIGNAL_ENDED, 1), -E_PERM);
	CHECK(sys_object_signals(WEAK), -E_PERM);
	CHECK(sys_cap_delete(WEAK), 0);
	CHECK(sys_cap_mint(NOTE, WEAK, RIGHT_READ, 0), 0);
	CHECK(sys_object_bind(CHILD, WEAK, SIGNAL_ENDED, 1), -E_PERM);
	CHECK(sys_cap_delete(WEAK), 0);
	/* Signals the type never asserts, bits 0, signals beyond 32 bits. */
	CHECK(sys_object_bind(CHILD, NOTE, SIGNAL_READABLE, 1), -E_INVAL);
	CHECK(sys_object_bind(CHILD, NOTE, SIGNAL_IRQ, 1), -E_INVAL);
	CHECK(sys_object_bind(CHILD, NOTE, SIGNAL_ENDED, 0), -E_INVAL);
	CHECK(sys_object_bind(CHILD, NOTE, 1ull << 35, 1), -E_INVAL);
	/* Unbinding what is not bound, and twice. */
	CHECK(sys_object_bind(CHILD, NOTE, 0, 0), -E_NOENT);
	CHECK(sys_object_bind(CHILD, NOTE, SIGNAL_ENDED, 1), 0);
	CHECK(sys_object_bind(CHILD, NOTE, 0, 0), 0);
	CHECK(sys_object_bind(CHILD, NOTE, 0, 0), -E_NOENT);
	CHECK(sys_cap_delete(NOTE), 0);
}

/* At most 4 Notifications per object; one bound may still change. */
static void
bind_limit(void)
{
	for (slot_t s = NOTE_BUSY; s < NOTE_BUSY + 5; s++)
		CHECK(sys_notification_create(s), 0);
	for (slot_t s = NOTE_BUSY; s < NOTE_BUSY + 4; s++)
		CHECK(sys_object_bind(CHILD, s, SIGNAL_ENDED, 1), 0);
	CHECK(sys_object_bind(CHILD, NOTE_BUSY + 4, SIGNAL_ENDED, 1), -E_BUSY);
	CHECK(sys_object_bind(CHILD, NOTE_BUSY, SIGNAL_ENDED, 2), 0);
	/* A Notification whose last capability goes leaves its binding. */
	CHECK(sys_cap_delete(NOTE_BUSY + 1), 0);
	CHECK(sys_object_bind(CHILD, NOTE_BUSY + 4, SIGNAL_ENDED, 1), 0);
	for (slot_t s = NOTE_BUSY; s < NOTE_BUSY + 5; s++)
		if (s != NOTE_BUSY + 1)
			CHECK(sys_cap_delete(s), 0);
}

/*
 * A Process asserts SIGNAL_ENDED when it ends: a Notification bound
 * before hears it; one bound after hears it at once (level).
 */
void
object_readiness(void)
{
	struct ipc_msg m;
	uint64_t word = 0;
	long pid;

	CHECK(sys_endpoint_create(SUP), 0);
	pid = spawn_held(UT_H_WAIT_FOREVER, UT_IDLE_QUOTA, SUP, 7, NULL, 0, CHILD);
	CHECK(pid > 0, 1);
	bind_refusals();
	bind_limit();
	CHECK(sys_object_signals(CHILD), 0);
	CHECK(sys_notification_create(NOTE), 0);
	CHECK(sys_object_bind(CHILD, NOTE, SIGNAL_ENDED, 1ull << 5), 0);
	CHECK(sys_wait(NOTE, IPC_NONBLOCK, &word), -E_AGAIN);
	CHECK(sys_process_kill(CHILD), 0);
	CHECK(wait_briefly(NOTE, &word), 0);
	CHECK(word, 1ull << 5);
	CHECK(sys_object_signals(CHILD), SIGNAL_ENDED);
	/* Level: bound after the end, signalled at once; again on a rebind. */
	CHECK(sys_notification_create(NOTE2), 0);
	CHECK(sys_object_bind(CHILD, NOTE2, SIGNAL_ENDED, 3), 0);
	word = 0;
	CHECK(sys_wait(NOTE2, IPC_NONBLOCK, &word), 0);
	CHECK(word, 3);
	CHECK(sys_object_bind(CHILD, NOTE2, SIGNAL_ENDED, 4), 0);
	CHECK(sys_wait(NOTE2, IPC_NONBLOCK, &word), 0);
	CHECK(word, 4);
	CHECK(await_report(SUP, &m), 0);
	CHECK(m.words[0], pid);
	/* After a revoke the derived capability is gone: -E_NOCAP. */
	CHECK(sys_cap_copy(CHILD, WEAK), 0);
	CHECK(sys_cap_revoke(CHILD), 0);
	CHECK(sys_object_bind(WEAK, NOTE, SIGNAL_ENDED, 1), -E_NOCAP);
	/* The Process's last capability takes its bindings with it: the
	 * Notifications are free to go (init's audit checks every page). */
	CHECK(sys_cap_delete(CHILD), 0);
	CHECK(sys_object_bind(CHILD, NOTE, 0, 0), -E_NOCAP);
	CHECK(sys_cap_delete(NOTE), 0);
	CHECK(sys_cap_delete(NOTE2), 0);
	CHECK(sys_cap_delete(SUP), 0);
}

/* object_info, object_read and object_write through the table. */
void
object_operations(void)
{
	struct object_info info;
	struct memory_info mi;
	uint64_t va = 0, bva = 0;
	char *buf;

	/* A buffer of its own: static storage would grow every helper the
	 * suite spawns with a small quota. */
	CHECK(sys_map_anonymous(3, MAP_WRITE, &bva), 0);
	if (!bva)
		return;
	buf = (char *)bva;

	/* info: any type, READ. */
	CHECK(sys_object_info(CAP_SLOT_CONSOLE, &info), 0);
	CHECK(info.type, OBJ_CONSOLE);
	CHECK(info.signals, 0);
	CHECK(info.size, 0);
	CHECK(sys_object_info(CAP_SLOT_MEMORY, &info), 0);
	CHECK(sys_memory_info(CAP_SLOT_MEMORY, &mi), 0);
	CHECK(info.type, OBJ_MEMORY);
	CHECK(info.size, mi.limit * 4096);
	CHECK(info.used > 0, 1);
	CHECK(sys_object_info(0, &info), -E_NOCAP);
	CHECK(sys_object_info(CAP_SLOT_CONSOLE, (struct object_info *)KERNEL_TEXT), -E_FAULT);
	CHECK(sys_object_info(CAP_SLOT_CONSOLE, NULL), -E_FAULT);
	CHECK(sys_frames_create(2, FRAMES), 0);
	CHECK(sys_object_info(FRAMES, &info), 0);
	CHECK(info.type, OBJ_FRAMES);
	CHECK(info.size, 2 * 4096);
	CHECK(sys_cap_mint(FRAMES, WEAK, RIGHT_WRITE, 0), 0);
	CHECK(sys_object_info(WEAK, &info), -E_PERM);
	/* Frames: bytes at an offset, across a page, clipped at the end. */
	for (int i = 0; i < 100; i++)
		buf[i] = (char)(i + 1);
	CHECK(sys_object_write(FRAMES, 4096 - 50, buf, 100), 100);
	CHECK(sys_object_write(FRAMES, 2 * 4096 - 10, buf, 100), 10);
	CHECK(sys_object_write(FRAMES, 2 * 4096, buf, 100), 0);
	CHECK(sys_object_write(FRAMES, ~0ull, buf, 100), 0);
	CHECK(sys_object_read(WEAK, 0, buf, 10), -E_PERM);
	CHECK(sys_object_write(WEAK, 0, buf, 0), 0);
	CHECK(sys_cap_delete(WEAK), 0);
	CHECK(sys_cap_mint(FRAMES, WEAK, RIGHT_READ, 0), 0);
	CHECK(sys_object_write(WEAK, 0, buf, 10), -E_PERM);
	CHECK(sys_cap_delete(WEAK), 0);
	for (int i = 0; i < 100; i++)
		buf[i] = 0;
	CHECK(sys_object_read(FRAMES, 4096 - 50, buf, 3 * 4096), 4096 + 50);
	CHECK(buf[0], 1);
	CHECK(buf[99], 100);
	CHECK(buf[4096 + 40], 1);
	CHECK(buf[4096 + 49], 10);
	CHECK(sys_frames_map(FRAMES, 0, &va), 0);
	CHECK(va != 0, 1);
	if (va)
		CHECK(((volatile char *)va)[4096 + 49], 100);
	/* Bad buffers: kernel, wrapping, unmapped (the copy faults). */
	CHECK(sys_object_read(FRAMES, 0, (void *)KERNEL_TEXT, 10), -E_FAULT);
	CHECK(sys_object_read(FRAMES, 0, (void *)~0ull, 10), -E_FAULT);
	CHECK(sys_object_read(FRAMES, 0, (void *)UNMAPPED, 10), -E_FAULT);
	CHECK(sys_object_write(FRAMES, 0, (void *)UNMAPPED, 10), -E_FAULT);
	/* Types without read or write: -E_TYPE. */
	CHECK(sys_object_read(CAP_SLOT_CONSOLE, 0, buf, 10), -E_TYPE);
	CHECK(sys_object_read(CAP_SLOT_MEMORY, 0, buf, 10), -E_TYPE);
	CHECK(sys_object_write(CAP_SLOT_MEMORY, 0, buf, 10), -E_TYPE);
	CHECK(sys_object_read(0, 0, buf, 10), -E_NOCAP);
	/* The console takes text through the same call. */
	CHECK(sys_object_write(CAP_SLOT_CONSOLE, 0, "", 0), 0);
	CHECK(sys_object_write(CAP_SLOT_CONSOLE, 0, buf, CONSOLE_WRITE_MAX + 1), -E_RANGE);
	CHECK(sys_cap_delete(FRAMES), 0);
	if (va)
		CHECK(sys_vm_unmap(CAP_SLOT_ADDRESS_SPACE, va, 2), 0);
}
