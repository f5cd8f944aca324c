/* The ELF64 validator on crafted images, truncations and random damage. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proc/elf.h"
#include "themelios/errno.h"
#include "unit.h"

#define USER_END 0x0000800000000000ull

struct img {
	uint8_t b[0x3000];
	size_t len;
};

static void
put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}
static void
put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}
static void
put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static uint8_t *
phdr(struct img *im, int i)
{
	return im->b + 64 + 56 * i;
}

static void
set_phdr(struct img *im, int i, uint32_t type, uint32_t flags, uint64_t off, uint64_t vaddr,
	 uint64_t filesz, uint64_t memsz)
{
	uint8_t *p = phdr(im, i);

	put32(p, type);
	put32(p + 4, flags);
	put64(p + 8, off);
	put64(p + 16, vaddr);
	put64(p + 24, vaddr);
	put64(p + 32, filesz);
	put64(p + 40, memsz);
	put64(p + 48, 0x1000);
}

/* Text at 0x400000 (file 0x1000), data at 0x401000 (file 0x2000) + bss. */
static void
build(struct img *im)
{
	memset(im, 0, sizeof(*im));
	memcpy(im->b,
	       "\x7f"
	       "ELF",
	       4);
	im->b[4] = 2;
	im->b[5] = 1;
	im->b[6] = 1;
	put16(im->b + 16, 2);
	put16(im->b + 18, ELF_MACHINE_X86_64);
	put32(im->b + 20, 1);
	put64(im->b + 24, 0x400010);
	put64(im->b + 32, 64);
	put16(im->b + 52, 64);
	put16(im->b + 54, 56);
	put16(im->b + 56, 3);
	set_phdr(im, 0, 1, 5, 0x1000, 0x400000, 0x100, 0x100);
	set_phdr(im, 1, 1, 6, 0x2000, 0x401000, 0x80, 0x3000);
	set_phdr(im, 2, 0x6474e551, 6, 0, 0, 0, 0); /* GNU_STACK: ignored */
	im->len = 0x2080;
}

static int
parse(const struct img *im, size_t len, struct elf_image *out)
{
	uint8_t *copy = malloc(len ? len : 1);
	int r;

	memcpy(copy, im->b, len);
	r = elf_parse(copy, len, ELF_MACHINE_X86_64, USER_END, out);
	free(copy);
	return r;
}

UNIT_TEST(valid_image)
{
	struct img im;
	struct elf_image e;

	build(&im);
	CHECK_EQ(parse(&im, im.len, &e), 0);
	CHECK_EQ(e.entry, 0x400010);
	CHECK_EQ(e.nseg, 2);
	CHECK_EQ(e.seg[0].vaddr, 0x400000);
	CHECK_EQ(e.seg[0].flags, ELF_SEG_R | ELF_SEG_X);
	CHECK_EQ(e.seg[1].memsz, 0x3000);
	CHECK_EQ(e.seg[1].filesz, 0x80);
}

#define EXPECT(mutation, err)                          \
	do {                                           \
		struct img im;                         \
		struct elf_image e;                    \
		build(&im);                            \
		mutation;                              \
		CHECK_EQ(parse(&im, im.len, &e), err); \
	} while (0)

UNIT_TEST(header_errors)
{
	EXPECT(im.b[0] = 0, -E_CORRUPT);
	EXPECT(im.b[4] = 1, -E_NOTSUP); /* 32-bit */
	EXPECT(im.b[5] = 2, -E_NOTSUP); /* big-endian */
	EXPECT(im.b[6] = 0, -E_CORRUPT);
	EXPECT(put16(im.b + 18, 40), -E_NOTSUP); /* ARM */
	EXPECT(put16(im.b + 16, 3), -E_NOTSUP);	 /* ET_DYN */
	EXPECT(put16(im.b + 54, 32), -E_CORRUPT);
	EXPECT(put16(im.b + 52, 40), -E_CORRUPT);
	EXPECT(put16(im.b + 56, 0), -E_CORRUPT);
	EXPECT(put16(im.b + 56, 0xffff), -E_CORRUPT);
	EXPECT(put64(im.b + 32, 0x10000), -E_CORRUPT);
	EXPECT(put64(im.b + 32, ~0ull - 10), -E_CORRUPT);
	EXPECT(put64(im.b + 24, 0x401000), -E_CORRUPT); /* entry in data */
	EXPECT(put64(im.b + 24, 0x500000), -E_CORRUPT); /* entry nowhere */
}

