UNIT_SRCS_test_cspace := kernel/object/object.c kernel/object/readiness.c kernel/cap/cspace.c \
	kernel/cap/cdt.c kernel/cap/cap.c
