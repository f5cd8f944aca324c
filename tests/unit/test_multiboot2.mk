UNIT_SRCS_test_multiboot2 := kernel/boot/multiboot2.c kernel/boot/boot_info.c
