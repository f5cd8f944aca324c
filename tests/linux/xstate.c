/*
 * The extended register state (docs/linux.md, "FPU and AVX state").  On
 * x86_64 the kernel says in CPUID that it saves the YMM registers
 * (OSXSAVE, XCR0), so glibc takes its AVX2 string functions; and it does
 * save them: across a signal whose handler clobbers them, across switches
 * to a thread that uses them too, into a forked child.  The signal frame
 * carries them as Linux lays it out (UC_FP_XSTATE, the software bytes and
 * both magic words); what a handler writes into the saved YMM is what the
 * program gets back; a frame whose magic words, size or features are off
 * restores x87 and SSE alone; one with a header XRSTOR refuses (a feature
 * XCR0 lacks, XCOMP_BV, a reserved MXCSR bit) ends the process with
 * SIGSEGV.  AT_HWCAP is CPUID.1:EDX and AT_HWCAP2 is there, as on Linux.  On aarch64 the same holds for the NEON registers q16-q23
 * across a signal, switches and fork.  Each register value is checked by
 * the program itself, with the registers loaded and read back in one asm
 * block around the system call (the C library may use them anywhere
 * else).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>
#if defined(__x86_64__) && defined(__GLIBC__)
#include <sys/platform/x86.h>
#endif

#define NREGS 8
#define RBYTES 32 /* a YMM register; aarch64 uses the first 16 */
#define ROUNDS 300

typedef uint8_t regs_t[NREGS][RBYTES];

static void
fill(regs_t r, unsigned int seed)
{
	for (int i = 0; i < NREGS; i++)
		for (int j = 0; j < RBYTES; j++)
			r[i][j] = (uint8_t)(seed * 61 + i * 37 + j * 11 + 5);
}

#ifdef __x86_64__
#define VREG_BYTES 32
#define CLOBBERS "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"
#define LOAD_ALL(p)                                                                         \
	"vmovdqu 0(" p "), %%ymm8\n\tvmovdqu 32(" p "), %%ymm9\n\t"                         \
	"vmovdqu 64(" p "), %%ymm10\n\tvmovdqu 96(" p "), %%ymm11\n\t"                      \
	"vmovdqu 128(" p "), %%ymm12\n\tvmovdqu 160(" p "), %%ymm13\n\t"                    \
	"vmovdqu 192(" p "), %%ymm14\n\tvmovdqu 224(" p "), %%ymm15\n\t"
#define STORE_ALL(p)                                                                        \
	"vmovdqu %%ymm8, 0(" p ")\n\tvmovdqu %%ymm9, 32(" p ")\n\t"                         \
	"vmovdqu %%ymm10, 64(" p ")\n\tvmovdqu %%ymm11, 96(" p ")\n\t"                      \
	"vmovdqu %%ymm12, 128(" p ")\n\tvmovdqu %%ymm13, 160(" p ")\n\t"                    \
	"vmovdqu %%ymm14, 192(" p ")\n\tvmovdqu %%ymm15, 224(" p ")\n\tvzeroupper\n\t"

/* The registers loaded from in, the system call made, and the registers
 * read back into out, in one go. */
static long
vreg_syscall(const regs_t in, regs_t out, long nr, long a0, long a1, long a2)
{
	long ret;

	__asm__ volatile(LOAD_ALL("%[in]") "syscall\n\t" STORE_ALL("%[out]")
			 : "=a"(ret)
			 : "a"(nr), "D"(a0), "S"(a1), "d"(a2), [in] "r"(in), [out] "r"(out)
			 : "rcx", "r11", "memory", CLOBBERS);
	return ret;
}

/* ROUNDS sched_yield calls with the registers loaded. */
static void
vreg_yields(const regs_t in, regs_t out)
{
	long n = ROUNDS, nr;

	__asm__ volatile(LOAD_ALL("%[in]") "1:\n\t"
					   "movl $24, %%eax\n\t"
					   "syscall\n\t"
					   "decq %[n]\n\t"
					   "jnz 1b\n\t" STORE_ALL("%[out]")
			 : [n] "+r"(n), "=&a"(nr)
			 : [in] "r"(in), [out] "r"(out)
			 : "rcx", "r11", "memory", CLOBBERS);
	(void)nr;
}

