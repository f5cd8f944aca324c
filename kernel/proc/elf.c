/*
 * Reads every field with memcpy from bounds-checked offsets, so an
 * image at any alignment and of any length is safe to look at.
 */
#include "proc/elf.h"

#include <stdbool.h>

#include "lib/string.h"
#include "themelios/errno.h"

#define EHDR_SIZE    64
#define PT_LOAD	     1
#define PT_INTERP    3
#define PT_TLS	     7
#define PT_GNU_STACK 0x6474e551u
#define PAGE	     4096ull

static uint16_t
rd16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}

static uint32_t
rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint64_t
rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static uint64_t
page_down(uint64_t v)
{
	return v & ~(PAGE - 1);
}

static uint64_t
page_up(uint64_t v)
{
	return (v + PAGE - 1) & ~(PAGE - 1);
}

static int
check_header(const uint8_t *b, size_t len, uint16_t machine)
{
	uint16_t type;

	if (len < EHDR_SIZE || memcmp(b,
				      "\x7f"
				      "ELF",
				      4) != 0)
		return -E_CORRUPT;
	if (b[4] != 2 || b[5] != 1) /* ELFCLASS64, little-endian */
		return -E_NOTSUP;
	if (b[6] != 1 || rd32(b + 20) != 1) /* EV_CURRENT */
		return -E_CORRUPT;
	type = rd16(b + 16);
	if ((type != ELF_TYPE_EXEC && type != ELF_TYPE_DYN) || rd16(b + 18) != machine)
		return -E_NOTSUP;
	if (rd16(b + 52) != EHDR_SIZE || rd16(b + 54) != ELF_PHDR_SIZE)
		return -E_CORRUPT;
	return 0;
}

/* One PT_LOAD; for ET_DYN the addresses are relative to the base. */
static int
read_segment(const uint8_t *ph, uint64_t len, uint64_t user_end, bool dyn, struct elf_segment *s,
	     uint64_t *align)
{
	uint64_t a = rd64(ph + 48);

	s->flags = rd32(ph + 4) & 7;
	s->offset = rd64(ph + 8);
	s->vaddr = rd64(ph + 16);
	s->filesz = rd64(ph + 32);
	s->memsz = rd64(ph + 40);

	if (s->filesz > s->memsz || s->offset > len || s->filesz > len - s->offset)
		return -E_CORRUPT;
	if ((a > 1 && (a & (a - 1))) || a > ELF_MAX_ALIGN)
		return -E_CORRUPT;
	if (s->vaddr % PAGE != s->offset % PAGE)
		return -E_CORRUPT; /* cannot be mapped page by page */
	/* A PIE may start at 0: its base keeps it off the NULL page. */
	if (s->memsz == 0 || (!dyn && s->vaddr < PAGE) || s->vaddr >= user_end - PAGE ||
	    s->memsz > user_end - PAGE - s->vaddr)
		return -E_RANGE;
	if ((s->flags & ELF_SEG_W) && (s->flags & ELF_SEG_X))
		return -E_PERM;
	*align = a > PAGE ? a : PAGE;
	return 0;
}

static int
read_interp(const uint8_t *b, size_t avail, uint64_t len, const uint8_t *ph, struct elf_image *out)
{
	uint64_t off = rd64(ph + 8), n = rd64(ph + 32);

	if (out->interp_len || off > len || n > len - off)
		return -E_CORRUPT; /* a second one, or past the file */
	if (n < 2 || n > ELF_INTERP_MAX)
		return -E_CORRUPT; /* empty or too long */
	out->interp_off = off;
	out->interp_len = n - 1;
	/* Past the head the loader read: it reads and checks the path. */
	if (off > avail || n > avail - off) {
		out->interp_later = 1;
		return 0;
	}
	return elf_interp_check((const char *)b + off, n);
}

int
elf_interp_check(const char *path, uint64_t n)
{
	if (n == 0 || path[n - 1] != '\0' || strnlen(path, n) != n - 1)
		return -E_CORRUPT; /* not one NUL-terminated string */
	return 0;
}

static int
read_tls(const uint8_t *ph, struct elf_image *out)
{
	uint64_t a = rd64(ph + 48);

	if (out->tls_memsz)
		return -E_CORRUPT;
	out->tls_vaddr = rd64(ph + 16);
	out->tls_filesz = rd64(ph + 32);
	out->tls_memsz = rd64(ph + 40);
	out->tls_align = a ? a : 1;
	if (out->tls_memsz == 0 || out->tls_filesz > out->tls_memsz ||
	    out->tls_memsz > (1ull << 30) || (a & (a - 1)) || a > ELF_MAX_ALIGN)
		return -E_CORRUPT;
	return 0;
}

