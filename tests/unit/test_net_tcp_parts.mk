UNIT_SRCS_test_net_tcp_parts = $(NET_TCP_SRCS) kernel/net/checksum.c lib/chacha20.c
UNIT_DEPS_test_net_tcp_parts = tests/unit/tcp_host.h
