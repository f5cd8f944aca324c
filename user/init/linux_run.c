/*
 * Linux programs from the root image (docs/linux.md): each argument init
 * got is one kernel command-line word linux.run=PATH[,ARG...] (commas
 * separate the words of argv, since the command line separates its own
 * words by spaces).  A directory runs each of its regular files.  Each program runs as init's child, to its end, with
 * the console as its descriptors 0, 1 and 2 and the root Directory as
 * its root and working directory; its exit status goes to the console.
 */
#include <stdbool.h>

#include "themelios.h"
#include "init/init.h"

#define LINUX_QUOTA    8192 /* pages: 32 MiB */
#define LINUX_BADGE    0x11
#define LINUX_ARGS_MAX 512
/* The path is also the process's name, which the kernel keeps to 31 bytes. */
#define LINUX_PATH_MAX 32

/* The environment every program gets. */
static const char linux_env[] = "PATH=/bin:/usr/bin:/sbin:/usr/sbin\0HOME=/\0TERM=linux";

/* "PATH,a,b" into the path and NUL-separated arguments; false when too
 * long or empty. */
static bool
split_word(const char *word, char *path, size_t path_size, char *args, size_t *args_len)
{
	const char *comma = strchr(word, ',');
	size_t plen = comma ? (size_t)(comma - word) : strlen(word);

	if (plen == 0 || plen >= path_size)
		return false;
	memcpy(path, word, plen);
	path[plen] = '\0';
	*args_len = 0;
	if (!comma)
		return true;
	if (strlen(comma + 1) + 1 > LINUX_ARGS_MAX)
		return false;
	for (const char *p = comma + 1;; p++) {
		args[(*args_len)++] = *p == ',' ? '\0' : *p;
		if (!*p)
			break;
	}
	return true;
}

static long
run_program(const char *path, const char *args, size_t args_len)
{
	slot_t caps[2] = { CAP_SLOT_CONSOLE, CAP_SLOT_ROOT_DIR };
	struct spawn_args sa;
	struct ipc_msg m;
	long r;

	/* The path is relative to the root Directory. */
	r = fs_open(CAP_SLOT_ROOT_DIR, path[0] == '/' ? path + 1 : path, 0,
		    RIGHT_READ | RIGHT_EXECUTE, CAP_SLOT_PROGRAM);
	if (r) {
		printf("linux: cannot open %s: %s\n", path, strerror(r));
		return r;
	}
	if ((r = sys_memory_split(CAP_SLOT_MEMORY, CAP_SLOT_SCRATCH, LINUX_QUOTA))) {
		sys_cap_delete(CAP_SLOT_PROGRAM);
		printf("linux: no memory for %s: %s\n", path, strerror(r));
		return r;
	}
	memset(&sa, 0, sizeof(sa));
	sa.name = path;
	sa.name_len = strlen(path);
	sa.memory = CAP_SLOT_SCRATCH;
	sa.supervisor = SLOT_SUPERVISOR;
	sa.supervisor_badge = LINUX_BADGE;
	sa.ncaps = 2;
	sa.caps[0] = caps[0];
	sa.caps[1] = caps[1];
	sa.args = args_len ? args : NULL;
	sa.args_len = args_len;
	sa.env = linux_env;
	sa.env_len = sizeof(linux_env);
	sa.image_file = CAP_SLOT_PROGRAM;
	printf("linux: running %s\n", path);
	r = sys_spawn(&sa);
	sys_cap_delete(CAP_SLOT_SCRATCH);
	sys_cap_delete(CAP_SLOT_PROGRAM);
	if (r < 0) {
		printf("linux: cannot start %s: %s\n", path, strerror(r));
		return r;
	}
	/* Nothing else runs yet: the next report is this child's. */
	memset(&m, 0, sizeof(m));
	if ((r = sys_recv(SLOT_SUPERVISOR, &m, 0))) {
		printf("linux: supervisor receive failed: %s\n", strerror(r));
		return r;
	}
	if (m.label == PROCESS_EVENT_FAULT) {
		printf("linux: %s faulted at %#lx (pc %#lx)\n", path, m.words[2], m.words[3]);
		return -E_FAULT;
	}
	printf("linux: %s exited with status %ld\n", path, (long)m.words[1]);
	return (long)m.words[1];
}

