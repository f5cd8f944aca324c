/*
 * The shell's file commands, for developers: they walk the node's root
 * (fs/rootfs.h) with the kernel's own authority, so they are in the
 * debug shell only, never reachable from user space.
 */
#include "shell/fs_commands.h"

#include "core/printk.h"
#include "fs/rootfs.h"
#include "fs/vfs.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/page_cache.h"
#include "themelios/errno.h"

static struct vnode *
root_or_complain(void)
{
	struct vnode *root = rootfs_root();

	if (!root)
		printk("no root filesystem\n");
	return root;
}

static char
type_char(uint32_t mode)
{
	switch (mode & VFS_S_IFMT) {
	case VFS_S_IFDIR:
		return 'd';
	case VFS_S_IFLNK:
		return 'l';
	case VFS_S_IFCHR:
		return 'c';
	case VFS_S_IFBLK:
		return 'b';
	case VFS_S_IFIFO:
		return 'p';
	case VFS_S_IFSOCK:
		return 's';
	}
	return '-';
}

void
cmd_ls(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/";
	struct vnode *root = root_or_complain(), *dir;
	struct vfs_dirent *d;
	uint64_t pos = 0;
	int err;

	if (!root)
		return;
	if ((err = vfs_lookup(root, path, strlen(path), true, &dir))) {
		printk("ls: %s: error %d\n", path, err);
		return;
	}
	if (!(d = kmalloc(sizeof(*d)))) {
		vnode_unref(dir);
		return;
	}
	while ((err = vfs_readdir(dir, &pos, d)) == 1) {
		struct vnode *vn;
		struct vfs_stat st;

		if (dir->ops->lookup(dir, d->name, d->name_len, &vn) == 0) {
			if (vfs_getattr(vn, &st) == 0)
				printk("%c%04o %8lu %s\n", type_char(st.mode), st.mode & 07777,
				       (unsigned long)st.size, d->name);
			vnode_unref(vn);
		}
	}
	if (err < 0)
		printk("ls: %s: error %d\n", path, err);
	kfree(d);
	vnode_unref(dir);
}

void
cmd_cat(int argc, char **argv)
{
	struct vnode *root = root_or_complain(), *vn;
	char *buf;
	uint64_t off = 0;
	long n;
	int err;

	if (!root)
		return;
	if (argc < 2) {
		printk("usage: cat PATH\n");
		return;
	}
	if ((err = vfs_open(root, argv[1], strlen(argv[1]), 0, 0, &vn))) {
		printk("cat: %s: error %d\n", argv[1], err);
		return;
	}
	if ((buf = kmalloc(512))) {
		struct io_buf b = io_buf_kernel(buf, 512);

		while ((n = vfs_read(vn, off, &b, 512)) > 0) {
			printk("%.*s", (int)n, buf);
			off += (uint64_t)n;
		}
		if (n < 0)
			printk("cat: %s: error %ld\n", argv[1], n);
		kfree(buf);
	}
	vnode_unref(vn);
}

void
cmd_stat(int argc, char **argv)
{
	struct vnode *root = root_or_complain();
	struct vfs_stat st;
	int err;

	if (!root)
		return;
	if (argc < 2) {
		printk("usage: stat PATH\n");
		return;
	}
	if ((err = vfs_stat(root, argv[1], strlen(argv[1]), false, &st))) {
		printk("stat: %s: error %d\n", argv[1], err);
		return;
	}
	printk("%s: %c mode %04o ino %lu dev %lu nlink %u uid %u gid %u size %lu mtime %ld\n",
	       argv[1], type_char(st.mode), st.mode & 07777, (unsigned long)st.ino,
	       (unsigned long)st.dev, st.nlink, st.uid, st.gid, (unsigned long)st.size,
	       (long)st.mtime_sec);
}

void
cmd_mounts(int argc, char **argv)
{
	const struct vfs_fs *fs;
	const char *path;

	(void)argc;
	(void)argv;
	for (unsigned i = 0; vfs_mount_at(i, &path, &fs); i++)
		printk("%-10s %-8s %s%s\n", path, fs->type, fs->source,
		       fs->read_only ? " (read-only)" : "");
	rootfs_print_status();
}

void
cmd_cache(int argc, char **argv)
{
	struct pcache_stats ps;
	struct vfs_ncache_stats ns;

	(void)argc;
	(void)argv;
	pcache_get_stats(&ps);
	vfs_ncache_stats(&ns);
	printk("page cache: %lu pages (%lu KiB) of %lu, %lu hits, %lu misses, %lu read ahead, "
	       "%lu device requests, %lu evicted, %lu fill errors\n",
	       (unsigned long)ps.pages, (unsigned long)ps.pages * 4, (unsigned long)ps.limit,
	       (unsigned long)ps.hits, (unsigned long)ps.misses, (unsigned long)ps.readahead,
	       (unsigned long)ps.fills, (unsigned long)ps.evictions, (unsigned long)ps.fill_errors);
	printk("name cache: %lu entries, %lu hits, %lu misses\n", (unsigned long)ns.entries,
	       (unsigned long)ns.hits, (unsigned long)ns.misses);
}
