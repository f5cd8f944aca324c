/*
 * What clone shares beside a thread's everything, through its raw flags
 * (libc's clone(), which runs fn on a stack of ours, and clone3):
 * CLONE_FILES between processes (a close, a dup2 and FD_CLOEXEC in the
 * child are the parent's, the child's end closes nothing, an execve
 * unshares the table), CLONE_FS (chdir and umask), CLONE_VM without
 * CLONE_VFORK (the child's writes and mmap are the parent's, the parent
 * runs meanwhile, the child's exit or exit_group leaves it running), the
 * three together, a thread without CLONE_FILES or CLONE_FS (its own
 * copies), and the combinations Linux refuses (EINVAL), with the
 * namespaces refused as to an unprivileged user (EPERM).
 *
 * Children that share the memory use no stdio and make no call that
 * fails (errno is the parent's); the parent prints.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

#define NR_clone3     435
#define FUTEX_WAIT    0
#define DIR	      "lt_clones.d"
#define NEWTIME	      0x80
/* The namespaces as musl's sched.h may not name them. */
#define NEWNS	      0x00020000
#define NEWCGROUP     0x02000000
#define NEWUTS	      0x04000000
#define NEWIPC	      0x08000000
#define NEWUSER	      0x10000000
#define NEWPID	      0x20000000
#define NEWNET	      0x40000000

struct clone_args3 {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	uint64_t set_tid, set_tid_size, cgroup;
};

static char stack[64 * 1024] __attribute__((aligned(16)));
static int fd_a, fd_b, pipe_w;
static volatile int step, value, result;
static volatile uintptr_t mapped;
static volatile pid_t ctid;

static pid_t
spawn(int (*fn)(void *), int flags)
{
	return clone(fn, stack + sizeof(stack), flags, NULL, NULL, NULL, (pid_t *)&ctid);
}

static void
reap(const char *what, pid_t pid)
{
	int st;

	if (pid < 0) {
		printf("%s: -1 %s\n", what, errno_name(errno));
		return;
	}
	if (waitpid(pid, &st, __WALL) != pid)
		printf("%s: wait failed %s\n", what, errno_name(errno));
	else
		show_status(what, st);
}

/* A thread's end: its CLONE_CHILD_CLEARTID word goes to 0. */
static void
join(void)
{
	pid_t v;

	while ((v = ctid) != 0)
		syscall(SYS_futex, &ctid, FUTEX_WAIT, v, NULL, NULL, 0);
}

/* The descriptor's flags, or its errno. */
static void
show_fd(const char *what, int fd)
{
	SHOW(what, fcntl(fd, F_GETFD));
}

static int
files_child(void *arg)
{
	(void)arg;
	close(fd_a);
	dup2(fd_b, 20);
	fcntl(fd_b, F_SETFD, FD_CLOEXEC);
	close(pipe_w);
	return 3;
}

/* fd_a, fd_b (a dup of it) and a pipe; the child closes fd_a and the
 * pipe's write end, dup2s fd_b to 20 and sets FD_CLOEXEC on fd_b. */
static void
files_case(const char *kind, int flags)
{
	char what[96];
	int p[2];

	fd_a = open("/dev/null", O_RDONLY);
	fd_b = dup(fd_a);
	if (pipe(p))
		return;
	pipe_w = p[1];
	snprintf(what, sizeof(what), "%s child", kind);
	reap(what, spawn(files_child, flags | SIGCHLD));
	snprintf(what, sizeof(what), "%s: the fd it closed", kind);
	show_fd(what, fd_a);
	snprintf(what, sizeof(what), "%s: the fd it dup2'd to", kind);
	show_fd(what, 20);
	snprintf(what, sizeof(what), "%s: the fd it set FD_CLOEXEC on", kind);
	show_fd(what, fd_b);
	snprintf(what, sizeof(what), "%s: the pipe's write end", kind);
	show_fd(what, pipe_w);
	if (fcntl(pipe_w, F_GETFD) < 0) {
		char c;

		snprintf(what, sizeof(what), "%s: the pipe's read end sees its end", kind);
		SHOW(what, read(p[0], &c, 1));
	}
	snprintf(what, sizeof(what), "%s: a new fd is the closed one", kind);
	int n = open("/dev/null", O_RDONLY);
	SHOW(what, n == fd_a);
	close(n);
	close(fd_a);
	close(fd_b);
	close(20);
	close(p[0]);
	close(p[1]);
}

static int
fs_child(void *arg)
{
	(void)arg;
	chdir(DIR);
	umask(077);
	result = access("inside", F_OK);
	return 4;
}

