/* Process entry: the kernel starts us with sp at the top of the stack. */
	.text
	.global _start
_start:
	mov	x29, #0
	mov	x30, #0
	bl	main
	bl	sys_exit
	brk	#0
	.section .note.GNU-stack, "", %progbits
