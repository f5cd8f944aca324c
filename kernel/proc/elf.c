/*
 * Reads every field with memcpy from bounds-checked offsets, so an
 * image at any alignment and of any length is safe to look at.
 */
#include "proc/elf.h"

#include <stdbool.h>

#include "lib/string.h"
#include "themelios/errno.h"

#define EHDR_SIZE 64
#define PHDR_SIZE 56
#define PT_LOAD	  1
#define PT_INTERP 3
#define ET_EXEC	  2
#define PAGE	  4096ull
#define MAX_PHNUM 64

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

static int
check_header(const uint8_t *b, size_t len, uint16_t machine)
{
	if (len < EHDR_SIZE || memcmp(b,
				      "\x7f"
				      "ELF",
				      4) != 0)
		return -E_CORRUPT;
	if (b[4] != 2 || b[5] != 1) /* ELFCLASS64, little-endian */
		return -E_NOTSUP;
	if (b[6] != 1 || rd32(b + 20) != 1) /* EV_CURRENT */
		return -E_CORRUPT;
	if (rd16(b + 16) != ET_EXEC || rd16(b + 18) != machine)
		return -E_NOTSUP;
	if (rd16(b + 52) != EHDR_SIZE || rd16(b + 54) != PHDR_SIZE)
		return -E_CORRUPT;
	return 0;
}

static int
read_segment(const uint8_t *ph, size_t len, uint64_t user_end, struct elf_segment *s)
{
	uint64_t align = rd64(ph + 48);

	s->flags = rd32(ph + 4) & 7;
	s->offset = rd64(ph + 8);
	s->vaddr = rd64(ph + 16);
	s->filesz = rd64(ph + 32);
	s->memsz = rd64(ph + 40);

	if (s->filesz > s->memsz || s->offset > len || s->filesz > len - s->offset)
		return -E_CORRUPT;
	if (align > 1 && (align & (align - 1)))
		return -E_CORRUPT;
	if (s->vaddr % PAGE != s->offset % PAGE)
		return -E_CORRUPT; /* cannot be mapped page by page */
	if (s->memsz == 0 || s->vaddr < PAGE || s->vaddr >= user_end ||
	    s->memsz > user_end - s->vaddr)
		return -E_RANGE;
	if ((s->flags & ELF_SEG_W) && (s->flags & ELF_SEG_X))
		return -E_PERM;
	return 0;
}

/* Segments may not share a page: each page gets exactly one protection. */
static bool
overlap(const struct elf_segment *a, const struct elf_segment *b)
{
	uint64_t a0 = a->vaddr & ~(PAGE - 1), a1 = (a->vaddr + a->memsz + PAGE - 1) & ~(PAGE - 1);
	uint64_t b0 = b->vaddr & ~(PAGE - 1), b1 = (b->vaddr + b->memsz + PAGE - 1) & ~(PAGE - 1);

	return a0 < b1 && b0 < a1;
}

int
elf_parse(const void *image, size_t len, uint16_t machine, uint64_t user_end, struct elf_image *out)
{
	const uint8_t *b = image;
	uint64_t phoff;
	uint16_t phnum;
	bool entry_ok = false;
	int err;

	memset(out, 0, sizeof(*out));
	if (!image)
		return -E_CORRUPT;
	if ((err = check_header(b, len, machine)) != 0)
		return err;
	phoff = rd64(b + 32);
	phnum = rd16(b + 56);
	if (phnum == 0 || phnum > MAX_PHNUM || phoff > len ||
	    (uint64_t)phnum * PHDR_SIZE > len - phoff)
		return -E_CORRUPT;
	out->entry = rd64(b + 24);

	for (uint16_t i = 0; i < phnum; i++) {
		const uint8_t *ph = b + phoff + (uint64_t)i * PHDR_SIZE;
		uint32_t type = rd32(ph);
		struct elf_segment s;

		if (type == PT_INTERP)
			return -E_NOTSUP; /* dynamic executables: later */
		if (type != PT_LOAD)
			continue;
		if (out->nseg == ELF_MAX_SEGMENTS)
			return -E_CORRUPT;
		if ((err = read_segment(ph, len, user_end, &s)) != 0)
			return err;
		for (size_t k = 0; k < out->nseg; k++)
			if (overlap(&s, &out->seg[k]))
				return -E_CORRUPT;
		if ((s.flags & ELF_SEG_X) && out->entry >= s.vaddr &&
		    out->entry - s.vaddr < s.memsz)
			entry_ok = true;
		out->seg[out->nseg++] = s;
	}
	if (out->nseg == 0 || !entry_ok)
		return -E_CORRUPT;
	return 0;
}
