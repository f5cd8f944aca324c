/*
 * ELF64 executable validation, pure (host-tested).  Every header field
 * the loader will act on is checked against the image's size and the
 * user address range before anything is mapped: a bad image is an
 * error, never a crash.  Policy: static executables (ET_EXEC), loadable
 * segments page-congruent, non-overlapping, inside user space, never
 * both writable and executable, and the entry point in an executable
 * segment.
 */
#ifndef PROC_ELF_H
#define PROC_ELF_H

#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_SEGMENTS    16

#define ELF_MACHINE_X86_64  62
#define ELF_MACHINE_AARCH64 183

#define ELF_SEG_R	    4
#define ELF_SEG_W	    2
#define ELF_SEG_X	    1

struct elf_segment {
	uint64_t vaddr;	 /* where the segment starts in memory */
	uint64_t memsz;	 /* bytes in memory (the tail past filesz is zero) */
	uint64_t offset; /* where its bytes start in the file */
	uint64_t filesz;
	uint32_t flags; /* ELF_SEG_R | W | X */
};

struct elf_image {
	uint64_t entry;
	struct elf_segment seg[ELF_MAX_SEGMENTS];
	size_t nseg;
};

/*
 * Validates image[0..len) for machine and an address space whose user
 * part ends at user_end.  -E_CORRUPT for anything malformed, -E_NOTSUP
 * for a valid ELF this kernel does not run (wrong class, machine, type),
 * -E_RANGE for segments outside user space, -E_PERM for W+X segments.
 */
int elf_parse(const void *image, size_t len, uint16_t machine, uint64_t user_end,
	      struct elf_image *out);

#endif
