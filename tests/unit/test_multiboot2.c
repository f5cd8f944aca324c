/*
 * The Multiboot2 parser on crafted buffers: a well-formed one, then
 * truncated, misaligned, oversized and garbage ones.  ASan catches any
 * read past the buffer (each test copies into an exactly sized malloc).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boot/multiboot2.h"
#include "themelios/errno.h"
#include "unit.h"

struct builder {
	uint8_t buf[8192];
	size_t len;
};

static void
put32(struct builder *b, uint32_t v)
{
	memcpy(b->buf + b->len, &v, 4);
	b->len += 4;
}

static void
put64(struct builder *b, uint64_t v)
{
	memcpy(b->buf + b->len, &v, 8);
	b->len += 8;
}

static void
align8(struct builder *b)
{
	while (b->len % 8)
		b->buf[b->len++] = 0;
}

static void
begin(struct builder *b)
{
	memset(b, 0, sizeof(*b));
	b->len = 8;
}

static void
tag_string(struct builder *b, uint32_t type, const char *s)
{
	size_t n = strlen(s) + 1;

	put32(b, type);
	put32(b, (uint32_t)(8 + n));
	memcpy(b->buf + b->len, s, n);
	b->len += n;
	align8(b);
}

static void
tag_mmap(struct builder *b, const uint64_t (*e)[3], int n)
{
	put32(b, 6);
	put32(b, (uint32_t)(16 + 24 * n));
	put32(b, 24);
	put32(b, 0);
	for (int i = 0; i < n; i++) {
		put64(b, e[i][0]);
		put64(b, e[i][1]);
		put32(b, (uint32_t)e[i][2]);
		put32(b, 0);
	}
	align8(b);
}

static void
tag_module(struct builder *b, uint32_t start, uint32_t end, const char *name)
{
	size_t n = strlen(name) + 1;

	put32(b, 3);
	put32(b, (uint32_t)(16 + n));
	put32(b, start);
	put32(b, end);
	memcpy(b->buf + b->len, name, n);
	b->len += n;
	align8(b);
}

static void
tag_rsdp(struct builder *b, uint32_t type, uint8_t revision, size_t len)
{
	put32(b, type);
	put32(b, (uint32_t)(8 + len));
	memset(b->buf + b->len, 0, len);
	memcpy(b->buf + b->len, "RSD PTR ", 8);
	b->buf[b->len + 15] = revision;
	b->len += len;
	align8(b);
}

static void
finish(struct builder *b)
{
	put32(b, 0);
	put32(b, 8);
	memcpy(b->buf, &(uint32_t){ (uint32_t)b->len }, 4);
}

static const uint64_t good_map[][3] = {
	{ 0x0, 0x9fc00, 1 },
	{ 0x9fc00, 0x400, 2 },
	{ 0x100000, 0x7ee0000, 1 },
	{ 0x7fe0000, 0x20000, 3 },
	{ 0x100000000ull, 0x40000000ull, 1 },
};

static void
build_good(struct builder *b)
{
	begin(b);
	tag_string(b, 1, "test loglevel=3");
	tag_string(b, 2, "GRUB 2.06");
	tag_mmap(b, good_map, 5);
	tag_module(b, 0x200000, 0x280000, "initrd.cpio");
	tag_rsdp(b, 14, 0, 20);
	tag_rsdp(b, 15, 2, 36);
	finish(b);
}

static int warnings;

static void
count_warn(const char *what, uint32_t type, size_t off)
{
	(void)what;
	(void)type;
	(void)off;
	warnings++;
}

/* Parses a heap copy of exactly len bytes, so over-reads trip ASan. */
static int
parse_copy(const void *data, size_t len, struct boot_info *bi)
{
	void *p = aligned_alloc(8, len ? (len + 7) & ~(size_t)7 : 8);
	int r;

	memcpy(p, data, len);
	warnings = 0;
	r = mb2_parse(p, len, 0x10000, bi, count_warn);
	free(p);
	return r;
}

