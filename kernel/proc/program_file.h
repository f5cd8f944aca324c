/*
 * Programs from files: a File's bytes into a kernel buffer for the
 * loader, and PT_INTERP, the interpreter a program names.  The
 * interpreter's path is looked up under a Directory capability the
 * caller names (spawn_args.root_dir, exec_args.root_dir; the Linux
 * personality passes its root there), or its CAP_SLOT_ROOT_DIR: never
 * under a global root, so a process with no Directory cannot start a
 * program that needs one.  Capability lock not held: reads may sleep.
 */
#ifndef PROC_PROGRAM_FILE_H
#define PROC_PROGRAM_FILE_H

#include <stddef.h>
#include <stdint.h>

struct vnode;

/*
 * The whole of vn (a regular file of 1..SPAWN_IMAGE_MAX bytes) in a new
 * kernel buffer (kfree it).  -E_INVAL (not a regular file), -E_CORRUPT
 * (empty), -E_RANGE (too big), -E_NOMEM, -E_IO.
 */
int program_read_vnode(struct vnode *vn, void **out, size_t *len);

/*
 * The program in the File in the caller's slot (needs rights, e.g.
 * EXECUTE, or READ | EXECUTE for exec), read as program_read_vnode.
 */
int program_read_file(uint64_t slot, uint32_t rights, void **out, size_t *len);

/*
 * The interpreter of image[0..len): *out NULL when it names none (or is
 * no valid ELF: the loader reports that), else its file read in full.
 * dir_slot: a Directory (READ, EXECUTE) of the caller, 0 for its
 * CAP_SLOT_ROOT_DIR.  -E_NOCAP / -E_TYPE / -E_PERM (no such Directory),
 * -E_NOENT (no such file), -E_ISDIR, and program_read_vnode's errors.
 */
int program_read_interp(const void *image, size_t len, uint64_t dir_slot, void **out,
			size_t *out_len);

/* The same under the directory root (referenced by the caller; NULL:
 * -E_NOCAP when the image names an interpreter), for callers in the
 * kernel that hold a vnode rather than a slot (the Linux personality's
 * root). */
int program_read_interp_at(const void *image, size_t len, struct vnode *root, void **out,
			   size_t *out_len);

#endif
