UNIT_SRCS_test_elf := kernel/proc/elf.c
