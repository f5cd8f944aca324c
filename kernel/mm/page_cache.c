/* The page cache (page_cache.h). */
#include "mm/page_cache.h"

#include "core/printk.h"
#include "fs/fs_env.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/phys.h"
#include "mm/pmm.h"
#include "sched/spinlock.h"
#include "sched/wait.h"
#include "themelios/errno.h"

#define PCACHE_FILLING	1
#define PCACHE_UPTODATE 2

static struct spinlock pcache_lock = SPINLOCK_INIT("pcache");
static struct list_node *buckets;
static uint64_t bucket_mask;
static struct list_node lru = LIST_INIT(lru); /* most recently used first */
static struct wait_queue fill_wait;	      /* threads waiting for a fill */
static struct pcache_stats stats;

static struct list_node *
bucket(const struct pcache_owner *o, uint64_t index)
{
	uint64_t h = ((uint64_t)(uintptr_t)o >> 4) * 0x9e3779b97f4a7c15ull ^ index;

	h ^= h >> 29;
	return &buckets[(h * 0xbf58476d1ce4e5b9ull >> 20) & bucket_mask];
}

void
pcache_init(void)
{
	struct pmm_stats ps;
	uint64_t n = 1;

	pmm_get_stats(&ps);
	/* Half of what is free: processes keep the rest, and the cache
	 * gives pages back when the frame allocator runs dry. */
	stats.limit = ps.free / 2;
	while (n < stats.limit / 4 && n < (1u << 16))
		n <<= 1;
	buckets = kcalloc(n, sizeof(*buckets));
	if (!buckets) {
		stats.limit = 0;
		return;
	}
	for (uint64_t i = 0; i < n; i++)
		list_init(&buckets[i]);
	bucket_mask = n - 1;
	wait_queue_init(&fill_wait);
	pcache_hook_allocator();
}

void
pcache_owner_init(struct pcache_owner *o, const struct pcache_owner_ops *ops, const char *name,
		  uint64_t npages)
{
	o->ops = ops;
	o->name = name;
	o->npages = npages;
	o->ra_next = 0;
	o->ra_window = 0;
	o->pages = 0;
	o->dirty = 0;
	o->wmaps = 0;
}

static struct pcache_page *
find_locked(const struct pcache_owner *o, uint64_t index)
{
	struct list_node *b = bucket(o, index);

	for (struct list_node *n = b->next; n != b; n = n->next) {
		struct pcache_page *p = container_of(n, struct pcache_page, hash_link);

		if (p->owner == o && p->index == index)
			return p;
	}
	return NULL;
}

/* Unlinks an unheld page; the caller frees it outside the lock. */
static void
unlink_locked(struct pcache_page *p)
{
	list_del(&p->hash_link);
	list_del(&p->lru_link);
	if (p->state == PCACHE_UPTODATE) {
		stats.pages--;
		p->owner->pages--;
	}
	if (p->dirty)
		p->owner->dirty--;
}

static void
free_page(struct pcache_page *p)
{
	pmm_free_frame(virt_to_phys(p->data));
	fs_free(p);
}

/* Records whose frames went back from inside the frame allocator (which
 * may run under the heap's lock, so no kfree there): freed later. */
static struct list_node dead = LIST_INIT(dead);

static void
free_dead_records(void)
{
	for (;;) {
		unsigned long flags = spin_lock_irqsave(&pcache_lock);
		struct pcache_page *p = NULL;

		if (!list_empty(&dead)) {
			p = container_of(dead.next, struct pcache_page, lru_link);
			list_del(&p->lru_link);
		}
		spin_unlock_irqrestore(&pcache_lock, flags);
		if (!p)
			return;
		fs_free(p);
	}
}

