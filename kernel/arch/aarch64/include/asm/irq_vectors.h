/* On aarch64 a vector is a GICv3 INTID: SGIs 0-15, PPIs 16-31, SPIs 32+. */
#ifndef ASM_IRQ_VECTORS_H
#define ASM_IRQ_VECTORS_H

#define IRQ_VECTORS	     1020
#define IRQ_VECTOR_SELF_TEST 1 /* SGI used by the round-trip benchmark */
#define GIC_SPURIOUS	     1023

#endif
