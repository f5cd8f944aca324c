/* "#!" lines of scripts (kernel/linux/shebang.c), as Linux's
 * binfmt_script reads them. */
#include <string.h>

#include "linux/errno.h"
#include "linux/shebang.h"
#include "unit.h"

static char head[64];

static long
parse(const char *text, size_t n, char **interp, char **arg)
{
	memcpy(head, text, n);
	return lx_shebang_parse(head, n, interp, arg);
}

UNIT_TEST(interpreter_alone)
{
	char *interp, *arg;

	CHECK_EQ(parse("#!/bin/sh\necho\n", 15, &interp, &arg), 1);
	CHECK(strcmp(interp, "/bin/sh") == 0);
	CHECK(arg == NULL);
	/* Blanks before, blanks and a CR after. */
	CHECK_EQ(parse("#! \t/bin/sh \t\r\n", 15, &interp, &arg), 1);
	CHECK(strcmp(interp, "/bin/sh") == 0);
	CHECK(arg == NULL);
}

UNIT_TEST(one_argument_is_the_rest_of_the_line)
{
	char *interp, *arg;

	CHECK_EQ(parse("#!/usr/bin/env  python3 -u  \nx", 29, &interp, &arg), 1);
	CHECK(strcmp(interp, "/usr/bin/env") == 0);
	CHECK(strcmp(arg, "python3 -u") == 0);
}

UNIT_TEST(not_a_script)
{
	char *interp, *arg;

	CHECK_EQ(parse("\x7f"
		       "ELF",
		       4, &interp, &arg),
		 0);
	CHECK_EQ(parse("#", 1, &interp, &arg), 0);
	CHECK_EQ(parse("", 0, &interp, &arg), 0);
	CHECK_EQ(parse("# comment\n", 10, &interp, &arg), 0);
}

UNIT_TEST(bad_lines)
{
	char *interp, *arg;

	CHECK_EQ(parse("#!\n", 3, &interp, &arg), -LX_ENOEXEC);
	CHECK_EQ(parse("#!  \t\n", 6, &interp, &arg), -LX_ENOEXEC);
	/* No end of line within what was read. */
	CHECK_EQ(parse("#!/bin/sh", 9, &interp, &arg), -LX_ENOEXEC);
	/* A NUL in the line ends the interpreter's path there. */
	CHECK_EQ(parse("#!/bin/s\0h\n", 11, &interp, &arg), 1);
	CHECK(strcmp(interp, "/bin/s") == 0);
}

UNIT_MAIN()
