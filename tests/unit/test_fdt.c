/*
 * The device-tree reader on trees dumped from QEMU's virt machine
 * (build/unit/virt-64M.dtb and virt-4G.dtb, made by test_fdt.mk) and on damaged copies.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/fdt.h"
#include "themelios/errno.h"
#include "unit.h"

static uint8_t *
load(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;

	if (!f) {
		printf("  cannot open %s\n", path);
		return NULL;
	}
	buf = malloc(1 << 20);
	*len = fread(buf, 1, 1 << 20, f);
	fclose(f);
	*len = fdt_total_size(buf, *len);
	return buf;
}

static int
parse_copy(const uint8_t *blob, size_t len, struct boot_info *bi)
{
	uint8_t *copy = malloc(len ? len : 1);
	int r;

	memcpy(copy, blob, len);
	r = fdt_parse_boot_info(copy, len, bi);
	free(copy);
	return r;
}

static uint64_t
usable(const struct boot_info *bi)
{
	uint64_t t = 0;

	for (size_t i = 0; i < bi->nmem; i++)
		if (bi->mem[i].type == BOOT_MEM_USABLE)
			t += bi->mem[i].length;
	return t;
}

UNIT_TEST(qemu_virt_64m)
{
	size_t len;
	uint8_t *dtb = load("build/unit/virt-64M.dtb", &len);
	struct boot_info bi;

	CHECK(dtb != NULL);
	if (!dtb)
		return;
	CHECK_EQ(parse_copy(dtb, len, &bi), 0);
	CHECK_EQ(usable(&bi), 64ull << 20);
	CHECK_EQ(bi.mem[0].base, 0x40000000);
	CHECK_EQ(bi.uart_base, 0x09000000);
	CHECK_EQ(bi.uart_irq, 33);
	CHECK_EQ(bi.gicd_base, 0x08000000);
	CHECK_EQ(bi.gicr_base, 0x080a0000);
	CHECK_EQ(bi.timer_irq, 27);
	CHECK_EQ(bi.fw_cfg_base, 0x09020000);
	CHECK(strcmp(bi.cmdline, "test loglevel=2") == 0);
	CHECK_EQ(bi.warnings, 0);
	free(dtb);
}

/* virt's PCIe host: high ECAM, three windows, and the INTx swizzle
 * (slot s, pin p -> SPI 3 + (s + p - 1) % 4) for slots 0-3. */
UNIT_TEST(qemu_virt_pci_host)
{
	size_t len;
	uint8_t *dtb = load("build/unit/virt-64M.dtb", &len);
	struct boot_info bi;
	const struct boot_pci_host *pci = &bi.pci;
	int seen = 0;

	CHECK(dtb != NULL);
	if (!dtb)
		return;
	CHECK_EQ(parse_copy(dtb, len, &bi), 0);
	CHECK_EQ(pci->ecam_base, 0x4010000000ull);
	CHECK_EQ(pci->ecam_size, 0x10000000);
	CHECK_EQ(pci->bus_start, 0);
	CHECK_EQ(pci->bus_end, 255);
	CHECK_EQ(pci->nranges, 3);
	for (size_t i = 0; i < pci->nranges; i++) {
		const struct boot_pci_range *r = &pci->ranges[i];
		if (r->space == BOOT_PCI_IO) {
			CHECK_EQ(r->cpu_addr, 0x3eff0000);
			CHECK_EQ(r->pci_addr, 0);
			CHECK_EQ(r->size, 0x10000);
			seen |= 1;
		} else if (r->space == BOOT_PCI_MEM32) {
			CHECK_EQ(r->cpu_addr, 0x10000000);
			CHECK_EQ(r->pci_addr, 0x10000000);
			CHECK_EQ(r->size, 0x2eff0000);
			seen |= 2;
		} else if (r->space == BOOT_PCI_MEM64) {
			CHECK_EQ(r->cpu_addr, 0x8000000000ull);
			CHECK_EQ(r->pci_addr, 0x8000000000ull);
			CHECK_EQ(r->size, 0x8000000000ull);
			seen |= 4;
		}
	}
	CHECK_EQ(seen, 7);
	CHECK_EQ(pci->map_mask_addr, 0x1800);
	CHECK_EQ(pci->map_mask_pin, 7);
	CHECK_EQ(pci->nirq, 16);
	for (size_t i = 0; i < pci->nirq; i++) {
		uint32_t slot = pci->irq[i].addr >> 11 & 0x1f;
		CHECK(slot < 4);
		CHECK_EQ(pci->irq[i].intid, 32 + 3 + (slot + pci->irq[i].pin - 1) % 4);
	}
	CHECK_EQ(bi.warnings, 0);
	free(dtb);
}

