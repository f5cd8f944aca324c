/*
 * The structure block is a sequence of big-endian tokens: BEGIN_NODE
 * (name, padded to 4), PROP (length, name offset into the strings block,
 * value padded to 4), END_NODE, NOP, END.  A node's properties come
 * before its children, so the walk keeps, per open node, what it has
 * seen and acts on it when the node ends.
 */
#include "boot/fdt.h"

#include <stdbool.h>

#include "lib/string.h"
#include "themelios/errno.h"

#define TOK_BEGIN_NODE 1
#define TOK_END_NODE   2
#define TOK_PROP       3
#define TOK_NOP	       4
#define TOK_END	       9
#define HEADER_SIZE    40
#define PATH_MAX_LEN   128

struct blob {
	const uint8_t *b;
	size_t struct_off, struct_end;
	size_t strings_off, strings_len;
};

struct node {
	const char *name;
	uint32_t addr_cells, size_cells; /* for this node's children */
	const uint8_t *reg;
	uint32_t reg_len;
	const char *compat;
	uint32_t compat_len;
	const uint8_t *irqs;
	uint32_t irqs_len;
	bool memory;
	bool disabled;
	bool has_addr_cells;
	bool intc; /* interrupt-controller */
	uint32_t phandle;
	uint32_t int_cells;
	const uint8_t *ranges, *imap, *imask, *bus_range;
	uint32_t ranges_len, imap_len, imask_len, bus_range_len;
	size_t path_len; /* path length up to this node */
};

/* Interrupt controllers by phandle, for decoding interrupt-map. */
#define MAX_CONTROLLERS 8
struct controller {
	uint32_t phandle;
	uint32_t addr_cells; /* 0 when the node has none */
	uint32_t int_cells;
	bool gic;
};

struct walk {
	struct blob bl;
	struct boot_info *bi;
	struct node stack[FDT_MAX_DEPTH];
	int depth;
	char path[PATH_MAX_LEN];
	char stdout_path[PATH_MAX_LEN];
	bool uart_from_stdout;
	int in_reserved_memory; /* depth of /reserved-memory, or 0 */
	uint64_t initrd_start;
	struct controller intc[MAX_CONTROLLERS];
	int nintc;
	struct node pcie; /* the first ECAM host bridge */
	uint32_t pcie_parent_addr_cells;
	bool have_pcie;
};

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t
cells(const uint8_t *p, uint32_t n)
{
	uint64_t v = 0;

	for (uint32_t i = 0; i < n; i++)
		v = v << 32 | be32(p + 4 * i);
	return v;
}

size_t
fdt_total_size(const void *dtb, size_t avail)
{
	if (!dtb || avail < HEADER_SIZE || be32(dtb) != FDT_MAGIC)
		return 0;
	return be32((const uint8_t *)dtb + 4);
}

static int
blob_init(struct blob *bl, const void *dtb, size_t len)
{
	const uint8_t *b = dtb;
	uint32_t total, off_struct, off_strings, size_strings, size_struct, version;

	if (!dtb || len < HEADER_SIZE || be32(b) != FDT_MAGIC)
		return -E_CORRUPT;
	total = be32(b + 4);
	off_struct = be32(b + 8);
	off_strings = be32(b + 12);
	version = be32(b + 20);
	size_strings = be32(b + 32);
	size_struct = be32(b + 36);
	if (total < HEADER_SIZE || total > len || version < 16 || be32(b + 24) > 17)
		return -E_CORRUPT;
	if (version < 17)
		size_struct = total - off_struct;
	if (off_struct % 4 || off_struct > total || size_struct > total - off_struct ||
	    off_strings > total || size_strings > total - off_strings)
		return -E_CORRUPT;
	bl->b = b;
	bl->struct_off = off_struct;
	bl->struct_end = (size_t)off_struct + size_struct;
	bl->strings_off = off_strings;
	bl->strings_len = size_strings;
	return 0;
}

static const char *
prop_name(const struct blob *bl, uint32_t nameoff)
{
	const char *s;

	if (nameoff >= bl->strings_len)
		return NULL;
	s = (const char *)bl->b + bl->strings_off + nameoff;
	if (strnlen(s, bl->strings_len - nameoff) == bl->strings_len - nameoff)
		return NULL; /* not terminated inside the block */
	return s;
}

