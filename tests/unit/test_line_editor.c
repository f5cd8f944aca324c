#include <string.h>

#include "shell/line_editor.h"
#include "unit.h"

static char echoed[16384];
static size_t echoed_len;

static void
capture(const char *s, size_t len, void *ctx)
{
	(void)ctx;
	if (echoed_len + len < sizeof(echoed)) {
		memcpy(echoed + echoed_len, s, len);
		echoed_len += len;
	}
}

static enum line_event
feed_str(struct line_editor *le, const char *s, size_t n)
{
	enum line_event ev = LINE_NONE;

	for (size_t i = 0; i < n; i++) {
		ev = line_editor_feed(le, (unsigned char)s[i]);
		if (ev != LINE_NONE && i + 1 < n)
			return (enum line_event) - 1; /* ended early */
	}
	return ev;
}

#define FEED(le, lit) feed_str(le, lit, sizeof(lit) - 1)

static struct line_editor le;

static void
fresh(void)
{
	echoed_len = 0;
	line_editor_init(&le, capture, NULL);
}

UNIT_TEST(plain_line_and_echo)
{
	fresh();
	CHECK_EQ(FEED(&le, "help\r"), LINE_DONE);
	CHECK(strcmp(le.buf, "help") == 0);
	CHECK(echoed_len == 5 && memcmp(echoed, "help\n", 5) == 0);
}

UNIT_TEST(crlf_counts_once)
{
	fresh();
	CHECK_EQ(FEED(&le, "ps\r"), LINE_DONE);
	line_editor_reset(&le);
	CHECK_EQ(FEED(&le, "\nmem\n"), LINE_DONE);
	CHECK(strcmp(le.buf, "mem") == 0);
}

UNIT_TEST(backspace_and_ctrl_u)
{
	fresh();
	CHECK_EQ(FEED(&le, "hellp\b\x7fp\r"), LINE_DONE);
	CHECK(strcmp(le.buf, "help") == 0);
	line_editor_reset(&le);
	CHECK_EQ(FEED(&le, "garbage\x15uptime\r"), LINE_DONE);
	CHECK(strcmp(le.buf, "uptime") == 0);
	line_editor_reset(&le);
	CHECK_EQ(FEED(&le, "\b\b\bx\r"), LINE_DONE); /* backspace on empty */
	CHECK(strcmp(le.buf, "x") == 0);
}

UNIT_TEST(ctrl_c_drops_line)
{
	fresh();
	CHECK_EQ(FEED(&le, "reboot\x03"), LINE_CANCELLED);
	CHECK_EQ(le.len, 0);
	CHECK_EQ(FEED(&le, "ps\r"), LINE_DONE);
	CHECK(strcmp(le.buf, "ps") == 0);
}

UNIT_TEST(escape_sequences_and_binary_ignored)
{
	fresh();
	CHECK_EQ(FEED(&le, "p\x1b[A\x1b[1;5Cs\x00\x01\xff\x80\t\r"), LINE_DONE);
	CHECK(strcmp(le.buf, "ps") == 0);
}

UNIT_TEST(overlong_line_refused_whole)
{
	char big[4096];

	fresh();
	memset(big, 'a', sizeof(big));
	CHECK_EQ(feed_str(&le, big, sizeof(big)), LINE_NONE);
	CHECK_EQ(le.len, LINE_MAX_LEN);
	CHECK_EQ(FEED(&le, "\r"), LINE_TOO_LONG);
	CHECK_EQ(le.len, 0);
	/* The editor works normally afterwards. */
	CHECK_EQ(FEED(&le, "help\r"), LINE_DONE);
	CHECK(strcmp(le.buf, "help") == 0);
}

UNIT_TEST(exactly_full_line_accepted)
{
	char line[LINE_MAX_LEN];

	fresh();
	memset(line, 'b', sizeof(line));
	CHECK_EQ(feed_str(&le, line, sizeof(line)), LINE_NONE);
	CHECK_EQ(FEED(&le, "\r"), LINE_DONE);
	CHECK_EQ(strlen(le.buf), LINE_MAX_LEN);
}

UNIT_TEST(random_bytes_never_overflow)
{
	unsigned int s = 7;

	fresh();
	for (int i = 0; i < 200000; i++) {
		s = s * 1103515245u + 12345u;
		enum line_event ev = line_editor_feed(&le, (unsigned char)(s >> 16));
		CHECK(le.len <= LINE_MAX_LEN);
		if (ev != LINE_NONE)
			line_editor_reset(&le);
	}
}

UNIT_MAIN()