UNIT_TEST(qemu_virt_4g)
{
	size_t len;
	uint8_t *dtb = load("build/unit/virt-4G.dtb", &len);
	struct boot_info bi;

	if (!dtb)
		return;
	CHECK_EQ(parse_copy(dtb, len, &bi), 0);
	CHECK_EQ(usable(&bi), 4ull << 30);
	CHECK_EQ(bi.cmdline[0], '\0');
	free(dtb);
}

UNIT_TEST(bad_headers)
{
	size_t len;
	uint8_t *dtb = load("build/unit/virt-64M.dtb", &len);
	struct boot_info bi;

	if (!dtb)
		return;
	CHECK_EQ(fdt_parse_boot_info(NULL, 100, &bi), -E_CORRUPT);
	dtb[0] ^= 1;
	CHECK_EQ(parse_copy(dtb, len, &bi), -E_CORRUPT);
	dtb[0] ^= 1;
	/* totalsize larger than the buffer */
	CHECK_EQ(parse_copy(dtb, len - 1, &bi), -E_CORRUPT);
	/* the strings offset past the end */
	uint8_t saved[4];
	memcpy(saved, dtb + 12, 4);
	memset(dtb + 12, 0x7f, 4);
	CHECK_EQ(parse_copy(dtb, len, &bi), -E_CORRUPT);
	memcpy(dtb + 12, saved, 4);
	CHECK_EQ(parse_copy(dtb, len, &bi), 0);
	free(dtb);
}

UNIT_TEST(every_truncation)
{
	size_t len;
	uint8_t *dtb = load("build/unit/virt-64M.dtb", &len);
	struct boot_info bi;

	if (!dtb)
		return;
	/* Shrinking totalsize with the buffer: blocks no longer fit (QEMU pads
	 * the blob to 1 MiB; cuts in the padding are fine and not tried). */
	size_t strings_end = ((size_t)dtb[12] << 24 | dtb[13] << 16 | dtb[14] << 8 | dtb[15]) +
			     ((size_t)dtb[32] << 24 | dtb[33] << 16 | dtb[34] << 8 | dtb[35]);
	for (size_t cut = 0; cut < strings_end; cut += (cut < 512 ? 1 : 97)) {
		uint8_t *copy = malloc(cut ? cut : 1);
		memcpy(copy, dtb, cut);
		if (cut >= 8) {
			copy[4] = (uint8_t)(cut >> 24);
			copy[5] = (uint8_t)(cut >> 16);
			copy[6] = (uint8_t)(cut >> 8);
			copy[7] = (uint8_t)cut;
		}
		CHECK(fdt_parse_boot_info(copy, cut, &bi) < 0);
		free(copy);
	}
	free(dtb);
}

UNIT_TEST(random_damage_never_crashes)
{
	size_t len;
	uint8_t *dtb = load("build/unit/virt-64M.dtb", &len);
	struct boot_info bi;
	unsigned int s = 11;
	int ok = 0;

	if (!dtb)
		return;
	/* Damage lands in the blocks (header to the end of the strings), not
	 * in QEMU's padding to 1 MiB; each round undoes its own, so no round
	 * copies the whole blob. */
	size_t strings_end = ((size_t)dtb[12] << 24 | dtb[13] << 16 | dtb[14] << 8 | dtb[15]) +
			     ((size_t)dtb[32] << 24 | dtb[33] << 16 | dtb[34] << 8 | dtb[35]);
	CHECK(strings_end > 0 && strings_end <= len);
	for (int i = 0; i < 5000; i++) {
		size_t at[6];
		uint8_t was[6];
		int n = 1 + i % 6;

		for (int k = 0; k < n; k++) {
			s = s * 1103515245u + 12345u;
			at[k] = (s >> 4) % strings_end;
			was[k] = dtb[at[k]];
			dtb[at[k]] = (uint8_t)(s >> 20);
		}
		int r = fdt_parse_boot_info(dtb, len, &bi);
		CHECK(r == 0 || r == -E_CORRUPT);
		ok += r == 0;
		CHECK(bi.nmem <= BOOT_MAX_MEM_REGIONS);
		CHECK(strlen(bi.cmdline) < sizeof(bi.cmdline));
		for (int k = n - 1; k >= 0; k--)
			dtb[at[k]] = was[k];
	}
	CHECK(ok > 0);
	free(dtb);
}

