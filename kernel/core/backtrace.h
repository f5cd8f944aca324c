#ifndef CORE_BACKTRACE_H
#define CORE_BACKTRACE_H

#include <stdint.h>

/*
 * Prints the call chain by following saved frame pointers (the kernel is
 * built with -fno-omit-frame-pointer), starting with pc, then the return
 * addresses found from frame pointer fp.  Bounded and checked, so a
 * corrupt stack ends the walk instead of faulting.
 */
void backtrace_print(uintptr_t pc, uintptr_t fp);

/* Prints "name+0xoff" for a code address, or the bare address. */
void backtrace_print_symbol(uintptr_t addr);

#endif