static void
fs_case(const char *kind, int flags)
{
	char what[96];

	umask(022);
	snprintf(what, sizeof(what), "%s child", kind);
	reap(what, spawn(fs_child, flags | SIGCHLD));
	snprintf(what, sizeof(what), "%s: a file of the dir it went into", kind);
	SHOW(what, access("inside", F_OK));
	snprintf(what, sizeof(what), "%s: the umask it left", kind);
	SHOW(what, umask(022));
	chdir(getenv("LT_CWD"));
}

/* Up to 20 s for *v to be want (the other side runs meanwhile). */
static int
await(volatile int *v, int want)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (*v != want) {
		syscall(SYS_sched_yield);
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec > 20)
			return 0;
	}
	return 1;
}

static int
vm_child(void *arg)
{
	char *page;

	(void)arg;
	value = 42;
	step = 1;
	/* The parent must run now for this to go on. */
	if (!await(&step, 2))
		return 9;
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	page[0] = 'z';
	mapped = (uintptr_t)page;
	step = 3;
	return 5;
}

static int
vm_exit_group_child(void *arg)
{
	(void)arg;
	value = 7;
	syscall(SYS_exit_group, 6);
	return 0;
}

static void
vm_cases(void)
{
	pid_t pid;

	step = value = 0;
	mapped = 0;
	pid = spawn(vm_child, CLONE_VM | SIGCHLD);
	printf("CLONE_VM: the child wrote before the parent went on: %s\n",
	       await(&step, 1) ? "yes" : "no");
	printf("CLONE_VM: its write seen = %d\n", value);
	step = 2; /* a vfork parent would never get here */
	reap("CLONE_VM child (exit)", pid);
	printf("CLONE_VM: the child's mmap seen: %s\n",
	       step == 3 && mapped && *(char *)mapped == 'z' ? "yes" : "no");
	if (mapped)
		munmap((void *)mapped, 4096);
	reap("CLONE_VM child (exit_group)", spawn(vm_exit_group_child, CLONE_VM | SIGCHLD));
	printf("CLONE_VM: the parent runs on, its write seen = %d\n", value);
}

static int
all_child(void *arg)
{
	(void)arg;
	result = open("/dev/null", O_RDONLY);
	chdir(DIR);
	return 0;
}

static void
all_case(void)
{
	reap("CLONE_VM|CLONE_FILES|CLONE_FS child",
	     spawn(all_child, CLONE_VM | CLONE_FILES | CLONE_FS | SIGCHLD));
	show_fd("all three: the fd it opened", result);
	SHOW("all three: a file of the dir it went into", access("inside", F_OK));
	close(result);
	chdir(getenv("LT_CWD"));
}

static int
thread_fn(void *arg)
{
	(void)arg;
	close(fd_a);
	dup2(fd_b, 21);
	chdir(DIR);
	umask(077);
	result = access("inside", F_OK);
	return 0;
}

/* A thread (CLONE_THREAD) with or without the process's table and
 * directory. */
static void
thread_case(const char *kind, int share)
{
	int flags = CLONE_VM | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM | CLONE_CHILD_SETTID |
		    CLONE_CHILD_CLEARTID | share;
	char what[96];
	pid_t tid;

	fd_a = open("/dev/null", O_RDONLY);
	fd_b = dup(fd_a);
	umask(022);
	result = -2;
	ctid = -1;
	tid = spawn(thread_fn, flags);
	if (tid < 0) {
		printf("%s: -1 %s\n", kind, errno_name(errno));
		return;
	}
	join();
	snprintf(what, sizeof(what), "%s: in its own dir", kind);
	SHOW(what, result);
	snprintf(what, sizeof(what), "%s: the fd it closed", kind);
	show_fd(what, fd_a);
	snprintf(what, sizeof(what), "%s: the fd it dup2'd to", kind);
	show_fd(what, 21);
	snprintf(what, sizeof(what), "%s: a file of the dir it went into", kind);
	SHOW(what, access("inside", F_OK));
	snprintf(what, sizeof(what), "%s: the umask it left", kind);
	SHOW(what, umask(022));
	close(fd_a);
	close(fd_b);
	close(21);
	chdir(getenv("LT_CWD"));
}

/* execve unshares a table: the new program's close is its own. */
static void
exec_case(void)
{
	const char *self = "/proc/self/exe";
	char num[16];
	pid_t pid;

	fd_a = open("/dev/null", O_RDONLY);
	snprintf(num, sizeof(num), "%d", fd_a);
	pid = (pid_t)syscall(SYS_clone, CLONE_FILES | SIGCHLD, 0, NULL, NULL, 0);
	if (pid == 0) {
		execl(self, self, "close", num, (char *)NULL);
		_exit(127);
	}
	reap("CLONE_FILES child that runs execve", pid);
	show_fd("CLONE_FILES then execve: the fd the new program closed", fd_a);
	close(fd_a);
}

