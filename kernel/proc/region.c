#include "proc/region.h"

#include "themelios/errno.h"

static int
height(const struct vm_region *r)
{
	return r ? r->height : 0;
}

static void
fix_height(struct vm_region *r)
{
	int l = height(r->left), h = height(r->right);

	r->height = 1 + (l > h ? l : h);
}

static struct vm_region *
rotate_right(struct vm_region *r)
{
	struct vm_region *l = r->left;

	r->left = l->right;
	l->right = r;
	fix_height(r);
	fix_height(l);
	return l;
}

static struct vm_region *
rotate_left(struct vm_region *r)
{
	struct vm_region *h = r->right;

	r->right = h->left;
	h->left = r;
	fix_height(r);
	fix_height(h);
	return h;
}

/* Restores the AVL balance at r after one of its subtrees changed
 * height by one; returns the subtree's new root. */
static struct vm_region *
balance(struct vm_region *r)
{
	int b;

	fix_height(r);
	b = height(r->left) - height(r->right);
	if (b > 1) {
		if (height(r->left->left) < height(r->left->right))
			r->left = rotate_left(r->left);
		return rotate_right(r);
	}
	if (b < -1) {
		if (height(r->right->right) < height(r->right->left))
			r->right = rotate_right(r->right);
		return rotate_left(r);
	}
	return r;
}

struct vm_region *
region_lookup(const struct region_tree *t, uintptr_t va)
{
	struct vm_region *r = t->root;

	while (r) {
		if (va < r->start)
			r = r->left;
		else if (va >= r->end)
			r = r->right;
		else
			return r;
	}
	return NULL;
}

struct vm_region *
region_next(const struct region_tree *t, uintptr_t va)
{
	struct vm_region *r = t->root, *best = NULL;

	while (r) {
		if (r->end > va) {
			best = r; /* a candidate; something lower may end after va too */
			r = r->left;
		} else {
			r = r->right;
		}
	}
	return best;
}

bool
region_range_free(const struct region_tree *t, uintptr_t start, uintptr_t end)
{
	struct vm_region *r = region_next(t, start);

	return !r || r->start >= end;
}

static struct vm_region *
insert_at(struct vm_region *root, struct vm_region *r)
{
	if (!root)
		return r;
	if (r->start < root->start)
		root->left = insert_at(root->left, r);
	else
		root->right = insert_at(root->right, r);
	return balance(root);
}

void
region_insert(struct region_tree *t, struct vm_region *r)
{
	r->left = r->right = NULL;
	r->height = 1;
	t->root = insert_at(t->root, r);
	t->count++;
}

/* Unlinks the lowest node under root into *min. */
static struct vm_region *
take_min(struct vm_region *root, struct vm_region **min)
{
	if (!root->left) {
		*min = root;
		return root->right;
	}
	root->left = take_min(root->left, min);
	return balance(root);
}

static struct vm_region *
erase_at(struct vm_region *root, struct vm_region *r)
{
	struct vm_region *m;

	if (!root)
		return NULL; /* not in the tree: the caller's bug, nothing changes */
	if (r->start < root->start) {
		root->left = erase_at(root->left, r);
	} else if (r->start > root->start) {
		root->right = erase_at(root->right, r);
	} else {
		if (!root->right)
			return root->left;
		root->right = take_min(root->right, &m);
		m->left = root->left;
		m->right = root->right;
		return balance(m);
	}
	return balance(root);
}

void
region_erase(struct region_tree *t, struct vm_region *r)
{
	t->root = erase_at(t->root, r);
	t->count--;
	r->left = r->right = NULL;
}

int
region_find_free(const struct region_tree *t, uintptr_t lo, uintptr_t hi, size_t len, size_t guard,
		 uintptr_t *out)
{
	uintptr_t at = lo;

	for (;;) {
		/* The lowest region that ends within guard below at, or above. */
		struct vm_region *r = region_next(t, at >= guard ? at - guard : 0);

		if (at > hi || len > hi - at)
			return -E_NOMEM;
		if (!r ||
		    (r->start >= at && r->start - at >= len && r->start - at - len >= guard)) {
			*out = at;
			return 0;
		}
		/* r is in the way: past it and its gap. */
		if (r->end > UINTPTR_MAX - guard)
			return -E_NOMEM;
		at = r->end + guard;
	}
}
