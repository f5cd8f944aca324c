/*
 * The node's root filesystem, assembled at boot from the kernel command
 * line (docs/storage.md): the root image on the disk whose serial is
 * root= (EROFS, checked by dm-verity against verity.roothash), under a
 * RAM layer (tmpfs, overlay semantics) paid by a Memory object of its
 * own.  Without a root image the root is the RAM layer alone.
 */
#ifndef FS_ROOTFS_H
#define FS_ROOTFS_H

#include <stdint.h>

struct vnode;

/* Sleeps on the disk: call from a thread, after pci_init. */
void rootfs_init(const char *cmdline);

/* The root directory, or NULL before rootfs_init. */
struct vnode *rootfs_root(void);

/* For the shell's mounts: the image's state, the RAM layer's use. */
void rootfs_print_status(void);

/* For the memory audit: drop what caches may drop, then count what the
 * storage stack holds. */
void rootfs_quiesce(void);
void rootfs_memory(uint64_t *heap_live, uint64_t *heap_bytes, uint64_t *frames,
		   uint64_t *pool_used);

#endif
