/* The cpio newc reader on archives made by the host's cpio and on damaged ones. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/cpio.h"
#include "themelios/errno.h"
#include "unit.h"

static size_t
add(char *buf, size_t pos, const char *name, const char *data, unsigned mode)
{
	size_t nl = strlen(name) + 1, dl = data ? strlen(data) : 0;

	pos += (size_t)sprintf(
		buf + pos, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", 1u, mode,
		0u, 0u, 1u, 0u, (unsigned)dl, 0u, 0u, 0u, 0u, (unsigned)nl, 0u);
	memcpy(buf + pos, name, nl);
	pos += nl;
	while (pos % 4)
		buf[pos++] = 0;
	if (dl)
		memcpy(buf + pos, data, dl);
	pos += dl;
	while (pos % 4)
		buf[pos++] = 0;
	return pos;
}

static char arc[4096];
static size_t arc_len;

static void
build(void)
{
	memset(arc, 0, sizeof(arc));
	arc_len = add(arc, 0, "bin", NULL, 040755);
	arc_len = add(arc, arc_len, "init",
		      "\x7f"
		      "ELF-init-bytes",
		      0100755);
	arc_len = add(arc, arc_len, "echo", "echo!", 0100755);
	arc_len = add(arc, arc_len, "TRAILER!!!", NULL, 0);
}

UNIT_TEST(finds_files)
{
	struct cpio_entry e;

	build();
	CHECK_EQ(cpio_find(arc, arc_len, "echo", &e), 0);
	CHECK_EQ(e.size, 5);
	CHECK(memcmp(e.data, "echo!", 5) == 0);
	CHECK_EQ(cpio_find(arc, arc_len, "init", &e), 0);
	CHECK_EQ(e.size, 15);
	CHECK_EQ(cpio_find(arc, arc_len, "bin", &e), -E_NOENT); /* a directory */
	CHECK_EQ(cpio_find(arc, arc_len, "nope", &e), -E_NOENT);
}

UNIT_TEST(walks_in_order)
{
	struct cpio_entry e;
	size_t pos = 0;
	int n = 0;

	build();
	while (cpio_next(arc, arc_len, &pos, &e) == 1)
		n++;
	CHECK_EQ(n, 3);
}

UNIT_TEST(damage_is_an_error)
{
	struct cpio_entry e;

	build();
	for (size_t len = 0; len < arc_len - 4; len++) {
		char *copy = malloc(len ? len : 1);
		memcpy(copy, arc, len);
		int r = cpio_find(copy, len, "echo", &e);
		/* echo's header ends before the cut, or the cut is inside it. */
		CHECK(r == 0 || r == -E_CORRUPT);
		free(copy);
	}
	build();
	arc[0] = 'X';
	CHECK_EQ(cpio_find(arc, arc_len, "echo", &e), -E_CORRUPT);
	build();
	memcpy(arc + 6 + 8 * 11, "FFFFFFFF", 8); /* namesize past the end */
	CHECK_EQ(cpio_find(arc, arc_len, "echo", &e), -E_CORRUPT);
	build();
	memcpy(arc + 6 + 8 * 6, "zzzzzzzz", 8); /* not hex */
	CHECK_EQ(cpio_find(arc, arc_len, "echo", &e), -E_CORRUPT);
	CHECK_EQ(cpio_find(NULL, 100, "echo", &e), -E_CORRUPT);
	unsigned int s = 1;
	for (int i = 0; i < 20000; i++) {
		build();
		for (int k = 0; k < 3; k++) {
			s = s * 1103515245u + 12345u;
			arc[(s >> 8) % arc_len] = (char)(s >> 20);
		}
		int r = cpio_find(arc, arc_len, "echo", &e);
		CHECK(r == 0 || r == -E_CORRUPT || r == -E_NOENT);
		if (r == 0)
			CHECK((const char *)e.data + e.size <= arc + arc_len);
	}
}

UNIT_MAIN()
