UNIT_SRCS_test_linux_sigpending := kernel/linux/sigpending.c lib/string.c