/* A tiny tree written here: #address-cells = 1, two memory nodes, deep nesting. */
static size_t
tiny(uint8_t *out, int depth, int mem_nodes)
{
	uint8_t st[4096], strs[128];
	size_t sp = 0, sl = 0;
#define TOK(v)                       \
	do {                         \
		uint32_t t_ = (v);   \
		st[sp++] = t_ >> 24; \
		st[sp++] = t_ >> 16; \
		st[sp++] = t_ >> 8;  \
		st[sp++] = t_;       \
	} while (0)
#define NAME(s)                            \
	do {                               \
		size_t n_ = strlen(s) + 1; \
		memcpy(st + sp, s, n_);    \
		sp += (n_ + 3) & ~3u;      \
	} while (0)
	memcpy(strs, "#address-cells\0#size-cells\0device_type\0reg\0", 43);
	sl = 43;
	TOK(1);
	NAME("");
	TOK(3);
	TOK(4);
	TOK(0);
	TOK(1);
	TOK(3);
	TOK(4);
	TOK(15);
	TOK(1);
	for (int m = 0; m < mem_nodes; m++) {
		char nm[32];
		snprintf(nm, sizeof(nm), "memory@%x", 0x1000000 * (m + 1));
		TOK(1);
		NAME(nm);
		TOK(3);
		TOK(7);
		TOK(27);
		memcpy(st + sp, "memory\0\0", 8);
		sp += 8;
		TOK(3);
		TOK(8);
		TOK(39);
		TOK(0x1000000 * (m + 1));
		TOK(0x100000);
		TOK(2);
	}
	for (int d = 0; d < depth; d++) {
		TOK(1);
		NAME("n");
	}
	for (int d = 0; d < depth; d++)
		TOK(2);
	TOK(2);
	TOK(9);
	size_t off_rsv = 40, off_st = 56, off_str = off_st + sp, total = off_str + sl;
	memset(out, 0, total);
	uint32_t h[10] = { FDT_MAGIC,
			   (uint32_t)total,
			   (uint32_t)off_st,
			   (uint32_t)off_str,
			   (uint32_t)off_rsv,
			   17,
			   16,
			   0,
			   (uint32_t)sl,
			   (uint32_t)sp };
	for (int i = 0; i < 10; i++) {
		out[4 * i] = h[i] >> 24;
		out[4 * i + 1] = h[i] >> 16;
		out[4 * i + 2] = h[i] >> 8;
		out[4 * i + 3] = h[i];
	}
	memcpy(out + off_st, st, sp);
	memcpy(out + off_str, strs, sl);
	return total;
}

UNIT_TEST(hand_made_trees)
{
	static uint8_t buf[8192];
	struct boot_info bi;
	size_t len = tiny(buf, 3, 2);

	CHECK_EQ(parse_copy(buf, len, &bi), 0);
	CHECK_EQ(bi.nmem, 2);
	CHECK_EQ(bi.mem[1].base, 0x2000000);
	CHECK_EQ(bi.mem[1].length, 0x100000);
	len = tiny(buf, FDT_MAX_DEPTH + 5, 1);
	CHECK_EQ(parse_copy(buf, len, &bi), -E_CORRUPT);
}

/*
 * A hand-made tree with a GIC and a PCIe host bridge, in the shape QEMU
 * virt uses, for the variations and damage a real tree never shows.
 */
struct tree {
	uint8_t st[4096];
	char strs[512];
	size_t sp, sl;
};

static void
t_tok(struct tree *t, uint32_t v)
{
	t->st[t->sp++] = (uint8_t)(v >> 24);
	t->st[t->sp++] = (uint8_t)(v >> 16);
	t->st[t->sp++] = (uint8_t)(v >> 8);
	t->st[t->sp++] = (uint8_t)v;
}

static void
t_begin(struct tree *t, const char *name)
{
	size_t n = strlen(name) + 1;

	t_tok(t, 1);
	memset(t->st + t->sp, 0, (n + 3) & ~(size_t)3);
	memcpy(t->st + t->sp, name, n);
	t->sp += (n + 3) & ~(size_t)3;
}

static uint32_t
t_str(struct tree *t, const char *name)
{
	for (size_t i = 0; i < t->sl; i += strlen(t->strs + i) + 1)
		if (!strcmp(t->strs + i, name))
			return (uint32_t)i;
	memcpy(t->strs + t->sl, name, strlen(name) + 1);
	t->sl += strlen(name) + 1;
	return (uint32_t)(t->sl - strlen(name) - 1);
}

