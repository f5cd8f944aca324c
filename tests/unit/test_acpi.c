/* ACPI parsing over a fake physical memory: good tables, then every kind of damage. */
#include <stdint.h>
#include <string.h>

#include "dev/acpi.h"
#include "themelios/errno.h"
#include "unit.h"

#define MEM_SIZE (1 << 20)
static uint8_t mem[MEM_SIZE];
static int fail_reads;

static int
read_phys(void *ctx, uint64_t phys, void *dst, size_t len)
{
	(void)ctx;
	if (fail_reads || phys >= MEM_SIZE || len > MEM_SIZE - phys)
		return -E_FAULT;
	memcpy(dst, mem + phys, len);
	return 0;
}

static void
w32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}
static void
w64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static void
fix_checksum(uint8_t *t, uint32_t len, int at)
{
	uint8_t sum = 0;

	t[at] = 0;
	for (uint32_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + t[i]);
	t[at] = (uint8_t)(0 - sum);
}

static void
header(uint8_t *t, const char *sig, uint32_t len)
{
	memcpy(t, sig, 4);
	w32(t + 4, len);
	t[8] = 1;
}

#define RSDT 0x1000
#define XSDT 0x2000
#define MADT 0x3000
#define FADT 0x4000
#define DSDT 0x5000

static uint8_t rsdp[36];
static uint32_t madt_len;

static void
build(int revision)
{
	uint8_t *m = mem + MADT, *f = mem + FADT, *d = mem + DSDT;
	uint32_t off = 44;

	memset(mem, 0, sizeof(mem));
	memset(rsdp, 0, sizeof(rsdp));
	memcpy(rsdp, "RSD PTR ", 8);
	rsdp[15] = (uint8_t)revision;
	w32(rsdp + 16, RSDT);
	if (revision >= 2) {
		w32(rsdp + 20, 36);
		w64(rsdp + 24, XSDT);
	}
	fix_checksum(rsdp, 20, 8);
	if (revision >= 2)
		fix_checksum(rsdp, 36, 32);

	header(mem + RSDT, "RSDT", 36 + 8);
	w32(mem + RSDT + 36, MADT);
	w32(mem + RSDT + 40, FADT);
	fix_checksum(mem + RSDT, 44, 9);
	header(mem + XSDT, "XSDT", 36 + 16);
	w64(mem + XSDT + 36, FADT);
	w64(mem + XSDT + 44, MADT);
	fix_checksum(mem + XSDT, 52, 9);

	w32(m + 36, 0xfee00000);
	w32(m + 40, 1);
	for (int cpu = 0; cpu < 2; cpu++) {
		uint8_t e[8] = { 0, 8, (uint8_t)cpu, (uint8_t)cpu, 1, 0, 0, 0 };
		memcpy(m + off, e, 8);
		off += 8;
	}
	uint8_t io[12] = { 1, 12, 7, 0 };
	w32(io + 4, 0xfec00000);
	w32(io + 8, 0);
	memcpy(m + off, io, 12);
	off += 12;
	uint8_t iso0[10] = { 2, 10, 0, 0, 2, 0, 0, 0, 0, 0 };
	memcpy(m + off, iso0, 10);
	off += 10;
	uint8_t iso9[10] = { 2, 10, 0, 9, 9, 0, 0, 0, 0x0f, 0 }; /* level, low */
	memcpy(m + off, iso9, 10);
	off += 10;
	uint8_t ov[12] = { 5, 12, 0, 0 };
	w64(ov + 4, 0xfee00000ull);
	memcpy(m + off, ov, 12);
	off += 12;
	madt_len = off;
	header(m, "APIC", off);
	fix_checksum(m, off, 9);

	header(f, "FACP", 244);
	w32(f + 40, DSDT);
	w32(f + 64, 0x604);
	w32(f + 112, 1u << 10);
	f[116] = 1;
	w64(f + 120, 0xcf9);
	f[128] = 6;
	fix_checksum(f, 244, 9);

	static const uint8_t aml[] = { 0x08, '_',  'S',	 '5',  '_',  0x12, 0x06,
				       0x04, 0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00 };
	header(d, "DSDT", 36 + 100 + sizeof(aml));
	memcpy(d + 36 + 100, aml, sizeof(aml));
	fix_checksum(d, 36 + 100 + sizeof(aml), 9);
}

#define MCFG 0x6000

/* An MCFG with the given entries, linked as a third XSDT entry. */
static void
add_mcfg(const uint64_t *base, const uint8_t (*buses)[2], int n)
{
	uint8_t *t = mem + MCFG;
	uint32_t len = 44 + 16 * (uint32_t)n;

	header(mem + XSDT, "XSDT", 36 + 24);
	w64(mem + XSDT + 36, FADT);
	w64(mem + XSDT + 44, MADT);
	w64(mem + XSDT + 52, MCFG);
	fix_checksum(mem + XSDT, 60, 9);
	memset(t, 0, len);
	header(t, "MCFG", len);
	for (int i = 0; i < n; i++) {
		w64(t + 44 + 16 * i, base[i]);
		t[44 + 16 * i + 8] = (uint8_t)i; /* segment */
		t[44 + 16 * i + 10] = buses[i][0];
		t[44 + 16 * i + 11] = buses[i][1];
	}
	fix_checksum(t, len, 9);
}