static void
clobber_vregs(void)
{
	__asm__ volatile("vpcmpeqd %%ymm8, %%ymm8, %%ymm8\n\t"
			 "vmovdqa %%ymm8, %%ymm9\n\tvmovdqa %%ymm8, %%ymm10\n\t"
			 "vmovdqa %%ymm8, %%ymm11\n\tvmovdqa %%ymm8, %%ymm12\n\t"
			 "vmovdqa %%ymm8, %%ymm13\n\tvmovdqa %%ymm8, %%ymm14\n\t"
			 "vmovdqa %%ymm8, %%ymm15\n\tvzeroupper" ::
				 : CLOBBERS);
}
#else
#define VREG_BYTES 16
#define CLOBBERS "v16", "v17", "v18", "v19", "v20", "v21", "v22", "v23"
#define LOAD_ALL(p)                                                                         \
	"ldr q16, [" p ", #0]\n\tldr q17, [" p ", #32]\n\tldr q18, [" p ", #64]\n\t"        \
	"ldr q19, [" p ", #96]\n\tldr q20, [" p ", #128]\n\tldr q21, [" p ", #160]\n\t"     \
	"ldr q22, [" p ", #192]\n\tldr q23, [" p ", #224]\n\t"
#define STORE_ALL(p)                                                                        \
	"str q16, [" p ", #0]\n\tstr q17, [" p ", #32]\n\tstr q18, [" p ", #64]\n\t"        \
	"str q19, [" p ", #96]\n\tstr q20, [" p ", #128]\n\tstr q21, [" p ", #160]\n\t"     \
	"str q22, [" p ", #192]\n\tstr q23, [" p ", #224]\n\t"

static long
vreg_syscall(const regs_t in, regs_t out, long nr, long a0, long a1, long a2)
{
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a0;
	register long x1 __asm__("x1") = a1;
	register long x2 __asm__("x2") = a2;

	__asm__ volatile(LOAD_ALL("%[in]") "svc #0\n\t" STORE_ALL("%[out]")
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2), [in] "r"(in), [out] "r"(out)
			 : "memory", CLOBBERS);
	return x0;
}

static void
vreg_yields(const regs_t in, regs_t out)
{
	long n = ROUNDS;

	__asm__ volatile(LOAD_ALL("%[in]") "1:\n\t"
					   "mov x8, #124\n\t"
					   "svc #0\n\t"
					   "subs %[n], %[n], #1\n\t"
					   "b.ne 1b\n\t" STORE_ALL("%[out]")
			 : [n] "+r"(n)
			 : [in] "r"(in), [out] "r"(out)
			 : "x0", "x8", "memory", "cc", CLOBBERS);
}

static void
clobber_vregs(void)
{
	__asm__ volatile("movi v16.16b, #0xff\n\tmov v17.16b, v16.16b\n\t"
			 "mov v18.16b, v16.16b\n\tmov v19.16b, v16.16b\n\t"
			 "mov v20.16b, v16.16b\n\tmov v21.16b, v16.16b\n\t"
			 "mov v22.16b, v16.16b\n\tmov v23.16b, v16.16b" ::
				 : CLOBBERS);
}
#endif

/* Every register of got equals want's, in its first n bytes. */
static int
same(const regs_t got, const regs_t want, int n)
{
	for (int i = 0; i < NREGS; i++)
		if (memcmp(got[i], want[i], n))
			return 0;
	return 1;
}

#ifdef __x86_64__
/* The lower 16 bytes as want, the upper ones of YMM zero. */
static int
lower_only(const regs_t got, const regs_t want)
{
	static const uint8_t zero[16];

	for (int i = 0; i < NREGS; i++)
		if (memcmp(got[i], want[i], 16) || memcmp(got[i] + 16, zero, 16))
			return 0;
	return 1;
}
#endif

static long
signal_self(const regs_t in, regs_t out)
{
	return vreg_syscall(in, out, SYS_tgkill, getpid(), gettid(), SIGUSR1);
}

enum tamper {
	KEEP,	      /* read the frame, edit ymm9's upper half */
	NO_MAGIC1,    /* sw_reserved's magic1 wiped */
	BAD_SIZE,     /* xstate_size below the legacy image + header */
	NO_MAGIC2,    /* the word past the area wiped */
	FPSSE_ONLY,   /* sw_reserved's xfeatures without AVX */
	AVX_INIT,     /* XSTATE_BV without AVX */
	BV_UNKNOWN,   /* XSTATE_BV with a feature no XCR0 has */
	XCOMP,	      /* XCOMP_BV non-zero in the standard form */
	MXCSR_RSVD,   /* every MXCSR bit set */
};

static volatile enum tamper tamper;
static regs_t want, got, edit;