static size_t
reclaim(size_t want, bool records_too)
{
	struct list_node victims = LIST_INIT(victims);
	unsigned long flags = spin_lock_irqsave(&pcache_lock);
	size_t got = 0;

	for (struct list_node *n = lru.prev; n != &lru && got < want;) {
		struct pcache_page *p = container_of(n, struct pcache_page, lru_link);

		n = n->prev;
		if (p->refs || p->dirty || p->state != PCACHE_UPTODATE)
			continue;
		unlink_locked(p);
		list_add_tail(&victims, &p->lru_link);
		got++;
	}
	stats.evictions += got;
	spin_unlock_irqrestore(&pcache_lock, flags);
	while (!list_empty(&victims)) {
		struct pcache_page *p = container_of(victims.next, struct pcache_page, lru_link);

		list_del(&p->lru_link);
		pmm_free_frame(virt_to_phys(p->data));
		if (records_too) {
			fs_free(p);
		} else {
			flags = spin_lock_irqsave(&pcache_lock);
			list_add_tail(&dead, &p->lru_link);
			spin_unlock_irqrestore(&pcache_lock, flags);
		}
	}
	if (records_too)
		free_dead_records();
	return got;
}

size_t
pcache_reclaim(size_t want)
{
	return reclaim(want, true);
}

/* The frame allocator's hook: frames only (see dead). */
static size_t
reclaim_frames(size_t want)
{
	return reclaim(want, false);
}

void
pcache_hook_allocator(void)
{
	pmm_set_reclaim(reclaim_frames);
}

/* count fresh page records with frames, contiguous when the allocator
 * can (so a fill is one device request); how many were made. */
static size_t
alloc_pages(struct pcache_page **pp, size_t count)
{
	uint64_t pa;
	size_t i;

	if (stats.pages + count > stats.limit)
		pcache_reclaim(stats.pages + count - stats.limit);
	if (count > 1 && pmm_try_alloc_frames(count, 1, &pa) == 0) {
		for (i = 0; i < count; i++) {
			if (!(pp[i] = fs_zalloc(sizeof(**pp))))
				break;
			pp[i]->data = phys_to_virt(pa + i * PCACHE_PAGE_SIZE);
		}
		/* Frames no record took go back. */
		for (size_t j = i; j < count; j++)
			pmm_free_frame(pa + j * PCACHE_PAGE_SIZE);
		return i;
	}
	for (i = 0; i < count; i++) {
		if (pmm_alloc_frame(&pa))
			break;
		if (!(pp[i] = fs_zalloc(sizeof(**pp)))) {
			pmm_free_frame(pa);
			break;
		}
		pp[i]->data = phys_to_virt(pa);
	}
	return i;
}

/* How many pages to read for a miss at index: a growing window while
 * the owner is read in order, one page otherwise. */
static size_t
readahead_window(struct pcache_owner *o, uint64_t index)
{
	uint64_t w = 1;

	if (index == o->ra_next) {
		w = o->ra_window ? (uint64_t)o->ra_window * 2 : 4;
		if (w > PCACHE_RA_MAX)
			w = PCACHE_RA_MAX;
	}
	if (w > o->npages - index)
		w = o->npages - index;
	return w;
}

/* Fills the pages around index that are missing; 0 or an error. */
static int
fill_miss(struct pcache_owner *o, uint64_t index)
{
	struct pcache_page *pp[PCACHE_RA_MAX];
	void *data[PCACHE_RA_MAX];
	size_t want = readahead_window(o, index), n, i;
	unsigned long flags;
	long good;

	free_dead_records();
	n = alloc_pages(pp, want);
	if (n == 0)
		return -E_NOMEM;
	flags = spin_lock_irqsave(&pcache_lock);
	/* Someone may have filled part of the range meanwhile: take the
	 * run of still-missing pages from index. */
	for (i = 0; i < n && !find_locked(o, index + i); i++) {
		pp[i]->owner = o;
		pp[i]->index = index + i;
		pp[i]->state = PCACHE_FILLING;
		list_init(&pp[i]->lru_link);
		list_add_head(bucket(o, index + i), &pp[i]->hash_link);
		data[i] = pp[i]->data;
	}
	spin_unlock_irqrestore(&pcache_lock, flags);
	for (size_t j = i; j < n; j++)
		free_page(pp[j]);
	n = i;
	if (n == 0)
		return 0; /* index itself appeared: the caller looks again */

	good = o->ops->fill(o, index, n, data);

	flags = spin_lock_irqsave(&pcache_lock);
	stats.fills++;
	if (good < 0) {
		stats.fill_errors++;
		good = 0;
	}
	for (i = 0; i < n; i++) {
		if (i < (size_t)good) {
			pp[i]->state = PCACHE_UPTODATE;
			list_add_head(&lru, &pp[i]->lru_link);
			stats.pages++;
			o->pages++;
		} else {
			list_del(&pp[i]->hash_link);
		}
	}
	if (good > 1)
		stats.readahead += good - 1;
	wait_queue_wake_all(&fill_wait);
	spin_unlock_irqrestore(&pcache_lock, flags);
	for (i = good; i < n; i++)
		free_page(pp[i]);
	if (good == 0)
		return -E_IO;
	o->ra_window = n;
	o->ra_next = index + good;
	return 0;
}

