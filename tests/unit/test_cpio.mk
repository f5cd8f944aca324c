UNIT_SRCS_test_cpio := kernel/boot/cpio.c
