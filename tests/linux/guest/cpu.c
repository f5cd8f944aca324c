/*
 * The CPU as a Linux program sees it (docs/linux.md, "CPU features"):
 * AT_HWCAP and AT_HWCAP2, what glibc and libgcc choose by them, and on
 * aarch64 the ID registers read with MRS (Linux traps and emulates
 * those), DC ZVA, CTR_EL0 and DC CVAU at EL0, the LSE atomics; the
 * fields of /proc/cpuinfo that say which CPU it is, and its flags.  Its
 * oracle must be Linux on the same QEMU -cpu, not the host or qemu-user
 * (another CPU, or no kernel at all): test_linux.py runs it in
 * ThemeliOS and in the peer guest and compares.
 * Linux offers a few features ThemeliOS does not (pointer
 * authentication, BTI, the event stream): those bits and fields are
 * left out here, and ThemeliOS's run checks it claims none of them.
 * SVE is offered, with its whole state kept across an asynchronous
 * signal, as Linux keeps it.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <ucontext.h>
#include <unistd.h>

#include "../common.h"

/* "cpu themelios": also check that nothing beyond the bits ThemeliOS
 * offers is claimed (Linux says more). */
static int on_themelios;

/*
 * /proc/cpuinfo: the first CPU's lines of the fields named, as they are,
 * and its flags line (x86_64 flags, aarch64 Features) as "cpuinfo-flags"
 * (the test wants ThemeliOS's among Linux's, not the same: Linux names
 * more).  Lines start with "cpuinfo".
 */
static void
cpuinfo(const char *const *fields, size_t n, const char *flags)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[4096];
	int cpus = 0;

	if (!f) {
		printf("cpuinfo: %s\n", errno_name(errno));
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		size_t len;

		if (!strncmp(line, "processor", 9))
			cpus++;
		if (cpus != 1 || !colon)
			continue;
		len = (size_t)(colon - line);
		while (len && (line[len - 1] == '\t' || line[len - 1] == ' '))
			len--;
		if (len == strlen(flags) && !strncmp(line, flags, len)) {
			printf("cpuinfo-flags%s", colon);
			continue;
		}
		for (size_t i = 0; i < n; i++)
			if (len == strlen(fields[i]) && !strncmp(line, fields[i], len))
				printf("cpuinfo %s", line);
	}
	printf("cpuinfo blocks: %d\n", cpus);
	fclose(f);
}

#if defined(__aarch64__)
#include <asm/hwcap.h>

struct bit {
	const char *name;
	unsigned long bit;
};

/* The bits ThemeliOS offers, in Linux's order, with Linux's names
 * (those of /proc/cpuinfo). */
static const struct bit hwcap_bits[] = {
	{ "fp", HWCAP_FP },
	{ "asimd", HWCAP_ASIMD },
	{ "aes", HWCAP_AES },
	{ "pmull", HWCAP_PMULL },
	{ "sha1", HWCAP_SHA1 },
	{ "sha2", HWCAP_SHA2 },
	{ "crc32", HWCAP_CRC32 },
	{ "atomics", HWCAP_ATOMICS },
	{ "fphp", HWCAP_FPHP },
	{ "asimdhp", HWCAP_ASIMDHP },
	{ "cpuid", HWCAP_CPUID },
	{ "asimdrdm", HWCAP_ASIMDRDM },
	{ "jscvt", HWCAP_JSCVT },
	{ "fcma", HWCAP_FCMA },
	{ "lrcpc", HWCAP_LRCPC },
	{ "dcpop", HWCAP_DCPOP },
	{ "sha3", HWCAP_SHA3 },
	{ "sm3", HWCAP_SM3 },
	{ "sm4", HWCAP_SM4 },
	{ "asimddp", HWCAP_ASIMDDP },
	{ "sha512", HWCAP_SHA512 },
	{ "sve", HWCAP_SVE },
	{ "asimdfhm", HWCAP_ASIMDFHM },
	{ "dit", HWCAP_DIT },
	{ "uscat", HWCAP_USCAT },
	{ "ilrcpc", HWCAP_ILRCPC },
	{ "flagm", HWCAP_FLAGM },
	{ "ssbs", HWCAP_SSBS },
	{ "sb", HWCAP_SB },
};
static const struct bit hwcap2_bits[] = {
	{ "dcpodp", HWCAP2_DCPODP },
	{ "sve2", HWCAP2_SVE2 },
	{ "sveaes", HWCAP2_SVEAES },
	{ "svepmull", HWCAP2_SVEPMULL },
	{ "svebitperm", HWCAP2_SVEBITPERM },
	{ "svesha3", HWCAP2_SVESHA3 },
	{ "svesm4", HWCAP2_SVESM4 },
	{ "flagm2", HWCAP2_FLAGM2 },
	{ "frint", HWCAP2_FRINT },
	{ "svei8mm", HWCAP2_SVEI8MM },
	{ "svef32mm", HWCAP2_SVEF32MM },
	{ "svef64mm", HWCAP2_SVEF64MM },
	{ "svebf16", HWCAP2_SVEBF16 },
	{ "i8mm", HWCAP2_I8MM },
	{ "bf16", HWCAP2_BF16 },
	{ "dgh", HWCAP2_DGH },
	{ "rng", HWCAP2_RNG },
};
/* Linux's, which ThemeliOS does not offer (their state or keys are not
 * kept): never set here, whatever Linux says. */
