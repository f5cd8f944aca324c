/* "#!" lines (linux/shebang.h). */
#include "linux/shebang.h"

#include "linux/errno.h"

static int
blank(char c)
{
	return c == ' ' || c == '\t';
}

long
lx_shebang_parse(char *head, size_t n, char **interp, char **arg)
{
	char *end = NULL, *p;

	if (n < 2 || head[0] != '#' || head[1] != '!')
		return 0;
	for (size_t i = 2; i < n && !end; i++)
		if (head[i] == '\n')
			end = head + i;
	if (!end)
		return -LX_ENOEXEC;
	*end = '\0';
	for (p = end - 1; p >= head + 2 && (blank(*p) || *p == '\r'); p--)
		*p = '\0';
	for (p = head + 2; blank(*p); p++)
		;
	if (!*p)
		return -LX_ENOEXEC;
	*interp = p;
	while (*p && !blank(*p))
		p++;
	*arg = NULL;
	if (*p) {
		*p++ = '\0';
		while (blank(*p))
			p++;
		if (*p)
			*arg = p;
	}
	return 1;
}