#ifdef __x86_64__
/* struct _fpx_sw_bytes, at byte 464 of the FXSAVE image. */
struct sw_bytes {
	uint32_t magic1, extended_size;
	uint64_t xfeatures;
	uint32_t xstate_size, padding[7];
};
#define MAGIC1	   0x46505853u
#define MAGIC2	   0x46505845u
#define AVX_OFFSET 576 /* CPUID 0xD.2's on every CPU: the standard format */

static struct {
	unsigned long uc_flags;
	int magic1, magic2, sizes, xfeatures, bv, xmm8, ymm8_hi;
} seen;

static void
on_usr1(int sig, siginfo_t *si, void *p)
{
	ucontext_t *uc = p;
	uint8_t *fp = (uint8_t *)uc->uc_mcontext.fpregs;
	struct sw_bytes sw;
	uint64_t bv;
	uint32_t magic2;

	(void)sig;
	(void)si;
	clobber_vregs();
	memcpy(&sw, fp + 464, sizeof(sw));
	memcpy(&bv, fp + 512, sizeof(bv));
	memcpy(&magic2, fp + sw.xstate_size, sizeof(magic2));
	seen.uc_flags = uc->uc_flags;
	seen.magic1 = sw.magic1 == MAGIC1;
	seen.magic2 = magic2 == MAGIC2;
	seen.sizes = sw.xstate_size >= AVX_OFFSET + 256 && sw.extended_size == sw.xstate_size + 4;
	seen.xfeatures = (int)(sw.xfeatures & 7);
	seen.bv = (int)(bv & 7);
	seen.xmm8 = !memcmp(fp + 160 + 8 * 16, want[0], 16);
	seen.ymm8_hi = !memcmp(fp + AVX_OFFSET + 8 * 16, want[0] + 16, 16);
	switch (tamper) {
	case KEEP:
		memcpy(fp + AVX_OFFSET + 9 * 16, edit[1] + 16, 16);
		break;
	case NO_MAGIC1:
		memset(fp + 464, 0, 4);
		break;
	case BAD_SIZE:
		sw.xstate_size = 100;
		memcpy(fp + 464, &sw, sizeof(sw));
		break;
	case NO_MAGIC2:
		memset(fp + sw.xstate_size, 0, 4);
		break;
	case FPSSE_ONLY:
		sw.xfeatures = 3;
		memcpy(fp + 464, &sw, sizeof(sw));
		break;
	case AVX_INIT:
		bv &= ~4ull;
		memcpy(fp + 512, &bv, sizeof(bv));
		break;
	case BV_UNKNOWN:
		bv |= 1ull << 40;
		memcpy(fp + 512, &bv, sizeof(bv));
		break;
	case XCOMP:
		bv = 3;
		memcpy(fp + 520, &bv, sizeof(bv));
		break;
	case MXCSR_RSVD:
		memset(fp + 24, 0xff, 4);
		break;
	}
}

/*
 * The auxiliary vector as the kernel gave it, past the environment
 * (glibc's getauxval(AT_HWCAP) on x86_64 answers its own bits instead).
 * Linux's AT_HWCAP is CPUID.1:EDX less what the kernel turned off.
 */
static void
aux_checks(unsigned int edx)
{
	char **e = environ;
	unsigned long *v, hwcap = 0;
	int hwcap2 = 0;

	while (*e)
		e++;
	for (v = (unsigned long *)(e + 1); v[0] != AT_NULL; v += 2) {
		if (v[0] == AT_HWCAP)
			hwcap = v[1];
		if (v[0] == AT_HWCAP2)
			hwcap2 = 1;
	}
	printf("AT_HWCAP within CPUID.1:EDX, with FXSR SSE SSE2: %d\n",
	       !(hwcap & ~(unsigned long)edx) && (hwcap & 0x07000000) == 0x07000000);
	printf("AT_HWCAP2 given: %d\n", hwcap2);
}

static int
avx_usable(void)
{
	unsigned int a, b, c, d, lo, hi;

	__asm__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	printf("CPUID.1: OSXSAVE %u AVX %u\n", (c >> 27) & 1, (c >> 28) & 1);
	aux_checks(d);
	if (!((c >> 27) & 1) || !((c >> 28) & 1))
		return 0;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	printf("XCR0 x87 SSE AVX: %u\n", lo & 7);
#ifdef __GLIBC__
	printf("glibc's AVX2 usable: %d\n", CPU_FEATURE_ACTIVE(AVX2) != 0);
#endif
	return (lo & 6) == 6;
}
#else
static struct {
	int q16;
} seen;