/* True when the NUL-separated string list holds s. */
static bool
list_has(const char *list, uint32_t len, const char *s)
{
	uint32_t i = 0;

	while (i < len) {
		size_t n = strnlen(list + i, len - i);
		if (n < len - i && !strcmp(list + i, s))
			return true;
		i += (uint32_t)n + 1;
	}
	return false;
}

static bool
add_region(struct boot_info *bi, uint64_t base, uint64_t size, uint32_t type)
{
	if (size == 0)
		return true;
	if (bi->nmem == BOOT_MAX_MEM_REGIONS) {
		bi->warnings++;
		return false;
	}
	bi->mem[bi->nmem++] = (struct boot_mem_region){ base, size, type };
	return true;
}

/* reg as (address, size) pairs in the parent's cell sizes. */
static void
add_reg_regions(struct walk *w, const struct node *n, const struct node *parent, uint32_t type)
{
	uint32_t ac = parent->addr_cells, sc = parent->size_cells;
	uint32_t entry = 4 * (ac + sc);

	if (!n->reg || ac > 2 || sc > 2 || entry == 0 || n->reg_len % entry) {
		w->bi->warnings++;
		return;
	}
	for (uint32_t off = 0; off < n->reg_len; off += entry)
		add_region(w->bi, cells(n->reg + off, ac), cells(n->reg + off + 4 * ac, sc), type);
}

/* The i-th (address) of reg; false when absent. */
static bool
reg_address(const struct node *n, const struct node *parent, uint32_t i, uint64_t *addr)
{
	uint32_t ac = parent->addr_cells, sc = parent->size_cells;
	uint32_t entry = 4 * (ac + sc);

	if (!n->reg || ac == 0 || ac > 2 || sc > 2 || (i + 1) * entry > n->reg_len)
		return false;
	*addr = cells(n->reg + i * entry, ac);
	return true;
}

/* GIC interrupt specifier i (3 cells: type, number, flags) as an INTID. */
static bool
gic_intid(const struct node *n, uint32_t i, uint32_t *intid)
{
	const uint8_t *p;

	if (!n->irqs || n->irqs_len % 12 || (i + 1) * 12 > n->irqs_len)
		return false;
	p = n->irqs + i * 12;
	*intid = be32(p + 4) + (be32(p) == 1 ? 16 : 32);
	return true;
}

static void
finish_node(struct walk *w)
{
	const struct node *n = &w->stack[w->depth - 1];
	const struct node *parent = w->depth >= 2 ? &w->stack[w->depth - 2] : n;
	struct boot_info *bi = w->bi;
	uint64_t addr;
	uint32_t intid;

	if (n->disabled)
		return;
	if (n->intc && n->phandle && w->nintc < MAX_CONTROLLERS)
		w->intc[w->nintc++] = (struct controller){
			n->phandle, n->has_addr_cells ? n->addr_cells : 0, n->int_cells,
			n->compat && list_has(n->compat, n->compat_len, "arm,gic-v3")
		};
	if (n->memory && w->depth == 2) {
		add_reg_regions(w, n, parent, BOOT_MEM_USABLE);
		return;
	}
	if (w->in_reserved_memory && w->depth == w->in_reserved_memory + 1) {
		add_reg_regions(w, n, parent, BOOT_MEM_RESERVED);
		return;
	}
	if (!n->compat)
		return;
	if (list_has(n->compat, n->compat_len, "arm,pl011") && reg_address(n, parent, 0, &addr)) {
		bool is_stdout = w->stdout_path[0] && !strcmp(w->path, w->stdout_path);
		if (!bi->uart_base || (is_stdout && !w->uart_from_stdout)) {
			bi->uart_base = addr;
			bi->uart_irq = gic_intid(n, 0, &intid) ? intid : 0;
			w->uart_from_stdout = is_stdout;
		}
	} else if (list_has(n->compat, n->compat_len, "arm,gic-v3")) {
		if (reg_address(n, parent, 0, &addr))
			bi->gicd_base = addr;
		if (reg_address(n, parent, 1, &addr))
			bi->gicr_base = addr;
	} else if (list_has(n->compat, n->compat_len, "arm,armv8-timer")) {
		/* Secure, non-secure physical, virtual, hypervisor: we use virtual. */
		if (gic_intid(n, 2, &intid))
			bi->timer_irq = intid;
	} else if (list_has(n->compat, n->compat_len, "pci-host-ecam-generic")) {
		if (!w->have_pcie) {
			w->pcie = *n;
			w->pcie_parent_addr_cells = parent->addr_cells;
			w->have_pcie = reg_address(n, parent, 0, &addr);
			if (w->have_pcie) {
				bi->pci.ecam_base = addr;
				bi->pci.ecam_size =
					cells(n->reg + 4 * parent->addr_cells, parent->size_cells);
			}
		}
	} else if (list_has(n->compat, n->compat_len, "qemu,fw-cfg-mmio")) {
		if (reg_address(n, parent, 0, &addr))
			bi->fw_cfg_base = addr;
	} else if (list_has(n->compat, n->compat_len, "arm,pl031")) {
		if (reg_address(n, parent, 0, &addr))
			bi->rtc_base = addr;
	}
}

