UNIT_SRCS_test_cputime := lib/cputime.c
UNIT_DEPS_test_cputime := lib/cputime.h kernel/linux/cpuclock.h
