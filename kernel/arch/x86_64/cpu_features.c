/*
 * The CPU's features as Linux programs see them on x86_64: AT_HWCAP is
 * CPUID.1:EDX as Linux gives it, and no AT_HWCAP2 bit (Linux's two,
 * ring 3 MWAIT and FSGSBASE, are off here: user.c leaves CR4.FSGSBASE
 * clear); /proc/cpuinfo's block with Linux's names for the CPUID flags
 * the CPU has, less those whose state or control bit the kernel leaves
 * off (AVX-512 and AMX state is not in XCR0, no FSGSBASE, PKE, LA57,
 * UMIP, PCIDE or VMXE in CR4).
 */
#include "arch/arch.h"

#include "lib/format.h"
#include "lib/string.h"

#define CR4_UMIP     (1ull << 11)
#define CR4_LA57     (1ull << 12)
#define CR4_VMXE     (1ull << 13)
#define CR4_FSGSBASE (1ull << 16)
#define CR4_PCIDE    (1ull << 17)
#define CR4_OSXSAVE  (1ull << 18)
#define CR4_SMEP     (1ull << 20)
#define CR4_SMAP     (1ull << 21)
#define CR4_PKE	     (1ull << 22)

#define XCR0_AVX     0x6ull  /* SSE and the YMM upper halves */
#define XCR0_AVX512  0xe6ull /* and the opmask and ZMM states */

