UNIT_SRCS_test_net_udp := kernel/net/udp.c kernel/net/ipv4.c kernel/net/checksum.c
