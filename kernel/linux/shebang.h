/*
 * "#!" lines of scripts given to execve (pure, host-tested in
 * test_linux_shebang; linux/exec.c runs what it finds).
 */
#ifndef LINUX_SHEBANG_H
#define LINUX_SHEBANG_H

#include <stddef.h>

/*
 * The interpreter line of a file whose first n bytes are in head: for a
 * file starting with "#!", *interp gets the interpreter's path and *arg
 * its one optional argument (the rest of the line, trailing blanks
 * dropped; NULL when none), both NUL-terminated in place in head.  1
 * for a "#!" line, 0 for a file without one, -LX_ENOEXEC for a "#!"
 * with no interpreter or no end of line within n bytes.
 */
long lx_shebang_parse(char *head, size_t n, char **interp, char **arg);

#endif
