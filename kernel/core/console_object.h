#ifndef CORE_CONSOLE_OBJECT_H
#define CORE_CONSOLE_OBJECT_H

#include "cap/object.h"

/* The console object (KOBJ_CONSOLE); capability lock held. */
struct kobject *console_object(void);

#endif
