UNIT_SRCS_test_idregs := kernel/arch/aarch64/idregs.c
