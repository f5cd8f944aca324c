/*
 * File objects: an open file, a vnode and a position.  Rights: READ
 * (read), WRITE (write, truncate), EXECUTE (spawn from it).  The
 * generic calls work on it too: object_read and object_write at an
 * offset, object_info with the size and the inode number.
 */
#ifndef OBJECT_FILE_H
#define OBJECT_FILE_H

#include <stdbool.h>
#include <stdint.h>

#include "fs/vnode.h"
#include "object/object.h"

struct file_object {
	struct kobject obj;
	struct vnode *vn;
	struct fs_mutex pos_lock; /* the position, and appends */
	uint64_t pos;
	bool append;
};

/* A new object holding a reference to vn (taken here); refs = 1. */
int file_object_create(struct vnode *vn, bool append, struct file_object **out);

#endif
