UNIT_SRCS_test_erofs := kernel/fs/erofs.c lib/crc32c.c lib/sha256.c
