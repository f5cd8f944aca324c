/*
 * Faults, interrupts and time, tested on the running machine: every
 * deliberate fault is caught with a named report, interrupts are
 * counted, the clock advances, and timer events fire in order and never
 * early.
 */
#include "arch/arch.h"
#include "core/fault.h"
#include "core/irq.h"
#include "core/printk.h"
#include "core/time.h"
#include "ktest/ktest.h"
#include "lib/string.h"
#include "themelios/errno.h"

static void
crash(void *what)
{
	arch_crash(what);
}

static void
no_fault(void *arg)
{
	*(int *)arg = 42;
}

KTEST(fault_catch_names_each_fault)
{
	static const struct {
		const char *what, *name;
	} cases[] = {
#ifdef __x86_64__
		{ "divzero", "divide error" },	{ "ud", "invalid opcode" },
		{ "pagefault", "page fault" },	{ "gpf", "general protection fault" },
		{ "breakpoint", "breakpoint" },
#elif defined(__aarch64__)
		{ "ud", "undefined instruction" },
		{ "pagefault", "data abort" },
		{ "breakpoint", "breakpoint" },
#endif
	};
	struct fault_info fi;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&fi, 0, sizeof(fi));
		KTEST_CHECK_EQ(fault_catch(crash, (void *)cases[i].what, &fi), 1);
		KTEST_CHECK(fi.name && !strcmp(fi.name, cases[i].name));
		KTEST_CHECK(arch_is_kernel_address(fi.pc));
		printk("    crash=%s: ", cases[i].what);
		fault_print(&fi);
	}
}

KTEST(fault_catch_page_fault_details)
{
	struct fault_info fi;

	KTEST_CHECK_EQ(fault_catch(crash, "pagefault", &fi), 1);
	KTEST_CHECK(fi.has_addr);
	KTEST_CHECK(arch_is_kernel_address(fi.addr));
	/* A read, from the kernel, of nothing mapped. */
	KTEST_CHECK_EQ(fi.access, FAULT_READ);
}

KTEST(fault_catch_without_fault)
{
	struct fault_info fi;
	int x = 0;

	KTEST_CHECK_EQ(fault_catch(no_fault, &x, &fi), 0);
	KTEST_CHECK_EQ(x, 42);
}

/* The interrupt flag comes back as it was, whichever way it was. */
KTEST(fault_catch_restores_interrupt_flag)
{
	struct fault_info fi;
	unsigned long flags = arch_irq_save();

	KTEST_CHECK_EQ(fault_catch(crash, "ud", &fi), 1);
	KTEST_CHECK(!arch_irq_enabled());
	arch_irq_enable();
	KTEST_CHECK_EQ(fault_catch(crash, "ud", &fi), 1);
	KTEST_CHECK(arch_irq_enabled());
	arch_irq_disable();
	arch_irq_restore(flags);
}

/* A kernel stack overflow ends in a double fault on its own stack: a
 * report, not a triple fault and a silent reboot.  Needs the guard page
 * below the boot stack (kernel page tables). */
KTEST(stack_overflow_is_caught)
{
	struct fault_info fi;

	memset(&fi, 0, sizeof(fi));
	KTEST_CHECK_EQ(fault_catch(crash, "stackoverflow", &fi), 1);
	KTEST_CHECK(fi.name != NULL);
	if (fi.name)
		printk("    overflow reported as: %s\n", fi.name);
}

#ifdef IRQ_VECTOR_SELF_TEST /* the arch has a vector for self-IPI tests */
static void
dummy_handler(struct arch_regs *regs, void *ctx)
{
	(void)regs;
	(void)ctx;
}

