/*
 * Layout (Multiboot2 spec, section 3.6): a u32 total_size, a u32
 * reserved, then tags of {u32 type, u32 size, payload}, each starting on
 * an 8-byte boundary, ending with a type-0 tag of size 8.  Reads are done
 * with memcpy so a misaligned buffer is still safe.
 */
#include "boot/multiboot2.h"

#include <stdbool.h>

#include "lib/string.h"
#include "themelios/errno.h"

enum {
	TAG_END = 0,
	TAG_CMDLINE = 1,
	TAG_LOADER_NAME = 2,
	TAG_MODULE = 3,
	TAG_BASIC_MEMINFO = 4,
	TAG_BOOTDEV = 5,
	TAG_MMAP = 6,
	TAG_VBE = 7,
	TAG_FRAMEBUFFER = 8,
	TAG_ELF_SECTIONS = 9,
	TAG_APM = 10,
	TAG_EFI32 = 11,
	TAG_EFI64 = 12,
	TAG_SMBIOS = 13,
	TAG_ACPI_OLD = 14,
	TAG_ACPI_NEW = 15,
	TAG_NETWORK = 16,
	TAG_EFI_MMAP = 17,
	TAG_EFI_BS = 18,
	TAG_EFI32_IH = 19,
	TAG_EFI64_IH = 20,
	TAG_LOAD_BASE = 21,
};

#define TAG_HEADER_SIZE	   8
#define MMAP_HEADER_SIZE   16 /* tag header, entry_size, entry_version */
#define MMAP_ENTRY_MIN	   24
#define MODULE_HEADER_SIZE 16 /* tag header, mod_start, mod_end */
#define RSDP_V1_LEN	   20
#define RSDP_V2_LEN	   36
#define INFO_MAX	   (1u << 20) /* no real loader writes more */

struct parser {
	const uint8_t *base;
	struct boot_info *bi;
	mb2_warn_fn warn;
};

static uint32_t
read_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t
read_u64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void
warn(struct parser *ps, const char *what, uint32_t type, size_t offset)
{
	ps->bi->warnings++;
	if (ps->warn)
		ps->warn(what, type, offset);
}

/* Copies a NUL-terminated string that must end inside [p, p + len). */
static bool
copy_string(char *dst, size_t dstlen, const uint8_t *p, size_t len)
{
	size_t n = strnlen((const char *)p, len);

	if (n == len)
		return false;
	if (n >= dstlen)
		n = dstlen - 1;
	memcpy(dst, p, n);
	dst[n] = '\0';
	return true;
}

/* Adds a region, merging with the previous one when they touch. */
static bool
add_region(struct boot_info *bi, uint64_t base, uint64_t len, uint32_t type)
{
	struct boot_mem_region *last = bi->nmem ? &bi->mem[bi->nmem - 1] : NULL;

	if (len == 0)
		return true;
	if (base + len < base)
		len = UINT64_MAX - base;
	if (last && last->type == type && last->base + last->length == base) {
		last->length += len;
		return true;
	}
	if (bi->nmem == BOOT_MAX_MEM_REGIONS)
		return false;
	bi->mem[bi->nmem++] = (struct boot_mem_region){ base, len, type };
	return true;
}

static uint32_t
mmap_type(uint32_t mb_type)
{
	switch (mb_type) {
	case 1:
		return BOOT_MEM_USABLE;
	case 3:
		return BOOT_MEM_ACPI_RECLAIMABLE;
	case 4:
		return BOOT_MEM_ACPI_NVS;
	case 5:
		return BOOT_MEM_BAD;
	default:
		return BOOT_MEM_RESERVED;
	}
}

static void
parse_mmap(struct parser *ps, const uint8_t *tag, uint32_t size, size_t off)
{
	uint32_t entry_size;
	size_t pos;

	if (size < MMAP_HEADER_SIZE) {
		warn(ps, "memory map tag too short", TAG_MMAP, off);
		return;
	}
	entry_size = read_u32(tag + 8);
	if (entry_size < MMAP_ENTRY_MIN || entry_size % 8) {
		warn(ps, "memory map entry size invalid", TAG_MMAP, off);
		return;
	}
	if ((size - MMAP_HEADER_SIZE) % entry_size)
		warn(ps, "memory map has a partial entry", TAG_MMAP, off);
	for (pos = MMAP_HEADER_SIZE; pos + entry_size <= size; pos += entry_size) {
		const uint8_t *e = tag + pos;
		if (!add_region(ps->bi, read_u64(e), read_u64(e + 8),
				mmap_type(read_u32(e + 16)))) {
			warn(ps, "memory map has too many regions", TAG_MMAP, off);
			return;
		}
	}
}

