UNIT_SRCS_test_net_tcp_header := kernel/net/tcp_header.c kernel/net/checksum.c
