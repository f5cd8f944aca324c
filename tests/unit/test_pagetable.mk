UNIT_SRCS_test_pagetable := kernel/mm/pagetable.c
UNIT_CFLAGS_test_pagetable := -Ikernel/arch/x86_64/include
