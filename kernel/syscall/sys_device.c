/*
 * Device drivers in user space: claiming interrupt lines, I/O ports and
 * device registers through the device-control capability, taking
 * interrupts through a Notification, and port I/O (docs/drivers.md).
 */
#include "arch/arch.h"
#include "cap/cap.h"
#include "cap/cspace.h"
#include "cap/lock.h"
#include "object/device_control.h"
#include "object/io_ports.h"
#include "object/irq.h"
#include "object/notification.h"
#include "object/frames.h"
#include "object/process.h"
#include "syscall/syscall.h"
#include "themelios/abi.h"
#include "themelios/errno.h"

/* Checks the control capability (WRITE) and the empty destination. */
static int
claim_begin(struct process *p, uint64_t control, uint64_t dst)
{
	struct cap *c;
	int err = cspace_lookup(p->cs, control, KOBJ_DEVICE_CONTROL, CAP_RIGHT_WRITE, &c);

	if (!err)
		err = cspace_lookup_empty(p->cs, dst, &c);
	return err;
}

/* Installs a claimed object in dst, which then holds it alone. */
static int
claim_end(struct process *p, uint64_t dst, struct kobject *obj)
{
	int err = cap_install(p->cs, dst, obj, CAP_RIGHTS_ALL, 0);

	kobject_unref(obj);
	return err;
}

long
sys_irq_claim(struct syscall_args *a)
{
	struct process *p = process_current();
	struct irq_object *q;
	unsigned long flags = cap_lock_take();
	int err = claim_begin(p, a->a[0], a->a[2]);

	if (!err && a->a[1] > UINT32_MAX)
		err = -E_INVAL;
	if (!err)
		err = irq_object_claim(p, (unsigned int)a->a[1], &q);
	if (!err)
		err = claim_end(p, a->a[2], &q->obj);
	cap_lock_drop(flags);
	return err;
}

long
sys_irq_bind(struct syscall_args *a)
{
	struct process *p = process_current();
	struct cap *c, *n = NULL;
	unsigned long flags = cap_lock_take();
	int err = cspace_lookup(p->cs, a->a[0], KOBJ_IRQ, CAP_RIGHT_WRITE, &c);

	if (!err && a->a[1] != CAP_SLOT_NULL)
		err = cspace_lookup(p->cs, a->a[1], KOBJ_NOTIFICATION, CAP_RIGHT_WRITE, &n);
	if (!err && n && a->a[2] == 0)
		err = -E_INVAL;
	if (!err)
		irq_object_bind((struct irq_object *)c->obj,
				n ? (struct notification *)n->obj : NULL, n ? a->a[2] : 0);
	cap_lock_drop(flags);
	return err;
}

long
sys_irq_ack(struct syscall_args *a)
{
	struct process *p = process_current();
	struct cap *c;
	unsigned long flags = cap_lock_take();
	int err = cspace_lookup(p->cs, a->a[0], KOBJ_IRQ, CAP_RIGHT_WRITE, &c);

	if (!err)
		irq_object_ack((struct irq_object *)c->obj);
	cap_lock_drop(flags);
	return err;
}

long
sys_ioport_claim(struct syscall_args *a)
{
	struct process *p = process_current();
	struct io_ports *io;
	unsigned long flags = cap_lock_take();
	int err = claim_begin(p, a->a[0], a->a[3]);

	if (!err)
		err = io_ports_claim(p, a->a[1], a->a[2], &io);
	if (!err)
		err = claim_end(p, a->a[3], &io->obj);
	cap_lock_drop(flags);
	return err;
}

/* The I/O-ports capability in slot, with rights, covering width bytes
 * at port (capability lock held). */
static int
ports_lookup(struct process *p, uint64_t slot, uint32_t rights, uint64_t port, uint64_t width)
{
	struct cap *c;
	int err = cspace_lookup(p->cs, slot, KOBJ_IO_PORTS, rights, &c);

	return err ? err : io_ports_check((struct io_ports *)c->obj, port, width);
}

/* The value read, zero-extended: never negative, so never an error. */
long
sys_port_in(struct syscall_args *a)
{
	unsigned long flags = cap_lock_take();
	long err = ports_lookup(process_current(), a->a[0], CAP_RIGHT_READ, a->a[1], a->a[2]);

	if (!err)
		err = arch_port_read((uint16_t)a->a[1], (unsigned int)a->a[2]);
	cap_lock_drop(flags);
	return err;
}

long
sys_port_out(struct syscall_args *a)
{
	unsigned long flags = cap_lock_take();
	int err = ports_lookup(process_current(), a->a[0], CAP_RIGHT_WRITE, a->a[1], a->a[2]);

	if (!err && a->a[3] >> (8 * a->a[2]))
		err = -E_INVAL; /* wider than the access */
	if (!err)
		arch_port_write((uint16_t)a->a[1], (unsigned int)a->a[2], (uint32_t)a->a[3]);
	cap_lock_drop(flags);
	return err;
}

long
sys_device_frames(struct syscall_args *a)
{
	struct process *p = process_current();
	struct frames *f;
	unsigned long flags = cap_lock_take();
	int err = claim_begin(p, a->a[0], a->a[3]);

	if (!err)
		err = frames_create_device(p->pool, a->a[1], a->a[2], &f);
	if (!err)
		err = claim_end(p, a->a[3], &f->obj);
	cap_lock_drop(flags);
	return err;
}