static int
unshare_child(void *arg)
{
	(void)arg;
	result = unshare(CLONE_FILES | CLONE_FS) ? errno : 0;
	close(fd_a);
	chdir(DIR);
	return 0;
}

static int
unshare_vm_child(void *arg)
{
	(void)arg;
	result = unshare(CLONE_VM) ? errno : 0;
	return 0;
}

static int
unshare_thread(void *arg)
{
	(void)arg;
	result = unshare(CLONE_FILES) ? errno : 0;
	close(fd_a);
	return 0;
}

/* unshare: a shared table and directory become the caller's own. */
static void
unshare_cases(void)
{
	/* First, while no thread of ours is still ending (CLEARTID comes
	 * before a thread leaves its group on Linux). */
	SHOW("unshare(0)", unshare(0));
	SHOW("unshare(CLONE_VM) alone", unshare(CLONE_VM));
	SHOW("unshare(CLONE_FILES|CLONE_FS) alone", unshare(CLONE_FILES | CLONE_FS));
	SHOW("unshare(CLONE_SYSVSEM|CLONE_THREAD)", unshare(CLONE_SYSVSEM | CLONE_THREAD));
	SHOW("unshare of CLONE_PIDFD", unshare(0x1000));
	SHOW("unshare of CLONE_VFORK", unshare(CLONE_VFORK));
	fd_a = open("/dev/null", O_RDONLY);
	result = -1;
	reap("unshare child", spawn(unshare_child, CLONE_VM | CLONE_FILES | CLONE_FS | SIGCHLD));
	printf("unshare in the child = %s\n", result ? errno_name(result) : "0");
	show_fd("unshare: the fd the child closed after", fd_a);
	SHOW("unshare: a file of the dir it went into after", access("inside", F_OK));
	result = -1;
	reap("unshare(CLONE_VM) child", spawn(unshare_vm_child, CLONE_VM | SIGCHLD));
	printf("unshare(CLONE_VM) in a space shared = %s\n", result ? errno_name(result) : "0");
	result = -1;
	ctid = -1;
	if (spawn(unshare_thread, CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
					  CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID) > 0)
		join();
	printf("unshare(CLONE_FILES) in a thread = %s\n", result ? errno_name(result) : "0");
	show_fd("unshare: the fd the thread closed after", fd_a);
	close(fd_a);
}

static pid_t grandparent;

static int
sibling_fn(void *arg)
{
	return getppid() == grandparent ? 7 + (int)(intptr_t)arg : 6;
}

/* CLONE_PARENT from a child: a sibling of it, which our parent reaps;
 * with CLONE_VFORK the caller still waits for it. */
static void
parent_case(void)
{
	pid_t c, got;
	int st, codes[2] = { -1, -1 }, n = 0;

	grandparent = getpid();
	c = fork();
	if (c == 0) {
		static char stack2[16 * 1024] __attribute__((aligned(16)));
		pid_t g = clone(sibling_fn, stack + sizeof(stack), CLONE_PARENT | SIGCHLD, (void *)0);

		printf("CLONE_PARENT: made = %s\n", g > 0 ? "yes" : errno_name(errno));
		printf("CLONE_PARENT: the caller's wait = %s\n",
		       waitpid(-1, NULL, 0) < 0 ? errno_name(errno) : "a child");
		g = clone(sibling_fn, stack2 + sizeof(stack2),
			  CLONE_PARENT | CLONE_VFORK | CLONE_VM | SIGCHLD, (void *)2);
		printf("CLONE_PARENT|CLONE_VFORK|CLONE_VM: back after it = %s\n",
		       g > 0 ? "yes" : errno_name(errno));
		_exit(0);
	}
	if (waitpid(c, &st, 0) == c)
		show_status("CLONE_PARENT caller", st);
	while (n < 2 && (got = waitpid(-1, &st, 0)) > 0)
		codes[n++] = WIFEXITED(st) ? WEXITSTATUS(st) : 100 + st;
	if (n == 2 && codes[0] > codes[1]) {
		int t = codes[0];

		codes[0] = codes[1];
		codes[1] = t;
	}
	printf("CLONE_PARENT: its siblings reaped here: %d %d\n", codes[0], codes[1]);
}

/* A clone that must fail: its errno. */
static int
never(void *arg)
{
	(void)arg;
	return 99;
}

static void
bad(const char *what, int flags)
{
	pid_t pid = spawn(never, flags);

	if (pid >= 0) {
		printf("%s: made a child\n", what);
		if (!(flags & CLONE_THREAD))
			waitpid(pid, NULL, __WALL);
		return;
	}
	printf("%s: -1 %s\n", what, errno_name(errno));
}

