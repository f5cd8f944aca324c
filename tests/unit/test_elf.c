/* The ELF64 validator on crafted images, truncations and random damage. */
#include <stdbool.h>
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

/* Field by field: a segment's padding is not part of the answer. */
static bool
same_image(const struct elf_image *a, const struct elf_image *b)
{
	if (a->type != b->type || a->entry != b->entry || a->nseg != b->nseg || a->lo != b->lo ||
	    a->hi != b->hi || a->align != b->align || a->phoff != b->phoff ||
	    a->phdr_vaddr != b->phdr_vaddr || a->phnum != b->phnum ||
	    a->interp_off != b->interp_off || a->interp_len != b->interp_len ||
	    a->tls_vaddr != b->tls_vaddr || a->tls_filesz != b->tls_filesz ||
	    a->tls_memsz != b->tls_memsz || a->tls_align != b->tls_align ||
	    a->has_gnu_stack != b->has_gnu_stack)
		return false;
	for (size_t k = 0; k < a->nseg; k++) {
		const struct elf_segment *x = &a->seg[k], *y = &b->seg[k];

		if (x->vaddr != y->vaddr || x->memsz != y->memsz || x->offset != y->offset ||
		    x->filesz != y->filesz || x->flags != y->flags)
			return false;
	}
	return true;
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
	EXPECT(put16(im.b + 16, 4), -E_NOTSUP);	 /* ET_CORE */
	EXPECT(put16(im.b + 16, 1), -E_NOTSUP);	 /* ET_REL */
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

/* A loader that maps the file reads only its head: the same answer
 * where the headers lie in it, -E_NOTSUP where they do not. */
UNIT_TEST(parse_from_a_head)
{
	struct img im;
	struct elf_image whole, head;

	build(&im);
	CHECK_EQ(parse(&im, im.len, &whole), 0);
	CHECK_EQ(elf_parse_head(im.b, 0x1000, im.len, ELF_MACHINE_X86_64, USER_END, &head), 0);
	CHECK(same_image(&whole, &head));
	CHECK_EQ(elf_parse_head(im.b, 64 + 3 * 56, im.len, ELF_MACHINE_X86_64, USER_END, &head), 0);
	CHECK(same_image(&whole, &head));
	/* One byte short of the program headers, or of the ELF header. */
	CHECK_EQ(elf_parse_head(im.b, 64 + 3 * 56 - 1, im.len, ELF_MACHINE_X86_64, USER_END, &head),
		 -E_NOTSUP);
	CHECK_EQ(elf_parse_head(im.b, 63, im.len, ELF_MACHINE_X86_64, USER_END, &head), -E_CORRUPT);
	/* More head than file is a caller's mistake. */
	CHECK_EQ(elf_parse_head(im.b, 0x3000, im.len, ELF_MACHINE_X86_64, USER_END, &head),
		 -E_CORRUPT);
	/* Segment bytes are checked against the file, not the head. */
	put64(phdr(&im, 1) + 8, 0x7000);
	CHECK_EQ(elf_parse_head(im.b, 0x1000, im.len, ELF_MACHINE_X86_64, USER_END, &head),
		 -E_CORRUPT);
	/* Program headers moved past the head. */
	build(&im);
	memcpy(im.b + 0x1800, im.b + 64, 3 * 56);
	put64(im.b + 32, 0x1800);
	CHECK_EQ(elf_parse_head(im.b, 0x1000, im.len, ELF_MACHINE_X86_64, USER_END, &head),
		 -E_NOTSUP);
	CHECK_EQ(elf_parse_head(im.b, im.len, im.len, ELF_MACHINE_X86_64, USER_END, &head), 0);
	/* An interpreter's path past the head: left for the loader, which
	 * checks it as the whole file's parse does. */
	build(&im);
	set_phdr(&im, 2, 3, 4, 0x1f00, 0, 8, 8);
	memcpy(im.b + 0x1f00, "/lib/ld", 8);
	CHECK_EQ(elf_parse_head(im.b, 0x1000, im.len, ELF_MACHINE_X86_64, USER_END, &head), 0);
	CHECK(head.interp_later);
	CHECK_EQ(head.interp_off, 0x1f00);
	CHECK_EQ(head.interp_len, 7);
	CHECK_EQ(elf_interp_check((const char *)im.b + head.interp_off, head.interp_len + 1), 0);
	CHECK_EQ(elf_parse_head(im.b, im.len, im.len, ELF_MACHINE_X86_64, USER_END, &head), 0);
	CHECK(!head.interp_later);
	CHECK_EQ(head.interp_len, 7);
	/* Bad paths past the head: the bounds now, the bytes later. */
	im.b[0x1f07] = 'x';
	CHECK_EQ(elf_parse_head(im.b, 0x1000, im.len, ELF_MACHINE_X86_64, USER_END, &head), 0);
	CHECK_EQ(elf_interp_check((const char *)im.b + head.interp_off, head.interp_len + 1),
		 -E_CORRUPT);
	im.b[0x1f07] = '\0';
	im.b[0x1f03] = '\0';
	CHECK_EQ(elf_interp_check((const char *)im.b + 0x1f00, 8), -E_CORRUPT);
	set_phdr(&im, 2, 3, 4, im.len - 4, 0, 8, 8); /* past the file */
	CHECK_EQ(elf_parse_head(im.b, 0x1000, im.len, ELF_MACHINE_X86_64, USER_END, &head),
		 -E_CORRUPT);
	set_phdr(&im, 2, 3, 4, 0x1f00, 0, ELF_INTERP_MAX + 1, 8); /* too long */
	CHECK_EQ(elf_parse_head(im.b, 0x1000, im.len, ELF_MACHINE_X86_64, USER_END, &head),
		 -E_CORRUPT);
}

/* Any head that parses gives what the whole file gives. */
UNIT_TEST(random_heads_agree)
{
	struct img good, im;
	struct elf_image whole, head;
	int agreed = 0;

	unit_srand(78);
	build(&good);
	for (int i = 0; i < 20000; i++) {
		size_t avail = unit_rand() % (good.len + 1);
		int r;

		im = good;
		if (i & 1)
			im.b[unit_rand() % 256] = (uint8_t)unit_rand();
		r = elf_parse_head(im.b, avail, im.len, ELF_MACHINE_X86_64, USER_END, &head);
		if (r != 0)
			continue;
		/* A path past the head is good when the loader's check says so. */
		if (head.interp_later &&
		    elf_interp_check((const char *)im.b + head.interp_off, head.interp_len + 1)) {
			CHECK_EQ(parse(&im, im.len, &whole), -E_CORRUPT);
			continue;
		}
		CHECK_EQ(parse(&im, im.len, &whole), 0);
		CHECK(same_image(&whole, &head));
		agreed++;
	}
	CHECK(agreed > 0);
}

/* A PIE: addresses from 0, placed by the loader. */
static void
make_dyn(struct img *im)
{
	build(im);
	put16(im->b + 16, 3);
	put64(im->b + 24, 0x10);
	set_phdr(im, 0, 1, 5, 0x1000, 0x0, 0x100, 0x100);
	set_phdr(im, 1, 1, 6, 0x2000, 0x1000, 0x80, 0x3000);
}

UNIT_TEST(position_independent)
{
	struct img im;
	struct elf_image e;

	make_dyn(&im);
	CHECK_EQ(parse(&im, im.len, &e), 0);
	CHECK_EQ(e.type, ELF_TYPE_DYN);
	CHECK_EQ(e.lo, 0);
	CHECK_EQ(e.hi, 0x4000);
	CHECK_EQ(e.align, 0x1000);
	CHECK_EQ(e.entry, 0x10);
	/* A shared object has no entry; an executable must. */
	put64(im.b + 24, 0);
	CHECK_EQ(parse(&im, im.len, &e), 0);
	CHECK_EQ(e.entry, 0);
	build(&im);
	put64(im.b + 24, 0);
	CHECK_EQ(parse(&im, im.len, &e), -E_CORRUPT);
	/* A span that cannot fit below the end of user space. */
	make_dyn(&im);
	put64(phdr(&im, 1) + 16, USER_END - 0x1000);
	CHECK_EQ(parse(&im, im.len, &e), -E_RANGE);
	make_dyn(&im);
	put64(phdr(&im, 1) + 40, USER_END);
	CHECK_EQ(parse(&im, im.len, &e), -E_RANGE);
	/* Alignment: the largest is the base's. */
	make_dyn(&im);
	put64(phdr(&im, 1) + 48, 0x10000);
	CHECK_EQ(parse(&im, im.len, &e), 0);
	CHECK_EQ(e.align, 0x10000);
	put64(phdr(&im, 1) + 48, 1ull << 30);
	CHECK_EQ(parse(&im, im.len, &e), -E_CORRUPT); /* huge */
}

UNIT_TEST(segment_order_and_headers)
{
	struct img im;
	struct elf_image e;

	EXPECT((set_phdr(&im, 0, 1, 6, 0x2000, 0x401000, 0x80, 0x3000),
		set_phdr(&im, 1, 1, 5, 0x1000, 0x400000, 0x100, 0x100), put64(im.b + 24, 0x400010)),
	       -E_CORRUPT);				      /* descending */
	EXPECT(put64(phdr(&im, 0) + 40, 0x1100), -E_CORRUPT); /* text's tail in data's page */
	/* The headers in memory when the text segment loads them. */
	build(&im);
	set_phdr(&im, 0, 1, 5, 0, 0x400000, 0x1100, 0x1100);
	put64(im.b + 24, 0x401010);
	put64(phdr(&im, 1) + 16, 0x402000);
	CHECK_EQ(parse(&im, im.len, &e), 0);
	CHECK_EQ(e.phdr_vaddr, 0x400040);
	CHECK_EQ(e.phnum, 3);
	build(&im);
	CHECK_EQ(parse(&im, im.len, &e), 0);
	CHECK_EQ(e.phdr_vaddr, 0); /* not loaded: the loader copies them */
}

static void
with_interp(struct img *im, uint64_t off, uint64_t n)
{
	build(im);
	set_phdr(im, 2, 3, 4, off, 0, n, n);
	strcpy((char *)im->b + 0x1800, "/lib/ld.so");
}

UNIT_TEST(interpreter)
{
	struct img im;
	struct elf_image e;

	with_interp(&im, 0x1800, 11);
	CHECK_EQ(parse(&im, im.len, &e), 0);
	CHECK_EQ(e.interp_off, 0x1800);
	CHECK_EQ(e.interp_len, 10);
	EXPECT(with_interp(&im, 0x1800, 10), -E_CORRUPT);    /* no NUL */
	EXPECT(with_interp(&im, 0x1800, 12), -E_CORRUPT);    /* NUL inside */
	EXPECT(with_interp(&im, 0x1800, 0), -E_CORRUPT);     /* nothing */
	EXPECT(with_interp(&im, 0x180a, 1), -E_CORRUPT);     /* empty */
	EXPECT(with_interp(&im, 0x2070, 0x20), -E_CORRUPT);  /* past the end */
	EXPECT(with_interp(&im, ~0ull - 4, 11), -E_CORRUPT); /* wraps */
	EXPECT((with_interp(&im, 0x1800, 300), memset(im.b + 0x1800, 'a', 299),
		im.b[0x1800 + 299] = 0),
	       -E_CORRUPT); /* too long */
	EXPECT((with_interp(&im, 0x1800, 11), put16(im.b + 56, 4),
		set_phdr(&im, 3, 3, 4, 0x1800, 0, 11, 11)),
	       -E_CORRUPT); /* two */
}

UNIT_TEST(tls_and_stack)
{
	struct img im;
	struct elf_image e;

	build(&im);
	set_phdr(&im, 2, 7, 4, 0x2010, 0x401010, 0x20, 0x40);
	CHECK_EQ(parse(&im, im.len, &e), 0);
	CHECK_EQ(e.tls_vaddr, 0x401010);
	CHECK_EQ(e.tls_memsz, 0x40);
	CHECK_EQ(e.has_gnu_stack, 0);
	EXPECT(set_phdr(&im, 2, 7, 4, 0x2010, 0x401010, 0x80, 0x80), -E_CORRUPT); /* past filesz */
	EXPECT(set_phdr(&im, 2, 7, 4, 0x2010, 0x501010, 0x20, 0x40), -E_CORRUPT); /* nowhere */
	EXPECT(set_phdr(&im, 2, 7, 4, 0x2010, 0x401010, 0x40, 0x20),
	       -E_CORRUPT); /* filesz > memsz */
	EXPECT(set_phdr(&im, 2, 7, 4, 0x2010, 0x401010, 0, 1ull << 40), -E_CORRUPT); /* huge */
	EXPECT((set_phdr(&im, 2, 7, 4, 0x2010, 0x401010, 0x20, 0x40), put64(phdr(&im, 2) + 48, 3)),
	       -E_CORRUPT);
	EXPECT((put16(im.b + 56, 4), set_phdr(&im, 2, 7, 4, 0x2010, 0x401010, 0x20, 0x40),
		set_phdr(&im, 3, 7, 4, 0x2010, 0x401010, 0x20, 0x40)),
	       -E_CORRUPT); /* two */
	build(&im);
	CHECK_EQ(parse(&im, im.len, &e), 0);
	CHECK_EQ(e.has_gnu_stack, 1);
	EXPECT(put32(phdr(&im, 2) + 4, 7), -E_PERM); /* executable stack */
	EXPECT((put16(im.b + 56, 4), set_phdr(&im, 3, 0x6474e551, 6, 0, 0, 0, 0)), -E_CORRUPT);
}

static uint8_t *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n ? n : 1);
	*len = fread(buf, 1, n, f);
	fclose(f);
	return buf;
}