KTEST(irq_register_checks)
{
	static int dummy;
	irq_handler_t fn = dummy_handler;

	KTEST_CHECK_EQ(irq_register(IRQ_VECTORS, "x", fn, NULL), -E_INVAL);
	KTEST_CHECK_EQ(irq_register(IRQ_VECTOR_SELF_TEST, "x", NULL, NULL), -E_INVAL);
	KTEST_CHECK_EQ(irq_register(IRQ_VECTOR_SELF_TEST, "x", fn, &dummy), 0);
	KTEST_CHECK_EQ(irq_register(IRQ_VECTOR_SELF_TEST, "x", fn, &dummy), -E_BUSY);
	irq_unregister(IRQ_VECTOR_SELF_TEST);
	KTEST_CHECK_EQ(irq_count(IRQ_VECTORS + 5), 0);
}

#endif

/* Waits with interrupts enabled until *flag is set or timeout_ns pass. */
static bool
wait_for(volatile unsigned int *flag, unsigned int want, uint64_t timeout_ns)
{
	unsigned long flags = arch_irq_save();
	uint64_t end = time_now_ns() + timeout_ns;

	arch_irq_enable();
	while (*flag < want && time_now_ns() < end)
		arch_cpu_relax();
	arch_irq_disable();
	arch_irq_restore(flags);
	return *flag >= want;
}

#ifdef IRQ_VECTOR_SELF_TEST
static volatile unsigned int ipi_seen;
static void *ipi_ctx_seen;

static void
ipi_handler(struct arch_regs *regs, void *ctx)
{
	KTEST_CHECK(regs != NULL);
	KTEST_CHECK(irq_in_handler());
	ipi_ctx_seen = ctx;
	ipi_seen++;
}

KTEST(self_ipi_is_dispatched_and_counted)
{
	static int token;
	uint64_t before = irq_count(IRQ_VECTOR_SELF_TEST);

	ipi_seen = 0;
	KTEST_CHECK_EQ(irq_register(IRQ_VECTOR_SELF_TEST, "ktest IPI", ipi_handler, &token), 0);
	for (int i = 0; i < 3; i++)
		arch_irq_send_self(IRQ_VECTOR_SELF_TEST);
	KTEST_CHECK(wait_for(&ipi_seen, 1, 100 * NSEC_PER_MSEC));
	KTEST_CHECK(ipi_ctx_seen == &token);
	KTEST_CHECK(irq_count(IRQ_VECTOR_SELF_TEST) - before == ipi_seen);
	irq_unregister(IRQ_VECTOR_SELF_TEST);
	KTEST_CHECK(!irq_in_handler());
}
#endif

KTEST(clock_advances_monotonically)
{
	uint64_t t0 = time_now_ns(), prev = t0, t1;
	bool monotonic = true;

	KTEST_CHECK(time_ready());
	for (int i = 0; i < 10000; i++) {
		uint64_t t = time_now_ns();
		if (t < prev)
			monotonic = false;
		prev = t;
	}
	KTEST_CHECK(monotonic);
	time_delay_ns(2 * NSEC_PER_MSEC);
	t1 = time_now_ns();
	KTEST_CHECK(t1 - t0 >= 2 * NSEC_PER_MSEC);
	KTEST_CHECK(t1 - t0 < 2 * NSEC_PER_SEC);
}

struct fired {
	uint64_t at;
	volatile unsigned int *count;
	int order;
};

static volatile unsigned int fire_count;
static int fire_log[16];

static void
record_fire(void *ctx)
{
	struct fired *f = ctx;

	f->at = time_now_ns();
	fire_log[fire_count % 16] = f->order;
	(*f->count)++;
}

/* The acceptance check: an event 10 ms out fires, and not early. */
KTEST(timer_event_10ms_not_early)
{
	struct time_event ev;
	struct fired f = { 0, &fire_count, 0 };
	uint64_t deadline, before = time_interrupts();

	memset(&ev, 0, sizeof(ev));
	fire_count = 0;
	deadline = time_now_ns() + 10 * NSEC_PER_MSEC;
	time_event_arm(&ev, deadline, record_fire, &f);
	KTEST_CHECK(time_event_armed(&ev));
	KTEST_CHECK(wait_for(&fire_count, 1, NSEC_PER_SEC));
	KTEST_CHECK(f.at >= deadline);
	KTEST_CHECK(!time_event_armed(&ev));
	KTEST_CHECK(time_interrupts() > before);
	printk("    10 ms event fired %lu us late; %lu timer interrupts so far\n",
	       (f.at - deadline) / 1000, time_interrupts());
}

