/* SHA-256 against FIPS 180-4's examples (NIST CAVP's short and long
 * messages) and against the host's sha256sum on random data of many
 * lengths, hashed in one go and in random pieces. */
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/sha256.h"
#include "unit.h"

static void
hex(const uint8_t *d, char out[65])
{
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static int
digest_is(const void *msg, size_t len, const char *want)
{
	uint8_t d[32];
	char h[65];

	sha256(msg, len, d);
	hex(d, h);
	if (strcmp(h, want) != 0)
		printf("  got %s\n  want %s\n", h, want);
	return strcmp(h, want) == 0;
}

UNIT_TEST(fips_vectors)
{
	CHECK(digest_is("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
	CHECK(digest_is(NULL, 0,
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
	CHECK(digest_is("abc", 3,
			"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
	const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	CHECK(digest_is(m448, strlen(m448),
			"248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
	const char *m896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
			   "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
	CHECK(digest_is(m896, strlen(m896),
			"cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"));
}

UNIT_TEST(one_million_a)
{
	static char a[1000000];
	struct sha256_ctx c;
	uint8_t d[32];
	char h[65];
	const char *want = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";

	memset(a, 'a', sizeof(a));
	CHECK(digest_is(a, sizeof(a), want));
	/* The same in uneven pieces. */
	sha256_init(&c);
	for (size_t off = 0, n = 1; off < sizeof(a); off += n, n = n * 7 % 1000 + 1)
		sha256_update(&c, a + off, n < sizeof(a) - off ? n : sizeof(a) - off);
	sha256_final(&c, d);
	hex(d, h);
	CHECK(strcmp(h, want) == 0);
}

/* Lengths 0..300 (every padding case), then some long ones. */
#define HOST_FILES 340

static size_t
length_of(int i)
{
	return i <= 300 ? (size_t)i : 1000 + (size_t)(i - 300) * 3001 + (uint32_t)unit_rand() % 64;
}

UNIT_TEST(matches_host_sha256sum)
{
	char dir[] = "/tmp/themelios-sha256-XXXXXX", path[128], cmd[256], line[256];
	static uint8_t buf[200000];
	char mine[HOST_FILES][65];

	if (!mkdtemp(dir)) {
		CHECK(!"mkdtemp");
		return;
	}
	for (int i = 0; i < HOST_FILES; i++) {
		size_t len = length_of(i);
		struct sha256_ctx c;
		uint8_t d[32];

		for (size_t j = 0; j < len; j++)
			buf[j] = (uint8_t)(uint32_t)unit_rand();
		snprintf(path, sizeof(path), "%s/%03d", dir, i);
		FILE *f = fopen(path, "wb");
		CHECK(f && fwrite(buf, 1, len, f) == len);
		fclose(f);
		/* Alternate one-shot and random pieces. */
		if (i % 2) {
			sha256(buf, len, d);
		} else {
			sha256_init(&c);
			for (size_t off = 0; off < len;) {
				size_t n = (uint32_t)unit_rand() % 150;
				if (n > len - off)
					n = len - off;
				sha256_update(&c, buf + off, n);
				off += n;
			}
			sha256_final(&c, d);
		}
		hex(d, mine[i]);
	}
	snprintf(cmd, sizeof(cmd), "cd %s && sha256sum [0-9]*", dir);
	FILE *p = popen(cmd, "r");
	int seen = 0;
	while (p && fgets(line, sizeof(line), p)) {
		int i = atoi(line + 66);
		CHECK(i >= 0 && i < HOST_FILES && strncmp(line, mine[i], 64) == 0);
		seen++;
	}
	CHECK(p && pclose(p) == 0);
	CHECK_EQ(seen, HOST_FILES);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
}

UNIT_MAIN();