/* The TLS image must be file bytes of a loadable segment. */
static bool
tls_inside(const struct elf_image *out)
{
	for (size_t k = 0; k < out->nseg; k++) {
		const struct elf_segment *s = &out->seg[k];

		if (out->tls_vaddr >= s->vaddr && out->tls_vaddr - s->vaddr <= s->filesz &&
		    out->tls_filesz <= s->filesz - (out->tls_vaddr - s->vaddr))
			return true;
	}
	return false;
}

/* Where the program headers are in memory, if a segment loads them. */
static void
find_phdrs(struct elf_image *out)
{
	uint64_t n = (uint64_t)out->phnum * ELF_PHDR_SIZE;

	for (size_t k = 0; k < out->nseg; k++) {
		const struct elf_segment *s = &out->seg[k];

		if (out->phoff >= s->offset && out->phoff - s->offset <= s->filesz &&
		    n <= s->filesz - (out->phoff - s->offset)) {
			out->phdr_vaddr = s->vaddr + (out->phoff - s->offset);
			return;
		}
	}
}

static int
read_phdrs(const uint8_t *b, size_t avail, uint64_t len, uint64_t user_end, struct elf_image *out)
{
	bool dyn = out->type == ELF_TYPE_DYN;
	int err;

	for (uint16_t i = 0; i < out->phnum; i++) {
		const uint8_t *ph = b + out->phoff + (uint64_t)i * ELF_PHDR_SIZE;
		uint32_t type = rd32(ph);
		struct elf_segment s;
		uint64_t align;

		if (type == PT_INTERP && (err = read_interp(b, avail, len, ph, out)))
			return err;
		if (type == PT_TLS && (err = read_tls(ph, out)))
			return err;
		if (type == PT_GNU_STACK) {
			if (out->has_gnu_stack)
				return -E_CORRUPT;
			if (rd32(ph + 4) & ELF_SEG_X)
				return -E_PERM; /* an executable stack */
			out->has_gnu_stack = 1;
		}
		if (type != PT_LOAD)
			continue;
		if (out->nseg == ELF_MAX_SEGMENTS)
			return -E_CORRUPT;
		if ((err = read_segment(ph, len, user_end, dyn, &s, &align)) != 0)
			return err;
		/* Ascending, and no page shared with the one before: each
		 * page gets exactly one protection. */
		if (out->nseg && page_down(s.vaddr) < out->hi)
			return -E_CORRUPT;
		if (!out->nseg)
			out->lo = page_down(s.vaddr);
		out->hi = page_up(s.vaddr + s.memsz);
		if (align > out->align)
			out->align = align;
		out->seg[out->nseg++] = s;
	}
	return 0;
}

int
elf_parse(const void *image, size_t len, uint16_t machine, uint64_t user_end, struct elf_image *out)
{
	return elf_parse_head(image, len, len, machine, user_end, out);
}

int
elf_parse_head(const void *head, size_t avail, uint64_t len, uint16_t machine, uint64_t user_end,
	       struct elf_image *out)
{
	const uint8_t *b = head;
	bool entry_ok = false;
	int err;

	memset(out, 0, sizeof(*out));
	if (!head || user_end < 4 * PAGE || avail > len)
		return -E_CORRUPT;
	if ((err = check_header(b, avail, machine)) != 0)
		return err;
	out->type = rd16(b + 16);
	out->phoff = rd64(b + 32);
	out->phnum = rd16(b + 56);
	if (out->phnum == 0 || out->phnum > ELF_MAX_PHNUM || out->phoff > len ||
	    (uint64_t)out->phnum * ELF_PHDR_SIZE > len - out->phoff)
		return -E_CORRUPT;
	if (out->phoff > avail || (uint64_t)out->phnum * ELF_PHDR_SIZE > avail - out->phoff)
		return -E_NOTSUP; /* program headers past the head */
	out->entry = rd64(b + 24);
	if ((err = read_phdrs(b, avail, len, user_end, out)) != 0)
		return err;
	if (out->nseg == 0)
		return -E_CORRUPT;
	if (out->tls_memsz && !tls_inside(out))
		return -E_CORRUPT;
	for (size_t k = 0; k < out->nseg; k++) {
		const struct elf_segment *s = &out->seg[k];

		if ((s->flags & ELF_SEG_X) && out->entry >= s->vaddr &&
		    out->entry - s->vaddr < s->memsz)
			entry_ok = true;
	}
	if (!entry_ok && !(out->type == ELF_TYPE_DYN && out->entry == 0))
		return -E_CORRUPT;
	find_phdrs(out);
	return 0;
}