static void
copy_prop_string(char *dst, size_t size, const uint8_t *v, uint32_t len)
{
	size_t n = strnlen((const char *)v, len);

	if (n >= size)
		n = size - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
}

static void
chosen_prop(struct walk *w, const char *name, const uint8_t *v, uint32_t len)
{
	struct boot_info *bi = w->bi;

	if (!strcmp(name, "bootargs")) {
		copy_prop_string(bi->cmdline, sizeof(bi->cmdline), v, len);
	} else if (!strcmp(name, "stdout-path")) {
		char *colon;
		copy_prop_string(w->stdout_path, sizeof(w->stdout_path), v, len);
		if ((colon = strchr(w->stdout_path, ':')))
			*colon = '\0';
	} else if (!strcmp(name, "linux,initrd-start") && (len == 4 || len == 8)) {
		w->initrd_start = cells(v, len / 4);
	} else if (!strcmp(name, "linux,initrd-end") && (len == 4 || len == 8)) {
		uint64_t end = cells(v, len / 4);
		if (end > w->initrd_start && bi->nmodules < BOOT_MAX_MODULES) {
			struct boot_module *m = &bi->modules[bi->nmodules++];
			m->start = w->initrd_start;
			m->end = end;
			strlcpy(m->name, "initrd", sizeof(m->name));
		}
	}
}

static void
node_prop(struct walk *w, const char *name, const uint8_t *v, uint32_t len)
{
	struct node *n = &w->stack[w->depth - 1];

	if (!strcmp(name, "#address-cells") && len == 4) {
		n->addr_cells = be32(v);
		n->has_addr_cells = true;
	} else if (!strcmp(name, "#size-cells") && len == 4)
		n->size_cells = be32(v);
	else if (!strcmp(name, "#interrupt-cells") && len == 4)
		n->int_cells = be32(v);
	else if (!strcmp(name, "interrupt-controller"))
		n->intc = true;
	else if (!strcmp(name, "phandle") && len == 4)
		n->phandle = be32(v);
	else if (!strcmp(name, "ranges")) {
		n->ranges = v;
		n->ranges_len = len;
	} else if (!strcmp(name, "interrupt-map")) {
		n->imap = v;
		n->imap_len = len;
	} else if (!strcmp(name, "interrupt-map-mask")) {
		n->imask = v;
		n->imask_len = len;
	} else if (!strcmp(name, "bus-range")) {
		n->bus_range = v;
		n->bus_range_len = len;
	} else if (!strcmp(name, "reg")) {
		n->reg = v;
		n->reg_len = len;
	} else if (!strcmp(name, "compatible")) {
		n->compat = (const char *)v;
		n->compat_len = len;
	} else if (!strcmp(name, "interrupts")) {
		n->irqs = v;
		n->irqs_len = len;
	} else if (!strcmp(name, "device_type")) {
		n->memory = len >= 7 && !strncmp((const char *)v, "memory", len);
	} else if (!strcmp(name, "status")) {
		n->disabled = len >= 8 && !strncmp((const char *)v, "disabled", len);
	}
	if (w->depth == 2 && !strcmp(w->stack[1].name, "chosen"))
		chosen_prop(w, name, v, len);
}

