UNIT_SRCS_test_chacha20 := lib/chacha20.c kernel/core/random.c
