UNIT_SRCS_test_net_arp := kernel/net/arp.c