static void
bad3(const char *what, uint64_t flags)
{
	struct clone_args3 a = { .flags = flags, .exit_signal = SIGCHLD };
	long pid = syscall(NR_clone3, &a, sizeof(a));

	if (pid == 0)
		_exit(99);
	if (pid > 0) {
		printf("%s: made a child\n", what);
		waitpid((pid_t)pid, NULL, 0);
		return;
	}
	printf("%s: -1 %s\n", what, errno_name(errno));
}

static void
refused(void)
{
	pid_t pid;
	int st;

	bad("CLONE_THREAD without CLONE_SIGHAND", CLONE_THREAD | CLONE_VM);
	bad("CLONE_SIGHAND without CLONE_VM", CLONE_SIGHAND | SIGCHLD);
	bad("CLONE_FS with CLONE_NEWNS", CLONE_FS | NEWNS | SIGCHLD);
	bad("CLONE_FS with CLONE_NEWUSER", CLONE_FS | NEWUSER | SIGCHLD);
	bad("a thread with CLONE_NEWPID", CLONE_VM | CLONE_SIGHAND | CLONE_THREAD | NEWPID);
	bad("a thread with CLONE_NEWUSER", CLONE_VM | CLONE_SIGHAND | CLONE_THREAD | NEWUSER);
	bad3("clone3: CLONE_FS with CLONE_NEWNS", CLONE_FS | NEWNS);
	bad3("clone3: CLONE_SIGHAND without CLONE_VM", CLONE_SIGHAND);
	/* The namespaces, as an unprivileged user (Linux's root would make
	 * them; here no one can). */
	pid = fork();
	if (pid == 0) {
		syscall(SYS_setuid, 65534);
		bad("CLONE_NEWNS", NEWNS | SIGCHLD);
		bad("CLONE_NEWUTS", NEWUTS | SIGCHLD);
		bad("CLONE_NEWIPC", NEWIPC | SIGCHLD);
		bad("CLONE_NEWIPC with CLONE_SYSVSEM", NEWIPC | CLONE_SYSVSEM | SIGCHLD);
		bad("CLONE_NEWNET", NEWNET | SIGCHLD);
		bad("CLONE_NEWPID", NEWPID | SIGCHLD);
		bad("CLONE_NEWCGROUP", NEWCGROUP | SIGCHLD);
		bad3("clone3: CLONE_NEWNS", NEWNS);
		bad3("clone3: CLONE_NEWTIME", NEWTIME);
		SHOW("unshare(CLONE_NEWNS)", unshare(NEWNS));
		SHOW("unshare(CLONE_NEWNET)", unshare(NEWNET));
		SHOW("unshare(CLONE_NEWTIME)", unshare(NEWTIME));
		_exit(0);
	}
	if (waitpid(pid, &st, 0) == pid)
		show_status("unprivileged child", st);
}

/* clone3 with CLONE_FILES and CLONE_FS: a fork's child on our stack. */
static void
clone3_cases(void)
{
	struct clone_args3 a = { .flags = CLONE_FILES | CLONE_FS, .exit_signal = SIGCHLD };
	long pid;

	fd_a = open("/dev/null", O_RDONLY);
	umask(022);
	pid = syscall(NR_clone3, &a, sizeof(a));
	if (pid == 0) {
		close(fd_a);
		chdir(DIR);
		umask(077);
		_exit(0);
	}
	reap("clone3 CLONE_FILES|CLONE_FS child", (pid_t)pid);
	show_fd("clone3: the fd it closed", fd_a);
	SHOW("clone3: a file of the dir it went into", access("inside", F_OK));
	SHOW("clone3: the umask it left", umask(022));
	chdir(getenv("LT_CWD"));
}

int
main(int argc, char **argv)
{
	char cwd[4096];
	int fd;

	if (argc == 3 && !strcmp(argv[1], "close"))
		return close(atoi(argv[2])) ? 1 : 2;
	setvbuf(stdout, NULL, _IONBF, 0);
	if (!getcwd(cwd, sizeof(cwd)))
		return 1;
	setenv("LT_CWD", cwd, 1);
	mkdir(DIR, 0755);
	fd = open(DIR "/inside", O_CREAT | O_WRONLY, 0644);
	close(fd);

	files_case("CLONE_FILES", CLONE_FILES);
	files_case("no CLONE_FILES", 0);
	fs_case("CLONE_FS", CLONE_FS);
	fs_case("no CLONE_FS", 0);
	vm_cases();
	all_case();
	unshare_cases();
	thread_case("thread without CLONE_FILES", CLONE_FS);
	thread_case("thread without CLONE_FS", CLONE_FILES);
	thread_case("thread sharing both", CLONE_FILES | CLONE_FS);
	exec_case();
	clone3_cases();
	parent_case();
	refused();

	unlink(DIR "/inside");
	rmdir(DIR);
	return 0;
}
