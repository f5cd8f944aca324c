UNIT_SRCS_test_acpi := kernel/dev/acpi.c
