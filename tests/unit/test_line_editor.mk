UNIT_SRCS_test_line_editor := kernel/shell/line_editor.c
