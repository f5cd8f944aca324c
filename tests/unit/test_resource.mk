UNIT_SRCS_test_resource := kernel/core/resource.c
