UNIT_SRCS_test_frame_bitmap := kernel/mm/frame_bitmap.c