static int
begin_node(struct walk *w, const char *name, size_t max)
{
	struct node *n;
	size_t nlen = strnlen(name, max);

	if (nlen == max)
		return -E_CORRUPT;
	if (w->depth == FDT_MAX_DEPTH)
		return -E_CORRUPT;
	n = &w->stack[w->depth++];
	memset(n, 0, sizeof(*n));
	n->name = name;
	n->addr_cells = 2; /* the spec's defaults */
	n->size_cells = 1;
	n->path_len = strlen(w->path);
	if (w->depth > 1) {
		size_t at = n->path_len;
		if (at + 1 + nlen < sizeof(w->path)) {
			if (at != 1)
				w->path[at++] = '/';
			memcpy(w->path + at, name, nlen + 1);
		}
	} else {
		strlcpy(w->path, "/", sizeof(w->path));
	}
	if (w->depth == 2 && !strcmp(name, "reserved-memory"))
		w->in_reserved_memory = 2;
	return 0;
}

static void
end_node(struct walk *w)
{
	finish_node(w);
	if (w->in_reserved_memory == w->depth)
		w->in_reserved_memory = 0;
	w->path[w->stack[w->depth - 1].path_len] = '\0';
	if (w->depth == 1)
		strlcpy(w->path, "/", sizeof(w->path));
	w->depth--;
}

static int
walk_struct(struct walk *w)
{
	const struct blob *bl = &w->bl;
	size_t off = bl->struct_off;

	while (off + 4 <= bl->struct_end) {
		uint32_t tok = be32(bl->b + off);

		off += 4;
		if (tok == TOK_BEGIN_NODE) {
			const char *name = (const char *)bl->b + off;
			int err = begin_node(w, name, bl->struct_end - off);
			if (err)
				return err;
			off += (strlen(name) + 1 + 3) & ~(size_t)3;
		} else if (tok == TOK_END_NODE) {
			if (w->depth == 0)
				return -E_CORRUPT;
			end_node(w);
		} else if (tok == TOK_PROP) {
			uint32_t len, nameoff;
			const char *name;

			if (w->depth == 0 || bl->struct_end - off < 8)
				return -E_CORRUPT;
			len = be32(bl->b + off);
			nameoff = be32(bl->b + off + 4);
			off += 8;
			if (len > bl->struct_end - off || !(name = prop_name(bl, nameoff)))
				return -E_CORRUPT;
			node_prop(w, name, bl->b + off, len);
			off += ((size_t)len + 3) & ~(size_t)3;
		} else if (tok == TOK_NOP) {
			continue;
		} else if (tok == TOK_END) {
			return w->depth == 0 ? 0 : -E_CORRUPT;
		} else {
			return -E_CORRUPT;
		}
	}
	return -E_CORRUPT; /* ran off the end without FDT_END */
}

static const struct controller *
controller_of(const struct walk *w, uint32_t phandle)
{
	for (int i = 0; i < w->nintc; i++)
		if (w->intc[i].phandle == phandle)
			return &w->intc[i];
	return NULL;
}

/*
 * ranges: (child PCI address: 3 cells, parent address, size) triples.
 * phys.hi bits 24-25 give the space (1 I/O, 2 32-bit, 3 64-bit memory),
 * bit 30 prefetchable; phys.mid and phys.lo the PCI address.
 */
static void
pci_ranges(struct walk *w, const struct node *n, struct boot_pci_host *pci)
{
	uint32_t pac = w->pcie_parent_addr_cells, sc = n->size_cells;
	uint32_t entry = 4 * (3 + pac + sc);

	if (!n->ranges || n->addr_cells != 3 || pac == 0 || pac > 2 || sc == 0 || sc > 2 ||
	    n->ranges_len % entry) {
		w->bi->warnings++;
		return;
	}
	for (uint32_t off = 0; off < n->ranges_len; off += entry) {
		const uint8_t *e = n->ranges + off;
		uint32_t hi = be32(e);
		struct boot_pci_range r = {
			.space = (uint8_t)(hi >> 24 & 3),
			.prefetchable = hi >> 30 & 1,
			.pci_addr = cells(e + 4, 2),
			.cpu_addr = cells(e + 12, pac),
			.size = cells(e + 12 + 4 * pac, sc),
		};
		if (r.space == 0 || r.size == 0 || r.cpu_addr + r.size < r.cpu_addr ||
		    pci->nranges == BOOT_PCI_MAX_RANGES) {
			w->bi->warnings++;
			continue;
		}
		pci->ranges[pci->nranges++] = r;
	}
}

/*
 * interrupt-map: (child address: 3 cells, child pin: 1 cell, parent
 * phandle, parent unit address, parent interrupt specifier) entries,
 * whose last two sizes come from the parent controller.  Only a GIC
 * parent is understood; an entry for anything else ends the decoding.
 */