static void
parse_module(struct parser *ps, const uint8_t *tag, uint32_t size, size_t off)
{
	struct boot_info *bi = ps->bi;
	struct boot_module *m;
	uint32_t start, end;

	if (size < MODULE_HEADER_SIZE + 1) {
		warn(ps, "module tag too short", TAG_MODULE, off);
		return;
	}
	start = read_u32(tag + 8);
	end = read_u32(tag + 12);
	if (end < start) {
		warn(ps, "module ends before it starts", TAG_MODULE, off);
		return;
	}
	if (bi->nmodules == BOOT_MAX_MODULES) {
		warn(ps, "too many modules", TAG_MODULE, off);
		return;
	}
	m = &bi->modules[bi->nmodules];
	if (!copy_string(m->name, sizeof(m->name), tag + MODULE_HEADER_SIZE,
			 size - MODULE_HEADER_SIZE)) {
		warn(ps, "module name not terminated", TAG_MODULE, off);
		return;
	}
	m->start = start;
	m->end = end;
	bi->nmodules++;
}

static void
parse_rsdp(struct parser *ps, const uint8_t *tag, uint32_t size, size_t off, uint32_t type)
{
	struct boot_info *bi = ps->bi;
	size_t want = type == TAG_ACPI_NEW ? RSDP_V2_LEN : RSDP_V1_LEN;
	size_t len = size - TAG_HEADER_SIZE;

	if (len < want) {
		warn(ps, "ACPI RSDP tag too short", type, off);
		return;
	}
	/* The new (ACPI 2.0+) table wins over the old one. */
	if (bi->rsdp_len == RSDP_V2_LEN && type == TAG_ACPI_OLD)
		return;
	memcpy(bi->rsdp_copy, tag + TAG_HEADER_SIZE, want);
	bi->rsdp_len = want;
	bi->rsdp_revision = tag[TAG_HEADER_SIZE + 15];
	bi->rsdp_phys = 0; /* only the loader's copy is known */
}

static void
parse_tag(struct parser *ps, uint32_t type, const uint8_t *tag, uint32_t size, size_t off)
{
	struct boot_info *bi = ps->bi;

	switch (type) {
	case TAG_CMDLINE:
		if (!copy_string(bi->cmdline, sizeof(bi->cmdline), tag + TAG_HEADER_SIZE,
				 size - TAG_HEADER_SIZE))
			warn(ps, "command line not terminated", type, off);
		break;
	case TAG_LOADER_NAME:
		if (!copy_string(bi->loader_name, sizeof(bi->loader_name), tag + TAG_HEADER_SIZE,
				 size - TAG_HEADER_SIZE))
			warn(ps, "loader name not terminated", type, off);
		break;
	case TAG_MODULE:
		parse_module(ps, tag, size, off);
		break;
	case TAG_MMAP:
		parse_mmap(ps, tag, size, off);
		break;
	case TAG_ACPI_OLD:
	case TAG_ACPI_NEW:
		parse_rsdp(ps, tag, size, off, type);
		break;
	case TAG_BASIC_MEMINFO:
	case TAG_BOOTDEV:
	case TAG_VBE:
	case TAG_FRAMEBUFFER:
	case TAG_ELF_SECTIONS:
	case TAG_APM:
	case TAG_EFI32:
	case TAG_EFI64:
	case TAG_SMBIOS:
	case TAG_NETWORK:
	case TAG_EFI_MMAP:
	case TAG_EFI_BS:
	case TAG_EFI32_IH:
	case TAG_EFI64_IH:
	case TAG_LOAD_BASE:
		break; /* known, not needed */
	default:
		warn(ps, "unknown tag skipped", type, off);
		break;
	}
}

int
mb2_parse(const void *info, size_t avail, uint64_t info_phys, struct boot_info *bi,
	  mb2_warn_fn warnfn)
{
	struct parser ps = { info, bi, warnfn };
	const uint8_t *base = info;
	uint32_t total;
	size_t off;
	bool ended = false;

	memset(bi, 0, sizeof(*bi));
	if (!info || avail < TAG_HEADER_SIZE || ((uintptr_t)info & 7))
		return -E_CORRUPT;
	total = read_u32(base);
	if (total < TAG_HEADER_SIZE || total > avail || total > INFO_MAX)
		return -E_CORRUPT;
	bi->info_start = info_phys;
	bi->info_end = info_phys + total;

	for (off = TAG_HEADER_SIZE; off + TAG_HEADER_SIZE <= total;) {
		uint32_t type = read_u32(base + off);
		uint32_t size = read_u32(base + off + 4);

		if (size < TAG_HEADER_SIZE || size > total - off) {
			warn(&ps, "tag size runs past the end; rest ignored", type, off);
			break;
		}
		if (type == TAG_END) {
			ended = true;
			break;
		}
		parse_tag(&ps, type, base + off, size, off);
		off += (size + 7) & ~(size_t)7;
	}
	if (!ended)
		warn(&ps, "no end tag", TAG_END, off);
	return 0;
}
