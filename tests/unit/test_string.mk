# lib/string.c under its own names, so it does not replace the host libc's.
UNIT_SRCS_test_string := lib/string.c
UNIT_CFLAGS_test_string := -fno-builtin -Dmemcpy=lib_memcpy -Dmemset=lib_memset \
	-Dmemmove=lib_memmove -Dmemcmp=lib_memcmp -Dstrlen=lib_strlen -Dstrnlen=lib_strnlen \
	-Dstrcmp=lib_strcmp -Dstrncmp=lib_strncmp -Dstrchr=lib_strchr
