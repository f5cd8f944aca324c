UNIT_SRCS_test_linux_abi := kernel/linux/errno.c kernel/linux/personality.c kernel/linux/path.c lib/string.c
