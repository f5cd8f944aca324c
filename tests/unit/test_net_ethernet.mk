UNIT_SRCS_test_net_ethernet := kernel/net/ethernet.c
