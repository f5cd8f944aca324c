UNIT_SRCS_test_run_queue := kernel/sched/run_queue.c