UNIT_TEST(well_formed_information)
{
	struct builder b;
	struct boot_info bi;

	build_good(&b);
	CHECK_EQ(parse_copy(b.buf, b.len, &bi), 0);
	CHECK_EQ(warnings, 0);
	CHECK(strcmp(bi.cmdline, "test loglevel=3") == 0);
	CHECK(strcmp(bi.loader_name, "GRUB 2.06") == 0);
	CHECK_EQ(bi.nmem, 5);
	CHECK_EQ(bi.mem[0].type, BOOT_MEM_USABLE);
	CHECK_EQ(bi.mem[1].type, BOOT_MEM_RESERVED);
	CHECK_EQ(bi.mem[3].type, BOOT_MEM_ACPI_RECLAIMABLE);
	CHECK_EQ(bi.mem[4].base, 0x100000000ull);
	CHECK_EQ(boot_info_usable_bytes(&bi), 0x9fc00 + 0x7ee0000 + 0x40000000ull);
	CHECK_EQ(bi.nmodules, 1);
	CHECK_EQ(bi.modules[0].start, 0x200000);
	CHECK_EQ(bi.modules[0].end, 0x280000);
	CHECK(strcmp(bi.modules[0].name, "initrd.cpio") == 0);
	CHECK_EQ(bi.rsdp_len, 36);
	CHECK_EQ(bi.rsdp_revision, 2);
	CHECK(memcmp(bi.rsdp_copy, "RSD PTR ", 8) == 0);
	CHECK_EQ(bi.info_start, 0x10000);
	CHECK_EQ(bi.info_end, 0x10000 + b.len);
}

UNIT_TEST(old_rsdp_alone)
{
	struct builder b;
	struct boot_info bi;

	begin(&b);
	tag_rsdp(&b, 14, 0, 20);
	finish(&b);
	CHECK_EQ(parse_copy(b.buf, b.len, &bi), 0);
	CHECK_EQ(bi.rsdp_len, 20);
	CHECK_EQ(bi.rsdp_revision, 0);
}

UNIT_TEST(adjacent_regions_merge)
{
	static const uint64_t map[][3] = {
		{ 0x0, 0x1000, 1 },
		{ 0x1000, 0x1000, 1 },
		{ 0x2000, 0x1000, 2 },
	};
	struct builder b;
	struct boot_info bi;

	begin(&b);
	tag_mmap(&b, map, 3);
	finish(&b);
	CHECK_EQ(parse_copy(b.buf, b.len, &bi), 0);
	CHECK_EQ(bi.nmem, 2);
	CHECK_EQ(bi.mem[0].length, 0x2000);
}

UNIT_TEST(header_rejected)
{
	struct builder b;
	struct boot_info bi;
	uint64_t aligned[4] = { 0 };

	CHECK_EQ(mb2_parse(NULL, 64, 0, &bi, count_warn), -E_CORRUPT);
	build_good(&b);
	/* total_size larger than what can be read */
	CHECK_EQ(parse_copy(b.buf, b.len - 8, &bi), -E_CORRUPT);
	/* total_size below the header */
	memcpy(b.buf, &(uint32_t){ 4 }, 4);
	CHECK_EQ(parse_copy(b.buf, b.len, &bi), -E_CORRUPT);
	/* misaligned start */
	memcpy((uint8_t *)aligned + 1, &(uint32_t){ 16 }, 4);
	CHECK_EQ(mb2_parse((uint8_t *)aligned + 1, 24, 0, &bi, count_warn), -E_CORRUPT);
	/* fewer than 8 readable bytes */
	CHECK_EQ(parse_copy(b.buf, 4, &bi), -E_CORRUPT);
}

/* Every truncation whose total_size matches: no crash, never a bad read. */
UNIT_TEST(truncated_at_every_length)
{
	struct builder good, b;
	struct boot_info bi;

	build_good(&good);
	for (size_t len = 8; len < good.len; len++) {
		b = good;
		memcpy(b.buf, &(uint32_t){ (uint32_t)len }, 4);
		CHECK_EQ(parse_copy(b.buf, len, &bi), 0);
		CHECK(warnings >= 1); /* at least "no end tag" or a cut tag */
		CHECK(bi.nmem <= 5);
		CHECK(strlen(bi.cmdline) < sizeof(bi.cmdline));
	}
}

UNIT_TEST(oversized_and_undersized_tags)
{
	struct builder b;
	struct boot_info bi;

	begin(&b);
	tag_string(&b, 1, "first");
	put32(&b, 2);
	put32(&b, 0x10000); /* runs far past the end */
	put64(&b, 0);
	finish(&b);
	CHECK_EQ(parse_copy(b.buf, b.len, &bi), 0);
	CHECK(strcmp(bi.cmdline, "first") == 0);
	CHECK(warnings >= 1);

	begin(&b);
	put32(&b, 1);
	put32(&b, 4); /* smaller than a tag header */
	finish(&b);
	CHECK_EQ(parse_copy(b.buf, b.len, &bi), 0);
	CHECK(warnings >= 1);
}

