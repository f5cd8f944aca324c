#include "lib/cputime.h"

/*
 * part * whole / total for part <= total, without a 128-bit division
 * (the kernel links no library that has one): with total below 2^32 the
 * two products below fit in 64 bits, and a bigger total loses its low
 * bits with part's, which changes the ratio by at most 2^-31.
 */
static uint64_t
scale(uint64_t part, uint64_t whole, uint64_t total)
{
	while (total > UINT32_MAX) {
		part >>= 1;
		total >>= 1;
	}
	return whole / total * part + whole % total * part / total;
}

void
cputime_split(struct cputime_prev *prev, uint64_t rtime, uint64_t user, uint64_t sys,
	      uint64_t *utime, uint64_t *stime)
{
	uint64_t s;

	if (rtime <= prev->utime + prev->stime) {
		*utime = prev->utime;
		*stime = prev->stime;
		return;
	}
	if (!sys)
		s = 0;
	else if (!user)
		s = rtime;
	else
		s = scale(sys, rtime, sys + user);
	/* stime never goes back; utime = rtime - stime then cannot either
	 * unless stime was pushed up, in which case utime holds and stime
	 * takes the rest (rtime grew, so that is no less than before). */
	if (s < prev->stime)
		s = prev->stime;
	if (rtime - s < prev->utime)
		s = rtime - prev->utime;
	prev->stime = s;
	prev->utime = rtime - s;
	*utime = prev->utime;
	*stime = prev->stime;
}
