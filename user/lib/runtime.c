/* Small pieces of libthemelios: error names, spawn, malloc. */
#include "themelios.h"

static const char *const names[E_MAX] = {
	[E_OK] = "E_OK",
	[E_INVAL] = "E_INVAL",
	[E_NOMEM] = "E_NOMEM",
	[E_NOCAP] = "E_NOCAP",
	[E_TYPE] = "E_TYPE",
	[E_PERM] = "E_PERM",
	[E_FAULT] = "E_FAULT",
	[E_RANGE] = "E_RANGE",
	[E_BUSY] = "E_BUSY",
	[E_AGAIN] = "E_AGAIN",
	[E_NOENT] = "E_NOENT",
	[E_EXIST] = "E_EXIST",
	[E_REVOKED] = "E_REVOKED",
	[E_NOSYS] = "E_NOSYS",
	[E_DEAD] = "E_DEAD",
	[E_TIMEOUT] = "E_TIMEOUT",
	[E_CORRUPT] = "E_CORRUPT",
	[E_NOTSUP] = "E_NOTSUP",
	[E_IO] = "E_IO",
	[E_NOTDIR] = "E_NOTDIR",
	[E_ISDIR] = "E_ISDIR",
	[E_NAMETOOLONG] = "E_NAMETOOLONG",
	[E_LOOP] = "E_LOOP",
	[E_ROFS] = "E_ROFS",
	[E_NOSPC] = "E_NOSPC",
	[E_NOTEMPTY] = "E_NOTEMPTY",
	[E_XDEV] = "E_XDEV",
	[E_CONNREFUSED] = "E_CONNREFUSED",
	[E_CONNRESET] = "E_CONNRESET",
	[E_ADDRINUSE] = "E_ADDRINUSE",
	[E_TIMEDOUT] = "E_TIMEDOUT",
	[E_NOTCONN] = "E_NOTCONN",
	[E_PIPE] = "E_PIPE",
	[E_ISCONN] = "E_ISCONN",
};

const char *
strerror(long err)
{
	if (err < 0)
		err = -err;
	return err < E_MAX && names[err] ? names[err] : "E_?";
}

long prog_argc;
char **prog_argv;

long
spawn(const char *name, uint64_t arg, uint64_t quota, slot_t supervisor, uint64_t badge,
      const slot_t *caps, unsigned int ncaps)
{
	return spawn_args(name, arg, quota, supervisor, badge, caps, ncaps, NULL, 0);
}

long
spawn_args(const char *name, uint64_t arg, uint64_t quota, slot_t supervisor, uint64_t badge,
	   const slot_t *caps, unsigned int ncaps, const char *args, uint64_t args_len)
{
	struct spawn_args sa;
	long r;

	if ((r = sys_memory_split(CAP_SLOT_MEMORY, CAP_SLOT_SCRATCH, quota)))
		return r;
	memset(&sa, 0, sizeof(sa));
	sa.name = name;
	sa.name_len = strlen(name);
	sa.memory = CAP_SLOT_SCRATCH;
	sa.arg = arg;
	sa.supervisor = supervisor;
	sa.supervisor_badge = badge;
	sa.ncaps = ncaps;
	for (unsigned int i = 0; i < ncaps && i < SPAWN_CAPS_MAX; i++)
		sa.caps[i] = caps[i];
	sa.args = args;
	sa.args_len = args_len;
	if (spawn_program_dir) {
		char path[64] = "bin/";

		if (strlcpy(path + 4, name, sizeof(path) - 4) >= sizeof(path) - 4) {
			sys_cap_delete(CAP_SLOT_SCRATCH);
			return -E_NAMETOOLONG;
		}
		r = fs_open(spawn_program_dir, path, 0, RIGHT_READ | RIGHT_EXECUTE,
			    CAP_SLOT_PROGRAM);
		if (r) {
			sys_cap_delete(CAP_SLOT_SCRATCH);
			return r;
		}
		sa.image_file = CAP_SLOT_PROGRAM;
		sa.root_dir = spawn_program_dir;
	}
	r = sys_spawn(&sa);
	/* The child holds its pool now; our capabilities to it can go. */
	sys_cap_delete(CAP_SLOT_SCRATCH);
	if (sa.image_file)
		sys_cap_delete(CAP_SLOT_PROGRAM);
	return r;
}

