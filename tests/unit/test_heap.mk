UNIT_SRCS_test_heap := kernel/mm/heap.c
UNIT_CFLAGS_test_heap := -DHEAP_DEBUG