UNIT_TEST(mcfg_windows)
{
	static const uint64_t base[] = { 0xb0000000, 0x123, 0xe0000000, 0xc0000000 };
	static const uint8_t buses[][2] = { { 0, 255 }, { 0, 1 }, { 8, 7 }, { 1, 3 } };
	struct acpi_info ai;

	build(2);
	CHECK_EQ(acpi_parse(rsdp, 36, read_phys, NULL, &ai), 0);
	CHECK(!ai.have_mcfg);
	CHECK_EQ(ai.necam, 0);

	/* q35's single window, then ones that are not windows. */
	add_mcfg(base, buses, 4);
	CHECK_EQ(acpi_parse(rsdp, 36, read_phys, NULL, &ai), 0);
	CHECK(ai.have_mcfg);
	CHECK_EQ(ai.necam, 2);
	CHECK_EQ(ai.ecam[0].base, 0xb0000000);
	CHECK_EQ(ai.ecam[0].segment, 0);
	CHECK_EQ(ai.ecam[0].bus_start, 0);
	CHECK_EQ(ai.ecam[0].bus_end, 255);
	CHECK_EQ(ai.ecam[1].base, 0xc0000000);
	CHECK_EQ(ai.ecam[1].segment, 3);
	CHECK_EQ(ai.ecam[1].bus_start, 1);
	CHECK_EQ(ai.ecam[1].bus_end, 3);
	CHECK_EQ(ai.warnings, 2); /* unaligned base, buses backwards */

	/* A bad checksum: no windows, and the MADT still counts. */
	mem[MCFG + 50] ^= 1;
	CHECK_EQ(acpi_parse(rsdp, 36, read_phys, NULL, &ai), 0);
	CHECK(!ai.have_mcfg);
	CHECK_EQ(ai.necam, 0);
	CHECK_EQ(ai.warnings, 1);

	/* A length that cuts an entry: only the whole ones. */
	add_mcfg(base, buses, 1);
	header(mem + MCFG, "MCFG", 44 + 10);
	fix_checksum(mem + MCFG, 44 + 10, 9);
	CHECK_EQ(acpi_parse(rsdp, 36, read_phys, NULL, &ai), 0);
	CHECK(ai.have_mcfg);
	CHECK_EQ(ai.necam, 0);
}

UNIT_TEST(acpi2_with_xsdt)
{
	struct acpi_info ai;
	uint32_t gsi;
	uint16_t fl;

	build(2);
	CHECK_EQ(acpi_parse(rsdp, 36, read_phys, NULL, &ai), 0);
	CHECK_EQ(ai.ncpus, 2);
	CHECK_EQ(ai.nioapics, 1);
	CHECK_EQ(ai.ioapic[0].address, 0xfec00000);
	CHECK_EQ(ai.ioapic[0].id, 7);
	CHECK_EQ(ai.lapic_address, 0xfee00000);
	CHECK_EQ(ai.noverrides, 2);
	acpi_irq_to_gsi(&ai, 0, &gsi, &fl);
	CHECK_EQ(gsi, 2);
	CHECK_EQ(fl, ACPI_POLARITY_HIGH | ACPI_TRIGGER_EDGE);
	acpi_irq_to_gsi(&ai, 9, &gsi, &fl);
	CHECK_EQ(gsi, 9);
	CHECK_EQ(fl, ACPI_POLARITY_LOW | ACPI_TRIGGER_LEVEL);
	acpi_irq_to_gsi(&ai, 4, &gsi, &fl);
	CHECK_EQ(gsi, 4);
	CHECK(ai.have_fadt);
	CHECK_EQ(ai.pm1a_cnt, 0x604);
	CHECK(ai.have_reset);
	CHECK_EQ(ai.reset_address, 0xcf9);
	CHECK_EQ(ai.reset_value, 6);
	CHECK(ai.have_s5);
	CHECK_EQ(ai.slp_typa, 5);
	CHECK_EQ(ai.warnings, 0);
}

UNIT_TEST(acpi1_with_rsdt)
{
	struct acpi_info ai;

	build(0);
	CHECK_EQ(acpi_parse(rsdp, 20, read_phys, NULL, &ai), 0);
	CHECK_EQ(ai.ncpus, 2);
	CHECK(ai.have_fadt);
}

UNIT_TEST(bad_xsdt_falls_back_to_rsdt)
{
	struct acpi_info ai;

	build(2);
	mem[XSDT + 40] ^= 0xff;
	CHECK_EQ(acpi_parse(rsdp, 36, read_phys, NULL, &ai), 0);
	CHECK_EQ(ai.ncpus, 2);
	CHECK(ai.warnings >= 1);
}

