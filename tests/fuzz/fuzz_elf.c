/*
 * libFuzzer target for the ELF64 reader (kernel/proc/elf.c): any input,
 * for both machines; whatever it accepts must obey the loader's rules
 * (segments inside the file and user space, ascending, W^X, the entry
 * in an executable segment, PT_INTERP a string inside the file, the TLS
 * image inside a segment).  Built by `make fuzz` with clang; run as
 * build/fuzz/fuzz_elf [corpus dir].  tests/unit/test_elf_fuzz.c runs it
 * on random and mutated inputs under `make test`.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proc/elf.h"

#define USER_END 0x0000800000000000ull

#define MUST(c)                  \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)

static void
check(const uint8_t *data, size_t size, const struct elf_image *e)
{
	uint64_t prev_end = 0, base = e->type == ELF_TYPE_DYN ? 0x1000 : 0;
	int entry_ok = e->entry == 0 && e->type == ELF_TYPE_DYN;

	MUST(e->nseg > 0 && e->nseg <= ELF_MAX_SEGMENTS);
	MUST(e->align >= 4096 && (e->align & (e->align - 1)) == 0);
	for (size_t k = 0; k < e->nseg; k++) {
		const struct elf_segment *s = &e->seg[k];

		MUST(s->filesz <= s->memsz && s->memsz > 0);
		MUST(s->offset <= size && s->filesz <= size - s->offset);
		MUST(base + s->vaddr >= 4096 && s->vaddr + s->memsz <= USER_END - 4096);
		MUST((s->flags & (ELF_SEG_W | ELF_SEG_X)) != (ELF_SEG_W | ELF_SEG_X));
		MUST(s->vaddr % 4096 == s->offset % 4096);
		MUST((s->vaddr & ~4095ull) >= prev_end);
		prev_end = (s->vaddr + s->memsz + 4095) & ~4095ull;
		if ((s->flags & ELF_SEG_X) && e->entry >= s->vaddr &&
		    e->entry - s->vaddr < s->memsz)
			entry_ok = 1;
	}
	MUST(entry_ok);
	MUST(e->hi == prev_end && e->lo <= e->seg[0].vaddr);
	if (e->interp_len) {
		MUST(e->interp_off + e->interp_len < size);
		MUST(strlen((const char *)data + e->interp_off) == e->interp_len);
		MUST(e->interp_len < ELF_INTERP_MAX);
	}
	MUST(e->tls_filesz <= e->tls_memsz);
	MUST(e->phnum > 0 && e->phnum <= ELF_MAX_PHNUM);
	MUST(e->phoff + (uint64_t)e->phnum * ELF_PHDR_SIZE <= size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t machines[] = { ELF_MACHINE_X86_64, ELF_MACHINE_AARCH64 };
	/* A copy of exactly size bytes, so ASan sees any read past it. */
	uint8_t *copy = malloc(size ? size : 1);
	struct elf_image e;

	memcpy(copy, data, size);
	for (int m = 0; m < 2; m++)
		if (elf_parse(copy, size, machines[m], USER_END, &e) == 0)
			check(copy, size, &e);
	free(copy);
	return 0;
}
