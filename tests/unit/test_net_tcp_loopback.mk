UNIT_SRCS_test_net_tcp_loopback = $(NET_TCP_SRCS) kernel/net/checksum.c lib/chacha20.c
UNIT_DEPS_test_net_tcp_loopback = tests/unit/tcp_host.h