/* Builds src with cc and flags into dir/out; false if the toolchain
 * cannot (a missing static libc). */
static bool
host_build(const char *dir, const char *cc, const char *flags, const char *out)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "%s %s -o %s/%s %s/p.c 2>/dev/null", cc, flags, dir, out, dir);
	return system(cmd) == 0;
}

static void
check_host_file(const char *dir, const char *name, uint16_t machine, int want_type,
		bool want_interp, bool want_entry)
{
	char path[300];
	struct elf_image e;
	size_t len;
	uint8_t *buf;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	buf = slurp(path, &len);
	CHECK(buf != NULL);
	if (!buf)
		return;
	printf("  %s: %zu bytes\n", name, len);
	CHECK_EQ(elf_parse(buf, len, machine, USER_END, &e), 0);
	CHECK_EQ(e.type, want_type);
	CHECK_EQ(e.interp_len != 0, want_interp);
	CHECK_EQ(e.entry != 0, want_entry);
	CHECK(e.tls_memsz > 0);
	CHECK_EQ(e.has_gnu_stack, 1);
	CHECK(e.phdr_vaddr != 0);
	/* From its first page alone, as the kernel's loader reads it. */
	{
		struct elf_image h;

		CHECK_EQ(elf_parse_head(buf, len < 4096 ? len : 4096, len, machine, USER_END, &h),
			 0);
		CHECK(same_image(&e, &h));
	}
	if (want_interp)
		CHECK(strncmp((char *)buf + e.interp_off, "/lib", 4) == 0);
	CHECK_EQ(elf_parse(buf, len,
			   machine == ELF_MACHINE_X86_64 ? ELF_MACHINE_AARCH64 : ELF_MACHINE_X86_64,
			   USER_END, &e),
		 -E_NOTSUP);
	/* Every truncation that cuts a segment short is refused. */
	for (size_t n = 0; n < len; n += 1 + n / 64) {
		int r = elf_parse(buf, n, machine, USER_END, &e);

		if (r == 0)
			for (size_t k = 0; k < e.nseg; k++)
				CHECK(e.seg[k].offset + e.seg[k].filesz <= n);
	}
	free(buf);
}

