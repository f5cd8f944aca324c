/*
 * The exit system call in line, for the programs built apart from
 * libthemelios (user/pie, user/interp): they run before any relocation
 * and call nothing outside themselves.
 */
#ifndef USER_LIB_RAW_EXIT_H
#define USER_LIB_RAW_EXIT_H

#include "syscall_numbers.h"

__attribute__((noreturn)) static inline void
raw_exit(long status)
{
#if defined(__x86_64__)
	__asm__ volatile("syscall" ::"a"((long)SYS_exit), "D"(status) : "rcx", "r11", "memory");
#else
	register long x0 __asm__("x0") = status;
	register long x8 __asm__("x8") = SYS_exit;

	__asm__ volatile("svc #0" ::"r"(x0), "r"(x8) : "memory");
#endif
	for (;;)
		;
}

#endif
