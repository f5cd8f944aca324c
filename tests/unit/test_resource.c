/* The device-resource registry: overlaps, edges, release, a full table,
 * and random claims/releases against a bitmap model. */
#include <string.h>

#include "core/resource.h"
#include "themelios/errno.h"
#include "unit.h"

static void
release_all(void)
{
	for (unsigned int i = 0; i < RESOURCE_MAX; i++) {
		const struct resource *r = resource_at(i);

		if (r->used)
			CHECK(resource_release(r->kind, r->start) == 0);
	}
}

UNIT_TEST(claims_do_not_overlap)
{
	const char *who = NULL;

	CHECK(resource_claim(RESOURCE_PORTS, 0x3f8, 8, "COM1", NULL) == 0);
	CHECK(resource_claim(RESOURCE_PORTS, 0x3ff, 1, "user", &who) == -E_BUSY);
	CHECK(who && strcmp(who, "COM1") == 0);
	CHECK(resource_claim(RESOURCE_PORTS, 0x3f0, 9, "user", NULL) == -E_BUSY);
	CHECK(resource_claim(RESOURCE_PORTS, 0x3f0, 0x20, "user", NULL) == -E_BUSY);
	/* Touching edges are fine. */
	CHECK(resource_claim(RESOURCE_PORTS, 0x3f0, 8, "below", NULL) == 0);
	CHECK(resource_claim(RESOURCE_PORTS, 0x400, 1, "above", NULL) == 0);
	/* Kinds are separate spaces. */
	CHECK(resource_claim(RESOURCE_PHYS, 0x3f8, 8, "mmio", NULL) == 0);
	CHECK(resource_owner(RESOURCE_PORTS, 0x3fa) &&
	      !strcmp(resource_owner(RESOURCE_PORTS, 0x3fa), "COM1"));
	CHECK(resource_owner(RESOURCE_PORTS, 0x3f8 + 8) &&
	      !strcmp(resource_owner(RESOURCE_PORTS, 0x400), "above"));
	CHECK(resource_owner(RESOURCE_PORTS, 0x401) == NULL);
	release_all();
}

UNIT_TEST(bad_input)
{
	CHECK(resource_claim(RESOURCE_PORTS, 0x10, 0, "x", NULL) == -E_INVAL);
	CHECK(resource_claim(RESOURCE_PHYS, ~0ull - 4, 16, "x", NULL) == -E_INVAL);
	CHECK(resource_claim((enum resource_kind)7, 0, 1, "x", NULL) == -E_INVAL);
	CHECK(resource_release(RESOURCE_PORTS, 0x10) == -E_NOENT);
	CHECK(resource_claim(RESOURCE_PHYS, ~0ull - 16, 16, NULL, NULL) == 0);
	CHECK(strcmp(resource_owner(RESOURCE_PHYS, ~0ull - 1), "?") == 0);
	CHECK(resource_release(RESOURCE_PORTS, ~0ull - 16) == -E_NOENT); /* wrong kind */
	CHECK(resource_release(RESOURCE_PHYS, ~0ull - 16) == 0);
	CHECK(resource_release(RESOURCE_PHYS, ~0ull - 16) == -E_NOENT);
	CHECK(resource_at(RESOURCE_MAX) == NULL);
}

UNIT_TEST(full_table)
{
	for (unsigned int i = 0; i < RESOURCE_MAX; i++)
		CHECK(resource_claim(RESOURCE_PHYS, i * 0x1000ull, 0x1000, "x", NULL) == 0);
	CHECK(resource_claim(RESOURCE_PHYS, 0x10000000, 1, "x", NULL) == -E_NOMEM);
	CHECK(resource_release(RESOURCE_PHYS, 5 * 0x1000) == 0);
	CHECK(resource_claim(RESOURCE_PHYS, 0x10000000, 1, "x", NULL) == 0);
	release_all();
}

/* Random claims and releases over 256 ports against a bitmap of owners. */
UNIT_TEST(random_against_model)
{
	static int owner_of[256];      /* 0: free, else claim id */
	static uint64_t starts[20001]; /* by claim id: at most one claim per step */
	uint64_t seed = 42;
	int next_id = 1;

	memset(owner_of, 0, sizeof(owner_of));
	for (int step = 0; step < 20000; step++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		unsigned int start = (seed >> 33) % 256, size = 1 + (seed >> 45) % 16;
		bool release = (seed >> 20) % 3 == 0;

		if (release) {
			int id = owner_of[start];
			bool is_start = id && starts[id] == start;
			int got = resource_release(RESOURCE_PORTS, start);

			CHECK(got == (is_start ? 0 : -E_NOENT));
			if (is_start)
				for (unsigned int a = 0; a < 256; a++)
					if (owner_of[a] == id)
						owner_of[a] = 0;
			continue;
		}
		bool clash = start + size > 256; /* keep the model in range */
		for (unsigned int a = start; !clash && a < start + size; a++)
			clash = owner_of[a] != 0;
		if (start + size > 256)
			continue;
		int got = resource_claim(RESOURCE_PORTS, start, size, "r", NULL);
		if (clash) {
			CHECK(got == -E_BUSY || got == -E_NOMEM);
			continue;
		}
		if (got == -E_NOMEM)
			continue;
		CHECK(got == 0);
		if (got == 0) {
			starts[next_id] = start;
			for (unsigned int a = start; a < start + size; a++)
				owner_of[a] = next_id;
			next_id++;
		}
	}
	for (unsigned int a = 0; a < 256; a++)
		CHECK((resource_owner(RESOURCE_PORTS, a) != NULL) == (owner_of[a] != 0));
	release_all();
}

UNIT_MAIN();
