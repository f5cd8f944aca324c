UNIT_SRCS_test_cspace := kernel/cap/object.c kernel/cap/cspace.c \
	kernel/cap/cdt.c kernel/cap/cap.c
