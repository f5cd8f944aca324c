#ifndef OBJECT_CONSOLE_H
#define OBJECT_CONSOLE_H

#include "object/object.h"

/* The console object (KOBJ_CONSOLE); capability lock held. */
struct kobject *console_object(void);

#endif