static void
t_prop(struct tree *t, const char *name, const void *v, size_t len)
{
	t_tok(t, 3);
	t_tok(t, (uint32_t)len);
	t_tok(t, t_str(t, name));
	memset(t->st + t->sp, 0, (len + 3) & ~(size_t)3);
	memcpy(t->st + t->sp, v, len);
	t->sp += (len + 3) & ~(size_t)3;
}

/* A property of n big-endian cells. */
static void
t_cells(struct tree *t, const char *name, const uint32_t *c, size_t n)
{
	uint8_t v[1024];

	for (size_t i = 0; i < n; i++) {
		v[4 * i] = (uint8_t)(c[i] >> 24);
		v[4 * i + 1] = (uint8_t)(c[i] >> 16);
		v[4 * i + 2] = (uint8_t)(c[i] >> 8);
		v[4 * i + 3] = (uint8_t)c[i];
	}
	t_prop(t, name, v, 4 * n);
}

static void
t_cell(struct tree *t, const char *name, uint32_t c)
{
	t_cells(t, name, &c, 1);
}

static size_t
t_finish(struct tree *t, uint8_t *out)
{
	size_t off_st = 56, off_str, total;
	uint32_t h[10];

	t_tok(t, 9);
	off_str = off_st + t->sp;
	total = off_str + t->sl;
	memset(out, 0, total);
	h[0] = FDT_MAGIC;
	h[1] = (uint32_t)total;
	h[2] = (uint32_t)off_st;
	h[3] = (uint32_t)off_str;
	h[4] = 40;
	h[5] = 17;
	h[6] = 16;
	h[7] = 0;
	h[8] = (uint32_t)t->sl;
	h[9] = (uint32_t)t->sp;
	for (int i = 0; i < 10; i++) {
		out[4 * i] = (uint8_t)(h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(h[i] >> 8);
		out[4 * i + 3] = (uint8_t)h[i];
	}
	memcpy(out + off_st, t->st, t->sp);
	memcpy(out + off_str, t->strs, t->sl);
	return total;
}

enum pci_damage {
	PCI_GOOD,
	PCI_GIC_NO_ADDRESS_CELLS, /* valid: the parent unit address is 0 cells */
	PCI_UNKNOWN_PHANDLE,
	PCI_SHORT_MASK,
	PCI_CUT_MAP,
	PCI_BAD_BUS_RANGE,
	PCI_CUT_RANGES,
	PCI_BAD_PIN,
};

static size_t
pci_tree(uint8_t *out, enum pci_damage damage)
{
	static struct tree t;
	uint32_t gic_ac = damage == PCI_GIC_NO_ADDRESS_CELLS ? 0 : 2;
	uint32_t map[8 * 12], n = 0;
	static const uint32_t ranges[] = {
		0x01000000, 0,	  0,	      0,    0x3eff0000, 0,    0x10000,
		0x02000000, 0,	  0x10000000, 0,    0x10000000, 0,    0x2eff0000,
		0x43000000, 0x80, 0,	      0x80, 0,		0x80, 0,
	};
	static const uint32_t reg[] = { 0x40, 0x10000000, 0, 0x01000000 }; /* 16 buses */

	memset(&t, 0, sizeof(t));
	t_begin(&t, "");
	t_cell(&t, "#address-cells", 2);
	t_cell(&t, "#size-cells", 2);

	t_begin(&t, "intc@8000000");
	t_prop(&t, "compatible", "arm,gic-v3", 11);
	t_prop(&t, "interrupt-controller", "", 0);
	t_cell(&t, "#interrupt-cells", 3);
	if (gic_ac)
		t_cell(&t, "#address-cells", gic_ac);
	t_cell(&t, "phandle", 0x8001);
	t_tok(&t, 2);

	t_begin(&t, "pcie@10000000");
	t_prop(&t, "compatible", "pci-host-ecam-generic", 22);
	t_cells(&t, "reg", reg, 4);
	if (damage == PCI_BAD_BUS_RANGE)
		t_cells(&t, "bus-range", (const uint32_t[]){ 0, 16 }, 2);
	else
		t_cells(&t, "bus-range", (const uint32_t[]){ 0, 15 }, 2);
	t_cell(&t, "#address-cells", 3);
	t_cell(&t, "#size-cells", 2);
	t_cell(&t, "#interrupt-cells", 1);
	t_cells(&t, "ranges", ranges, damage == PCI_CUT_RANGES ? 20 : 21);
	if (damage == PCI_SHORT_MASK)
		t_cells(&t, "interrupt-map-mask", (const uint32_t[]){ 0x1800, 0, 0 }, 3);
	else
		t_cells(&t, "interrupt-map-mask", (const uint32_t[]){ 0x1800, 0, 0, 7 }, 4);
	/* Slots 0 and 1, pins 1-4: SPI 3 + (slot + pin - 1) % 4. */
	for (uint32_t slot = 0; slot < 2; slot++)
		for (uint32_t pin = 1; pin <= 4; pin++) {
			map[n++] = slot << 11;
			map[n++] = 0;
			map[n++] = 0;
			map[n++] = damage == PCI_BAD_PIN && slot == 1 && pin == 4 ? 9 : pin;
			map[n++] = damage == PCI_UNKNOWN_PHANDLE && slot == 1 ? 0x8002 : 0x8001;
			for (uint32_t k = 0; k < gic_ac; k++)
				map[n++] = 0;
			map[n++] = 0;
			map[n++] = 3 + (slot + pin - 1) % 4;
			map[n++] = 4;
		}
	t_cells(&t, "interrupt-map", map, damage == PCI_CUT_MAP ? n - 2 : n);
	t_tok(&t, 2);
	t_tok(&t, 2);
	return t_finish(&t, out);
}

UNIT_TEST(hand_made_pci_hosts)
{
	static uint8_t buf[8192];
	struct boot_info bi;
	const struct boot_pci_host *pci = &bi.pci;

	for (int d = PCI_GOOD; d <= PCI_GIC_NO_ADDRESS_CELLS; d++) {
		CHECK_EQ(parse_copy(buf, pci_tree(buf, d), &bi), 0);
		CHECK_EQ(bi.warnings, 0);
		CHECK_EQ(pci->ecam_base, 0x4010000000ull);
		CHECK_EQ(pci->ecam_size, 0x01000000);
		CHECK_EQ(pci->bus_end, 15);
		CHECK_EQ(pci->nranges, 3);
		CHECK_EQ(pci->ranges[2].space, BOOT_PCI_MEM64);
		CHECK(pci->ranges[2].prefetchable);
		CHECK_EQ(pci->ranges[2].cpu_addr, 0x8000000000ull);
		CHECK_EQ(pci->ranges[2].size, 0x8000000000ull);
		CHECK(!pci->ranges[1].prefetchable);
		CHECK_EQ(pci->nirq, 8);
		for (size_t i = 0; i < pci->nirq; i++)
			CHECK_EQ(pci->irq[i].intid,
				 35 + ((pci->irq[i].addr >> 11) + pci->irq[i].pin - 1) % 4);
	}

	/* An entry whose controller is unknown ends the map there. */
	CHECK_EQ(parse_copy(buf, pci_tree(buf, PCI_UNKNOWN_PHANDLE), &bi), 0);
	CHECK_EQ(pci->nirq, 4);
	CHECK_EQ(bi.warnings, 1);
	/* A mask of the wrong size: no map at all. */
	CHECK_EQ(parse_copy(buf, pci_tree(buf, PCI_SHORT_MASK), &bi), 0);
	CHECK_EQ(pci->nirq, 0);
	CHECK_EQ(bi.warnings, 1);
	CHECK_EQ(pci->nranges, 3);
	/* A cut last entry is dropped, the whole ones kept. */
	CHECK_EQ(parse_copy(buf, pci_tree(buf, PCI_CUT_MAP), &bi), 0);
	CHECK_EQ(pci->nirq, 7);
	CHECK_EQ(bi.warnings, 1);
	/* A pin that is no INTx pin is skipped. */
	CHECK_EQ(parse_copy(buf, pci_tree(buf, PCI_BAD_PIN), &bi), 0);
	CHECK_EQ(pci->nirq, 7);
	CHECK_EQ(bi.warnings, 1);
	/* A bus range beyond the window: the window's own. */
	CHECK_EQ(parse_copy(buf, pci_tree(buf, PCI_BAD_BUS_RANGE), &bi), 0);
	CHECK_EQ(pci->bus_end, 15);
	CHECK_EQ(bi.warnings, 1);
	/* ranges not a whole number of entries: no windows, INTx still. */
	CHECK_EQ(parse_copy(buf, pci_tree(buf, PCI_CUT_RANGES), &bi), 0);
	CHECK_EQ(pci->nranges, 0);
	CHECK_EQ(pci->nirq, 8);
	CHECK_EQ(bi.warnings, 1);
}

UNIT_MAIN()
