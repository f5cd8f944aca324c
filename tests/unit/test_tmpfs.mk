UNIT_SRCS_test_tmpfs := kernel/fs/tmpfs.c kernel/fs/vnode.c kernel/fs/fs_env.c lib/strlcpy.c
