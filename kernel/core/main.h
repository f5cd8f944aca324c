#ifndef CORE_MAIN_H
#define CORE_MAIN_H

#include "boot/boot_info.h"

/* The arch-neutral kernel, entered once the arch code has a console
 * and has filled the boot information. */
void kernel_main(struct boot_info *bi) __attribute__((noreturn));

#endif