void
arch_linux_hwcaps(uint64_t *hwcap, uint64_t *hwcap2)
{
	uint32_t a = 1, b, c = 0, d;

	__asm__("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	*hwcap = d;
	*hwcap2 = 0;
}

static void
cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

/* What a flag needs beyond its CPUID bit. */
enum need {
	ANY,
	AVX,
	AVX512,
	OFF,
	NEED_CR4
};

struct flag {
	uint32_t leaf;
	uint8_t sub, reg, bit; /* reg: 0 EAX, 1 EBX, 2 ECX, 3 EDX */
	uint8_t need;
	uint64_t cr4; /* for NEED_CR4 */
	const char *name;
};

#define F(l, s, r, b, n)              \
	{                             \
		l, s, r, b, ANY, 0, n \
	}
#define FN(l, s, r, b, w, n)        \
	{                           \
		l, s, r, b, w, 0, n \
	}
#define FCR4(l, s, r, b, c, n)             \
	{                                  \
		l, s, r, b, NEED_CR4, c, n \
	}

/* Linux's names (arch/x86/include/asm/cpufeatures.h), in its order. */
static const struct flag flags[] = {
	F(1, 0, 3, 0, "fpu"),
	F(1, 0, 3, 1, "vme"),
	F(1, 0, 3, 2, "de"),
	F(1, 0, 3, 3, "pse"),
	F(1, 0, 3, 4, "tsc"),
	F(1, 0, 3, 5, "msr"),
	F(1, 0, 3, 6, "pae"),
	F(1, 0, 3, 7, "mce"),
	F(1, 0, 3, 8, "cx8"),
	F(1, 0, 3, 9, "apic"),
	F(1, 0, 3, 11, "sep"),
	F(1, 0, 3, 12, "mtrr"),
	F(1, 0, 3, 13, "pge"),
	F(1, 0, 3, 14, "mca"),
	F(1, 0, 3, 15, "cmov"),
	F(1, 0, 3, 16, "pat"),
	F(1, 0, 3, 17, "pse36"),
	F(1, 0, 3, 19, "clflush"),
	F(1, 0, 3, 23, "mmx"),
	F(1, 0, 3, 24, "fxsr"),
	F(1, 0, 3, 25, "sse"),
	F(1, 0, 3, 26, "sse2"),
	F(1, 0, 3, 27, "ss"),
	F(1, 0, 3, 28, "ht"),
	F(0x80000001, 0, 3, 11, "syscall"),
	F(0x80000001, 0, 3, 20, "nx"),
	F(0x80000001, 0, 3, 22, "mmxext"),
	F(0x80000001, 0, 3, 25, "fxsr_opt"),
	F(0x80000001, 0, 3, 26, "pdpe1gb"),
	F(0x80000001, 0, 3, 27, "rdtscp"),
	F(0x80000001, 0, 3, 29, "lm"),
	F(0x80000001, 0, 3, 30, "3dnowext"),
	F(0x80000001, 0, 3, 31, "3dnow"),
	F(1, 0, 2, 0, "pni"),
	F(1, 0, 2, 1, "pclmulqdq"),
	F(1, 0, 2, 3, "monitor"),
	FCR4(1, 0, 2, 5, CR4_VMXE, "vmx"),
	F(1, 0, 2, 9, "ssse3"),
	FN(1, 0, 2, 12, AVX, "fma"),
	F(1, 0, 2, 13, "cx16"),
	FCR4(1, 0, 2, 17, CR4_PCIDE, "pcid"),
	F(1, 0, 2, 19, "sse4_1"),
	F(1, 0, 2, 20, "sse4_2"),
	F(1, 0, 2, 21, "x2apic"),
	F(1, 0, 2, 22, "movbe"),
	F(1, 0, 2, 23, "popcnt"),
	F(1, 0, 2, 24, "tsc_deadline_timer"),
	F(1, 0, 2, 25, "aes"),
	FCR4(1, 0, 2, 26, CR4_OSXSAVE, "xsave"),
	FN(1, 0, 2, 28, AVX, "avx"),
	FN(1, 0, 2, 29, AVX, "f16c"),
	F(1, 0, 2, 30, "rdrand"),
	F(1, 0, 2, 31, "hypervisor"),
	F(0x80000001, 0, 2, 0, "lahf_lm"),
	F(0x80000001, 0, 2, 1, "cmp_legacy"),
	FN(0x80000001, 0, 2, 2, OFF, "svm"),
	F(0x80000001, 0, 2, 3, "extapic"),
	F(0x80000001, 0, 2, 4, "cr8_legacy"),
	F(0x80000001, 0, 2, 5, "abm"),
	F(0x80000001, 0, 2, 6, "sse4a"),
	F(0x80000001, 0, 2, 7, "misalignsse"),
	F(0x80000001, 0, 2, 8, "3dnowprefetch"),
	F(0x80000001, 0, 2, 9, "osvw"),
	F(0x80000001, 0, 2, 22, "topoext"),
	FCR4(7, 0, 1, 0, CR4_FSGSBASE, "fsgsbase"),
	F(7, 0, 1, 1, "tsc_adjust"),
	F(7, 0, 1, 3, "bmi1"),
	F(7, 0, 1, 4, "hle"),
	FN(7, 0, 1, 5, AVX, "avx2"),
	FCR4(7, 0, 1, 7, CR4_SMEP, "smep"),
	F(7, 0, 1, 8, "bmi2"),
	F(7, 0, 1, 9, "erms"),
	F(7, 0, 1, 10, "invpcid"),
	F(7, 0, 1, 11, "rtm"),
	FN(7, 0, 1, 16, AVX512, "avx512f"),
	FN(7, 0, 1, 17, AVX512, "avx512dq"),
	F(7, 0, 1, 18, "rdseed"),
	F(7, 0, 1, 19, "adx"),
	FCR4(7, 0, 1, 20, CR4_SMAP, "smap"),
	FN(7, 0, 1, 21, AVX512, "avx512ifma"),
	F(7, 0, 1, 23, "clflushopt"),
	F(7, 0, 1, 24, "clwb"),
	FN(7, 0, 1, 28, AVX512, "avx512cd"),
	F(7, 0, 1, 29, "sha_ni"),
	FN(7, 0, 1, 30, AVX512, "avx512bw"),
	FN(7, 0, 1, 31, AVX512, "avx512vl"),
	FCR4(0xd, 1, 0, 0, CR4_OSXSAVE, "xsaveopt"),
	FCR4(0xd, 1, 0, 1, CR4_OSXSAVE, "xsavec"),
	FCR4(0xd, 1, 0, 2, CR4_OSXSAVE, "xgetbv1"),
	FCR4(0xd, 1, 0, 3, CR4_OSXSAVE, "xsaves"),
	FN(7, 0, 2, 1, AVX512, "avx512vbmi"),
	FCR4(7, 0, 2, 2, CR4_UMIP, "umip"),
	FCR4(7, 0, 2, 3, CR4_PKE, "pku"),
	FCR4(7, 0, 2, 4, CR4_PKE, "ospke"),
	FN(7, 0, 2, 6, AVX512, "avx512_vbmi2"),
	F(7, 0, 2, 8, "gfni"),
	FN(7, 0, 2, 9, AVX, "vaes"),
	FN(7, 0, 2, 10, AVX, "vpclmulqdq"),
	FN(7, 0, 2, 11, AVX512, "avx512_vnni"),
	FN(7, 0, 2, 12, AVX512, "avx512_bitalg"),
	FN(7, 0, 2, 14, AVX512, "avx512_vpopcntdq"),
	FCR4(7, 0, 2, 16, CR4_LA57, "la57"),
	F(7, 0, 2, 22, "rdpid"),
	F(7, 0, 3, 4, "fsrm"),
	F(7, 0, 3, 14, "serialize"),
};

/* The flag's CPUID bit, read through a one-entry cache of the last leaf. */
static bool
has(const struct flag *f, uint32_t max, uint32_t max_ext)
{
	static uint32_t leaf = ~0u, sub = ~0u, r[4];

	if (f->leaf < 0x80000000u ? f->leaf > max : f->leaf > max_ext)
		return false;
	if (f->leaf != leaf || f->sub != sub) {
		leaf = f->leaf;
		sub = f->sub;
		cpuid(leaf, sub, r);
	}
	return (r[f->reg] >> f->bit) & 1;
}

static bool
enabled(const struct flag *f, uint64_t cr4, uint64_t xcr0)
{
	switch (f->need) {
	case AVX:
		return (xcr0 & XCR0_AVX) == XCR0_AVX;
	case AVX512:
		return (xcr0 & XCR0_AVX512) == XCR0_AVX512;
	case OFF:
		return false;
	case NEED_CR4:
		return (cr4 & f->cr4) != 0;
	default:
		return true;
	}
}

/*
 * Linux's block for CPU 0: family, model and stepping from CPUID.1:EAX
 * as Linux folds the extended fields in, the brand string of leaves
 * 0x80000002-4 without its leading spaces, the flags above, the cache
 * line and address sizes.  bogomips is Linux's figure from the TSC's
 * frequency.
 */
size_t
arch_linux_cpuinfo(char *buf, size_t size)
{
	uint32_t r[4], max, max_ext, sig, ebx1, vendor[4] = { 0 }, brand[13] = { 0 };
	uint64_t cr4, xcr0 = 0, hz = arch_time_counter_hz();
	unsigned int family, model, phys = 36, virt = 48;
	const char *name = (const char *)brand;
	size_t len = 0;

	cpuid(0, 0, r);
	max = r[0];
	vendor[0] = r[1];
	vendor[1] = r[3];
	vendor[2] = r[2];
	cpuid(1, 0, r);
	sig = r[0];
	ebx1 = r[1];
	cpuid(0x80000000u, 0, r);
	max_ext = r[0];
	if (max_ext >= 0x80000004u) {
		for (uint32_t i = 0; i < 3; i++)
			cpuid(0x80000002u + i, 0, brand + 4 * i);
	}
	if (max_ext >= 0x80000008u) {
		cpuid(0x80000008u, 0, r);
		phys = r[0] & 0xff;
		virt = (r[0] >> 8) & 0xff;
	}
	while (*name == ' ')
		name++;
	__asm__ volatile("movq %%cr4, %0" : "=r"(cr4));
	if (cr4 & CR4_OSXSAVE) {
		uint32_t lo, hi;

		__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
		xcr0 = lo | (uint64_t)hi << 32;
	}
	family = (sig >> 8) & 0xf;
	if (family == 0xf)
		family += (sig >> 20) & 0xff;
	model = (sig >> 4) & 0xf;
	if (family >= 6)
		model += ((sig >> 16) & 0xf) << 4;

	fmt_append(buf, size, &len,
		   "processor\t: 0\nvendor_id\t: %s\ncpu family\t: %u\nmodel\t\t: %u\n"
		   "model name\t: %s\nstepping\t: %u\ncpu MHz\t\t: %lu.%03lu\nfpu\t\t: yes\n"
		   "fpu_exception\t: yes\ncpuid level\t: %u\nwp\t\t: yes\nflags\t\t:",
		   (const char *)vendor, family, model, name, sig & 0xf,
		   (unsigned long)(hz / 1000000), (unsigned long)(hz / 1000 % 1000), max);
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (has(&flags[i], max, max_ext) && enabled(&flags[i], cr4, xcr0))
			fmt_append(buf, size, &len, " %s", flags[i].name);
	fmt_append(buf, size, &len,
		   "\nbogomips\t: %lu.%02lu\nclflush size\t: %u\ncache_alignment\t: %u\n"
		   "address sizes\t: %u bits physical, %u bits virtual\npower management:\n\n",
		   (unsigned long)(hz / 500000), (unsigned long)(hz / 5000 % 100),
		   ((ebx1 >> 8) & 0xff) * 8, ((ebx1 >> 8) & 0xff) * 8, phys, virt);
	return len;
}
