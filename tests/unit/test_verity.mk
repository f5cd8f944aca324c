UNIT_SRCS_test_verity := kernel/fs/verity.c lib/sha256.c