#define NOT_OFFERED  (HWCAP_PACA | HWCAP_PACG | HWCAP_EVTSTRM)
#define NOT_OFFERED2 (HWCAP2_BTI | HWCAP2_MTE | ~0x1fffful)

extern _Bool __aarch64_have_lse_atomics __attribute__((weak));

static volatile sig_atomic_t sigill;
static volatile uintptr_t sigill_addr;
static volatile int sigill_code;

/* A SIGILL steps over the instruction and says where it was. */
static void
on_sigill(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;

	(void)sig;
	sigill++;
	sigill_addr = (uintptr_t)si->si_addr == uc->uc_mcontext.pc;
	sigill_code = si->si_code;
	uc->uc_mcontext.pc += 4;
}

/* MRS of sys_reg(3, 0, 0, crm, op2), by its generic name. */
#define MRS(crm, op2)                                                                  \
	({                                                                             \
		uint64_t v_ = 0xdead;                                                  \
		__asm__ volatile("mrs %0, s3_0_c0_c" #crm "_" #op2 : "+r"(v_)); \
		v_;                                                                    \
	})

static void
id_registers(void)
{
	/* What Linux shows and ThemeliOS shows too: the fields behind the
	 * bits above (PFR1 without BT and MTE, ISAR1 without the pointer
	 * authentication fields). */
	printf("MIDR_EL1 %#lx\n", MRS(0, 0));
	printf("MPIDR_EL1 %#lx\n", MRS(0, 5));
	printf("REVIDR_EL1 %#lx\n", MRS(0, 6));
	printf("ID_AA64PFR0_EL1 %#lx\n", MRS(4, 0));
	printf("ID_AA64ZFR0_EL1 %#lx\n", MRS(4, 4));
	printf("ID_AA64PFR1_EL1 %#lx\n", MRS(4, 1) & 0xf0ul);
	printf("ID_AA64ISAR0_EL1 %#lx\n", MRS(6, 0));
	printf("ID_AA64ISAR1_EL1 %#lx\n", MRS(6, 1) & ~0xff000ff0ul);
	printf("ID_AA64ISAR2_EL1 %#lx\n", MRS(6, 2));
	printf("ID_AA64MMFR0_EL1 %#lx\n", MRS(7, 0));
	printf("ID_AA64MMFR1_EL1 %#lx\n", MRS(7, 1));
	printf("ID_AA64MMFR2_EL1 %#lx\n", MRS(7, 2));
	printf("ID_AA64DFR0_EL1 %#lx\n", MRS(5, 0));
	printf("unallocated sys_reg(3,0,0,7,7) %#lx\n", MRS(7, 7));
	printf("SIGILL so far: %d\n", (int)sigill);
}

/* Not emulated, as on Linux: each is SIGILL (ILL_ILLOPC at the
 * instruction) and the program goes on. */
static void
not_emulated(void)
{
	uint64_t v = 0;

	sigill = 0;
	__asm__ volatile("mrs %0, s3_0_c0_c1_0" : "+r"(v)); /* ID_PFR0_EL1: CRm 1 */
	printf("mrs ID_PFR0_EL1: SIGILL %d, at the mrs %d, ILL_ILLOPC %d\n", (int)sigill,
	       (int)sigill_addr, sigill_code == ILL_ILLOPC);
	sigill = 0;
	__asm__ volatile("mrs %0, s3_0_c0_c0_1" : "+r"(v)); /* CTR_EL0's neighbour in CRm 0 */
	printf("mrs sys_reg(3,0,0,0,1): SIGILL %d\n", (int)sigill);
	sigill = 0;
	__asm__ volatile("mrs %0, sctlr_el1" : "+r"(v));
	printf("mrs SCTLR_EL1: SIGILL %d\n", (int)sigill);
	sigill = 0;
	__asm__ volatile("msr s3_0_c0_c6_0, %0" : : "r"(v)); /* a write of ID_AA64ISAR0_EL1 */
	printf("msr ID_AA64ISAR0_EL1: SIGILL %d, at the msr %d\n", (int)sigill, (int)sigill_addr);
	sigill = 0;
	__asm__ volatile(".inst 0x00000000"); /* udf #0 */
	printf("udf: SIGILL %d\n", (int)sigill);
}

static long counter;

static void *
adder(void *arg)
{
	(void)arg;
	for (int i = 0; i < 100000; i++)
		__atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
	return NULL;
}

/* The LSE instructions themselves, and libgcc's outline atomics, which
 * take them when AT_HWCAP says ATOMICS. */
static void
atomics(unsigned long hwcap)
{
	pthread_t t[3];

	printf("libgcc outline atomics use LSE: %d\n",
	       &__aarch64_have_lse_atomics ? (int)__aarch64_have_lse_atomics : -1);
	if (hwcap & HWCAP_ATOMICS) {
		long x = 5, old = 5, add = 3, got;

		__asm__ volatile(".arch_extension lse\n\tcasal %0, %2, [%1]"
				 : "+r"(old)
				 : "r"(&x), "r"(9L)
				 : "memory");
		printf("casal: old %ld new %ld\n", old, x);
		__asm__ volatile(".arch_extension lse\n\tldaddal %2, %0, [%1]"
				 : "=r"(got)
				 : "r"(&x), "r"(add)
				 : "memory");
		printf("ldaddal: old %ld new %ld\n", got, x);
	}
	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, adder, NULL);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	printf("three threads' atomic adds: %ld\n", counter);
}