UNIT_TEST(segment_errors)
{
	EXPECT(put64(phdr(&im, 0) + 32, 0x200), -E_CORRUPT); /* filesz > memsz */
	EXPECT(put64(phdr(&im, 1) + 8, 0x7000), -E_CORRUPT); /* past the file */
	EXPECT(put64(phdr(&im, 1) + 32, ~0ull), -E_CORRUPT);
	EXPECT(put64(phdr(&im, 0) + 16, 0xffffffff80000000ull), -E_RANGE); /* kernel */
	EXPECT(put64(phdr(&im, 0) + 16, 0), -E_RANGE);			   /* NULL page */
	EXPECT(put64(phdr(&im, 1) + 40, ~0ull - 0x100), -E_RANGE);	   /* wraps */
	EXPECT(put32(phdr(&im, 0) + 4, 7), -E_PERM);			   /* W+X */
	EXPECT(put64(phdr(&im, 1) + 16, 0x401800), -E_CORRUPT);		   /* not congruent */
	EXPECT(put64(phdr(&im, 1) + 16, 0x400000), -E_CORRUPT);		   /* overlaps text */
	EXPECT(put64(phdr(&im, 0) + 48, 3), -E_CORRUPT);		   /* bad align */
	EXPECT(put32(phdr(&im, 2), 3), -E_NOTSUP);			   /* PT_INTERP */
	EXPECT((put64(phdr(&im, 1) + 32, 0), put64(phdr(&im, 1) + 40, 0)), -E_RANGE); /* empty */
	EXPECT((put16(im.b + 56, 1), put32(phdr(&im, 0) + 4, 4)), -E_CORRUPT);	      /* no exec */
}

UNIT_TEST(every_truncation_is_refused)
{
	struct img im;
	struct elf_image e;

	build(&im);
	for (size_t len = 0; len < im.len; len++)
		CHECK(parse(&im, len, &e) < 0);
	CHECK_EQ(elf_parse(NULL, 100, ELF_MACHINE_X86_64, USER_END, &e), -E_CORRUPT);
}

UNIT_TEST(host_executable_is_refused)
{
	/* The host's binaries are position-independent or dynamic. */
	FILE *f = fopen("/bin/true", "rb");
	static uint8_t buf[1 << 20];
	struct elf_image e;
	size_t n;

	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	CHECK_EQ(elf_parse(buf, n, ELF_MACHINE_X86_64, USER_END, &e), -E_NOTSUP);
}

UNIT_TEST(random_damage_never_crashes)
{
	struct img good, im;
	struct elf_image e;
	int accepted = 0;

	unit_srand(77);
	build(&good);
	for (int i = 0; i < 50000; i++) {
		im = good;
		for (int f = 0; f < 1 + (int)(unit_rand() % 4); f++)
			im.b[unit_rand() % 256] = (uint8_t)unit_rand();
		if (parse(&im, im.len, &e) == 0) {
			accepted++;
			/* Whatever passes obeys the rules. */
			for (size_t k = 0; k < e.nseg; k++) {
				CHECK(e.seg[k].filesz <= e.seg[k].memsz);
				CHECK(e.seg[k].offset + e.seg[k].filesz <= im.len);
				CHECK(e.seg[k].vaddr + e.seg[k].memsz <= USER_END);
				CHECK((e.seg[k].flags & 3) != 3);
			}
		}
	}
	CHECK(accepted > 0);
}

UNIT_MAIN()
