#include "proc/program_file.h"

#include "cap/cap.h"
#include "fs/vfs.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "object/directory.h"
#include "object/file.h"
#include "object/ops.h"
#include "asm/layout.h"
#include "proc/elf.h"
#include "themelios/abi.h"
#include "themelios/errno.h"

#if defined(__x86_64__)
#define ELF_MACHINE ELF_MACHINE_X86_64
#else
#define ELF_MACHINE ELF_MACHINE_AARCH64
#endif

int
program_read_vnode(struct vnode *vn, void **out, size_t *len)
{
	struct vfs_stat st;
	struct io_buf b;
	void *buf;
	long n;
	int err = vfs_getattr(vn, &st);

	if (err)
		return err;
	if (VFS_S_ISDIR(st.mode))
		return -E_ISDIR;
	if (!VFS_S_ISREG(st.mode))
		return -E_INVAL;
	if (st.size == 0)
		return -E_CORRUPT;
	if (st.size > SPAWN_IMAGE_MAX)
		return -E_RANGE;
	if (!(buf = kmalloc(st.size)))
		return -E_NOMEM;
	b = io_buf_kernel(buf, st.size);
	n = vfs_read(vn, 0, &b, st.size);
	if (n < 0 || (uint64_t)n != st.size) {
		kfree(buf);
		return n < 0 ? (int)n : -E_IO;
	}
	*out = buf;
	*len = st.size;
	return 0;
}

int
program_read_file(uint64_t slot, uint32_t rights, void **out, size_t *len)
{
	struct kobject *obj;
	int err = cap_get(slot, KOBJ_FILE, rights, &obj);

	if (err)
		return err;
	err = program_read_vnode(((struct file_object *)obj)->vn, out, len);
	cap_put(obj);
	return err;
}

/* The PT_INTERP path of image into path (NUL-terminated): its length,
 * 0 for none, or -E_NOMEM. */
static long
interp_path(const void *image, size_t len, char path[ELF_INTERP_MAX])
{
	struct elf_image *img = kmalloc(sizeof(*img));
	long plen = 0;

	if (!img)
		return -E_NOMEM;
	/* An image elf_parse refuses is the loader's to report. */
	if (elf_parse(image, len, ELF_MACHINE, USER_SPACE_END, img) == 0 && img->interp_len) {
		plen = img->interp_len;
		memcpy(path, (const uint8_t *)image + img->interp_off, plen);
		path[plen] = '\0';
	}
	kfree(img);
	return plen;
}

int
program_read_interp_at(const void *image, size_t len, struct vnode *root, void **out,
		       size_t *out_len)
{
	char path[ELF_INTERP_MAX];
	long plen = interp_path(image, len, path);
	struct vnode *vn;
	int err;

	*out = NULL;
	if (plen <= 0)
		return (int)plen;
	if (!root)
		return -E_NOCAP;
	err = vfs_lookup(root, path, (size_t)plen, true, &vn);
	if (!err) {
		err = program_read_vnode(vn, out, out_len);
		vnode_unref(vn);
	}
	return err;
}

int
program_read_interp(const void *image, size_t len, uint64_t dir_slot, void **out, size_t *out_len)
{
	char path[ELF_INTERP_MAX];
	long plen = interp_path(image, len, path);
	struct kobject *dir;
	int err;

	*out = NULL;
	if (plen <= 0)
		return (int)plen; /* no Directory needed */
	err = cap_get(dir_slot ? dir_slot : CAP_SLOT_ROOT_DIR, KOBJ_DIRECTORY,
		      CAP_RIGHT_READ | CAP_RIGHT_EXECUTE, &dir);
	if (err)
		return err;
	err = program_read_interp_at(image, len, ((struct dir_object *)dir)->vn, out, out_len);
	cap_put(dir);
	return err;
}
