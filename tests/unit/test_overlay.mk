UNIT_SRCS_test_overlay := kernel/fs/overlay.c kernel/fs/tmpfs.c kernel/fs/erofs_vnode.c kernel/fs/erofs.c kernel/fs/vnode.c kernel/fs/fs_env.c lib/crc32c.c lib/strlcpy.c
