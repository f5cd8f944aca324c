UNIT_SRCS_test_irqs_off := kernel/core/irqs_off.c