/* The names of the regular files in the Directory at slot, sorted,
 * one after another NUL-terminated in names: how many (at most max).
 * *skipped counts those that did not fit, so none goes unnoticed. */
static int
list_programs(slot_t slot, char *names, size_t size, const char **sorted, int max, int *skipped)
{
	static uint8_t buf[2048];
	uint64_t cookie = 0;
	size_t used = 0;
	int n = 0;
	long got;

	while ((got = sys_fs_readdir(slot, &cookie, buf, sizeof(buf))) > 0)
		for (long at = 0; at < got;) {
			struct fs_dirent *d = (struct fs_dirent *)(buf + at);

			at += d->reclen;
			if (d->type != 8 /* DT_REG */)
				continue;
			if (n == max || used + d->name_len + 1 > size) {
				(*skipped)++;
				continue;
			}
			memcpy(names + used, d->name, (size_t)d->name_len + 1);
			sorted[n++] = names + used;
			used += (size_t)d->name_len + 1;
		}
	for (int i = 1; i < n; i++) /* insertion sort: a few dozen names */
		for (int j = i; j > 0 && strcmp(sorted[j - 1], sorted[j]) > 0; j--) {
			const char *t = sorted[j];

			sorted[j] = sorted[j - 1];
			sorted[j - 1] = t;
		}
	return n;
}

/*
 * One linux.run= word: a program, or a directory whose every regular
 * file runs in name order (the test suite's one word).  The worst
 * status of them.
 */
static long
run_one(const char *word)
{
	static char names[4096];
	const char *sorted[128];
	char path[LINUX_PATH_MAX], args[LINUX_ARGS_MAX];
	size_t args_len;
	long r, worst = 0;
	int n, skipped = 0;

	if (!split_word(word, path, sizeof(path), args, &args_len)) {
		printf("linux: cannot run '%s': a path of 1 to %u bytes, then ,ARG...\n", word,
		       (unsigned)sizeof(path) - 1);
		return -E_INVAL;
	}
	if (fs_open(CAP_SLOT_ROOT_DIR, path[0] == '/' ? path + 1 : path, FS_O_DIRECTORY, RIGHT_READ,
		    SLOT_SCRATCH) != 0)
		return run_program(path, args, args_len);
	n = list_programs(SLOT_SCRATCH, names, sizeof(names), sorted, 128, &skipped);
	sys_cap_delete(SLOT_SCRATCH);
	if (skipped) {
		printf("linux: %s: %d programs not run (at most %d, names within %u bytes)\n", path,
		       skipped, 128, (unsigned)sizeof(names));
		worst = -E_RANGE;
	}
	for (int i = 0; i < n; i++) {
		char file[LINUX_PATH_MAX];
		size_t dlen = strlen(path);

		if (dlen + 1 + strlen(sorted[i]) >= sizeof(file)) {
			printf("linux: %s/%s: path too long\n", path, sorted[i]);
			worst = -E_NAMETOOLONG;
			continue;
		}
		memcpy(file, path, dlen);
		file[dlen] = '/';
		strlcpy(file + dlen + 1, sorted[i], sizeof(file) - dlen - 1);
		r = run_program(file, args, args_len);
		if (r != 0)
			worst = r;
	}
	return worst;
}

int
run_linux_programs(void)
{
	int worst = 0;

	if (prog_argc < 2)
		printf("linux: no linux.run= program given\n");
	for (long i = 1; i < prog_argc; i++) {
		long status = run_one(prog_argv[i]);

		if (status != 0)
			worst = 1;
	}
	return worst;
}
