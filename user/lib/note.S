/*
 * The ELF note that marks a ThemeliOS program (kernel/linux/personality.h):
 * the kernel gives every ELF without it the Linux personality.
 */
	.section .note.themelios, "a", %note
	.balign 4
	.long 2f - 1f		/* namesz */
	.long 4f - 3f		/* descsz */
	.long 1			/* NT_THEMELIOS_ABI */
1:	.asciz "ThemeliOS"
2:	.balign 4
3:	.long 1			/* the ABI's version */
4:	.balign 4

	.section .note.GNU-stack, "", %progbits
