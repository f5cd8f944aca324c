/*
 * Programs from files: the File a caller names for spawn or exec, and
 * PT_INTERP, the interpreter a program names.  The program's bytes are
 * never read whole: the loader maps its segments from the page cache
 * (process_load); here only its first page (the headers) and, where a
 * linker put it further on, the interpreter's path are read.  The
 * interpreter's path is looked up under a Directory capability the
 * caller names (spawn_args.root_dir, exec_args.root_dir), or its
 * CAP_SLOT_ROOT_DIR: never under a global root, so a process with no
 * Directory cannot start a program that needs one.  Capability lock not
 * held: reads may sleep.
 */
#ifndef PROC_PROGRAM_FILE_H
#define PROC_PROGRAM_FILE_H

#include <stddef.h>
#include <stdint.h>

struct vnode;

/*
 * The file behind the File in the caller's slot (needs rights, e.g.
 * EXECUTE, or READ | EXECUTE for exec), referenced for the caller
 * (vnode_unref).  -E_NOCAP, -E_TYPE, -E_PERM.
 */
int program_open_file(uint64_t slot, uint32_t rights, struct vnode **out);

/*
 * The interpreter of a program, the regular file vn or, when vn is
 * NULL, image[0..len): *out NULL when it names none (or is no valid
 * ELF: the loader reports that), else its file, referenced.  dir_slot:
 * a Directory (READ, EXECUTE) of the caller, 0 for its
 * CAP_SLOT_ROOT_DIR.  -E_NOCAP / -E_TYPE / -E_PERM (no such Directory),
 * -E_NOENT (no such file), -E_CORRUPT (a path past the first page that
 * is not one NUL-terminated string), -E_NOMEM, -E_IO.
 */
int program_find_interp(struct vnode *vn, const void *image, size_t len, uint64_t dir_slot,
			struct vnode **out);

/* The same under the directory root (referenced by the caller; NULL:
 * -E_NOCAP when the program names an interpreter), for callers in the
 * kernel that hold a vnode rather than a slot. */
int program_find_interp_at(struct vnode *vn, const void *image, size_t len, struct vnode *root,
			   struct vnode **out);

#endif
