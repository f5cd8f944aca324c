/*
 * Process entry: x0 holds the creator's argument, sp points at argc and
 * argv (System V layout, include/themelios/abi.h).
 */
	.text
	.global _start
_start:
	mov	x29, #0
	mov	x30, #0
	ldr	x1, [sp]
	adrp	x2, prog_argc
	str	x1, [x2, :lo12:prog_argc]
	add	x1, sp, #8
	adrp	x2, prog_argv
	str	x1, [x2, :lo12:prog_argv]
	bl	program_start
	bl	sys_exit
	brk	#0
	.section .note.GNU-stack, "", %progbits