slot_t spawn_program_dir;

long
exec(slot_t file, const char *name, const char *args, uint64_t args_len, const char *env,
     uint64_t env_len, uint64_t arg)
{
	struct exec_args ea;

	memset(&ea, 0, sizeof(ea));
	ea.image_file = file;
	ea.name = name;
	ea.name_len = strlen(name);
	ea.args = args;
	ea.args_len = args_len;
	ea.env = env;
	ea.env_len = env_len;
	ea.arg = arg;
	ea.root_dir = spawn_program_dir;
	return sys_exec(&ea);
}

long
fs_open(slot_t dir, const char *path, uint64_t flags, uint64_t rights, slot_t dst)
{
	return sys_fs_open(dir, path, strlen(path), flags, rights, dst);
}

long
fs_stat(slot_t dir, const char *path, uint64_t flags, struct fs_stat *st)
{
	return sys_fs_stat(dir, path, strlen(path), flags, st);
}

/*
 * A first-fit free list over chunks from map_anonymous.  Each block has
 * a 16-byte header (its size); big requests get their own mapping.
 */
struct block {
	size_t size;	    /* bytes after the header */
	struct block *next; /* on the free list */
};

#define ARENA_PAGES 16
static struct block *free_list;

static void *
from_list(size_t size)
{
	for (struct block **pp = &free_list; *pp; pp = &(*pp)->next) {
		struct block *b = *pp;

		if (b->size < size)
			continue;
		if (b->size >= size + sizeof(struct block) + 16) {
			struct block *rest = (struct block *)((char *)(b + 1) + size);

			rest->size = b->size - size - sizeof(struct block);
			rest->next = b->next;
			b->size = size;
			*pp = rest;
		} else {
			*pp = b->next;
		}
		return b + 1;
	}
	return NULL;
}

void *
malloc(size_t size)
{
	uint64_t pages, addr;
	struct block *b;
	void *p;

	if (size == 0 || size > (1ull << 40))
		return NULL;
	size = (size + 15) & ~(size_t)15;
	if ((p = from_list(size)))
		return p;
	pages = (size + sizeof(struct block) + 4095) / 4096;
	if (pages < ARENA_PAGES)
		pages = ARENA_PAGES;
	if (sys_map_anonymous(pages, MAP_WRITE, &addr) != 0)
		return NULL;
	b = (struct block *)addr;
	b->size = pages * 4096 - sizeof(struct block);
	b->next = free_list;
	free_list = b;
	return from_list(size);
}

void
free(void *p)
{
	struct block *b;

	if (!p)
		return;
	b = (struct block *)p - 1;
	b->next = free_list;
	free_list = b;
}

/* What a new thread runs first: fn(arg), then the end of the thread. */
struct thread_start {
	void (*fn)(void *);
	void *arg;
};

static void __attribute__((noreturn)) thread_trampoline(uint64_t start)
{
	struct thread_start *ts = (struct thread_start *)start;

	ts->fn(ts->arg);
	sys_thread_exit();
}

long
thread_start(void (*fn)(void *), void *arg, unsigned int stack_pages)
{
	return thread_start_cap(fn, arg, stack_pages, 0);
}

long
thread_start_cap(void (*fn)(void *), void *arg, unsigned int stack_pages, slot_t thread_slot)
{
	uint64_t stack, top;
	struct thread_start *ts;
	long err;

	if (stack_pages == 0)
		stack_pages = 4;
	if ((err = sys_map_anonymous(stack_pages, MAP_WRITE, &stack)))
		return err;
	/* The start record sits at the top of the new stack. */
	top = stack + stack_pages * 4096ull - 16;
	ts = (struct thread_start *)top;
	ts->fn = fn;
	ts->arg = arg;
#if defined(__x86_64__)
	top -= 8; /* as if called: the ABI's alignment at a function entry */
#endif
	return sys_thread_create((uintptr_t)thread_trampoline, top, (uint64_t)ts, thread_slot);
}

long
socket_send_all(slot_t sock, const void *buf, uint64_t len)
{
	uint64_t done = 0;

	while (done < len) {
		long n = sys_socket_send(sock, (const char *)buf + done, len - done, 0);

		if (n < 0)
			return n;
		done += (uint64_t)n;
	}
	return (long)len;
}
