/* The GICv3 interrupt controller (distributor, redistributor, CPU interface). */
#ifndef DEV_GICV3_H
#define DEV_GICV3_H

#include <stdint.h>

/* gicd, gicr: mapped registers (device memory).  CPU 0 only for now. */
void gicv3_init(volatile void *gicd, volatile void *gicr);
/* Routes INTID to this CPU at a normal priority and enables it. */
void gicv3_enable(unsigned int intid, int level_triggered);
void gicv3_disable(unsigned int intid);
/* Enables an INTID configured by gicv3_enable earlier. */
void gicv3_unmask(unsigned int intid);
unsigned int gicv3_lines(void);
/* Acknowledge (returns the INTID, 1020+ when spurious) and end. */
unsigned int gicv3_ack(void);
void gicv3_eoi(unsigned int intid);
void gicv3_send_sgi_self(unsigned int intid);

#endif
