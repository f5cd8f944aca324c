UNIT_SRCS_test_readiness := kernel/object/readiness.c kernel/object/object.c
