/*
 * Table layouts from the ACPI specification: every SDT starts with a
 * 36-byte header {signature, length, revision, checksum, ...}, and its
 * bytes sum to zero.  Tables are copied into one static buffer (this
 * runs once, at boot), so nothing is ever read past what was checked.
 */
#include "dev/acpi.h"

#include "lib/string.h"
#include "themelios/errno.h"

#define SDT_HEADER  36
#define TABLE_MAX   (64 * 1024) /* bigger MADT/FADT/RSDT: not believed */
#define DSDT_MAX    (1024 * 1024)
#define DSDT_WINDOW 4096
#define RSDP_V1_LEN 20
#define RSDP_V2_LEN 36

static uint8_t table[TABLE_MAX];

struct reader {
	acpi_read_phys_fn read;
	void *ctx;
};

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t
rd64(const uint8_t *p)
{
	return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static uint8_t
checksum(const uint8_t *p, size_t n)
{
	uint8_t sum = 0;

	while (n--)
		sum = (uint8_t)(sum + *p++);
	return sum;
}

/* Copies the table at phys into `table`; checks signature, length, checksum. */
static int
load_table(const struct reader *r, uint64_t phys, const char *sig, uint32_t *len)
{
	uint32_t n;

	if (!phys || r->read(r->ctx, phys, table, SDT_HEADER) != 0)
		return -E_FAULT;
	if (sig && memcmp(table, sig, 4) != 0)
		return -E_CORRUPT;
	n = rd32(table + 4);
	if (n < SDT_HEADER || n > TABLE_MAX)
		return -E_CORRUPT;
	if (r->read(r->ctx, phys, table, n) != 0)
		return -E_FAULT;
	if (checksum(table, n) != 0)
		return -E_CORRUPT;
	*len = n;
	return 0;
}

/* The root table's entries, copied out because `table` gets reused. */
static int
root_entries(const struct reader *r, const uint8_t *rsdp, size_t rsdp_len, struct acpi_info *info,
	     uint64_t *out, uint32_t *count)
{
	uint64_t xsdt = 0;
	uint32_t len, width;
	int err;

	if (rsdp_len >= RSDP_V2_LEN && rsdp[15] >= 2 && rd32(rsdp + 20) >= RSDP_V2_LEN &&
	    checksum(rsdp, RSDP_V2_LEN) == 0)
		xsdt = rd64(rsdp + 24);
	err = xsdt ? load_table(r, xsdt, "XSDT", &len) : -E_NOENT;
	width = 8;
	if (err) {
		if (xsdt)
			info->warnings++; /* a bad XSDT: try the RSDT */
		err = load_table(r, rd32(rsdp + 16), "RSDT", &len);
		width = 4;
	}
	if (err)
		return err;
	*count = (len - SDT_HEADER) / width;
	if (*count > 256)
		*count = 256;
	for (uint32_t i = 0; i < *count; i++) {
		const uint8_t *e = table + SDT_HEADER + i * width;
		out[i] = width == 8 ? rd64(e) : rd32(e);
	}
	return 0;
}

static void
parse_madt(struct acpi_info *info, uint32_t len)
{
	uint32_t off = 44;

	if (len < 44) {
		info->warnings++;
		return;
	}
	info->have_madt = true;
	info->lapic_address = rd32(table + 36);
	info->have_8259 = rd32(table + 40) & 1;
	while (off + 2 <= len) {
		const uint8_t *e = table + off;
		uint8_t type = e[0], elen = e[1];

		if (elen < 2 || elen > len - off) {
			info->warnings++; /* a zero length would loop for ever */
			return;
		}
		switch (type) {
		case 0:
			if (elen >= 8 && (rd32(e + 4) & 1) && info->ncpus < ACPI_MAX_CPUS)
				info->cpu_apic_id[info->ncpus++] = e[3];
			break;
		case 1:
			if (elen >= 12 && info->nioapics < ACPI_MAX_IOAPICS)
				info->ioapic[info->nioapics++] =
					(struct acpi_ioapic){ e[2], rd32(e + 4), rd32(e + 8) };
			else
				info->warnings++;
			break;
		case 2:
			if (elen >= 10 && info->noverrides < ACPI_MAX_OVERRIDES)
				info->override[info->noverrides++] =
					(struct acpi_override){ e[2], e[3], rd32(e + 4),
								rd16(e + 8) };
			else
				info->warnings++;
			break;
		case 3:
		case 4:
			info->nnmi++;
			break;
		case 5:
			if (elen >= 12)
				info->lapic_address = rd64(e + 4);
			break;
		case 9:
			info->nx2apic++;
			break;
		default:
			break;
		}
		off += elen;
	}
}

static void
parse_fadt(struct acpi_info *info, uint32_t len)
{
	if (len < 76) {
		info->warnings++;
		return;
	}
	info->have_fadt = true;
	info->dsdt = rd32(table + 40);
	if (len >= 148 && rd64(table + 140))
		info->dsdt = rd64(table + 140);
	info->pm1a_cnt = rd32(table + 64);
	info->pm1b_cnt = rd32(table + 68);
	if (len >= 129 && (rd32(table + 112) & (1u << 10))) {
		info->have_reset = true;
		info->reset_space = table[116];
		info->reset_address = rd64(table + 120);
		info->reset_value = table[128];
	}
}

/*
 * MCFG: 8 reserved bytes after the header, then 16-byte entries (base,
 * segment, first and last bus).  Entries that could not be a window (an
 * unaligned base, buses in the wrong order) are skipped and counted.
 */
static void
parse_mcfg(struct acpi_info *info, uint32_t len)
{
	info->have_mcfg = true;
	for (uint32_t off = SDT_HEADER + 8; off + 16 <= len; off += 16) {
		const uint8_t *e = table + off;
		struct acpi_ecam ec = { rd64(e), (uint16_t)(e[8] | e[9] << 8), e[10], e[11] };

		if (!ec.base || ec.base % (1u << 20) || ec.bus_end < ec.bus_start ||
		    info->necam == ACPI_MAX_ECAM) {
			info->warnings++;
			continue;
		}
		info->ecam[info->necam++] = ec;
	}
}

/* Scans the DSDT in overlapping windows for \_S5. */
static void
scan_dsdt(const struct reader *r, struct acpi_info *info)
{
	uint32_t len, off;

	if (!info->dsdt || r->read(r->ctx, info->dsdt, table, SDT_HEADER) != 0 ||
	    memcmp(table, "DSDT", 4) != 0)
		return;
	len = rd32(table + 4);
	if (len < SDT_HEADER || len > DSDT_MAX)
		return;
	for (off = SDT_HEADER; off < len; off += DSDT_WINDOW - 64) {
		uint32_t n = len - off < DSDT_WINDOW ? len - off : DSDT_WINDOW;

		if (r->read(r->ctx, info->dsdt + off, table, n) != 0)
			return;
		if (acpi_find_s5(table, n, &info->slp_typa, &info->slp_typb) == 0) {
			info->have_s5 = true;
			return;
		}
		if (n < DSDT_WINDOW)
			return;
	}
}

int
acpi_parse(const void *rsdp_v, size_t rsdp_len, acpi_read_phys_fn read_phys, void *ctx,
	   struct acpi_info *info)
{
	const uint8_t *rsdp = rsdp_v;
	struct reader r = { read_phys, ctx };
	uint64_t entries[256];
	uint32_t count, len;
	int err;

	memset(info, 0, sizeof(*info));
	if (!rsdp || rsdp_len < RSDP_V1_LEN || memcmp(rsdp, "RSD PTR ", 8) != 0 ||
	    checksum(rsdp, RSDP_V1_LEN) != 0)
		return -E_CORRUPT;
	info->revision = rsdp[15];
	if ((err = root_entries(&r, rsdp, rsdp_len, info, entries, &count)) != 0)
		return err;

	for (uint32_t i = 0; i < count; i++) {
		uint8_t sig[4];

		if (read_phys(ctx, entries[i], sig, 4) != 0) {
			info->warnings++;
			continue;
		}
		if (memcmp(sig, "APIC", 4) == 0 && !info->have_madt) {
			if (load_table(&r, entries[i], "APIC", &len) == 0)
				parse_madt(info, len);
			else
				info->warnings++;
		} else if (memcmp(sig, "FACP", 4) == 0 && !info->have_fadt) {
			if (load_table(&r, entries[i], "FACP", &len) == 0)
				parse_fadt(info, len);
			else
				info->warnings++;
		} else if (memcmp(sig, "MCFG", 4) == 0 && !info->have_mcfg) {
			if (load_table(&r, entries[i], "MCFG", &len) == 0)
				parse_mcfg(info, len);
			else
				info->warnings++;
		}
	}
	if (info->have_fadt)
		scan_dsdt(&r, info);
	return info->have_madt ? 0 : -E_NOENT;
}

void
acpi_irq_to_gsi(const struct acpi_info *info, uint8_t isa_irq, uint32_t *gsi, uint16_t *flags)
{
	*gsi = isa_irq;
	*flags = ACPI_POLARITY_HIGH | ACPI_TRIGGER_EDGE;
	for (uint32_t i = 0; i < info->noverrides; i++) {
		const struct acpi_override *o = &info->override[i];
		if (o->bus != 0 || o->source != isa_irq)
			continue;
		*gsi = o->gsi;
		/* "Conforms to the bus" (0) means ISA: edge, active high. */
		*flags = (o->flags & ACPI_POLARITY_MASK ? o->flags & ACPI_POLARITY_MASK
							: ACPI_POLARITY_HIGH) |
			 (o->flags & ACPI_TRIGGER_MASK ? o->flags & ACPI_TRIGGER_MASK
						       : ACPI_TRIGGER_EDGE);
	}
}

/* One AML integer: ZeroOp, OneOp, BytePrefix n, WordPrefix n.  -1 if not. */
static int
aml_small_int(const uint8_t *p, size_t left, size_t *used)
{
	if (left >= 1 && (p[0] == 0x00 || p[0] == 0x01)) {
		*used = 1;
		return p[0];
	}
	if (left >= 2 && p[0] == 0x0a) {
		*used = 2;
		return p[1];
	}
	if (left >= 3 && p[0] == 0x0b) {
		*used = 3;
		return p[1]; /* SLP_TYP is 3 bits: the low byte holds it */
	}
	return -1;
}

int
acpi_find_s5(const uint8_t *aml, size_t len, uint8_t *slp_typa, uint8_t *slp_typb)
{
	for (size_t i = 0; i + 4 < len; i++) {
		size_t p, pkglen_bytes, used;
		int a, b;

		if (memcmp(aml + i, "_S5_", 4) != 0)
			continue;
		p = i + 4;
		if (p >= len || aml[p] != 0x12) /* PackageOp */
			continue;
		p++;
		if (p >= len)
			return -E_NOENT;
		pkglen_bytes = 1 + (aml[p] >> 6);
		p += pkglen_bytes + 1; /* PkgLength, NumElements */
		if (p >= len)
			return -E_NOENT;
		if ((a = aml_small_int(aml + p, len - p, &used)) < 0)
			continue;
		p += used;
		if ((b = aml_small_int(aml + p, len - p, &used)) < 0)
			b = 0;
		*slp_typa = (uint8_t)(a & 7);
		*slp_typb = (uint8_t)(b & 7);
		return 0;
	}
	return -E_NOENT;
}
