UNIT_SRCS_test_crc32c := lib/crc32c.c
