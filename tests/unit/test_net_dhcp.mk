UNIT_SRCS_test_net_dhcp := kernel/net/dhcp.c
