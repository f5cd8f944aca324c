#ifndef PROC_INIT_H
#define PROC_INIT_H

#include <stdint.h>

struct boot_info;
struct process;

/* Starts init with arg as its first argument; with out, a reference
 * for process_wait.  0, or an error (no archive, no init, bad ELF). */
int init_start(const struct boot_info *bi, uint64_t arg, struct process **out);

#endif
