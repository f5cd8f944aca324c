/*
 * Directory objects: the vnode under which every path given with the
 * capability is resolved, and which it cannot leave (fs/vfs.h).  Rights:
 * READ (lookups, readdir, open), CREATE (new names), DELETE (remove or
 * rename names); what a Directory opens gets at most its rights.
 */
#ifndef OBJECT_DIRECTORY_H
#define OBJECT_DIRECTORY_H

#include "fs/vnode.h"
#include "object/object.h"

struct dir_object {
	struct kobject obj;
	struct vnode *vn;
};

/* A new object holding a reference to vn (taken here); refs = 1. */
int dir_object_create(struct vnode *vn, struct dir_object **out);

/* The vnode of a File or Directory object, or NULL for another type. */
struct vnode *fs_object_vnode(struct kobject *obj);

#endif
