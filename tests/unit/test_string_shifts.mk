# lib/string.c again, with aarch64's copy from a misaligned source.
UNIT_SRCS_test_string_shifts := lib/string.c
UNIT_CFLAGS_test_string_shifts = $(UNIT_CFLAGS_test_string) -DSTRING_COPY_BY_SHIFTS
