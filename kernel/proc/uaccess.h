/*
 * Kernel access to user memory.  Every system call argument that is a
 * pointer goes through these: the range must lie wholly in user space
 * (no wrap-around, below USER_SPACE_END), and a fault during the copy
 * (unmapped page, read-only page for a write) ends the copy with
 * -E_FAULT instead of a kernel fault.  SMAP/PAN are lifted only inside.
 */
#ifndef PROC_UACCESS_H
#define PROC_UACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fault_info;

/* 0, or -E_FAULT. */
int copy_from_user(void *dst, uintptr_t usrc, size_t len);
int copy_to_user(uintptr_t udst, const void *src, size_t len);

/* True when [addr, addr + len) is a user range (len 0 included). */
bool user_range_ok(uintptr_t addr, size_t len);

/* For fault_kernel: a fault inside a user copy resumes the copier with
 * -E_FAULT and does not return; otherwise returns false. */
bool uaccess_fault(const struct fault_info *fi);

/*
 * In test mode, from an interrupt taken in user mode: a plain kernel
 * read of user memory at addr (no copy_from_user) must fault, as SMAP
 * and PAN promise, whatever state user code left behind (x86 AC).  A
 * read that succeeds panics; the caught ones are counted
 * (uaccess_guard_checks).  Nothing outside test mode.
 */
void uaccess_guard_check(uintptr_t addr);
/* How many of those reads faulted as they must, since boot. */
uint64_t uaccess_guard_checks(void);

#endif
