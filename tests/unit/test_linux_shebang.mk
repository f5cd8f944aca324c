UNIT_SRCS_test_linux_shebang := kernel/linux/shebang.c
