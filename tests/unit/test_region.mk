UNIT_SRCS_test_region := kernel/proc/region.c