KTEST(timer_events_fire_in_deadline_order)
{
	enum {
		N = 8
	};
	static const unsigned int offsets_ms[N] = { 17, 3, 11, 3, 25, 7, 1, 14 };
	struct time_event ev[N];
	struct fired f[N];
	uint64_t base = time_now_ns() + 2 * NSEC_PER_MSEC;
	bool ordered = true, early = false;

	memset(ev, 0, sizeof(ev));
	fire_count = 0;
	for (int i = 0; i < N; i++) {
		f[i] = (struct fired){ 0, &fire_count, i };
		time_event_arm(&ev[i], base + offsets_ms[i] * NSEC_PER_MSEC, record_fire, &f[i]);
	}
	KTEST_CHECK(wait_for(&fire_count, N, NSEC_PER_SEC));
	for (int i = 0; i < N; i++) {
		if (f[i].at < base + offsets_ms[i] * NSEC_PER_MSEC)
			early = true;
		if (i > 0 && offsets_ms[fire_log[i]] < offsets_ms[fire_log[i - 1]])
			ordered = false;
	}
	KTEST_CHECK(!early);
	KTEST_CHECK(ordered);
	/* Equal deadlines fire in the order armed (1 before 3). */
	for (int i = 0; i < N; i++)
		if (fire_log[i] == 1 || fire_log[i] == 3) {
			KTEST_CHECK_EQ(fire_log[i], 1);
			break;
		}
}

KTEST(timer_event_cancel_and_rearm)
{
	struct time_event ev, late;
	struct fired f = { 0, &fire_count, 0 };
	uint64_t now = time_now_ns();

	memset(&ev, 0, sizeof(ev));
	memset(&late, 0, sizeof(late));
	fire_count = 0;
	KTEST_CHECK(!time_event_cancel(&ev)); /* never armed */
	time_event_arm(&ev, now + 5 * NSEC_PER_MSEC, record_fire, &f);
	KTEST_CHECK(time_event_cancel(&ev));
	KTEST_CHECK(!time_event_cancel(&ev));
	/* An event far away does not hold back a nearer one. */
	time_event_arm(&late, now + 100 * NSEC_PER_SEC, record_fire, &f);
	KTEST_CHECK(!wait_for(&fire_count, 1, 20 * NSEC_PER_MSEC));
	/* Re-arming moves an armed event. */
	time_event_arm(&ev, now + 500 * NSEC_PER_SEC, record_fire, &f);
	time_event_arm(&ev, time_now_ns() + 2 * NSEC_PER_MSEC, record_fire, &f);
	KTEST_CHECK(wait_for(&fire_count, 1, NSEC_PER_SEC));
	KTEST_CHECK(time_event_cancel(&late));
	KTEST_CHECK_EQ(fire_count, 1);
}

/* An event that re-arms itself from its own callback keeps going. */
static struct time_event self_ev;
static volatile unsigned int self_count;

static void
self_rearm(void *ctx)
{
	(void)ctx;
	if (++self_count < 5)
		time_event_arm(&self_ev, time_now_ns() + NSEC_PER_MSEC, self_rearm, NULL);
}

KTEST(timer_event_rearms_from_callback)
{
	self_count = 0;
	time_event_arm(&self_ev, time_now_ns() + NSEC_PER_MSEC, self_rearm, NULL);
	KTEST_CHECK(wait_for(&self_count, 5, NSEC_PER_SEC));
	KTEST_CHECK(!time_event_armed(&self_ev));
}
