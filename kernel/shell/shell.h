/*
 * The serial debug shell: a kernel thread reading lines from the
 * console.  For developers poking at a running kernel; a build with
 * CONFIG_SHELL=0 leaves it out (production nodes are managed only
 * through the API).
 */
#ifndef SHELL_SHELL_H
#define SHELL_SHELL_H

/* Starts the shell thread; returns 0 or -E_NOMEM. */
int shell_start(void);

#endif
