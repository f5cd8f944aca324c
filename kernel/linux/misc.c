/*
 * Process, time and system calls: exit, ids, uname, clocks and sleeps,
 * getrandom, sysinfo, limits and the TLS pointer (signals are in
 * signal.c, timers in timer.c; docs/linux.md).
 */
#include "arch/arch.h"
#include "asm/layout.h"
#include "core/random.h"
#include "core/time.h"
#include "core/wall_clock.h"
#include "lib/string.h"
#include "linux/cpuclock.h"
#include "linux/errno.h"
#include "linux/futex.h"
#include "linux/proc.h"
#include "linux/signal.h"
#include "mm/pmm.h"
#include "mm/vm_flags.h"
#include "object/memory.h"
#include "object/process.h"
#include "proc/uaccess.h"
#include "sched/thread.h"
#include "themelios/abi.h"
#include "themelios/errno.h"

#define NSEC 1000000000ull

long
lx_sys_getpid(struct syscall_args *a)
{
	(void)a;
	return (long)lx_current()->pid;
}

/* Root inside, with no privilege behind it: every id is 0. */
long
lx_sys_getuid(struct syscall_args *a)
{
	(void)a;
	return 0;
}

long
lx_sys_geteuid(struct syscall_args *a)
{
	(void)a;
	return 0;
}

long
lx_sys_getgid(struct syscall_args *a)
{
	(void)a;
	return 0;
}

long
lx_sys_getegid(struct syscall_args *a)
{
	(void)a;
	return 0;
}

#define LX_PR_SET_NAME 15
#define LX_PR_GET_NAME 16

/* The name /proc shows (busybox names its applets so): the process's,
 * where Linux keeps one per thread.  Other options: EINVAL, as Linux
 * answers an option it does not know. */
long
lx_sys_prctl(struct syscall_args *a)
{
	struct linux_proc *lp = lx_current();
	char name[sizeof(lp->comm)];

	if (a->a[0] == LX_PR_SET_NAME) {
		/* Cut to 15 bytes, as Linux does. */
		size_t n = 0;

		while (n < sizeof(name) - 1) {
			if (copy_from_user(&name[n], a->a[1] + n, 1))
				return -LX_EFAULT;
			if (!name[n])
				break;
			n++;
		}
		name[n] = '\0';
		mutex_lock(&lp->lock);
		memcpy(lp->comm, name, sizeof(name));
		mutex_unlock(&lp->lock);
		return 0;
	}
	if (a->a[0] == LX_PR_GET_NAME) {
		mutex_lock(&lp->lock);
		linux_comm(lp, name);
		mutex_unlock(&lp->lock);
		return copy_to_user(a->a[1], name, sizeof(name)) ? -LX_EFAULT : 0;
	}
	return -LX_EINVAL;
}

/* rseq is optional: glibc and musl go on without it. */
long
lx_sys_rseq(struct syscall_args *a)
{
	(void)a;
	return -LX_ENOSYS;
}

#define LX_ARCH_SET_GS 0x1001
#define LX_ARCH_SET_FS 0x1002
#define LX_ARCH_GET_FS 0x1003
#define LX_ARCH_GET_GS 0x1004

/* x86_64 only (its list): the FS base is the TLS pointer. */
long
lx_sys_arch_prctl(struct syscall_args *a)
{
	unsigned long flags;
	uint64_t v;

	switch (a->a[0]) {
	case LX_ARCH_SET_FS:
		if (a->a[1] >= USER_SPACE_END)
			return -LX_EPERM;
		flags = arch_irq_save(); /* the state and the register change together */
		arch_tls_set(&thread_current()->tls, a->a[1]);
		arch_irq_restore(flags);
		return 0;
	case LX_ARCH_GET_FS:
		v = arch_tls_saved(&thread_current()->tls);
		return copy_to_user(a->a[1], &v, sizeof(v)) ? -LX_EFAULT : 0;
	case LX_ARCH_SET_GS:
	case LX_ARCH_GET_GS:
		return -LX_EINVAL; /* GS belongs to the kernel's per-CPU data */
	default:
		return -LX_EINVAL;
	}
}

struct lx_utsname {
	char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
};

