UNIT_SRCS_test_net_ipv4 := kernel/net/ipv4.c kernel/net/checksum.c
