UNIT_SRCS_test_cmdline := kernel/core/cmdline.c
