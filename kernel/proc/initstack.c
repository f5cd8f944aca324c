#include "proc/initstack.h"

#include "lib/string.h"
#include "themelios/errno.h"

struct builder {
	uint8_t *buf;
	size_t size, used; /* bytes taken from the top */
	uint64_t top;
};

/* n bytes below what is placed already, aligned; their user address. */
static int
take(struct builder *b, size_t n, size_t align, uint64_t *va)
{
	size_t used;

	if (n > b->size - b->used)
		return -E_RANGE;
	used = b->used + n;
	used += (b->top - used) & (align - 1); /* top - used aligned down */
	if (used > b->size)
		return -E_RANGE;
	b->used = used;
	*va = b->top - used;
	return 0;
}

static uint8_t *
at(struct builder *b, uint64_t va)
{
	return b->buf + b->size - (b->top - va);
}

static int
put_string(struct builder *b, const char *s, uint64_t *va)
{
	size_t n = strlen(s) + 1;
	int err = take(b, n, 1, va);

	if (!err)
		memcpy(at(b, *va), s, n);
	return err;
}

int
initstack_build(uint8_t *buf, size_t size, uint64_t top, const struct initstack_in *in,
		uint64_t *sp)
{
	struct builder b = { .buf = buf, .size = size, .top = top };
	uint64_t execfn, rnd, phdr = in->phdr, vec, *w;
	size_t nwords, i = 0;
	uint64_t auxv[][2] = {
		{ AT_PHDR, 0 },		 { AT_PHENT, in->phent },
		{ AT_PHNUM, in->phnum }, { AT_PAGESZ, 4096 },
		{ AT_BASE, in->base },	 { AT_FLAGS, 0 },
		{ AT_ENTRY, in->entry }, { AT_UID, 0 },
		{ AT_EUID, 0 },		 { AT_GID, 0 },
		{ AT_EGID, 0 },		 { AT_SECURE, 0 },
		{ AT_HWCAP, in->hwcap }, { AT_HWCAP2, in->hwcap2 },
		{ AT_CLKTCK, 100 },	 { AT_RANDOM, 0 },
		{ AT_EXECFN, 0 },	 { AT_NULL, 0 },
	};
	const size_t naux = sizeof(auxv) / sizeof(auxv[0]);
	uint64_t strs[SPAWN_ARGC_MAX + 1 + SPAWN_ENVC_MAX];
	int err;

	if ((top & 15) || size < 16)
		return -E_RANGE;
	if ((err = put_string(&b, in->execfn, &execfn)))
		return err;
	/* The strings, last first, so that they lie in order. */
	if (in->argc > SPAWN_ARGC_MAX + 1 || in->envc > SPAWN_ENVC_MAX)
		return -E_RANGE;
	for (size_t k = in->envc; k-- > 0;)
		if ((err = put_string(&b, in->envp[k], &strs[in->argc + k])))
			return err;
	for (size_t k = in->argc; k-- > 0;)
		if ((err = put_string(&b, in->argv[k], &strs[k])))
			return err;
	if ((err = take(&b, 16, 16, &rnd)))
		return err;
	memcpy(at(&b, rnd), in->random, 16);
	if (!phdr && in->phdrs) {
		if ((err = take(&b, in->phent * in->phnum, 8, &phdr)))
			return err;
		memcpy(at(&b, phdr), in->phdrs, in->phent * in->phnum);
	}
	auxv[0][1] = phdr;
	auxv[naux - 3][1] = rnd;
	auxv[naux - 2][1] = execfn;
	/* argc, argv, NULL, envp, NULL, auxv: 16-byte aligned at sp. */
	nwords = 1 + in->argc + 1 + in->envc + 1 + 2 * naux;
	if ((err = take(&b, nwords * 8, 16, &vec)))
		return err;
	w = (uint64_t *)(void *)at(&b, vec);
	memset(w, 0, nwords * 8);
	w[i++] = in->argc;
	for (size_t k = 0; k < in->argc; k++)
		w[i++] = strs[k];
	i++;
	for (size_t k = 0; k < in->envc; k++)
		w[i++] = strs[in->argc + k];
	i++;
	for (size_t k = 0; k < naux; k++) {
		w[i++] = auxv[k][0];
		w[i++] = auxv[k][1];
	}
	*sp = vec;
	return 0;
}