int
pcache_get(struct pcache_owner *o, uint64_t index, struct pcache_page **out)
{
	int err;

	if (index >= o->npages)
		return -E_RANGE;
	for (int tries = 0;; tries++) {
		unsigned long flags = spin_lock_irqsave(&pcache_lock);
		struct pcache_page *p = find_locked(o, index);

		if (p && p->state == PCACHE_FILLING) {
			wait_queue_wait(&fill_wait, &pcache_lock, 0);
			spin_unlock_irqrestore(&pcache_lock, flags);
			continue;
		}
		if (p) {
			p->refs++;
			list_del(&p->lru_link);
			list_add_head(&lru, &p->lru_link);
			if (tries == 0)
				stats.hits++;
			spin_unlock_irqrestore(&pcache_lock, flags);
			if (o->ra_next == index)
				o->ra_next = index + 1;
			*out = p;
			return 0;
		}
		if (tries == 0)
			stats.misses++;
		spin_unlock_irqrestore(&pcache_lock, flags);
		if (tries > 8)
			return -E_NOMEM; /* pages filled and reclaimed under us */
		if ((err = fill_miss(o, index)))
			return err;
	}
}

struct pcache_page *
pcache_peek(struct pcache_owner *o, uint64_t index)
{
	unsigned long flags = spin_lock_irqsave(&pcache_lock);
	struct pcache_page *p = find_locked(o, index);

	if (p && p->state == PCACHE_UPTODATE)
		p->refs++;
	else
		p = NULL;
	spin_unlock_irqrestore(&pcache_lock, flags);
	return p;
}

void
pcache_put(struct pcache_page *p)
{
	unsigned long flags = spin_lock_irqsave(&pcache_lock);

	p->refs--;
	spin_unlock_irqrestore(&pcache_lock, flags);
}

long
pcache_read(struct pcache_owner *o, uint64_t off, const struct io_buf *dst, size_t at, size_t len)
{
	size_t done = 0;

	while (done < len) {
		uint64_t index = (off + done) / PCACHE_PAGE_SIZE;
		size_t in = (off + done) % PCACHE_PAGE_SIZE, n = PCACHE_PAGE_SIZE - in;
		const uint8_t *src;
		struct pcache_page *p;
		size_t part = 0;
		int err;

		if (n > len - done)
			n = len - done;
		err = pcache_get(o, index, &p);
		if (err)
			return done ? (long)done : err;
		src = (const uint8_t *)p->data + in;
		err = io_buf_put(dst, at + done, src, n);
		/* A guard page in dst: the part before it (Linux's short read). */
		if (err)
			part = io_buf_put_part(dst, at + done, src, n);
		pcache_put(p);
		if (err) {
			done += part;
			return done ? (long)done : err;
		}
		done += n;
	}
	return (long)done;
}

int
pcache_map(struct pcache_page *p, bool writable, void *payer)
{
	unsigned long flags = spin_lock_irqsave(&pcache_lock);
	int took = 0;

	if (p->maps == 0 && !payer) {
		spin_unlock_irqrestore(&pcache_lock, flags);
		return -E_AGAIN;
	}
	if (p->maps == 0) {
		p->payer = payer;
		took = 1;
	}
	p->maps++;
	if (writable) {
		p->wmaps++;
		p->owner->wmaps++;
	}
	spin_unlock_irqrestore(&pcache_lock, flags);
	return took;
}