/* The fpsimd_context record first in the frame's __reserved: magic
 * (FPSIMD_MAGIC), size, fpsr, fpcr, then v0-v31. */

static void
on_usr1(int sig, siginfo_t *si, void *p)
{
	ucontext_t *uc = p;
	uint8_t *rec = (uint8_t *)uc->uc_mcontext.__reserved;
	uint32_t magic;

	(void)sig;
	(void)si;
	clobber_vregs();
	memcpy(&magic, rec, sizeof(magic));
	seen.q16 = magic == FPSIMD_MAGIC && !memcmp(rec + 16 + 16 * 16, want[0], 16);
	/* No edit here: qemu-user, the oracle, also writes an SVE record,
	 * which the return takes the registers from. */
}

static int
avx_usable(void)
{
	return 1;
}
#endif

static void
signal_checks(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_usr1;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	fill(want, 1);
	memcpy(edit, want, sizeof(edit));
#ifdef __x86_64__
	memset(edit[1] + 16, 0x5a, 16);
#endif
	tamper = KEEP;
	signal_self(want, got);
#ifdef __x86_64__
	printf("frame: uc_flags %#lx magic1 %d magic2 %d sizes %d xfeatures %d XSTATE_BV %d\n",
	       seen.uc_flags, seen.magic1, seen.magic2, seen.sizes, seen.xfeatures, seen.bv);
	printf("frame holds xmm8 %d, ymm8's upper half %d\n", seen.xmm8, seen.ymm8_hi);
#else
	printf("frame holds q16 %d\n", seen.q16);
#endif
	printf("after a handler that clobbered them%s: %s\n",
	       VREG_BYTES > 16 ? ", with ymm9's upper half edited in the frame" : "",
	       same(got, edit, VREG_BYTES) ? "as the frame said" : "WRONG");
#ifdef __x86_64__
	static const char *const names[] = {
		[NO_MAGIC1] = "magic1 wiped",	     [BAD_SIZE] = "xstate_size 100",
		[NO_MAGIC2] = "magic2 wiped",	     [FPSSE_ONLY] = "xfeatures x87|SSE",
		[AVX_INIT] = "XSTATE_BV without AVX", [BV_UNKNOWN] = "XSTATE_BV bit 40",
		[XCOMP] = "XCOMP_BV 3",		     [MXCSR_RSVD] = "MXCSR 0xffffffff",
	};

	for (int m = NO_MAGIC1; m <= MXCSR_RSVD; m++) {
		pid_t pid;
		int status;

		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			tamper = (enum tamper)m;
			memset(got, 0, sizeof(got));
			signal_self(want, got);
			printf("%s: registers %s\n", names[m],
			       same(got, want, VREG_BYTES) ? "all back"
			       : lower_only(got, want) ? "x87/SSE back, YMM upper halves clean"
						       : "WRONG");
			fflush(stdout);
			_exit(0);
		}
		waitpid(pid, &status, 0);
		if (WIFSIGNALED(status))
			printf("%s: killed by signal %d\n", names[m], WTERMSIG(status));
	}
#endif
}

struct yielder {
	regs_t in, out;
};

static void *
yield_thread(void *p)
{
	struct yielder *y = p;

	vreg_yields(y->in, y->out);
	return NULL;
}

static void
switch_checks(void)
{
	static struct yielder a, b;
	pthread_t t;

	fill(a.in, 2);
	fill(b.in, 3);
	pthread_create(&t, NULL, yield_thread, &b);
	vreg_yields(a.in, a.out);
	pthread_join(t, NULL);
	printf("two threads yielding %d times each: registers %s, %s\n", ROUNDS,
	       same(a.out, a.in, VREG_BYTES) ? "kept" : "WRONG",
	       same(b.out, b.in, VREG_BYTES) ? "kept" : "WRONG");
}

static void
fork_checks(void)
{
	regs_t in, out;
	long pid;
	int status;

	fill(in, 4);
	fflush(stdout);
	pid = vreg_syscall(in, out, SYS_clone, SIGCHLD, 0, 0);
	if (pid == 0)
		_exit(same(out, in, VREG_BYTES) ? 0 : 1);
	waitpid((pid_t)pid, &status, 0);
	printf("fork: parent's registers %s, child's %s\n",
	       same(out, in, VREG_BYTES) ? "kept" : "WRONG",
	       WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "the same" : "WRONG");
}

int
main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!avx_usable()) {
		printf("no AVX state to test\n");
		return 0;
	}
	signal_checks();
	switch_checks();
	fork_checks();
	return 0;
}
