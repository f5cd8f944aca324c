/* Assembling the root filesystem at boot (rootfs.h). */
#include "fs/rootfs.h"

#include "cap/lock.h"
#include "core/cmdline.h"
#include "core/panic.h"
#include "core/printk.h"
#include "core/random.h"
#include "core/time.h"
#include "dev/block.h"
#include "dev/block_cache.h"
#include "fs/erofs.h"
#include "fs/erofs_vnode.h"
#include "fs/ncache.h"
#include "fs/overlay.h"
#include "fs/tmpfs.h"
#include "fs/verity_dev.h"
#include "fs/vfs.h"
#include "lib/string.h"
#include "mm/page_cache.h"
#include "mm/vm_file.h"
#include "mm/pmm.h"
#include "object/memory.h"
#include "themelios/errno.h"

#define ROOTFS_DEV_IMAGE   1
#define ROOTFS_DEV_RAM	   2
#define ROOTFS_DEV_OVERLAY 3

static struct vnode *root;
static struct mempool *ram_pool; /* pays for the RAM layer */
static struct vfs_fs *ram_fs;
static char image_state[96] = "no root image";

/* The image: its disk, verified or not, and the EROFS on it. */
static struct blk_device *image_disk;
static struct verity_dev image_verity;
static struct blk_window image_plain; /* verity=off: the disk as is */
static struct blk_window *image_win;
static struct erofs_fs image_erofs;
static struct vfs_fs *image_fs, *overlay_fs;

static int
ram_charge(void *ctx, uint64_t pages)
{
	return mempool_charge(ctx, pages);
}

static void
ram_uncharge(void *ctx, uint64_t pages)
{
	mempool_uncharge(ctx, pages);
}

static void
ram_now(void *ctx, int64_t *sec, uint32_t *nsec)
{
	uint64_t ns = time_now_ns();

	(void)ctx;
	*sec = (int64_t)(ns / 1000000000u);
	*nsec = (uint32_t)(ns % 1000000000u);
}

/* The RAM layer: a tmpfs paid by a Memory object of ram.pages pages
 * (default: a quarter of free memory). */
static int
make_ram_layer(const char *cmdline)
{
	struct tmpfs_args ta;
	struct pmm_stats st;
	unsigned long flags;
	uint64_t pages;
	int err;

	pmm_get_stats(&st);
	pages = cmdline_get_ulong(cmdline, "ram.pages", st.free / 4);
	flags = cap_lock_take();
	err = mempool_create(NULL, pages, &ram_pool);
	cap_lock_drop(flags);
	if (err)
		return err;
	memset(&ta, 0, sizeof(ta));
	ta.charge = (struct fs_charge){ ram_pool, ram_charge, ram_uncharge };
	ta.max_pages = pages;
	ta.now = ram_now;
	ta.dev = ROOTFS_DEV_RAM;
	random_fill(&ta.hash_seed, sizeof(ta.hash_seed));
	if ((err = tmpfs_mount(&ta, &ram_fs)))
		return err;
	strlcpy(ram_fs->source, "ram", sizeof(ram_fs->source));
	pr_info("root: RAM layer of %lu pages\n", (unsigned long)pages);
	return 0;
}

static struct blk_device *
find_disk(const char *name)
{
	for (unsigned i = 0; blk_device_at(i); i++) {
		struct blk_device *bd = blk_device_at(i);

		if (!strcmp(bd->serial, name) || !strcmp(bd->name, name))
			return bd;
	}
	return NULL;
}

static int
hex_digest(const char *s, uint8_t out[SHA256_DIGEST_BYTES])
{
	for (int i = 0; i < 2 * SHA256_DIGEST_BYTES; i++) {
		char c = s[i];
		int v = c >= '0' && c <= '9'   ? c - '0'
			: c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10
					       : -1;

		if (v < 0)
			return -E_INVAL;
		out[i / 2] = (uint8_t)(i % 2 ? out[i / 2] | v : v << 4);
	}
	return s[2 * SHA256_DIGEST_BYTES] ? -E_INVAL : 0;
}

