/*
 * ELF64 program validation, pure (host-tested and fuzzed,
 * tests/fuzz/fuzz_elf.c).  Every header field the loader will act on is
 * checked against the image's size and the user address range before
 * anything is mapped: a bad image is an error, never a crash.
 *
 * Policy: ET_EXEC (at its own addresses) and ET_DYN (position
 * independent: every address is relative to a base the loader picks);
 * at most ELF_MAX_SEGMENTS loadable segments, page-congruent (p_vaddr and
 * p_offset equal modulo the page), in ascending order, never sharing a
 * page, inside user space once placed, never both writable and
 * executable, with power-of-two alignments up to ELF_MAX_ALIGN; the
 * entry point in an executable segment (a shared object may have none:
 * entry 0).  PT_INTERP names a NUL-terminated path of 1..ELF_INTERP_MAX-1
 * bytes inside the file; PT_TLS lies inside a loadable segment's file
 * bytes; PT_GNU_STACK may not ask for an executable stack; at most one
 * of each.
 */
#ifndef PROC_ELF_H
#define PROC_ELF_H

#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_SEGMENTS    16
#define ELF_MAX_PHNUM	    64
#define ELF_MAX_ALIGN	    (2ull << 20) /* 2 MiB */
#define ELF_INTERP_MAX	    256		 /* bytes, the NUL included */

#define ELF_MACHINE_X86_64  62
#define ELF_MACHINE_AARCH64 183

#define ELF_TYPE_EXEC	    2
#define ELF_TYPE_DYN	    3

#define ELF_SEG_R	    4
#define ELF_SEG_W	    2
#define ELF_SEG_X	    1

#define ELF_PHDR_SIZE	    56

struct elf_segment {
	uint64_t vaddr;	 /* where the segment starts in memory (+ base for ET_DYN) */
	uint64_t memsz;	 /* bytes in memory (the tail past filesz is zero) */
	uint64_t offset; /* where its bytes start in the file */
	uint64_t filesz;
	uint32_t flags; /* ELF_SEG_R | W | X */
};

struct elf_image {
	uint16_t type;	/* ELF_TYPE_EXEC or ELF_TYPE_DYN */
	uint64_t entry; /* 0: none (a shared object) */
	struct elf_segment seg[ELF_MAX_SEGMENTS];
	size_t nseg;
	/* The page-aligned span of the segments: [lo, hi).  An ET_DYN
	 * image is placed at base + lo..base + hi for a base that is a
	 * multiple of align (0 is the lowest it may be at: lo is then at
	 * least a page). */
	uint64_t lo, hi, align;
	/* The program headers: where they are in the file, and in memory
	 * when a loadable segment's file bytes hold them (phdr_vaddr, else
	 * 0: the loader must give the program a copy). */
	uint64_t phoff, phdr_vaddr;
	uint16_t phnum;
	/* PT_INTERP: the interpreter's path at interp_off, interp_len
	 * bytes without its NUL (0: none).  interp_later: the path lies
	 * past the head elf_parse_head was given, inside the file, and is
	 * not checked yet: the loader reads its interp_len + 1 bytes and
	 * checks them with elf_interp_check. */
	uint64_t interp_off, interp_len;
	int interp_later;
	/* PT_TLS: the initialisation image (tls_memsz 0: none). */
	uint64_t tls_vaddr, tls_filesz, tls_memsz, tls_align;
	/* PT_GNU_STACK seen (the stack is never executable either way). */
	int has_gnu_stack;
};

/*
 * Validates image[0..len) for machine and an address space whose user
 * part ends at user_end.  -E_CORRUPT for anything malformed, -E_NOTSUP
 * for a valid ELF this kernel does not run (wrong class, machine, type),
 * -E_RANGE for segments outside user space (for ET_DYN: a span that
 * cannot fit), -E_PERM for W+X segments or an executable stack.
 */
int elf_parse(const void *image, size_t len, uint16_t machine, uint64_t user_end,
	      struct elf_image *out);

/*
 * The same for a file of len bytes of which only the first avail are at
 * head (a loader that maps the file reads just its first page): every
 * offset is checked against len as above, and program headers that lie
 * past head are -E_NOTSUP.  A PT_INTERP path past head is left for the
 * loader to read (interp_later).  A file shorter than an ELF header is
 * -E_CORRUPT only when len is.
 */
int elf_parse_head(const void *head, size_t avail, uint64_t len, uint16_t machine,
		   uint64_t user_end, struct elf_image *out);

/* A PT_INTERP path's n bytes as read from the file: one NUL-terminated
 * string, NUL at the end only.  0 or -E_CORRUPT. */
int elf_interp_check(const char *path, uint64_t n);

#endif
