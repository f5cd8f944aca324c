#include "shell/line_editor.h"

#define CTRL_C	  0x03
#define BACKSPACE 0x08
#define CTRL_U	  0x15
#define ESC	  0x1b
#define DEL	  0x7f

static void
echo(struct line_editor *le, const char *s, size_t len)
{
	if (le->echo)
		le->echo(s, len, le->echo_ctx);
}

void
line_editor_reset(struct line_editor *le)
{
	le->len = 0;
	le->buf[0] = '\0';
	le->overflow = false;
	le->escape = 0;
}

void
line_editor_init(struct line_editor *le, line_echo_fn fn, void *ctx)
{
	le->echo = fn;
	le->echo_ctx = ctx;
	le->last_was_cr = false;
	line_editor_reset(le);
}

static void
erase_chars(struct line_editor *le, size_t n)
{
	while (n--)
		echo(le, "\b \b", 3);
}

/* ESC [ params final: swallow the whole sequence. */
static bool
in_escape(struct line_editor *le, unsigned char c)
{
	if (le->escape == 1) {
		le->escape = c == '[' ? 2 : 0;
		return true;
	}
	if (le->escape == 2) {
		if (c >= 0x40 && c <= 0x7e)
			le->escape = 0;
		return true;
	}
	if (c == ESC) {
		le->escape = 1;
		return true;
	}
	return false;
}

enum line_event
line_editor_feed(struct line_editor *le, unsigned char c)
{
	bool after_cr = le->last_was_cr;

	le->last_was_cr = c == '\r';
	if (in_escape(le, c))
		return LINE_NONE;

	switch (c) {
	case '\n':
		if (after_cr)
			return LINE_NONE;
		/* fall through */
	case '\r':
		echo(le, "\n", 1);
		le->buf[le->len] = '\0';
		if (le->overflow) {
			line_editor_reset(le);
			return LINE_TOO_LONG;
		}
		return LINE_DONE;
	case CTRL_C:
		echo(le, "^C\n", 3);
		line_editor_reset(le);
		return LINE_CANCELLED;
	case CTRL_U:
		if (!le->overflow)
			erase_chars(le, le->len);
		line_editor_reset(le);
		return LINE_NONE;
	case BACKSPACE:
	case DEL:
		if (le->len && !le->overflow) {
			le->len--;
			erase_chars(le, 1);
		}
		return LINE_NONE;
	default:
		break;
	}
	if (c < 0x20 || c > 0x7e)
		return LINE_NONE; /* other control or binary bytes */
	if (le->len == LINE_MAX_LEN) {
		le->overflow = true;
		return LINE_NONE;
	}
	if (le->overflow)
		return LINE_NONE;
	le->buf[le->len++] = (char)c;
	echo(le, (const char *)&c, 1);
	return LINE_NONE;
}
