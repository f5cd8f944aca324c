UNIT_SRCS_test_linux_fdtable := kernel/linux/fdtable.c
