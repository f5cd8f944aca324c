/* The device-control object (object/device_control.h). */
#include "object/device_control.h"

static const struct kobject_ops device_control_ops = { .name = "device control" };
static struct kobject device_control_obj;
static bool ready;

struct kobject *
device_control_object(void)
{
	if (!ready) {
		kobject_init(&device_control_obj, KOBJ_DEVICE_CONTROL, &device_control_ops);
		ready = true;
	}
	return &device_control_obj;
}
