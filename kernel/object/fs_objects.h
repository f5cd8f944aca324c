/*
 * File and Directory objects: what a capability to a file or directory
 * names.  A File holds a vnode and a position; a Directory holds the
 * vnode that every path given with it is resolved under and cannot
 * leave (fs/vfs.h).  Rights: READ (read, readdir, lookups), WRITE
 * (write, truncate), EXECUTE (spawn from), CREATE and DELETE (names in
 * a directory); what a Directory opens gets at most its rights.
 */
#ifndef OBJECT_FS_OBJECTS_H
#define OBJECT_FS_OBJECTS_H

#include <stdbool.h>
#include <stdint.h>

#include "cap/object.h"
#include "fs/vnode.h"

struct file_object {
	struct kobject obj;
	struct vnode *vn;
	struct fs_mutex pos_lock; /* the position, and appends */
	uint64_t pos;
	bool append;
};

struct dir_object {
	struct kobject obj;
	struct vnode *vn;
};

/* A new object holding a reference to vn (taken here); refs = 1. */
int file_object_create(struct vnode *vn, bool append, struct file_object **out);
int dir_object_create(struct vnode *vn, struct dir_object **out);

/* The vnode of a File or Directory object. */
struct vnode *fs_object_vnode(struct kobject *obj);

#endif
