/* The smallest check: a line out, exit status 3. */
#include <stdio.h>

int
main(int argc, char **argv)
{
	printf("hello from %s with %d arguments\n", argc > 1 ? argv[1] : "nobody", argc);
	return 3;
}
