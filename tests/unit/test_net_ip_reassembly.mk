UNIT_SRCS_test_net_ip_reassembly := kernel/net/ip_reassembly.c kernel/net/ipv4.c kernel/net/checksum.c
