UNIT_SRCS_test_initstack := kernel/proc/initstack.c
