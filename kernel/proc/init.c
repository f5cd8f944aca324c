/*
 * Starting init, the first user process: from the boot archive, with
 * the root capabilities: the console, the root Memory object (most of
 * memory, less a kernel reserve), device control, the root Directory
 * and the Network.
 * In test mode ("test user") init runs the user-space test suite and
 * its exit status is the verdict.
 */
#include "proc/init.h"

#include "boot/boot_info.h"
#include "cap/cap.h"
#include "cap/lock.h"
#include "object/console.h"
#include "object/device_control.h"
#include "core/cmdline.h"
#include "core/printk.h"
#include "fs/rootfs.h"
#include "object/directory.h"
#include "object/file.h"
#include "mm/pmm.h"
#include "proc/boot_archive.h"
#include "object/address_space.h"
#include "object/memory.h"
#include "object/network.h"
#include "object/process.h"
#include "themelios/abi.h"
#include "themelios/errno.h"

/* Pages the kernel keeps for itself whatever init is given. */
#define KERNEL_RESERVE_PAGES 1024

int
init_start(const struct boot_info *bi, uint64_t arg, struct process **out)
{
	struct process_spec spec = { .name = "init", .arg = arg };
	const void *image;
	size_t image_len;
	struct pmm_stats st;
	struct dir_object *root_dir = NULL;
	struct process *p;
	uint64_t pages;
	unsigned long flags;
	static char args[SPAWN_STRINGS_MAX]; /* once, at boot */
	int args_len, err;

	if ((err = boot_archive_init(bi)))
		return err;
	/* Every linux.run= word is one of init's arguments (docs/linux.md). */
	args_len = cmdline_get_all(bi->cmdline, "linux.run", args, sizeof(args));
	if (args_len < 0) {
		pr_err("init: the linux.run words exceed %u bytes\n", SPAWN_STRINGS_MAX);
		args_len = 0;
	}
	if ((err = boot_archive_find("init", &image, &image_len))) {
		pr_err("init: no program 'init' in the boot archive (error %d)\n", err);
		return err;
	}
	if (rootfs_root() && (err = dir_object_create(rootfs_root(), &root_dir)))
		return err;
	pmm_get_stats(&st);
	pages = st.free > 2 * KERNEL_RESERVE_PAGES ? st.free - KERNEL_RESERVE_PAGES : st.free / 2;
	flags = cap_lock_take();
	err = mempool_create(NULL, pages, &spec.pool);
	if (!err && (err = as_create(spec.pool, &spec.as))) {
		kobject_unref(&spec.pool->obj);
		spec.pool = NULL;
	}
	cap_lock_drop(flags);
	/* The program is copied in without the capability lock. */
	if (!err) {
		struct load_spec ls = {
			.name = "init",
			.image = image,
			.image_len = image_len,
			.args = args,
			.args_len = (size_t)args_len,
		};

		err = process_load(spec.as, &ls, &spec.entry, &spec.sp);
	}
	flags = cap_lock_take();
	if (!err)
		err = process_create(&spec, &p);
	if (spec.pool) {
		if (err && spec.as)
			kobject_unref(&spec.as->obj);
		kobject_unref(&spec.pool->obj); /* the process holds it */
	}
	if (!err &&
	    ((err = cap_install(p->cs, CAP_SLOT_CONSOLE, console_object(), CAP_RIGHTS_ALL, 0)) ||
	     (err = cap_install(p->cs, CAP_SLOT_MEMORY, &p->pool->obj, CAP_RIGHTS_ALL, 0)) ||
	     (err = cap_install(p->cs, CAP_SLOT_INIT_DEVICES, device_control_object(),
				CAP_RIGHTS_ALL, 0)) ||
	     (err = cap_install(p->cs, CAP_SLOT_NETWORK, network_object(), CAP_RIGHTS_ALL, 0)) ||
	     (root_dir &&
	      (err = cap_install(p->cs, CAP_SLOT_ROOT_DIR, &root_dir->obj, CAP_RIGHTS_ALL, 0)))))
		process_discard(p);
	if (root_dir)
		kobject_unref(&root_dir->obj); /* init's capability holds it */
	if (!err) {
		if (out)
			kobject_ref(&p->obj); /* the caller's, for process_wait */
		err = process_start(p);
		if (err && out)
			kobject_unref(&p->obj);
	}
	cap_lock_drop(flags);
	if (err) {
		pr_err("init: cannot start (error %d)\n", err);
		return err;
	}
	pr_info("init: started as pid %lu with %lu pages of memory\n", p->pid, pages);
	if (out)
		*out = p;
	return 0;
}
