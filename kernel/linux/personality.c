/* The ThemeliOS ELF note that tells native programs from Linux ones. */
#include "linux/personality.h"

#include "lib/string.h"

#define PT_NOTE	  4
#define PHDR_SIZE 56

static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t
rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static bool
notes_have_ours(const uint8_t *p, uint64_t size)
{
	const size_t name_len = sizeof(THEMELIOS_NOTE_NAME); /* the NUL included */

	while (size >= 12) {
		uint32_t namesz = rd32(p), descsz = rd32(p + 4), type = rd32(p + 8);
		uint64_t name_pad = ((uint64_t)namesz + 3) & ~3ull;
		uint64_t desc_pad = ((uint64_t)descsz + 3) & ~3ull;

		if (name_pad + desc_pad > size - 12)
			return false;
		if (type == NT_THEMELIOS_ABI && namesz == name_len &&
		    memcmp(p + 12, THEMELIOS_NOTE_NAME, name_len) == 0)
			return true;
		p += 12 + name_pad + desc_pad;
		size -= 12 + name_pad + desc_pad;
	}
	return false;
}

bool
personality_has_native_note(const void *image, size_t len, uint64_t phoff, uint16_t phnum)
{
	const uint8_t *img = image;

	if (phoff > len || (uint64_t)phnum * PHDR_SIZE > len - phoff)
		return false;
	for (uint16_t i = 0; i < phnum; i++) {
		const uint8_t *ph = img + phoff + (uint64_t)i * PHDR_SIZE;
		uint64_t off = rd64(ph + 8), size = rd64(ph + 32);

		if (rd32(ph) != PT_NOTE || off > len || size > len - off)
			continue;
		if (notes_have_ours(img + off, size))
			return true;
	}
	return false;
}
