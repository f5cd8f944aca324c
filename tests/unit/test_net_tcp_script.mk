UNIT_SRCS_test_net_tcp_script = tests/unit/tcp_script.c $(NET_TCP_SRCS) kernel/net/checksum.c lib/chacha20.c
UNIT_DEPS_test_net_tcp_script = tests/unit/tcp_script.h tests/unit/tcp_host.h $(wildcard tests/unit/tcp_scripts/*.pkt)
