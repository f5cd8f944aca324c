/* The name cache (ncache.h): a hash of entries on one LRU list. */
#include "fs/ncache.h"

#include "lib/list.h"
#include "lib/string.h"

#define NCACHE_BUCKETS 1024

struct ncache_entry {
	struct list_node hash_link, lru_link;
	struct vnode *dir, *child;
	uint8_t len;
	char name[NCACHE_NAME_MAX];
};

static struct fs_mutex ncache_lock;
static int ncache_ready;
static struct list_node buckets[NCACHE_BUCKETS];
static struct list_node lru;
static uint64_t nentries, hits, misses;

static void
ncache_init_once(void)
{
	if (ncache_ready)
		return;
	fs_mutex_init(&ncache_lock, "ncache");
	for (int i = 0; i < NCACHE_BUCKETS; i++)
		list_init(&buckets[i]);
	list_init(&lru);
	ncache_ready = 1;
}

static struct list_node *
bucket_of(const struct vnode *dir, const char *name, size_t len)
{
	uint64_t h = (uint64_t)(uintptr_t)dir * 0x9e3779b97f4a7c15ull;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)name[i]) * 0x100000001b3ull;
	return &buckets[(h >> 17) % NCACHE_BUCKETS];
}

static struct ncache_entry *
find(const struct vnode *dir, const char *name, size_t len)
{
	struct list_node *b = bucket_of(dir, name, len);

	for (struct list_node *n = b->next; n != b; n = n->next) {
		struct ncache_entry *e = container_of(n, struct ncache_entry, hash_link);

		if (e->dir == dir && e->len == len && memcmp(e->name, name, len) == 0)
			return e;
	}
	return NULL;
}

/* Unlinks e; the caller drops its references outside the lock. */
static void
unlink_entry(struct ncache_entry *e)
{
	list_del(&e->hash_link);
	list_del(&e->lru_link);
	nentries--;
}

static void
free_entry(struct ncache_entry *e)
{
	vnode_unref(e->dir);
	vnode_unref(e->child);
	fs_free(e);
}

struct vnode *
ncache_get(struct vnode *dir, const char *name, size_t len)
{
	struct ncache_entry *e;
	struct vnode *child = NULL;

	if (len > NCACHE_NAME_MAX)
		return NULL;
	ncache_init_once();
	fs_mutex_lock(&ncache_lock);
	if ((e = find(dir, name, len))) {
		child = e->child;
		vnode_ref(child);
		list_del(&e->lru_link);
		list_add_head(&lru, &e->lru_link);
		hits++;
	} else {
		misses++;
	}
	fs_mutex_unlock(&ncache_lock);
	return child;
}

void
ncache_put(struct vnode *dir, const char *name, size_t len, struct vnode *child)
{
	struct ncache_entry *e, *old = NULL;

	if (len > NCACHE_NAME_MAX || !(e = fs_zalloc(sizeof(*e))))
		return;
	ncache_init_once();
	e->dir = dir;
	e->child = child;
	e->len = (uint8_t)len;
	memcpy(e->name, name, len);
	vnode_ref(dir);
	vnode_ref(child);
	fs_mutex_lock(&ncache_lock);
	if (find(dir, name, len)) {
		fs_mutex_unlock(&ncache_lock);
		free_entry(e);
		return;
	}
	if (nentries >= NCACHE_ENTRIES) {
		old = container_of(lru.prev, struct ncache_entry, lru_link);
		unlink_entry(old);
	}
	list_add_head(bucket_of(dir, name, len), &e->hash_link);
	list_add_head(&lru, &e->lru_link);
	nentries++;
	fs_mutex_unlock(&ncache_lock);
	if (old)
		free_entry(old);
}

void
ncache_forget(struct vnode *dir, const char *name, size_t len)
{
	struct ncache_entry *e;

	if (len > NCACHE_NAME_MAX)
		return;
	ncache_init_once();
	fs_mutex_lock(&ncache_lock);
	if ((e = find(dir, name, len)))
		unlink_entry(e);
	fs_mutex_unlock(&ncache_lock);
	if (e)
		free_entry(e);
}

void
ncache_flush(void)
{
	ncache_init_once();
	for (;;) {
		struct ncache_entry *e = NULL;

		fs_mutex_lock(&ncache_lock);
		if (!list_empty(&lru)) {
			e = container_of(lru.next, struct ncache_entry, lru_link);
			unlink_entry(e);
		}
		fs_mutex_unlock(&ncache_lock);
		if (!e)
			return;
		free_entry(e);
	}
}

void
ncache_stats(uint64_t *h, uint64_t *m, uint64_t *n)
{
	*h = hits;
	*m = misses;
	*n = nentries;
}