/* DC ZVA (SCTLR_EL1.DZE), CTR_EL0 (UCT) and DC CVAU (UCI) at EL0;
 * DC ZVA on a page shared copy-on-write with a child zeroes the child's
 * copy alone. */
static void
cache_ops(void)
{
	uint64_t dczid, ctr;
	unsigned char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				-1, 0);
	size_t block;
	int st, zero = 1;
	pid_t c;

	__asm__ volatile("mrs %0, dczid_el0" : "=r"(dczid));
	__asm__ volatile("mrs %0, ctr_el0" : "=r"(ctr));
	block = 4u << (dczid & 0xf);
	printf("DCZID_EL0 %#lx (DC ZVA %s, %zu bytes)\n", dczid,
	       dczid & 0x10 ? "prohibited" : "allowed", block);
	printf("CTR_EL0 read: %d\n", ctr != 0);
	sigill = 0;
	memset(p, 0xff, 8192);
	__asm__ volatile("dc cvau, %0; dsb ish; ic ivau, %0; dsb ish; isb" : : "r"(p) : "memory");
	printf("dc cvau, ic ivau: SIGILL %d\n", (int)sigill);
	if (dczid & 0x10)
		return;
	c = fork();
	if (c == 0) {
		__asm__ volatile("dc zva, %0" : : "r"(p + 4096) : "memory");
		for (size_t i = 0; i < block; i++)
			zero &= p[4096 + i] == 0;
		_exit(zero && p[4096 + block] == 0xff ? 0 : 1);
	}
	waitpid(c, &st, 0);
	printf("dc zva in a child: zeroed its copy %d; the parent's still 0xff %d\n",
	       WIFEXITED(st) && WEXITSTATUS(st) == 0, p[4096] == 0xff);
	munmap(p, 8192);
}

static const char *const cpuinfo_fields[] = { "processor",   "BogoMIPS", "CPU implementer",
					      "CPU architecture", "CPU variant", "CPU part",
					      "CPU revision" };

static volatile int alarmed;

/* SIGALRM's handler: every SVE register it can reach changed. */
static void
on_alarm(int sig)
{
	(void)sig;
	__asm__ volatile(".arch_extension sve\n\tmov z0.b, #0\n\tmov z31.b, #7\n\tpfalse p1.b\n\t"
			 "pfalse p15.b\n\tsetffr"
			 :
			 :
			 : "memory");
	alarmed = 1;
}

/*
 * The whole SVE state across an asynchronous signal (Linux then saves it
 * in the frame, as ThemeliOS always does) and across the switches to the
 * other threads meanwhile: z0 and z31 hold a pattern in all VL bytes,
 * p1 and p15 are all true, while the program spins, with no system
 * call, until SIGALRM's handler has changed them all.
 */