long
lx_sys_uname(struct syscall_args *a)
{
	struct lx_utsname u;

	memset(&u, 0, sizeof(u));
	strlcpy(u.sysname, "Linux", sizeof(u.sysname));
	strlcpy(u.nodename, "themelios", sizeof(u.nodename));
	/* A release glibc accepts (it checks for a minimum kernel). */
	strlcpy(u.release, "6.1.0-themelios", sizeof(u.release));
	strlcpy(u.version, "#1 SMP ThemeliOS", sizeof(u.version));
	strlcpy(u.machine, LINUX_MACHINE, sizeof(u.machine));
	strlcpy(u.domainname, "(none)", sizeof(u.domainname));
	return copy_to_user(a->a[0], &u, sizeof(u)) ? -LX_EFAULT : 0;
}

/* ---- time ---- */

#define LX_CLOCK_REALTIME	  0
#define LX_CLOCK_MONOTONIC	  1
#define LX_CLOCK_MONOTONIC_RAW	  4
#define LX_CLOCK_REALTIME_COARSE  5
#define LX_CLOCK_MONOTONIC_COARSE 6
#define LX_CLOCK_BOOTTIME	  7
#define LX_TIMER_ABSTIME	  1

struct lx_timespec {
	int64_t sec, nsec;
};

/*
 * CLOCK_REALTIME and its coarse twin are the wall clock (UTC, from the
 * real-time clock at boot: core/wall_clock.h); the CPU-time clocks
 * (linux/cpuclock.h) count a process's or a thread's CPU time
 * (linux/cputime.c); the others count from boot.  A clock id is an int:
 * the upper half of its register does not count, as on Linux.
 */
static bool
realtime(int32_t clock)
{
	return clock == LX_CLOCK_REALTIME || clock == LX_CLOCK_REALTIME_COARSE;
}

static int
clock_ns(uint64_t clock, uint64_t *ns)
{
	int32_t id = (int32_t)clock;
	struct lx_cpuclock cc;

	if (lx_cpuclock_decode(id, &cc))
		return (int)linux_cpu_clock_get(id, ns);
	if (id > LX_CLOCK_BOOTTIME)
		return -LX_EINVAL;
	*ns = realtime(id) ? wall_clock_ns() : time_now_ns();
	return 0;
}

static long
put_timespec(uintptr_t u, uint64_t ns)
{
	struct lx_timespec ts = { (int64_t)(ns / NSEC), (int64_t)(ns % NSEC) };

	return copy_to_user(u, &ts, sizeof(ts)) ? -LX_EFAULT : 0;
}

long
lx_sys_clock_gettime(struct syscall_args *a)
{
	uint64_t ns;
	int err = clock_ns(a->a[0], &ns);

	return err ? err : put_timespec(a->a[1], ns);
}

long
lx_sys_clock_getres(struct syscall_args *a)
{
	int32_t id = (int32_t)a->a[0];
	struct lx_cpuclock cc;
	uint64_t ns, res = 1;
	long err = lx_cpuclock_decode(id, &cc) ? linux_cpu_clock_res(id, &res)
					       : clock_ns(a->a[0], &ns);

	if (err)
		return err;
	return a->a[1] ? put_timespec(a->a[1], res) : 0;
}

/* Setting the clock takes a privilege no program here holds; a CPU
 * clock cannot be set at all (Linux: EINVAL for 2 and 3, EPERM for the
 * others it finds). */
long
lx_sys_clock_settime(struct syscall_args *a)
{
	int32_t id = (int32_t)a->a[0];
	uint64_t ns;

	if (id == LX_CLOCK_PROCESS_CPUTIME_ID || id == LX_CLOCK_THREAD_CPUTIME_ID)
		return -LX_EINVAL;
	return clock_ns(a->a[0], &ns) ? -LX_EINVAL : -LX_EPERM;
}

long
lx_sys_settimeofday(struct syscall_args *a)
{
	(void)a;
	return -LX_EPERM;
}

long
lx_sys_gettimeofday(struct syscall_args *a)
{
	uint64_t ns = wall_clock_ns();
	struct {
		int64_t sec, usec;
	} tv = { (int64_t)(ns / NSEC), (int64_t)(ns % NSEC / 1000) };
	static const int32_t tz[2];

	if (a->a[0] && copy_to_user(a->a[0], &tv, sizeof(tv)))
		return -LX_EFAULT;
	if (a->a[1] && copy_to_user(a->a[1], tz, sizeof(tz)))
		return -LX_EFAULT;
	return 0;
}

long
lx_sys_time(struct syscall_args *a)
{
	int64_t t = (int64_t)(wall_clock_ns() / NSEC);

	if (a->a[0] && copy_to_user(a->a[0], &t, sizeof(t)))
		return -LX_EFAULT;
	return t;
}

