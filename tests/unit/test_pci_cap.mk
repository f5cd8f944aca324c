UNIT_SRCS_test_pci_cap := kernel/dev/pci/pci_cap.c
