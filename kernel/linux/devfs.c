/*
 * /dev of the Linux view: null, zero, full, random, urandom, tty and
 * console (the console), and stdin, stdout, stderr as links to
 * /proc/self/fd/0-2.  Numbers as Linux's (1:3 null ... 5:1 console).
 * mmap of /dev/zero is anonymous memory (mm.c).  /dev/shm is not here:
 * it is the root's own directory (the root image has it, so it lives in
 * the RAM layer), where glibc's and musl's shm_open make their files.
 */
#include "core/random.h"
#include "fs/vnode.h"
#include "lib/string.h"
#include "linux/errno.h"
#include "linux/synth.h"
#include "proc/uaccess.h"

#define DEV_INO_BASE 0x1000

static long
read_nothing(uintptr_t buf, size_t len)
{
	(void)buf;
	(void)len;
	return 0;
}

static long
write_all(uintptr_t buf, size_t len)
{
	(void)buf;
	return (long)len;
}

static long
write_full(uintptr_t buf, size_t len)
{
	(void)buf;
	(void)len;
	return -LX_ENOSPC;
}

/* Fills the user buffer with fill(): zeros or random bytes. */
static long
read_fill(uintptr_t buf, size_t len, bool rnd)
{
	uint8_t chunk[256];
	size_t done = 0;

	if (!rnd)
		memset(chunk, 0, sizeof(chunk));
	while (done < len) {
		size_t n = len - done < sizeof(chunk) ? len - done : sizeof(chunk);

		if (rnd)
			random_fill(chunk, n);
		if (copy_to_user(buf + done, chunk, n))
			return done ? (long)done : -LX_EFAULT;
		done += n;
	}
	if (rnd)
		random_state_wipe(chunk, sizeof(chunk));
	return (long)done;
}

static long
read_zero(uintptr_t buf, size_t len)
{
	return read_fill(buf, len, false);
}

static long
read_random(uintptr_t buf, size_t len)
{
	return read_fill(buf, len, true);
}

static const struct lx_dev_ops null_ops = { read_nothing, write_all };
static const struct lx_dev_ops zero_ops = { read_zero, write_all };
static const struct lx_dev_ops full_ops = { read_zero, write_full };
static const struct lx_dev_ops random_ops = { read_random, write_all };

static const struct {
	const char *name;
	const struct lx_dev_ops *ops; /* NULL: the console */
	unsigned int major, minor;
	uint32_t perm;
} devices[] = {
	{ "null", &null_ops, 1, 3, 0666 },	{ "zero", &zero_ops, 1, 5, 0666 },
	{ "full", &full_ops, 1, 7, 0666 },	{ "random", &random_ops, 1, 8, 0666 },
	{ "urandom", &random_ops, 1, 9, 0666 }, { "tty", NULL, 5, 0, 0666 },
	{ "console", NULL, 5, 1, 0620 },
};

static const char *const links[] = { "stdin", "stdout", "stderr" };

#define NDEVICES (sizeof(devices) / sizeof(devices[0]))

long
lx_devfs_lookup(const char *rest, struct lx_synth *out)
{
	char target[32];

	if (!strncmp(rest, "/shm", 4) && (rest[4] == '\0' || rest[4] == '/'))
		return 0; /* the filesystem's */
	if (rest[0] == '\0' || !strcmp(rest, "/")) {
		lx_synth_dir(out, DEV_INO_BASE);
		for (size_t i = 0; i < NDEVICES; i++)
			if (!lx_synth_dir_add(out, LX_DT_CHR, devices[i].name))
				return -LX_ENOMEM;
		for (size_t i = 0; i < 3; i++)
			if (!lx_synth_dir_add(out, LX_DT_LNK, links[i]))
				return -LX_ENOMEM;
		if (!lx_synth_dir_add(out, LX_DT_DIR, "shm"))
			return -LX_ENOMEM;
		return 1;
	}
	rest++;
	for (size_t i = 0; i < NDEVICES; i++) {
		if (strcmp(rest, devices[i].name))
			continue;
		out->kind = SYN_DEV;
		out->mode = VFS_S_IFCHR | devices[i].perm;
		out->rdev = devices[i].major << 8 | devices[i].minor;
		out->ino = DEV_INO_BASE + 1 + i;
		out->dev = devices[i].ops;
		out->console = !devices[i].ops;
		return 1;
	}
	for (int i = 0; i < 3; i++) {
		if (strcmp(rest, links[i]))
			continue;
		out->kind = SYN_LINK;
		out->mode = VFS_S_IFLNK | 0777;
		out->ino = DEV_INO_BASE + 1 + NDEVICES + (uint64_t)i;
		out->fd = i;
		memcpy(target, "/proc/self/fd/0", 16);
		target[14] = (char)('0' + i);
		return lx_synth_text(out, target, strlen(target)) ? 1 : -LX_ENOMEM;
	}
	return -LX_ENOENT;
}