UNIT_TEST(host_toolchain_programs)
{
	static const char src[] = "#include <stdio.h>\n"
				  "__thread int t = 3;\n"
				  "int main(void) { printf(\"%d\\n\", t); return 0; }\n";
	char dir[] = "/tmp/themelios-elf-XXXXXX", path[300];
	FILE *f;

	if (!mkdtemp(dir))
		return;
	snprintf(path, sizeof(path), "%s/p.c", dir);
	f = fopen(path, "w");
	fputs(src, f);
	fclose(f);
	if (host_build(dir, "gcc", "", "dyn"))
		check_host_file(dir, "dyn", ELF_MACHINE_X86_64, ELF_TYPE_DYN, true, true);
	if (host_build(dir, "gcc", "-static", "static"))
		check_host_file(dir, "static", ELF_MACHINE_X86_64, ELF_TYPE_EXEC, false, true);
	if (host_build(dir, "gcc", "-static-pie", "spie"))
		check_host_file(dir, "spie", ELF_MACHINE_X86_64, ELF_TYPE_DYN, false, true);
	if (host_build(dir, "gcc", "-shared -fpic", "so"))
		check_host_file(dir, "so", ELF_MACHINE_X86_64, ELF_TYPE_DYN, false, false);
	if (host_build(dir, "aarch64-linux-gnu-gcc", "-static", "a64"))
		check_host_file(dir, "a64", ELF_MACHINE_AARCH64, ELF_TYPE_EXEC, false, true);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	CHECK_EQ(system(path), 0);
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
