/*
 * Searches go a 64-bit word at a time: a word of used bits equal to ~0
 * is skipped whole, otherwise the first clear bit comes from ctz.  Single
 * frames use a next-fit hint so repeated allocations do not rescan the
 * full low memory.  Absent frames (holes) are kept "used" so searches
 * never need the present map.
 */
#include "mm/frame_bitmap.h"

#include <stdbool.h>

#include "lib/string.h"
#include "themelios/errno.h"

static inline bool
test_bit(const uint64_t *map, uint64_t i)
{
	return map[i / 64] >> (i % 64) & 1;
}

static inline void
set_bit(uint64_t *map, uint64_t i)
{
	map[i / 64] |= 1ull << (i % 64);
}

static inline void
clear_bit(uint64_t *map, uint64_t i)
{
	map[i / 64] &= ~(1ull << (i % 64));
}

size_t
frame_bitmap_storage_words(size_t nframes)
{
	return 3 * ((nframes + 63) / 64);
}

void
frame_bitmap_init(struct frame_bitmap *bm, uint64_t *storage, size_t nframes)
{
	size_t nwords = (nframes + 63) / 64;

	bm->present = storage;
	bm->used = storage + nwords;
	bm->reserved = storage + 2 * nwords;
	bm->nframes = nframes;
	bm->nwords = nwords;
	bm->hint = 0;
	bm->first_usable = nframes;
	bm->total = bm->free = bm->allocated = bm->nreserved = 0;
	memset(bm->present, 0, nwords * sizeof(uint64_t));
	memset(bm->used, 0xff, nwords * sizeof(uint64_t));
	memset(bm->reserved, 0, nwords * sizeof(uint64_t));
}

static uint64_t
clip(const struct frame_bitmap *bm, uint64_t first, uint64_t count)
{
	if (first >= bm->nframes)
		return 0;
	return count > bm->nframes - first ? bm->nframes - first : count;
}

void
frame_bitmap_add_usable(struct frame_bitmap *bm, uint64_t first, uint64_t count)
{
	count = clip(bm, first, count);
	if (count && first < bm->first_usable) {
		bm->first_usable = first;
		bm->hint = first / 64;
	}
	for (uint64_t i = first; i < first + count; i++) {
		if (test_bit(bm->present, i))
			continue;
		set_bit(bm->present, i);
		clear_bit(bm->used, i);
		bm->total++;
		bm->free++;
	}
}

void
frame_bitmap_reserve(struct frame_bitmap *bm, uint64_t first, uint64_t count)
{
	count = clip(bm, first, count);
	for (uint64_t i = first; i < first + count; i++) {
		if (!test_bit(bm->present, i) || test_bit(bm->used, i))
			continue;
		set_bit(bm->used, i);
		set_bit(bm->reserved, i);
		bm->free--;
		bm->nreserved++;
	}
}

int
frame_bitmap_alloc(struct frame_bitmap *bm, uint64_t *pfn)
{
	if (!bm->free)
		return -E_NOMEM;
	for (size_t n = 0; n < bm->nwords; n++) {
		size_t w = (bm->hint + n) % bm->nwords;
		uint64_t i;

		if (bm->used[w] == ~0ull)
			continue;
		i = (uint64_t)w * 64 + (uint64_t)__builtin_ctzll(~bm->used[w]);
		if (i >= bm->nframes)
			continue;
		set_bit(bm->used, i);
		bm->free--;
		bm->allocated++;
		bm->hint = w;
		*pfn = i;
		return 0;
	}
	return -E_NOMEM;
}

/* First free frame at or after i, or nframes. */
static uint64_t
next_free(const struct frame_bitmap *bm, uint64_t i)
{
	while (i < bm->nframes) {
		uint64_t word = ~bm->used[i / 64] & (~0ull << (i % 64));

		if (word)
			return (i & ~63ull) + (uint64_t)__builtin_ctzll(word);
		i = (i & ~63ull) + 64;
	}
	return bm->nframes;
}

/* First used frame in [i, end), or end. */
static uint64_t
next_used(const struct frame_bitmap *bm, uint64_t i, uint64_t end)
{
	while (i < end) {
		uint64_t word = bm->used[i / 64] & (~0ull << (i % 64));

		if (word) {
			uint64_t j = (i & ~63ull) + (uint64_t)__builtin_ctzll(word);
			return j < end ? j : end;
		}
		i = (i & ~63ull) + 64;
	}
	return end;
}

int
frame_bitmap_alloc_run(struct frame_bitmap *bm, size_t count, size_t align, uint64_t *pfn)
{
	uint64_t start = bm->first_usable;

	if (count == 0 || align == 0 || (align & (align - 1)))
		return -E_INVAL;
	if (count > bm->free)
		return -E_NOMEM;
	for (;;) {
		uint64_t blocker;

		start = next_free(bm, start);
		start = (start + align - 1) & ~(uint64_t)(align - 1);
		if (start >= bm->nframes || count > bm->nframes - start)
			return -E_NOMEM;
		blocker = next_used(bm, start, start + count);
		if (blocker == start + count)
			break;
		start = blocker + 1;
	}
	for (uint64_t i = start; i < start + count; i++)
		set_bit(bm->used, i);
	bm->free -= count;
	bm->allocated += count;
	*pfn = start;
	return 0;
}

int
frame_bitmap_free(struct frame_bitmap *bm, uint64_t pfn, size_t count, uint64_t *bad)
{
	if (count == 0) {
		*bad = pfn;
		return -E_INVAL;
	}
	for (uint64_t i = pfn; i - pfn < count; i++) {
		*bad = i;
		if (i >= bm->nframes || !test_bit(bm->present, i) || test_bit(bm->reserved, i))
			return -E_INVAL;
		if (!test_bit(bm->used, i))
			return -E_NOENT;
	}
	for (uint64_t i = pfn; i - pfn < count; i++)
		clear_bit(bm->used, i);
	bm->free += count;
	bm->allocated -= count;
	return 0;
}
