/* The synthetic trees' common part (linux/synth.h). */
#include "linux/synth.h"

#include "fs/vnode.h"
#include "lib/string.h"
#include "linux/errno.h"
#include "mm/kmalloc.h"

static bool
prefix(const char *path, const char *top, const char **rest)
{
	size_t n = strlen(top);

	if (strncmp(path, top, n) || (path[n] != '\0' && path[n] != '/'))
		return false;
	*rest = path + n;
	return true;
}

long
lx_synth_lookup(const char *path, struct lx_synth *out)
{
	const char *rest;

	memset(out, 0, sizeof(*out));
	out->fd = -1;
	if (prefix(path, "/dev", &rest))
		return lx_devfs_lookup(rest, out);
	if (prefix(path, "/proc", &rest))
		return lx_procfs_lookup(rest, out);
	return 0;
}

void
lx_synth_free(struct lx_synth *s)
{
	kfree(s->text);
	s->text = NULL;
}

bool
lx_synth_text(struct lx_synth *s, const char *text, size_t len)
{
	s->text = kmalloc(len + 1);
	if (!s->text)
		return false;
	memcpy(s->text, text, len);
	s->text[len] = '\0';
	s->size = len;
	return true;
}

void
lx_synth_dir(struct lx_synth *s, uint64_t ino)
{
	s->kind = SYN_DIR;
	s->mode = VFS_S_IFDIR | 0555;
	s->ino = ino;
}

bool
lx_synth_dir_add(struct lx_synth *s, uint8_t type, const char *name)
{
	size_t n = strlen(name);
	char *t = krealloc(s->text, s->size + n + 2);

	if (!t)
		return false;
	t[s->size] = (char)type;
	memcpy(t + s->size + 1, name, n + 1);
	s->text = t;
	s->size += n + 2;
	return true;
}