/* Sleeps until deadline (time_now_ns) or a signal: -EINTR, and the
 * time left in rem (a user address; 0: none) as Linux gives it. */
static long
sleep_until(uint64_t deadline, uintptr_t rem)
{
	long r = linux_wait_interruptible(deadline);
	uint64_t now = time_now_ns();

	if (r && rem && put_timespec(rem, deadline > now ? deadline - now : 0))
		return -LX_EFAULT;
	return r;
}

static long
get_timespec(uintptr_t u, struct lx_timespec *ts)
{
	if (copy_from_user(ts, u, sizeof(*ts)))
		return -LX_EFAULT;
	if (ts->sec < 0 || ts->nsec < 0 || ts->nsec >= (int64_t)NSEC)
		return -LX_EINVAL;
	return 0;
}

static uint64_t
ts_ns(const struct lx_timespec *ts)
{
	if ((uint64_t)ts->sec > UINT64_MAX / NSEC - 1)
		return UINT64_MAX / 2;
	return (uint64_t)ts->sec * NSEC + (uint64_t)ts->nsec;
}

long
lx_sys_nanosleep(struct syscall_args *a)
{
	struct lx_timespec ts;
	long r = get_timespec(a->a[0], &ts);

	if (r)
		return r;
	return sleep_until(time_now_ns() + ts_ns(&ts), a->a[1]);
}

/* On a CPU clock: until it has moved ts further, or reached it
 * (TIMER_ABSTIME), or a signal: -EINTR, with what was left for a
 * relative sleep in rem. */
static long
cpu_clock_sleep(int32_t id, uint64_t flags, const struct lx_timespec *ts, uintptr_t rem)
{
	bool abs = flags & LX_TIMER_ABSTIME;
	uint64_t left = 0;
	long r = linux_cpu_clock_sleep(id, abs, ts_ns(ts), &left);

	if (r == -LX_EINTR && !abs && rem && put_timespec(rem, left))
		return -LX_EFAULT;
	return r;
}

long
lx_sys_clock_nanosleep(struct syscall_args *a)
{
	int32_t id = (int32_t)a->a[0];
	struct lx_cpuclock cc;
	int cpu = lx_cpuclock_decode(id, &cc);
	struct lx_timespec ts;
	long r;

	/* Clocks Linux has no sleep for: the calling thread's (the C
	 * libraries say EINVAL without asking) and the dynamic ones. */
	if (id == LX_CLOCK_THREAD_CPUTIME_ID || (cpu < 0 && (id & 7) == 3))
		return -LX_EOPNOTSUPP;
	if (!cpu && id > LX_CLOCK_BOOTTIME)
		return -LX_EINVAL;
	r = get_timespec(a->a[2], &ts);
	if (r)
		return r;
	if (cpu)
		return cpu < 0 ? -LX_EINVAL : cpu_clock_sleep(id, a->a[1], &ts, a->a[3]);
	if (a->a[1] & LX_TIMER_ABSTIME) {
		uint64_t at = ts_ns(&ts), off = realtime(id) ? wall_clock_offset_ns() : 0;

		/* A wall-clock deadline, on the monotonic clock. */
		return sleep_until(at > off ? at - off : 0, 0);
	}
	return sleep_until(time_now_ns() + ts_ns(&ts), a->a[3]); /* relative: any clock */
}

long
lx_sys_sched_yield(struct syscall_args *a)
{
	(void)a;
	thread_yield();
	return 0;
}

/* One CPU is what a Linux program sees (bit 0), whatever it asks. */
long
lx_sys_sched_getaffinity(struct syscall_args *a)
{
	uint64_t mask = 1;

	if (a->a[1] < sizeof(mask) || (a->a[1] & (sizeof(mask) - 1)))
		return -LX_EINVAL;
	if (copy_to_user(a->a[2], &mask, sizeof(mask)))
		return -LX_EFAULT;
	return sizeof(mask);
}

long
lx_sys_getrandom(struct syscall_args *a)
{
	uint8_t buf[256];
	size_t len = a->a[1] > 0x1ffffff ? 0x1ffffff : a->a[1];

	if (a->a[2] & ~(uint64_t)7) /* GRND_NONBLOCK, _RANDOM, _INSECURE */
		return -LX_EINVAL;
	if (!user_range_ok(a->a[0], len))
		return -LX_EFAULT;
	for (size_t done = 0; done < len;) {
		size_t n = len - done < sizeof(buf) ? len - done : sizeof(buf);

		random_fill(buf, n);
		if (copy_to_user(a->a[0] + done, buf, n)) {
			random_state_wipe(buf, sizeof(buf));
			return done ? (long)done : -LX_EFAULT;
		}
		done += n;
	}
	random_state_wipe(buf, sizeof(buf));
	return (long)len;
}