UNIT_TEST(unterminated_strings)
{
	struct builder b;
	struct boot_info bi;

	begin(&b);
	put32(&b, 1);
	put32(&b, 16);
	memcpy(b.buf + b.len, "ABCDEFGH", 8); /* no NUL inside the tag */
	b.len += 8;
	tag_string(&b, 2, "loader");
	finish(&b);
	CHECK_EQ(parse_copy(b.buf, b.len, &bi), 0);
	CHECK_EQ(bi.cmdline[0], '\0');
	CHECK(strcmp(bi.loader_name, "loader") == 0);
	CHECK_EQ(warnings, 1);
}

UNIT_TEST(long_command_line_truncated)
{
	struct builder b;
	struct boot_info bi;
	char longline[2000];

	memset(longline, 'x', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	begin(&b);
	tag_string(&b, 1, longline);
	finish(&b);
	CHECK_EQ(parse_copy(b.buf, b.len, &bi), 0);
	CHECK_EQ(strlen(bi.cmdline), BOOT_CMDLINE_MAX - 1);
}

UNIT_TEST(bad_memory_maps)
{
	struct builder b;
	struct boot_info bi;
	uint32_t sizes[] = { 0, 8, 20, 25, 28 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		begin(&b);
		put32(&b, 6);
		put32(&b, 16 + 48);
		put32(&b, sizes[i]);
		put32(&b, 0);
		memset(b.buf + b.len, 0x41, 48);
		b.len += 48;
		finish(&b);
		CHECK_EQ(parse_copy(b.buf, b.len, &bi), 0);
		CHECK_EQ(bi.nmem, 0);
		CHECK_EQ(warnings, 1);
	}
	/* A map tag too short for its own header. */
	begin(&b);
	put32(&b, 6);
	put32(&b, 12);
	put32(&b, 24);
	align8(&b);
	finish(&b);
	CHECK_EQ(parse_copy(b.buf, b.len, &bi), 0);
	CHECK_EQ(bi.nmem, 0);
}

UNIT_TEST(too_many_regions)
{
	static uint64_t map[200][3];
	struct builder b;
	struct boot_info bi;

	for (int i = 0; i < 200; i++) {
		map[i][0] = (uint64_t)i * 0x2000; /* gaps: nothing merges */
		map[i][1] = 0x1000;
		map[i][2] = 1;
	}
	begin(&b);
	tag_mmap(&b, (const uint64_t(*)[3])map, 200);
	finish(&b);
	CHECK_EQ(parse_copy(b.buf, b.len, &bi), 0);
	CHECK_EQ(bi.nmem, BOOT_MAX_MEM_REGIONS);
	CHECK_EQ(warnings, 1);
}

UNIT_TEST(bad_modules_and_unknown_tags)
{
	struct builder b;
	struct boot_info bi;

	begin(&b);
	tag_module(&b, 0x300000, 0x200000, "backwards");
	put32(&b, 99); /* unknown type */
	put32(&b, 8);
	put32(&b, 3); /* module too short for a name */
	put32(&b, 16);
	put64(&b, 0);
	for (int i = 0; i < BOOT_MAX_MODULES + 2; i++)
		tag_module(&b, 0x1000, 0x2000, "m");
	finish(&b);
	CHECK_EQ(parse_copy(b.buf, b.len, &bi), 0);
	CHECK_EQ(bi.nmodules, BOOT_MAX_MODULES);
	CHECK_EQ(warnings, 1 + 1 + 1 + 2);
}

UNIT_TEST(short_rsdp_tags)
{
	struct builder b;
	struct boot_info bi;

	begin(&b);
	tag_rsdp(&b, 15, 2, 20); /* new form must carry 36 bytes */
	tag_rsdp(&b, 14, 0, 10);
	finish(&b);
	CHECK_EQ(parse_copy(b.buf, b.len, &bi), 0);
	CHECK_EQ(bi.rsdp_len, 0);
	CHECK_EQ(warnings, 2);
}

UNIT_TEST(random_corruption_never_crashes)
{
	struct builder good, b;
	struct boot_info bi;

	unit_srand(0x1234567887654321ull);
	build_good(&good);
	for (int i = 0; i < 20000; i++) {
		int flips = 1 + (int)(unit_rand() % 8);
		int r;

		b = good;
		for (int f = 0; f < flips; f++)
			b.buf[unit_rand() % b.len] = (uint8_t)unit_rand();
		r = parse_copy(b.buf, b.len, &bi);
		CHECK(r == 0 || r == -E_CORRUPT);
		CHECK(bi.nmem <= BOOT_MAX_MEM_REGIONS);
		CHECK(bi.nmodules <= BOOT_MAX_MODULES);
		CHECK(strlen(bi.cmdline) < sizeof(bi.cmdline));
		CHECK(strlen(bi.loader_name) < sizeof(bi.loader_name));
	}
}

UNIT_MAIN()