static long
image_data_read(void *ctx, uint64_t dev_off, const struct io_buf *dst, size_t at, size_t len)
{
	return blk_window_read(ctx, dev_off, dst, at, len);
}

static int
image_meta_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	struct io_buf b = io_buf_kernel(buf, len);
	long r = blk_window_read(ctx, off, &b, 0, len);

	if (r < 0)
		return (int)r;
	return (size_t)r == len ? 0 : -E_IO;
}

/*
 * The root image: the disk named by root=, checked against
 * verity.roothash at verity.hashoffset.  A root hash that does not
 * match stops the boot, unless verity.corruption=eio, which boots and
 * fails every read (dm-verity's ignore mode is the model; its restart
 * mode has no meaning without a second image).  A disk too small for
 * the tree the superblock describes is refused: the root is then the
 * RAM layer alone, which holds nothing the image could have changed.
 * verity=off, anywhere on the command line, reads the disk unverified
 * even when a root hash is given (GRUB's entry always gives one).
 */
static int
open_image(const char *cmdline)
{
	char name[32], hex[80], mode[16] = "panic";
	uint8_t want[SHA256_DIGEST_BYTES];
	uint64_t hash_offset;
	int err;

	if (cmdline_get(cmdline, "root", name, sizeof(name)) <= 0)
		return -E_NOENT;
	if (!(image_disk = find_disk(name))) {
		pr_err("root: no disk %s: the root is the RAM layer alone\n", name);
		strlcpy(image_state, "root disk not found", sizeof(image_state));
		return -E_NOENT;
	}
	cmdline_get(cmdline, "verity.corruption", mode, sizeof(mode));
	if (cmdline_has(cmdline, "verity=off") ||
	    cmdline_get(cmdline, "verity.roothash", hex, sizeof(hex)) <= 0) {
		if (!cmdline_has(cmdline, "verity=off"))
			panic("root: %s has no verity.roothash; refusing an unverified root "
			      "(verity=off allows it)",
			      name);
		pr_warn("root: verity=off: %s is NOT verified\n", image_disk->name);
		err = blk_window_init(&image_plain, image_disk, "root image", 0,
				      image_disk->sectors * BLK_SECTOR_SIZE);
		if (err)
			return err;
		image_win = &image_plain;
		strlcpy(image_state, "unverified (verity=off)", sizeof(image_state));
		return 0;
	}
	if (hex_digest(hex, want))
		panic("root: verity.roothash=%s is not 64 hex digits", hex);
	hash_offset = cmdline_get_ulong(cmdline, "verity.hashoffset", 0);
	err = verity_dev_open(&image_verity, image_disk, hash_offset, want);
	if (err == -E_RANGE && hash_offset % PCACHE_PAGE_SIZE == 0) {
		pr_err("root: %s (%lu KiB) is smaller than its dm-verity tree says (at offset "
		       "%lu): "
		       "a truncated image? the root is the RAM layer alone\n",
		       image_disk->name, (unsigned long)(image_disk->sectors / 2),
		       (unsigned long)hash_offset);
		strlcpy(image_state, "refused: disk smaller than its tree", sizeof(image_state));
		return err;
	}
	if (err == -E_IO) {
		if (strcmp(mode, "eio"))
			panic("root: %s does not match verity.roothash: the image was changed "
			      "or the boot configuration is wrong; refusing to boot "
			      "(verity.corruption=eio boots and fails its reads)",
			      image_disk->name);
		pr_err("root: %s does not match verity.roothash; every read will fail "
		       "(verity.corruption=eio)\n",
		       image_disk->name);
		strlcpy(image_state, "ROOT HASH MISMATCH: reads fail", sizeof(image_state));
	} else if (err) {
		pr_err("root: no dm-verity tree at offset %lu of %s (error %d)\n",
		       (unsigned long)hash_offset, image_disk->name, err);
		if (strcmp(mode, "eio"))
			panic("root: cannot verify the root image");
		return err;
	} else {
		strlcpy(image_state, "verified (dm-verity, SHA-256)", sizeof(image_state));
	}
	image_win = &image_verity.data;
	pr_info("root: %s: %lu data blocks, tree of %d levels, root hash %.16s...: %s\n",
		image_disk->name, (unsigned long)image_verity.tree.p.data_blocks,
		image_verity.tree.levels, hex, image_verity.root_ok ? "matches" : "MISMATCH");
	return 0;
}

