/*
 * The debug shell's line editor: turns raw bytes from the serial port
 * into lines.  Printable ASCII is kept; backspace/DEL erase, Ctrl-U
 * erases the line, Ctrl-C drops it, CR or LF ends it (a CR LF pair
 * counts once), escape sequences (arrow keys) and other control or
 * binary bytes are ignored.  A line longer than the buffer is refused
 * whole rather than run truncated.  Pure code, unit-tested on the host.
 */
#ifndef SHELL_LINE_EDITOR_H
#define SHELL_LINE_EDITOR_H

#include <stdbool.h>
#include <stddef.h>

#define LINE_MAX_LEN 256

enum line_event {
	LINE_NONE,	/* keep feeding */
	LINE_DONE,	/* a complete line is in buf */
	LINE_CANCELLED, /* Ctrl-C */
	LINE_TOO_LONG,	/* the line overflowed and was dropped */
};

typedef void (*line_echo_fn)(const char *s, size_t len, void *ctx);

struct line_editor {
	char buf[LINE_MAX_LEN + 1];
	size_t len;
	bool overflow;
	bool last_was_cr;
	int escape; /* 0 none, 1 after ESC, 2 inside CSI */
	line_echo_fn echo;
	void *echo_ctx;
};

void line_editor_init(struct line_editor *le, line_echo_fn echo, void *ctx);
enum line_event line_editor_feed(struct line_editor *le, unsigned char c);
/* Forgets the current line (after LINE_DONE has been handled). */
void line_editor_reset(struct line_editor *le);

#endif
