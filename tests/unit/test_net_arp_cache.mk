UNIT_SRCS_test_net_arp_cache := kernel/net/arp_cache.c kernel/net/ethernet.c
