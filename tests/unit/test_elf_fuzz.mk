UNIT_SRCS_test_elf_fuzz = tests/fuzz/fuzz_elf.c kernel/proc/elf.c
