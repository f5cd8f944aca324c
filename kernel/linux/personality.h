/*
 * Which system-call personality a program gets, decided once when its
 * ELF is loaded (docs/linux.md): ThemeliOS's own programs carry an ELF
 * note (PT_NOTE, name "ThemeliOS", type NT_THEMELIOS_ABI, user/lib's
 * note.S); every ELF without it is a Linux program.  Pure, host-tested
 * (test_linux_personality).
 */
#ifndef LINUX_PERSONALITY_H
#define LINUX_PERSONALITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PERSONALITY_NATIVE  0
#define PERSONALITY_LINUX   1

#define NT_THEMELIOS_ABI    1
#define THEMELIOS_NOTE_NAME "ThemeliOS"

/*
 * True when image[0..len), an ELF64 that elf_parse accepted (its
 * program headers at phoff, phnum of them, inside the image), has a
 * PT_NOTE segment holding the ThemeliOS note.  Notes are read with
 * every size checked against the segment: a damaged note is no note.
 */
bool personality_has_native_note(const void *image, size_t len, uint64_t phoff, uint16_t phnum);

#endif