static void
sve_checks(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval it = { .it_value = { 0, 20000 } };
	uint64_t vl, same0, same31, p1, p15;

	__asm__ volatile(".arch_extension sve\n\trdvl %0, #1" : "=r"(vl));
	printf("SVE vector length: %lu bytes\n", vl);
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	__asm__ volatile(".arch_extension sve\n\t"
			 "index z0.b, #1, #3\n\t"
			 "index z31.b, #5, #7\n\t"
			 "ptrue p1.b\n\t"
			 "ptrue p15.b\n"
			 "1:\tldr w9, [%4]\n\t"
			 "cbz w9, 1b\n\t"
			 "ptrue p2.b\n\t"
			 "index z1.b, #1, #3\n\t"
			 "cmpeq p3.b, p2/z, z0.b, z1.b\n\t"
			 "cntp %0, p2, p3.b\n\t"
			 "index z1.b, #5, #7\n\t"
			 "cmpeq p3.b, p2/z, z31.b, z1.b\n\t"
			 "cntp %1, p2, p3.b\n\t"
			 "cntp %2, p2, p1.b\n\t"
			 "cntp %3, p2, p15.b"
			 : "=r"(same0), "=r"(same31), "=r"(p1), "=r"(p15)
			 : "r"(&alarmed)
			 : "x9", "p1", "p2", "p3", "p15", "z0", "z1", "z31", "memory", "cc");
	printf("after SIGALRM: z0 %d z31 %d p1 %d p15 %d (whole)\n", same0 == vl, same31 == vl,
	       p1 == vl, p15 == vl);
}

static void
arch_checks(void)
{
	unsigned long hwcap = getauxval(AT_HWCAP), hwcap2 = getauxval(AT_HWCAP2);
	struct sigaction sa = { .sa_sigaction = on_sigill, .sa_flags = SA_SIGINFO };

	sigaction(SIGILL, &sa, NULL);
	printf("AT_HWCAP:");
	for (size_t i = 0; i < sizeof(hwcap_bits) / sizeof(hwcap_bits[0]); i++) {
		if (hwcap & hwcap_bits[i].bit)
			printf(" %s", hwcap_bits[i].name);
	}
	printf("\nAT_HWCAP2:");
	for (size_t i = 0; i < sizeof(hwcap2_bits) / sizeof(hwcap2_bits[0]); i++) {
		if (hwcap2 & hwcap2_bits[i].bit)
			printf(" %s", hwcap2_bits[i].name);
	}
	printf("\n");
	/* Linux shows its others; ThemeliOS must claim none of them. */
	if (on_themelios)
		printf("nothing more claimed: %d\n",
		       !(hwcap & NOT_OFFERED) && !(hwcap2 & NOT_OFFERED2));
	else
		printf("nothing more claimed: 1\n");
	if (hwcap & HWCAP_CPUID)
		id_registers();
	not_emulated();
	if (hwcap & HWCAP_SVE)
		sve_checks();
	atomics(hwcap);
	cache_ops();
	cpuinfo(cpuinfo_fields, sizeof(cpuinfo_fields) / sizeof(cpuinfo_fields[0]), "Features");
}
#elif defined(__x86_64__)
#include <cpuid.h>

static const char *const cpuinfo_fields[] = { "processor",   "vendor_id",    "cpu family",
					      "model",	     "model name",   "stepping",
					      "fpu",	     "cpuid level",  "clflush size",
					      "address sizes" };

static void
arch_checks(void)
{
	unsigned int a, b, c, d;

	char **e = environ;
	unsigned long *v, hwcap = 0;

	/* The vector the kernel gave, past the environment: glibc's
	 * getauxval(AT_HWCAP) answers its own bits on x86_64. */
	while (*e)
		e++;
	for (v = (unsigned long *)(e + 1); v[0] != AT_NULL; v += 2)
		if (v[0] == AT_HWCAP)
			hwcap = v[1];
	__cpuid(1, a, b, c, d);
	printf("AT_HWCAP is CPUID.1:EDX: %d\n", hwcap == d);
	cpuinfo(cpuinfo_fields, sizeof(cpuinfo_fields) / sizeof(cpuinfo_fields[0]), "flags");
}
#endif

int
main(int argc, char **argv)
{
	on_themelios = argc > 1 && !strcmp(argv[1], "themelios");
	setvbuf(stdout, NULL, _IOLBF, 0);
	arch_checks();
	return 0;
}
