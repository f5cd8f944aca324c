/* The Network object (network.h): one, living for ever, like the console. */
#include "object/network.h"

static const struct kobject_ops network_ops = {
	.name = "network",
};
static struct kobject network_obj;
static bool ready;

struct kobject *
network_object(void)
{
	if (!ready) {
		kobject_init(&network_obj, KOBJ_NETWORK, &network_ops);
		ready = true;
	}
	return &network_obj;
}
