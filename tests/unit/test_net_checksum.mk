UNIT_SRCS_test_net_checksum := kernel/net/checksum.c
