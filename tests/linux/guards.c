/*
 * PROT_NONE (docs/linux.md): a guard page faults on every access with
 * SIGSEGV SEGV_ACCERR at the address touched, and keeps its data through
 * mprotect, fork and mremap; mmap(PROT_NONE) too; the guard glibc and
 * musl put below a thread's stack.  A touch of a file mapping's page
 * wholly past the file's end is SIGBUS BUS_ADRERR instead.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common.h"

#define PAGE 4096

static sigjmp_buf jump;
static volatile int armed, fault_sig, fault_code;
static void *volatile fault_addr;

static void
on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (!armed) {
		static const char msg[] = "unexpected fault\n";

		write(1, msg, sizeof(msg) - 1);
		_exit(3);
	}
	armed = 0;
	fault_sig = sig;
	fault_code = si->si_code;
	fault_addr = si->si_addr;
	siglongjmp(jump, 1);
}

static const char *
code_name(int sig, int code)
{
	if (sig == SIGSEGV && code == SEGV_ACCERR)
		return "SIGSEGV SEGV_ACCERR";
	if (sig == SIGSEGV && code == SEGV_MAPERR)
		return "SIGSEGV SEGV_MAPERR";
	if (sig == SIGBUS && code == BUS_ADRERR)
		return "SIGBUS BUS_ADRERR";
	return "another signal or code";
}

/* A read (or a write of 0x77) of *p: the byte, or how it faulted. */
static void
touch(const char *what, volatile unsigned char *p, int write)
{
	if (sigsetjmp(jump, 1)) {
		printf("%s: %s, %s\n", what, code_name(fault_sig, fault_code),
		       fault_addr == (void *)p ? "at the address" : "at another address");
		return;
	}
	armed = 1;
	if (write)
		*p = 0x77;
	fault_code = *p;
	armed = 0;
	printf("%s: reads %d\n", what, fault_code);
}

static void *
thread_main(void *arg)
{
	(void)arg;
	return NULL;
}

static void
thread_guard(void)
{
	pthread_attr_t attr;
	pthread_t th;
	size_t guard = 0, size;
	void *stack;

	if (pthread_create(&th, NULL, thread_main, NULL) || pthread_getattr_np(th, &attr)) {
		printf("pthread: failed\n");
		return;
	}
	pthread_attr_getguardsize(&attr, &guard);
	pthread_attr_getstack(&attr, &stack, &size);
	printf("thread guard: %s\n", guard >= PAGE ? "at least a page" : "none");
	/* The guard lies just below the stack's lowest address. */
	if (guard >= PAGE)
		touch("read below a thread's stack", (unsigned char *)stack - 1, 0);
	pthread_attr_destroy(&attr);
	pthread_join(th, NULL);
}

/* A file of a page and a half, mapped over three pages. */
static void
past_the_end(void)
{
	char buf[PAGE + PAGE / 2];
	unsigned char *m;
	int fd = open("lt_guards.bin", O_CREAT | O_RDWR | O_TRUNC, 0644);

	memset(buf, 7, sizeof(buf));
	if (fd < 0 || write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
		printf("file: failed\n");
		return;
	}
	for (int shared = 0; shared < 2; shared++) {
		const char *kind = shared ? "shared" : "private";
		char what[64];

		m = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, shared ? MAP_SHARED : MAP_PRIVATE,
			 fd, 0);
		printf("%s file mapping: %s\n", kind, m == MAP_FAILED ? "failed" : "mapped");
		snprintf(what, sizeof(what), "%s: read the last page's end", kind);
		touch(what, m + PAGE + PAGE / 2 + 10, 0);
		snprintf(what, sizeof(what), "%s: read past the end", kind);
		touch(what, m + 2 * PAGE + 1, 0);
		snprintf(what, sizeof(what), "%s: write past the end", kind);
		touch(what, m + 2 * PAGE + 8, 1);
		mprotect(m + 2 * PAGE, PAGE, PROT_NONE);
		snprintf(what, sizeof(what), "%s: read past the end, no access", kind);
		touch(what, m + 2 * PAGE + 1, 0);
		munmap(m, 3 * PAGE);
	}
	/* Grown by a write: the page is there now. */
	m = mmap(NULL, 3 * PAGE, PROT_READ, MAP_SHARED, fd, 0);
	pwrite(fd, buf, 16, 2 * PAGE);
	touch("after the file grew", m + 2 * PAGE + 1, 0);
	munmap(m, 3 * PAGE);
	close(fd);
	unlink("lt_guards.bin");
}

