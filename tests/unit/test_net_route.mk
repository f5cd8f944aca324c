UNIT_SRCS_test_net_route := kernel/net/route.c
