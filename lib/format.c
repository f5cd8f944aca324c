/*
 * The formatter walks the format string once, parsing a conversion
 * specification into struct spec and rendering it into a small buffer
 * before padding, so no conversion needs more than 24 digits of stack.
 */
#include "lib/format.h"

#include <stdbool.h>
#include <stdint.h>

#include "lib/string.h"

enum length {
	LEN_INT,
	LEN_CHAR,
	LEN_SHORT,
	LEN_LONG,
	LEN_LLONG,
	LEN_SIZE,
	LEN_PTRDIFF
};

struct spec {
	bool left;  /* '-' */
	bool zero;  /* '0' */
	bool plus;  /* '+' */
	bool space; /* ' ' */
	bool alt;   /* '#' */
	int width;
	int precision; /* -1: none */
	enum length len;
};

struct out {
	fmt_emit_fn emit;
	void *ctx;
	int count;
};

static void
out_char(struct out *o, char c)
{
	o->emit(c, o->ctx);
	o->count++;
}

static void
out_repeat(struct out *o, char c, int n)
{
	while (n-- > 0)
		out_char(o, c);
}

static void
out_str(struct out *o, const char *s, size_t n)
{
	while (n--)
		out_char(o, *s++);
}

/* Renders prefix, zero-extension and digits inside the field width. */
static void
out_number(struct out *o, const struct spec *sp, const char *prefix, const char *digits,
	   int ndigits)
{
	int plen = (int)strlen(prefix);
	int zeros = 0, pad;

	if (sp->precision >= 0) {
		if (sp->precision > ndigits)
			zeros = sp->precision - ndigits;
	} else if (sp->zero && !sp->left) {
		int room = sp->width - plen - ndigits;
		if (room > 0)
			zeros = room;
	}
	pad = sp->width - plen - zeros - ndigits;
	if (!sp->left)
		out_repeat(o, ' ', pad);
	out_str(o, prefix, (size_t)plen);
	out_repeat(o, '0', zeros);
	out_str(o, digits, (size_t)ndigits);
	if (sp->left)
		out_repeat(o, ' ', pad);
}

/* Writes the digits of v in base into the end of buf; returns the count. */
static int
render_digits(char *end, unsigned long long v, unsigned base, bool upper)
{
	const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int n = 0;

	do {
		*--end = set[v % base];
		v /= base;
		n++;
	} while (v);
	return n;
}

static void
format_integer(struct out *o, const struct spec *sp, char conv, unsigned long long mag,
	       bool negative)
{
	char buf[24];
	char prefix[3] = "";
	int n;

	if (conv == 'd' || conv == 'i') {
		if (negative)
			prefix[0] = '-';
		else if (sp->plus)
			prefix[0] = '+';
		else if (sp->space)
			prefix[0] = ' ';
	}
	if (mag == 0 && sp->precision == 0) {
		n = 0;
	} else if (conv == 'x' || conv == 'X') {
		n = render_digits(buf + sizeof(buf), mag, 16, conv == 'X');
		if (sp->alt && mag != 0) {
			prefix[0] = '0';
			prefix[1] = conv;
		}
	} else {
		n = render_digits(buf + sizeof(buf), mag, 10, false);
	}
	out_number(o, sp, prefix, buf + sizeof(buf) - n, n);
}

static unsigned long long
fetch_unsigned(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_CHAR:
		return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_SHORT:
		return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_LONG:
		return va_arg(*ap, unsigned long);
	case LEN_LLONG:
		return va_arg(*ap, unsigned long long);
	case LEN_SIZE:
		return va_arg(*ap, size_t);
	case LEN_PTRDIFF:
		return (unsigned long long)va_arg(*ap, ptrdiff_t);
	default:
		return va_arg(*ap, unsigned int);
	}
}

static long long
fetch_signed(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_CHAR:
		return (signed char)va_arg(*ap, int);
	case LEN_SHORT:
		return (short)va_arg(*ap, int);
	case LEN_LONG:
		return va_arg(*ap, long);
	case LEN_LLONG:
		return va_arg(*ap, long long);
	case LEN_SIZE:
		return (long long)va_arg(*ap, size_t);
	case LEN_PTRDIFF:
		return va_arg(*ap, ptrdiff_t);
	default:
		return va_arg(*ap, int);
	}
}

static void
format_string(struct out *o, const struct spec *sp, const char *s)
{
	size_t n;
	int pad;

	if (!s)
		s = "(null)";
	n = sp->precision >= 0 ? strnlen(s, (size_t)sp->precision) : strlen(s);
	pad = sp->width - (int)n;
	if (!sp->left)
		out_repeat(o, ' ', pad);
	out_str(o, s, n);
	if (sp->left)
		out_repeat(o, ' ', pad);
}

