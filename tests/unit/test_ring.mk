UNIT_SRCS_test_ring := lib/ring.c
UNIT_CFLAGS_test_ring := -pthread
