#include "mm/page_ref.h"

#include <stdbool.h>

#include "core/panic.h"
#include "lib/string.h"
#include "mm/phys.h"
#include "mm/pmm.h"
#include "mm/vm_flags.h"
#include "object/memory.h"

struct page_ref {
	uint32_t refs;
	uint32_t unused;
	struct mempool *payer;
};

static struct page_ref *table;
static uint64_t nframes;

void
page_ref_init(void)
{
	struct pmm_stats st;
	uint64_t pa, pages;

	pmm_get_stats(&st);
	nframes = st.highest_pa / PAGE_SIZE_4K;
	pages = (nframes * sizeof(*table) + PAGE_SIZE_4K - 1) / PAGE_SIZE_4K;
	if (pmm_alloc_frames(pages, 1, &pa))
		panic("page_ref: no memory for %lu pages of reference counts", pages);
	table = phys_to_virt(pa);
	memset(table, 0, pages * PAGE_SIZE_4K);
}

static struct page_ref *
ref_of(uint64_t pa)
{
	uint64_t pfn = pa / PAGE_SIZE_4K;

	if (pfn >= nframes)
		panic("page_ref: frame %lx beyond memory", pa);
	return &table[pfn];
}

void
page_ref_set(uint64_t pa, struct mempool *payer)
{
	struct page_ref *r = ref_of(pa);

	r->payer = payer;
	__atomic_store_n(&r->refs, 1, __ATOMIC_RELEASE);
}

void
page_ref_get(uint64_t pa)
{
	__atomic_add_fetch(&ref_of(pa)->refs, 1, __ATOMIC_RELAXED);
}

uint32_t
page_ref_count(uint64_t pa)
{
	return __atomic_load_n(&ref_of(pa)->refs, __ATOMIC_ACQUIRE);
}

bool
page_ref_put(uint64_t pa)
{
	struct page_ref *r = ref_of(pa);
	struct mempool *payer = r->payer;

	if (__atomic_sub_fetch(&r->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return false;
	r->payer = NULL;
	pmm_free_frame(pa);
	mempool_uncharge(payer, 1);
	return true;
}