int
main(void)
{
	struct sigaction sa = { .sa_sigaction = on_fault, .sa_flags = SA_SIGINFO };
	unsigned char *p, *q;
	pid_t pid;
	int status;

	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	setvbuf(stdout, NULL, _IONBF, 0);

	/* A guard in the middle of written memory. */
	p = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (int i = 0; i < 3; i++)
		p[i * PAGE + 5] = (unsigned char)(10 + i);
	printf("mprotect none: %d\n", mprotect(p + PAGE, PAGE, PROT_NONE));
	touch("read the guard", p + PAGE + 5, 0);
	touch("write the guard", p + PAGE + 9, 1);
	touch("read below it", p + 5, 0);
	touch("read above it", p + 2 * PAGE + 5, 0);
	printf("mprotect read: %d\n", mprotect(p + PAGE, PAGE, PROT_READ));
	touch("read it back", p + PAGE + 5, 0);
	touch("write it read-only", p + PAGE + 5, 1);
	printf("mprotect read-write: %d\n", mprotect(p + PAGE, PAGE, PROT_READ | PROT_WRITE));
	touch("write it", p + PAGE + 6, 1);

	/* The whole range, and write-only (which reads, as on Linux). */
	printf("mprotect all none: %d\n", mprotect(p, 3 * PAGE, PROT_NONE));
	touch("read the first page", p + 5, 0);
	touch("read the last page", p + 2 * PAGE + 5, 0);
	printf("mprotect write only: %d\n", mprotect(p, 3 * PAGE, PROT_WRITE));
	touch("read write-only", p + 2 * PAGE + 5, 0);

	/* mmap(PROT_NONE): untouched, then made usable (zeroes). */
	q = mmap(NULL, 2 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	touch("read mmap none", q + 100, 0);
	touch("write mmap none", q + PAGE, 1);
	printf("mprotect read-write: %d\n", mprotect(q, 2 * PAGE, PROT_READ | PROT_WRITE));
	touch("read it now", q + 100, 0);
	q[PAGE] = 42;

	/* Through fork: the child's copy is a guard too, with the data. */
	printf("mprotect none: %d\n", mprotect(q, 2 * PAGE, PROT_NONE));
	pid = fork();
	if (pid == 0) {
		touch("child reads the guard", q + PAGE, 0);
		printf("child mprotect read-write: %d\n",
		       mprotect(q, 2 * PAGE, PROT_READ | PROT_WRITE));
		touch("child reads the data", q + PAGE, 0);
		touch("child writes it", q + PAGE, 1);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	printf("child exited %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	touch("parent reads the guard", q + PAGE, 0);

	/* Moved by mremap: still a guard, with the data. */
	q = mremap(q, 2 * PAGE, 4 * PAGE, MREMAP_MAYMOVE);
	printf("mremap: %s\n", q == MAP_FAILED ? "failed" : "moved or grown");
	touch("read the moved guard", q + PAGE, 0);
	touch("read the grown part", q + 3 * PAGE, 0);
	printf("mprotect read: %d\n", mprotect(q, 4 * PAGE, PROT_READ));
	touch("parent reads its data", q + PAGE, 0);
	touch("read the grown part", q + 3 * PAGE, 0);

	thread_guard();
	past_the_end();
	return 0;
}
