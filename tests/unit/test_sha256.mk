UNIT_SRCS_test_sha256 := lib/sha256.c
