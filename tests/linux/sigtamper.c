/*
 * Tampering with a signal frame before rt_sigreturn.  On x86_64 flags
 * user code may not set (IOPL) are dropped and the program goes on; then
 * a frame that returns to a kernel address: the process dies of SIGSEGV,
 * and only the process (the next program of the run starts).  (A frame
 * asking aarch64 for EL1 or masked interrupts is refused the same way,
 * but qemu-user, the oracle there, does not check it.)
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

static volatile int stage;

static void
tamper(int sig, siginfo_t *si, void *p)
{
	ucontext_t *uc = p;

	(void)sig;
	(void)si;
#ifdef __x86_64__
	if (stage == 0) {
		uc->uc_mcontext.gregs[REG_EFL] |= 0x3000; /* IOPL 3 */
		return;
	}
#endif
	/* Back into the kernel's half. */
#ifdef __x86_64__
	uc->uc_mcontext.gregs[REG_RIP] = (greg_t)0xffffffff80100000ull;
#else
	uc->uc_mcontext.pc = 0xffff000040100000ull;
#endif
}

int
main(void)
{
	struct sigaction sa;

	setvbuf(stdout, NULL, _IONBF, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = tamper;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
#ifdef __x86_64__
	raise(SIGUSR1);
	unsigned long flags;
	__asm__ volatile("pushfq; popq %0" : "=r"(flags));
	printf("IOPL after the frame said 3: %lu\n", (flags >> 12) & 3);
#endif
	stage = 1;
	printf("returning to the kernel's half\n");
	raise(SIGUSR1);
	printf("not reached\n");
	return 0;
}