struct lx_sysinfo {
	int64_t uptime;
	uint64_t loads[3];
	uint64_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
	uint16_t procs, pad;
	uint32_t pad2;
	uint64_t totalhigh, freehigh;
	uint32_t mem_unit;
	char reserved[4];
};
_Static_assert(sizeof(struct lx_sysinfo) == 112, "struct sysinfo");

/* The memory a program may use is its pool's: that is its machine. */
long
lx_sys_sysinfo(struct syscall_args *a)
{
	struct mempool *pool = process_current()->pool;
	struct lx_sysinfo si;

	memset(&si, 0, sizeof(si));
	si.uptime = (int64_t)(time_now_ns() / NSEC);
	si.totalram = pool->limit;
	si.freeram = pool->limit > pool->used ? pool->limit - pool->used : 0;
	si.procs = 1;
	si.mem_unit = PAGE_SIZE_4K;
	return copy_to_user(a->a[0], &si, sizeof(si)) ? -LX_EFAULT : 0;
}

/* ---- limits ---- */

#define LX_RLIMIT_NOFILE 7

struct lx_rlimit {
	uint64_t cur, max;
};

static long
rlimit_get(uint64_t res, struct lx_rlimit *out)
{
	struct linux_proc *lp = lx_current();

	if (res >= LX_RLIM_NLIMITS)
		return -LX_EINVAL;
	if (res == LX_RLIMIT_NOFILE) {
		struct fdtable *t = lx_fds_lock(lp);

		out->cur = t->limit;
		out->max = t->hard;
		lx_fds_unlock(lp, t);
		return 0;
	}
	mutex_lock(&lp->lock);
	out->cur = lp->rlim_cur[res];
	out->max = lp->rlim_max[res];
	mutex_unlock(&lp->lock);
	return 0;
}

/* Limits only fall (no privilege raises a hard limit). */
static long
rlimit_set(uint64_t res, const struct lx_rlimit *in)
{
	struct linux_proc *lp = lx_current();
	long r = 0;

	if (res >= LX_RLIM_NLIMITS || in->cur > in->max)
		return -LX_EINVAL;
	if (res == LX_RLIMIT_NOFILE) {
		struct fdtable *t = lx_fds_lock(lp);

		/* The table's size is the most there can be. */
		r = in->max > t->hard ? -LX_EPERM : fdtable_set_limit(t, in->cur, in->max);
		lx_fds_unlock(lp, t);
		return r;
	}
	mutex_lock(&lp->lock);
	if (in->max > lp->rlim_max[res]) {
		r = -LX_EPERM;
	} else {
		lp->rlim_cur[res] = in->cur;
		lp->rlim_max[res] = in->max;
	}
	mutex_unlock(&lp->lock);
	return r;
}

long
lx_sys_getrlimit(struct syscall_args *a)
{
	struct lx_rlimit rl;
	long r = rlimit_get(a->a[0], &rl);

	if (r)
		return r;
	return copy_to_user(a->a[1], &rl, sizeof(rl)) ? -LX_EFAULT : 0;
}

long
lx_sys_setrlimit(struct syscall_args *a)
{
	struct lx_rlimit rl;

	if (copy_from_user(&rl, a->a[1], sizeof(rl)))
		return -LX_EFAULT;
	return rlimit_set(a->a[0], &rl);
}

/* Only the calling process (pid 0 or its own) is reachable. */
long
lx_sys_prlimit64(struct syscall_args *a)
{
	struct lx_rlimit old, rl;
	long r;

	if (a->a[0] != 0 && a->a[0] != lx_current()->pid)
		return -LX_ESRCH;
	if (a->a[2] && copy_from_user(&rl, a->a[2], sizeof(rl)))
		return -LX_EFAULT;
	r = rlimit_get(a->a[1], &old);
	if (!r && a->a[2])
		r = rlimit_set(a->a[1], &rl);
	if (!r && a->a[3] && copy_to_user(a->a[3], &old, sizeof(old)))
		r = -LX_EFAULT;
	return r;
}
