/*
 * The formatter against the host's snprintf: fixed cases for every
 * conversion and flag, then thousands of random specifications.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lib/format.h"
#include "unit.h"

#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-truncation"

#define SAME(...)                                                                          \
	do {                                                                               \
		char want_[256], got_[256];                                                \
		int wn_ = snprintf(want_, sizeof(want_), __VA_ARGS__);                     \
		int gn_ = fmt_snprintf(got_, sizeof(got_), __VA_ARGS__);                   \
		if (wn_ != gn_ || strcmp(want_, got_) != 0) {                              \
			printf("  FAIL %s:%d: fmt %s: want \"%s\" (%d) got \"%s\" (%d)\n", \
			       __FILE__, __LINE__, #__VA_ARGS__, want_, wn_, got_, gn_);   \
			unit_failed_checks++;                                              \
		}                                                                          \
	} while (0)

UNIT_TEST(integers)
{
	SAME("%d", 0);
	SAME("%d", 42);
	SAME("%d", -42);
	SAME("%d", INT_MAX);
	SAME("%d", INT_MIN);
	SAME("%i", -7);
	SAME("%u", 0u);
	SAME("%u", UINT_MAX);
	SAME("%ld", LONG_MIN);
	SAME("%ld", LONG_MAX);
	SAME("%lu", ULONG_MAX);
	SAME("%lld", LLONG_MIN);
	SAME("%llu", ULLONG_MAX);
	SAME("%zu", (size_t)123456789);
	SAME("%zd", (ssize_t)-5);
	SAME("%hhd", 300);
	SAME("%hd", 70000);
	SAME("%hhu", 257);
}

UNIT_TEST(hex_and_pointers)
{
	SAME("%x", 0xdeadbeefu);
	SAME("%X", 0xdeadbeefu);
	SAME("%#x", 0x1234u);
	SAME("%#X", 0xabcu);
	SAME("%#x", 0u);
	SAME("%lx", 0xffffffff80000000ul);
	SAME("%llX", 0x0123456789abcdefull);
	SAME("%016lx", 0xabcul);
	SAME("%p", (void *)0xffffffff80100000ul);
	SAME("%p", (void *)0x1);
	SAME("%p", (void *)0);
	SAME("%20p", (void *)0x1234);
	SAME("%-20p|", (void *)0x1234);
}

UNIT_TEST(width_padding_alignment)
{
	SAME("[%5d]", 42);
	SAME("[%-5d]", 42);
	SAME("[%05d]", 42);
	SAME("[%05d]", -42);
	SAME("[%-05d]", -42);
	SAME("[%+d]", 5);
	SAME("[% d]", 5);
	SAME("[%+05d]", 5);
	SAME("[%*d]", 6, 9);
	SAME("[%*d]", -6, 9);
	SAME("[%.3d]", 7);
	SAME("[%8.3d]", -7);
	SAME("[%08.3d]", 7);
	SAME("[%.0d]", 0);
	SAME("[%5.0d]", 0);
	SAME("[%#.0x]", 0u);
	SAME("[%1d]", 12345);
	SAME("[%#10x]", 0xffu);
	SAME("[%#010x]", 0xffu);
	SAME("[%-#10x]", 0xffu);
}

UNIT_TEST(strings_and_chars)
{
	SAME("%s", "hello");
	SAME("[%10s]", "hi");
	SAME("[%-10s]", "hi");
	SAME("[%.2s]", "hello");
	SAME("[%.*s]", 3, "hello");
	SAME("[%*s]", -4, "a");
	SAME("%s", "");
	SAME("%c", 'x');
	SAME("[%3c]", 'x');
	SAME("[%-3c]", 'x');
	SAME("100%%");
	SAME("%s=%d %s=%x", "a", 1, "b", 255u);
}

UNIT_TEST(null_string)
{
	char buf[16];
	const char *volatile nothing = NULL;

	fmt_snprintf(buf, sizeof(buf), "[%s]", nothing);
	CHECK(strcmp(buf, "[(null)]") == 0);
}

UNIT_TEST(truncation_and_return_value)
{
	char buf[8];
	int n = fmt_snprintf(buf, sizeof(buf), "%s", "0123456789");

	CHECK_EQ(n, 10);
	CHECK(strcmp(buf, "0123456") == 0);
	n = fmt_snprintf(buf, 1, "abc");
	CHECK_EQ(n, 3);
	CHECK(buf[0] == '\0');
	n = fmt_snprintf(NULL, 0, "%d", 12345);
	CHECK_EQ(n, 5);
}

UNIT_TEST(unknown_conversions_copied)
{
	char buf[32];

	fmt_snprintf(buf, sizeof(buf), "a%qb");
	CHECK(strcmp(buf, "a%qb") == 0);
	fmt_snprintf(buf, sizeof(buf), "end%");
	CHECK(strcmp(buf, "end%") == 0);
	fmt_snprintf(buf, sizeof(buf), "end%5l");
	CHECK(strcmp(buf, "end%5l") == 0);
}

/* Builds a random valid specification and checks it against snprintf. */
UNIT_TEST(random_specifications)
{
	static const char *flags[] = { "", "-", "0", "+", " ", "#", "-+", "0+", "- ", "#0", "-#" };
	static const char *lens[] = { "", "l", "ll", "z", "h", "hh" };
	static const char convs[] = "diuxXsc";
	int bad = 0;

	unit_srand(0x9e3779b97f4a7c15ull);
	for (int i = 0; i < 20000 && bad < 10; i++) {
		char fmt[64], want[512], got[512];
		char conv = convs[unit_rand() % (sizeof(convs) - 1)];
		const char *fl = flags[unit_rand() % 11];
		const char *ln = (conv == 's' || conv == 'c') ? "" : lens[unit_rand() % 6];
		int width = unit_rand() % 3 ? (int)(unit_rand() % 30) : -1;
		int prec = unit_rand() % 3 ? -1 : (int)(unit_rand() % 25);
		char wbuf[16] = "", pbuf[16] = "";
		uint64_t v = unit_rand() >> (unit_rand() % 64);
		int wn, gn;

		if ((conv == 'c' || conv == 's') && strchr(fl, '0'))
			fl = "-";
		if (conv == 'c')
			prec = -1;
		if (width >= 0)
			snprintf(wbuf, sizeof(wbuf), "%d", width);
		if (prec >= 0)
			snprintf(pbuf, sizeof(pbuf), ".%d", prec);
		snprintf(fmt, sizeof(fmt), "<%%%s%s%s%s%c>", fl, wbuf, pbuf, ln, conv);

#define BOTH(arg)                                              \
	do {                                                   \
		wn = snprintf(want, sizeof(want), fmt, arg);   \
		gn = fmt_snprintf(got, sizeof(got), fmt, arg); \
	} while (0)
		if (conv == 's') {
			static const char *strs[] = { "", "a", "hello world", "ThemeliOS" };
			BOTH(strs[v % 4]);
		} else if (conv == 'c') {
			BOTH((int)('a' + v % 26));
		} else if (!strcmp(ln, "ll")) {
			BOTH((long long)v);
		} else if (!strcmp(ln, "l")) {
			BOTH((long)v);
		} else if (!strcmp(ln, "z")) {
			BOTH((size_t)v);
		} else {
			BOTH((int)v);
		}
#undef BOTH
		if (wn != gn || strcmp(want, got) != 0) {
			printf("  FAIL fmt '%s': want '%s' got '%s'\n", fmt, want, got);
			unit_failed_checks++;
			bad++;
		}
	}
}

UNIT_MAIN()

/* fmt_append: pieces one after another, cut short at the buffer's end
 * and then left alone, never past it. */
UNIT_TEST(append_pieces_and_stop_at_the_end)
{
	char buf[16];
	size_t len = 0;

	fmt_append(buf, sizeof(buf), &len, "ab%d", 12);
	CHECK_EQ(len, (size_t)4);
	fmt_append(buf, sizeof(buf), &len, " %s", "cd");
	CHECK(strcmp(buf, "ab12 cd") == 0);
	fmt_append(buf, sizeof(buf), &len, "%s", "0123456789xyz");
	CHECK_EQ(len, sizeof(buf) - 1);
	CHECK(strcmp(buf, "ab12 cd01234567") == 0);
	fmt_append(buf, sizeof(buf), &len, "more");
	CHECK_EQ(len, sizeof(buf) - 1);
	CHECK(strcmp(buf, "ab12 cd01234567") == 0);
	len = 0;
	fmt_append(buf, 0, &len, "x");
	CHECK_EQ(len, (size_t)0);
}