/* Parses flags, width, precision and length after '%'; returns the new position. */
static const char *
parse_spec(const char *p, struct spec *sp, va_list *ap)
{
	*sp = (struct spec){ .precision = -1, .len = LEN_INT };
	for (;; p++) {
		if (*p == '-')
			sp->left = true;
		else if (*p == '0')
			sp->zero = true;
		else if (*p == '+')
			sp->plus = true;
		else if (*p == ' ')
			sp->space = true;
		else if (*p == '#')
			sp->alt = true;
		else
			break;
	}
	if (*p == '*') {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) {
			sp->left = true;
			sp->width = -sp->width;
		}
		p++;
	} else {
		while (*p >= '0' && *p <= '9' && sp->width < 100000)
			sp->width = sp->width * 10 + (*p++ - '0');
	}
	if (*p == '.') {
		p++;
		sp->precision = 0;
		if (*p == '*') {
			sp->precision = va_arg(*ap, int);
			if (sp->precision < 0)
				sp->precision = -1;
			p++;
		} else {
			while (*p >= '0' && *p <= '9' && sp->precision < 100000)
				sp->precision = sp->precision * 10 + (*p++ - '0');
		}
	}
	if (p[0] == 'h' && p[1] == 'h') {
		sp->len = LEN_CHAR;
		p += 2;
	} else if (p[0] == 'h') {
		sp->len = LEN_SHORT;
		p++;
	} else if (p[0] == 'l' && p[1] == 'l') {
		sp->len = LEN_LLONG;
		p += 2;
	} else if (p[0] == 'l') {
		sp->len = LEN_LONG;
		p++;
	} else if (p[0] == 'z') {
		sp->len = LEN_SIZE;
		p++;
	} else if (p[0] == 't') {
		sp->len = LEN_PTRDIFF;
		p++;
	}
	return p;
}

int
fmt_vformat(fmt_emit_fn emit, void *ctx, const char *fmt, va_list ap_in)
{
	struct out o = { emit, ctx, 0 };
	struct spec sp;
	const char *p, *start;
	va_list ap;

	va_copy(ap, ap_in);
	for (p = fmt; *p; p++) {
		if (*p != '%') {
			out_char(&o, *p);
			continue;
		}
		start = p;
		p = parse_spec(p + 1, &sp, &ap);
		switch (*p) {
		case 'd':
		case 'i': {
			long long v = fetch_signed(&ap, sp.len);
			unsigned long long mag =
				v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
			format_integer(&o, &sp, *p, mag, v < 0);
			break;
		}
		case 'u':
		case 'x':
		case 'X':
			format_integer(&o, &sp, *p, fetch_unsigned(&ap, sp.len), false);
			break;
		case 'p': {
			void *ptr = va_arg(ap, void *);
			if (!ptr) {
				sp.precision = -1;
				format_string(&o, &sp, "(nil)");
			} else {
				sp.alt = true;
				format_integer(&o, &sp, 'x', (uintptr_t)ptr, false);
			}
			break;
		}
		case 's':
			format_string(&o, &sp, va_arg(ap, const char *));
			break;
		case 'c': {
			char c = (char)va_arg(ap, int);
			if (!sp.left)
				out_repeat(&o, ' ', sp.width - 1);
			out_char(&o, c);
			if (sp.left)
				out_repeat(&o, ' ', sp.width - 1);
			break;
		}
		case '%':
			out_char(&o, '%');
			break;
		default:
			/* Unknown or truncated: copy the specification through. */
			out_str(&o, start, (size_t)(p - start));
			if (!*p)
				p--;
			else
				out_char(&o, *p);
			break;
		}
	}
	va_end(ap);
	return o.count;
}

struct buf_ctx {
	char *buf;
	size_t size;
	size_t pos;
};

static void
buf_emit(char c, void *ctx)
{
	struct buf_ctx *b = ctx;

	if (b->pos + 1 < b->size)
		b->buf[b->pos] = c;
	b->pos++;
}

int
fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct buf_ctx b = { buf, size, 0 };
	int n = fmt_vformat(buf_emit, &b, fmt, ap);

	if (size)
		buf[b.pos < size ? b.pos : size - 1] = '\0';
	return n;
}

int
fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

void
fmt_append(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
	va_list ap;

	if (*len < size) {
		va_start(ap, fmt);
		*len += (size_t)fmt_vsnprintf(buf + *len, size - *len, fmt, ap);
		va_end(ap);
	}
	if (*len >= size)
		*len = size ? size - 1 : 0;
}
