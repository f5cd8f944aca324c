UNIT_SRCS_test_civil_time := lib/civil_time.c
