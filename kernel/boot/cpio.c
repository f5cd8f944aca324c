/*
 * A newc header is "070701" and 13 fields of 8 hex digits (110 bytes),
 * then the name (namesize bytes, NUL included), padded to 4, then the
 * data (filesize bytes), padded to 4.  The entry "TRAILER!!!" ends it.
 */
#include "boot/cpio.h"

#include <stdbool.h>

#include "lib/string.h"
#include "themelios/errno.h"

#define HDR_SIZE       110
#define FIELD_MODE     1
#define FIELD_FILESIZE 6
#define FIELD_NAMESIZE 11
#define MODE_TYPE      0170000
#define MODE_REGULAR   0100000

static bool
hex_field(const uint8_t *hdr, int index, uint32_t *out)
{
	const uint8_t *p = hdr + 6 + 8 * index;
	uint32_t v = 0;

	for (int i = 0; i < 8; i++) {
		uint8_t c = p[i];
		uint32_t d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return false;
		v = v << 4 | d;
	}
	*out = v;
	return true;
}

static size_t
pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

int
cpio_next(const void *archive, size_t len, size_t *pos, struct cpio_entry *e)
{
	const uint8_t *a = archive;
	const uint8_t *hdr;
	uint32_t mode, filesize, namesize;
	size_t name_at, data_at;

	if (!archive || *pos > len || len - *pos < HDR_SIZE)
		return -E_CORRUPT;
	hdr = a + *pos;
	if (memcmp(hdr, "070701", 6) != 0 || !hex_field(hdr, FIELD_MODE, &mode) ||
	    !hex_field(hdr, FIELD_FILESIZE, &filesize) ||
	    !hex_field(hdr, FIELD_NAMESIZE, &namesize))
		return -E_CORRUPT;
	name_at = *pos + HDR_SIZE;
	if (namesize == 0 || namesize > len - name_at || a[name_at + namesize - 1] != '\0' ||
	    strnlen((const char *)a + name_at, namesize) != namesize - 1)
		return -E_CORRUPT;
	data_at = pad4(name_at + namesize);
	if (data_at > len || filesize > len - data_at)
		return -E_CORRUPT;
	if (!strcmp((const char *)a + name_at, "TRAILER!!!"))
		return 0;
	e->name = (const char *)a + name_at;
	e->data = a + data_at;
	e->size = filesize;
	e->mode = mode;
	*pos = pad4(data_at + filesize);
	return 1;
}

int
cpio_find(const void *archive, size_t len, const char *name, struct cpio_entry *e)
{
	size_t pos = 0;
	int r;

	while ((r = cpio_next(archive, len, &pos, e)) == 1)
		if ((e->mode & MODE_TYPE) == MODE_REGULAR && !strcmp(e->name, name))
			return 0;
	return r == 0 ? -E_NOENT : r;
}