void
rootfs_init(const char *cmdline)
{
	struct erofs_io io;
	int err;

	pcache_init();
	vm_file_init();
	vnode_reaper_start();
	if ((err = make_ram_layer(cmdline))) {
		pr_err("root: no RAM layer (error %d): no root filesystem\n", err);
		return;
	}
	root = ram_fs->root;
	if (open_image(cmdline))
		goto ram_only;
	io = (struct erofs_io){ image_win, image_meta_read };
	if ((err = erofs_mount(&image_erofs, &io))) {
		if (err == -E_NOTSUP)
			pr_err("root: %s is an EROFS image with features this kernel does not read "
			       "(compression such as lz4, another block size, or several devices; "
			       "build it with mkfs.erofs without -z): the root is the RAM layer "
			       "alone\n",
			       image_disk->name);
		else
			pr_err("root: %s holds no EROFS image I can read (error %d)\n",
			       image_disk->name, err);
		goto ram_only;
	}
	if (image_erofs.size > image_win->bytes) {
		pr_err("root: %s (%lu KiB) is smaller than its EROFS superblock says (%lu KiB): "
		       "a truncated image? the root is the RAM layer alone\n",
		       image_disk->name, (unsigned long)(image_win->bytes / 1024),
		       (unsigned long)(image_erofs.size / 1024));
		strlcpy(image_state, "refused: disk smaller than its EROFS image",
			sizeof(image_state));
		goto ram_only;
	}
	pr_info("root: EROFS \"%s\", %lu inodes\n", image_erofs.volume_name,
		(unsigned long)image_erofs.inos);
	err = erofs_vfs_mount(&(struct erofs_vfs_args){ .erofs = &image_erofs,
							.read_data = image_data_read,
							.ctx = image_win,
							.dev = ROOTFS_DEV_IMAGE,
							.source = image_disk->name },
			      &image_fs);
	if (!err)
		err = overlay_mount(&(struct overlay_args){ .upper = ram_fs,
							    .lower = image_fs,
							    .dev = ROOTFS_DEV_OVERLAY },
				    &overlay_fs);
	if (err) {
		pr_err("root: cannot put the RAM layer over the image (error %d)\n", err);
		goto ram_only;
	}
	strlcpy(overlay_fs->source, "ram+image", sizeof(overlay_fs->source));
	root = overlay_fs->root;
	vfs_mount_root(overlay_fs, "/");
	vfs_mount_root(image_fs, "(image)");
	vfs_mount_root(ram_fs, "(RAM layer)");
	return;
ram_only:
	vfs_mount_root(root->fs, "/");
}

struct vnode *
rootfs_root(void)
{
	return root;
}

void
rootfs_print_status(void)
{
	printk("root image: %s", image_state);
	if (image_disk)
		printk(" on %s (serial \"%s\"), %lu blocks failed verification", image_disk->name,
		       image_disk->serial, (unsigned long)image_verity.failures);
	printk("\n");
	if (ram_fs)
		printk("RAM layer: %lu of %lu pages\n", (unsigned long)ram_pool->used,
		       (unsigned long)ram_pool->limit);
}

void
rootfs_quiesce(void)
{
	ncache_flush();
	vnode_reap_now();
	pcache_reclaim(~(size_t)0);
}

void
rootfs_memory(uint64_t *heap_live, uint64_t *heap_bytes, uint64_t *frames, uint64_t *pool_used)
{
	struct fs_memory m;
	struct pcache_stats ps;

	fs_memory_get(&m);
	pcache_get_stats(&ps);
	*heap_live = m.allocs;
	*heap_bytes = m.bytes;
	*frames = m.pages + ps.pages;
	*pool_used = ram_pool ? ram_pool->used : 0;
}