UNIT_TEST(broken_rsdp_and_roots)
{
	struct acpi_info ai;

	build(2);
	rsdp[0] = 'X';
	CHECK_EQ(acpi_parse(rsdp, 36, read_phys, NULL, &ai), -E_CORRUPT);
	build(2);
	rsdp[9] ^= 1; /* v1 checksum */
	CHECK_EQ(acpi_parse(rsdp, 36, read_phys, NULL, &ai), -E_CORRUPT);
	CHECK_EQ(acpi_parse(rsdp, 10, read_phys, NULL, &ai), -E_CORRUPT);
	CHECK_EQ(acpi_parse(NULL, 36, read_phys, NULL, &ai), -E_CORRUPT);
	build(0);
	mem[RSDT + 20] ^= 1;
	CHECK_EQ(acpi_parse(rsdp, 20, read_phys, NULL, &ai), -E_CORRUPT);
	build(0);
	w32(mem + RSDT + 4, 0x7fffffff); /* absurd length */
	CHECK_EQ(acpi_parse(rsdp, 20, read_phys, NULL, &ai), -E_CORRUPT);
	build(0);
	w32(rsdp + 16, MEM_SIZE + 100); /* root outside memory */
	rsdp[8] = 0;
	{
		uint8_t s = 0;
		for (int i = 0; i < 20; i++)
			s = (uint8_t)(s + rsdp[i]);
		rsdp[8] = (uint8_t)(0 - s);
	}
	CHECK_EQ(acpi_parse(rsdp, 20, read_phys, NULL, &ai), -E_FAULT);
	build(2);
	fail_reads = 1;
	CHECK(acpi_parse(rsdp, 36, read_phys, NULL, &ai) < 0);
	fail_reads = 0;
}

UNIT_TEST(bad_madt_entries_stop_safely)
{
	struct acpi_info ai;

	build(2);
	mem[MADT + 44 + 1] = 0; /* first entry has length 0 */
	fix_checksum(mem + MADT, madt_len, 9);
	CHECK_EQ(acpi_parse(rsdp, 36, read_phys, NULL, &ai), 0);
	CHECK_EQ(ai.ncpus, 0);
	CHECK(ai.warnings >= 1);

	build(2);
	mem[MADT + 44 + 1] = 200; /* runs past the table */
	fix_checksum(mem + MADT, madt_len, 9);
	CHECK_EQ(acpi_parse(rsdp, 36, read_phys, NULL, &ai), 0);
	CHECK(ai.warnings >= 1);

	build(2);
	mem[MADT + 20] ^= 0x55; /* MADT checksum */
	CHECK_EQ(acpi_parse(rsdp, 36, read_phys, NULL, &ai), -E_NOENT);
}

UNIT_TEST(s5_extraction)
{
	uint8_t a, b;
	static const uint8_t ok1[] = { 0x08, '_',  'S',	 '5',  '_',  0x12,
				       0x08, 0x04, 0x00, 0x00, 0x00, 0x00 };
	static const uint8_t ok2[] = { 'x',  '_',  'S',	 '5',  '_',  0x12, 0x40,
				       0x0a, 0x04, 0x0a, 0x07, 0x01, 0x00 };
	static const uint8_t cut[] = { '_', 'S', '5', '_', 0x12 };
	static const uint8_t bad[] = { '_', 'S', '5', '_', 0x13, 1, 2, 3 };

	CHECK_EQ(acpi_find_s5(ok1, sizeof(ok1), &a, &b), 0);
	CHECK_EQ(a, 0);
	CHECK_EQ(acpi_find_s5(ok2, sizeof(ok2), &a, &b), 0);
	CHECK_EQ(a, 7);
	CHECK_EQ(b, 1);
	CHECK_EQ(acpi_find_s5(cut, sizeof(cut), &a, &b), -E_NOENT);
	CHECK_EQ(acpi_find_s5(bad, sizeof(bad), &a, &b), -E_NOENT);
	CHECK_EQ(acpi_find_s5(ok1, 0, &a, &b), -E_NOENT);
}

UNIT_TEST(random_damage_never_crashes)
{
	struct acpi_info ai;
	unsigned int s = 3;
	static const uint32_t regions[] = { RSDT, XSDT, MADT, FADT, DSDT };

	for (int i = 0; i < 20000; i++) {
		build(2);
		for (int k = 0; k < 4; k++) {
			s = s * 1103515245u + 12345u;
			uint32_t base = regions[(s >> 4) % 5];
			mem[base + (s >> 12) % 300] = (uint8_t)(s >> 20);
		}
		int r = acpi_parse(rsdp, 36, read_phys, NULL, &ai);
		CHECK(r == 0 || r == -E_CORRUPT || r == -E_NOENT || r == -E_FAULT);
		CHECK(ai.ncpus <= ACPI_MAX_CPUS && ai.nioapics <= ACPI_MAX_IOAPICS);
	}
}

UNIT_MAIN()