int
pcache_map_again(struct pcache_owner *o, uint64_t index, bool writable)
{
	unsigned long flags = spin_lock_irqsave(&pcache_lock);
	struct pcache_page *p = find_locked(o, index);
	int err = -E_NOENT;

	if (p && p->maps) {
		p->refs++;
		p->maps++;
		if (writable) {
			p->wmaps++;
			o->wmaps++;
		}
		err = 0;
	}
	spin_unlock_irqrestore(&pcache_lock, flags);
	return err;
}

void *
pcache_unmap(struct pcache_owner *o, uint64_t index, bool writable)
{
	unsigned long flags = spin_lock_irqsave(&pcache_lock);
	struct pcache_page *p = find_locked(o, index);
	void *payer = NULL;

	/* Mapped, hence held: it is there. */
	if (p && p->maps) {
		p->refs--;
		if (writable) {
			p->wmaps--;
			o->wmaps--;
			if (!p->dirty) {
				p->dirty = true;
				o->dirty++;
			}
		}
		if (--p->maps == 0) {
			payer = p->payer;
			p->payer = NULL;
		}
	}
	spin_unlock_irqrestore(&pcache_lock, flags);
	return payer;
}

bool
pcache_take_dirty(struct pcache_page *p)
{
	unsigned long flags = spin_lock_irqsave(&pcache_lock);
	bool was = p->dirty || p->wmaps;

	if (p->dirty) {
		p->dirty = false;
		p->owner->dirty--;
	}
	spin_unlock_irqrestore(&pcache_lock, flags);
	return was;
}

bool
pcache_owner_dirty(struct pcache_owner *o)
{
	return __atomic_load_n(&o->dirty, __ATOMIC_RELAXED) ||
	       __atomic_load_n(&o->wmaps, __ATOMIC_RELAXED);
}

void
pcache_drop_owner(struct pcache_owner *o)
{
	struct list_node victims = LIST_INIT(victims);
	unsigned long flags = spin_lock_irqsave(&pcache_lock);

	for (struct list_node *n = lru.next; n != &lru;) {
		struct pcache_page *p = container_of(n, struct pcache_page, lru_link);

		n = n->next;
		if (p->owner != o || p->refs)
			continue;
		unlink_locked(p);
		list_add_tail(&victims, &p->lru_link);
	}
	spin_unlock_irqrestore(&pcache_lock, flags);
	while (!list_empty(&victims)) {
		struct pcache_page *p = container_of(victims.next, struct pcache_page, lru_link);

		list_del(&p->lru_link);
		free_page(p);
	}
}

void
pcache_drop_pages(struct pcache_owner *o, uint64_t count)
{
	for (uint64_t i = 0; i < count; i++) {
		unsigned long flags = spin_lock_irqsave(&pcache_lock);
		struct pcache_page *p = find_locked(o, i);

		if (p && (p->refs || p->state != PCACHE_UPTODATE))
			p = NULL;
		if (p)
			unlink_locked(p);
		spin_unlock_irqrestore(&pcache_lock, flags);
		if (p)
			free_page(p);
	}
}

void
pcache_get_stats(struct pcache_stats *st)
{
	unsigned long flags = spin_lock_irqsave(&pcache_lock);

	*st = stats;
	spin_unlock_irqrestore(&pcache_lock, flags);
}

void
pcache_print_stats(void)
{
	struct pcache_stats st;

	pcache_get_stats(&st);
	printk("page cache: %lu pages (%lu KiB) of %lu, %lu hits, %lu misses, %lu read ahead, "
	       "%lu device requests, %lu evicted\n",
	       (unsigned long)st.pages, (unsigned long)st.pages * (PCACHE_PAGE_SIZE / 1024),
	       (unsigned long)st.limit, (unsigned long)st.hits, (unsigned long)st.misses,
	       (unsigned long)st.readahead, (unsigned long)st.fills, (unsigned long)st.evictions);
}
