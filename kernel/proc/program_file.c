#include "proc/program_file.h"

#include "asm/layout.h"
#include "cap/cap.h"
#include "fs/vfs.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "object/directory.h"
#include "object/file.h"
#include "object/ops.h"
#include "proc/elf.h"
#include "themelios/abi.h"
#include "themelios/errno.h"

#if defined(__x86_64__)
#define ELF_MACHINE ELF_MACHINE_X86_64
#else
#define ELF_MACHINE ELF_MACHINE_AARCH64
#endif

#define PROGRAM_HEAD 4096 /* bytes read for the headers, as the loader */

int
program_open_file(uint64_t slot, uint32_t rights, struct vnode **out)
{
	struct kobject *obj;
	int err = cap_get(slot, KOBJ_FILE, rights, &obj);

	if (err)
		return err;
	*out = ((struct file_object *)obj)->vn;
	vnode_ref(*out);
	cap_put(obj);
	return 0;
}

/* n bytes of vn at off into buf: 0, or -E_CORRUPT when the file has
 * fewer (shrunk meanwhile), or the read's error. */
static int
read_exact(struct vnode *vn, uint64_t off, void *buf, size_t n)
{
	struct io_buf b = io_buf_kernel(buf, n);
	long got = vfs_read(vn, off, &b, n);

	if (got < 0)
		return (int)got;
	return (size_t)got == n ? 0 : -E_CORRUPT;
}

/*
 * The PT_INTERP path of the program (vn's first page, as the loader
 * parses it, or image) into path, NUL-terminated: its length, 0 for
 * none, or an error.  A path past the first page is read from the file
 * and checked as elf_parse checks one in place.
 */
static long
interp_path(struct vnode *vn, const void *image, size_t len, char path[ELF_INTERP_MAX])
{
	struct elf_image *img = kmalloc(sizeof(*img));
	uint8_t *head = NULL;
	struct vfs_stat st;
	size_t avail = len;
	long plen = 0;
	int err = img ? 0 : -E_NOMEM;

	if (!err && vn) {
		/* Not a regular file, or empty: the loader says so. */
		if ((err = vfs_getattr(vn, &st)) || !VFS_S_ISREG(st.mode) || st.size == 0)
			goto out;
		len = st.size;
		avail = st.size < PROGRAM_HEAD ? st.size : PROGRAM_HEAD;
		if (!(head = kmalloc(avail)))
			err = -E_NOMEM;
		if (!err)
			err = read_exact(vn, 0, head, avail);
		image = head;
	}
	/* An image elf_parse refuses is the loader's to report. */
	if (err || elf_parse_head(image, avail, len, ELF_MACHINE, USER_SPACE_END, img) ||
	    !img->interp_len)
		goto out;
	plen = (long)img->interp_len;
	if (!img->interp_later)
		memcpy(path, (const uint8_t *)image + img->interp_off, plen + 1);
	else if (!(err = read_exact(vn, img->interp_off, path, plen + 1)))
		err = elf_interp_check(path, plen + 1);
out:
	kfree(head);
	kfree(img);
	return err ? err : plen;
}

int
program_find_interp_at(struct vnode *vn, const void *image, size_t len, struct vnode *root,
		       struct vnode **out)
{
	char path[ELF_INTERP_MAX];
	long plen = interp_path(vn, image, len, path);

	*out = NULL;
	if (plen <= 0)
		return (int)plen;
	if (!root)
		return -E_NOCAP;
	return vfs_lookup(root, path, (size_t)plen, true, out);
}

int
program_find_interp(struct vnode *vn, const void *image, size_t len, uint64_t dir_slot,
		    struct vnode **out)
{
	char path[ELF_INTERP_MAX];
	long plen = interp_path(vn, image, len, path);
	struct kobject *dir;
	int err;

	*out = NULL;
	if (plen <= 0)
		return (int)plen; /* no Directory needed */
	err = cap_get(dir_slot ? dir_slot : CAP_SLOT_ROOT_DIR, KOBJ_DIRECTORY,
		      CAP_RIGHT_READ | CAP_RIGHT_EXECUTE, &dir);
	if (err)
		return err;
	err = vfs_lookup(((struct dir_object *)dir)->vn, path, (size_t)plen, true, out);
	cap_put(dir);
	return err;
}
