UNIT_SRCS_test_timer_queue := kernel/core/timer_queue.c