static void
pci_irq_map(struct walk *w, const struct node *n, struct boot_pci_host *pci)
{
	uint32_t off = 0;

	if (!n->imap)
		return;
	if (n->addr_cells != 3 || n->int_cells != 1 || !n->imask || n->imask_len != 16) {
		w->bi->warnings++;
		return;
	}
	pci->map_mask_addr = be32(n->imask);
	pci->map_mask_pin = be32(n->imask + 12);
	while (off < n->imap_len) {
		const struct controller *c;
		const uint8_t *e = n->imap + off;
		uint32_t left = n->imap_len - off, entry;

		if (left < 24 || !(c = controller_of(w, be32(e + 16))) || !c->gic ||
		    c->int_cells < 3 || c->addr_cells > 2) {
			w->bi->warnings++;
			return;
		}
		entry = 4 * (5 + c->addr_cells + c->int_cells);
		if (entry > left) {
			w->bi->warnings++;
			return;
		}
		if (pci->nirq == BOOT_PCI_MAX_IRQ_MAP) {
			w->bi->warnings++;
			return;
		}
		{
			const uint8_t *spec = e + 20 + 4 * c->addr_cells;
			uint32_t pin = be32(e + 12);

			if (pin >= 1 && pin <= 4)
				pci->irq[pci->nirq++] = (struct boot_pci_irq){
					be32(e), (uint8_t)pin,
					be32(spec + 4) + (be32(spec) == 1 ? 16 : 32)
				};
			else
				w->bi->warnings++;
		}
		off += entry;
	}
}

static void
pci_host(struct walk *w)
{
	const struct node *n = &w->pcie;
	struct boot_pci_host *pci = &w->bi->pci;
	uint64_t buses = pci->ecam_size >> 20;

	pci->bus_start = 0;
	pci->bus_end = (uint8_t)(buses > 256 ? 255 : buses ? buses - 1 : 0);
	if (buses == 0) {
		w->bi->warnings++;
		memset(pci, 0, sizeof(*pci));
		return;
	}
	if (n->bus_range && n->bus_range_len == 8) {
		uint32_t first = be32(n->bus_range), last = be32(n->bus_range + 4);
		if (first <= last && last < 256 && last - first < buses) {
			pci->bus_start = (uint8_t)first;
			pci->bus_end = (uint8_t)last;
		} else {
			w->bi->warnings++;
		}
	}
	pci->nranges = 0;
	pci->nirq = 0;
	pci_ranges(w, n, pci);
	pci_irq_map(w, n, pci);
}

static int
read_memreserve(const uint8_t *b, size_t total, struct boot_info *bi)
{
	uint32_t off = be32(b + 16);

	if (off % 8 || off > total)
		return -E_CORRUPT;
	for (;; off += 16) {
		uint64_t addr, size;

		if (total - off < 16)
			return -E_CORRUPT;
		addr = cells(b + off, 2);
		size = cells(b + off + 8, 2);
		if (!addr && !size)
			return 0;
		add_region(bi, addr, size, BOOT_MEM_RESERVED);
	}
}

int
fdt_parse_boot_info(const void *dtb, size_t len, struct boot_info *bi)
{
	static struct walk w;
	int err;

	memset(bi, 0, sizeof(*bi));
	memset(&w, 0, sizeof(w));
	if ((err = blob_init(&w.bl, dtb, len)) != 0)
		return err;
	strlcpy(bi->loader_name, "QEMU (device tree)", sizeof(bi->loader_name));
	w.bi = bi;
	/* The stdout path may be named after the UART node: read /chosen first. */
	if ((err = walk_struct(&w)) != 0)
		return err;
	if (w.stdout_path[0] && !w.uart_from_stdout) {
		struct boot_info first = *bi;
		memset(&w.stack, 0, sizeof(w.stack));
		w.depth = 0;
		w.path[0] = '\0';
		bi->nmem = 0;
		bi->nmodules = 0;
		bi->uart_base = 0;
		w.nintc = 0;
		w.have_pcie = false;
		if (walk_struct(&w) != 0)
			*bi = first;
	}
	if (w.have_pcie)
		pci_host(&w);
	return read_memreserve(w.bl.b, be32(w.bl.b + 4), bi);
}
