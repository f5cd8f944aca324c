#include "cap/lock.h"

struct spinlock cap_lock = SPINLOCK_INIT("cap");
