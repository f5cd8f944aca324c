UNIT_SRCS_test_net_icmp := kernel/net/icmp.c kernel/net/ipv4.c kernel/net/ethernet.c kernel/net/checksum.c
