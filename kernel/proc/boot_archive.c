#include "proc/boot_archive.h"

#include "boot/boot_info.h"
#include "boot/cpio.h"
#include "core/printk.h"
#include "lib/string.h"
#include "mm/phys.h"
#include "themelios/errno.h"

static const void *archive;
static size_t archive_len;

int
boot_archive_init(const struct boot_info *bi)
{
	const struct boot_module *m = NULL;

	for (size_t i = 0; i < bi->nmodules; i++)
		if (!strcmp(bi->modules[i].name, "initrd") || bi->nmodules == 1)
			m = &bi->modules[i];
	if (!m || m->end <= m->start) {
		pr_warn("boot archive: no initrd module; no user programs\n");
		return -E_NOENT;
	}
	archive = phys_to_virt(m->start);
	archive_len = m->end - m->start;
	return 0;
}

int
boot_archive_find(const char *name, const void **data, size_t *len)
{
	struct cpio_entry e;
	int err;

	if (!archive)
		return -E_NOENT;
	err = cpio_find(archive, archive_len, name, &e);
	if (err)
		return err;
	*data = e.data;
	*len = e.size;
	return 0;
}
