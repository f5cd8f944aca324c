UNIT_SRCS_test_net_tcp_buf = kernel/net/tcp_buf.c
UNIT_DEPS_test_net_tcp_buf = tests/unit/tcp_host.h
