UNIT_SRCS_test_net_tcp_fuzz = tests/fuzz/fuzz_tcp.c $(NET_TCP_SRCS) kernel/net/checksum.c lib/chacha20.c
