/*
 * The Linux twin of ubench's address-space figures (user/ubench,
 * address_space_benches), for tools/bench.py to set beside ThemeliOS's
 * on the same QEMU.  Built static on the host and run in the peer guest:
 *   vmbench-linux BUSYBOX
 * Lines "vmbench: NAME NS ns/op" in CLOCK_MONOTONIC nanoseconds, which
 * under -icount shift=0 count instructions, as ThemeliOS's clock does.
 * The exec'd roles ("to-main", "exec-to") write their figure to fd 3.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE	    4096ul
#define FAULT_PAGES 1024
#define CLONE_BYTES (64ul << 20)
#define CLONES	    4
#define FORKS	    40
#define LOADS	    20

static const char *self;

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void
report(const char *name, uint64_t ns, uint64_t ops)
{
	printf("vmbench: %s %llu ns/op\n", name, (unsigned long long)(ns / ops));
	fflush(stdout);
}

static void
wait_child(pid_t pid)
{
	int st;

	waitpid(pid, &st, 0);
}

static uint64_t
zero_fill(void)
{
	volatile char *p = mmap(NULL, FAULT_PAGES * PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t t;

	t = now_ns();
	for (unsigned long i = 0; i < FAULT_PAGES; i++)
		p[i * PAGE] = 1;
	t = now_ns() - t;
	munmap((void *)p, FAULT_PAGES * PAGE);
	return t;
}

/* The parent writes pages a child shares (the child waits on a pipe). */
static uint64_t
cow(void)
{
	volatile char *p = mmap(NULL, FAULT_PAGES * PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	int fds[2];
	uint64_t t;
	pid_t pid;
	char c;

	if (pipe(fds))
		exit(1);
	pid = fork();
	if (pid == 0) {
		close(fds[1]);
		if (read(fds[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	t = now_ns();
	for (unsigned long i = 0; i < FAULT_PAGES; i++)
		p[i * PAGE] = 2;
	t = now_ns() - t;
	close(fds[1]);
	wait_child(pid);
	close(fds[0]);
	munmap((void *)p, FAULT_PAGES * PAGE);
	return t;
}

/* fork of a process with 64 MiB touched: to fork's return in the parent. */
static uint64_t
fork_64mib(void)
{
	char *p = mmap(NULL, CLONE_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		       0);
	uint64_t t, total = 0;

	for (unsigned long i = 0; i < CLONE_BYTES; i += PAGE)
		p[i] = 1;
	for (int i = 0; i < CLONES; i++) {
		pid_t pid;

		t = now_ns();
		pid = fork();
		if (pid == 0)
			_exit(0);
		total += now_ns() - t;
		wait_child(pid);
	}
	munmap(p, CLONE_BYTES);
	return total;
}

static uint64_t
fork_exit_wait(void)
{
	uint64_t t = now_ns();

	for (int i = 0; i < FORKS; i++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		wait_child(pid);
	}
	return now_ns() - t;
}

static uint64_t
fork_exec_wait(const char *busybox)
{
	uint64_t t = now_ns();

	for (int i = 0; i < LOADS; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			execl(busybox, "true", (char *)NULL);
			_exit(127);
		}
		wait_child(pid);
	}
	return now_ns() - t;
}

/* A child that execs us as ROLE with START; the exec'd image writes
 * its figure to fd 3 (the pipe). */
static uint64_t
via_exec(const char *role, int fork_first)
{
	uint64_t total = 0, v;
	int fds[2];

	for (int i = 0; i < LOADS; i++) {
		char start[32];
		pid_t pid;

		if (pipe(fds))
			exit(1);
		snprintf(start, sizeof(start), "%llu", (unsigned long long)now_ns());
		pid = fork();
		if (pid == 0) {
			dup2(fds[1], 3);
			if (!fork_first) /* exec-from: the clock starts in the child */
				snprintf(start, sizeof(start), "%llu",
					 (unsigned long long)now_ns());
			execl(self, self, role, start, (char *)NULL);
			_exit(127);
		}
		close(fds[1]);
		if (read(fds[0], &v, sizeof(v)) != sizeof(v))
			v = 0;
		close(fds[0]);
		wait_child(pid);
		total += v;
	}
	return total;
}

int
main(int argc, char **argv)
{
	if (argc == 3) { /* an exec'd role: the ns since argv[2] */
		uint64_t v = now_ns() - strtoull(argv[2], NULL, 10);

		return write(3, &v, sizeof(v)) == sizeof(v) ? 0 : 1;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: vmbench-linux BUSYBOX\n");
		return 2;
	}
	self = realpath("/proc/self/exe", NULL);
	report("zero_fill_fault", zero_fill(), FAULT_PAGES);
	report("cow_fault", cow(), FAULT_PAGES);
	report("fork_64mib", fork_64mib(), CLONES);
	report("fork_exit_wait", fork_exit_wait(), FORKS);
	fork_exec_wait(argv[1]); /* busybox into the page cache first */
	report("fork_exec_wait_busybox_true", fork_exec_wait(argv[1]), LOADS);
	via_exec("to-main", 1);
	report("fork_exec_to_main", via_exec("to-main", 1), LOADS);
	report("exec_to_main", via_exec("exec-to", 0), LOADS);
	return 0;
}
