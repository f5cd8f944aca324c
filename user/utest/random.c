/*
 * random: bytes from the kernel's ChaCha20 generator.  Bad lengths and
 * pointers get their errors; two draws never match; the bytes look like
 * bytes (the statistics are the host test's job).
 */
#include "themelios.h"
#include "utest/utest.h"

#define KERNEL_ADDRESS 0xffffffff80000000ull

void
random_bytes(void)
{
	static uint8_t a[RANDOM_MAX], b[RANDOM_MAX];
	int zeros = 0;

	CHECK(sys_random(a, 0), 0);
	CHECK(sys_random(a, RANDOM_MAX + 1), -E_RANGE);
	CHECK(sys_random(a, ~0ull), -E_RANGE);
	CHECK(sys_random((void *)KERNEL_ADDRESS, 8), -E_FAULT);
	CHECK(sys_random(NULL, 8), -E_FAULT);
	CHECK(sys_random((void *)(uintptr_t)random_bytes, 8), -E_FAULT); /* our code: read-only */
	CHECK(sys_random(a, sizeof(a)), 0);
	CHECK(sys_random(b, sizeof(b)), 0);
	CHECK(memcmp(a, b, sizeof(a)) != 0, 1);
	for (size_t i = 0; i < sizeof(a); i++)
		zeros += a[i] == 0;
	CHECK(zeros < 16, 1); /* one expected */
}
