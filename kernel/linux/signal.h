/*
 * Signals as the process and pipe calls raise them (docs/linux.md).
 * The signal work owns delivery; what the rest of kernel/linux/ needs
 * is one call.
 */
#ifndef LINUX_SIGNAL_H
#define LINUX_SIGNAL_H

struct process;

#define LX_SIGKILL 9
#define LX_SIGSEGV 11
#define LX_SIGPIPE 13
#define LX_SIGCHLD 17

/*
 * Sends sig to p (a Linux process).  No capability lock held, and the
 * caller holds no description or other reference it would leak: when p
 * is the caller and the signal ends it, this does not return.
 */
void linux_signal_send(struct process *p, int sig);

#endif
