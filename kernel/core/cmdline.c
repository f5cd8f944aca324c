#include "core/cmdline.h"

#include "lib/string.h"

/* Finds the next word; returns its start and sets *len, or NULL at the end. */
static const char *
next_word(const char *p, size_t *len)
{
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return NULL;
	*len = 0;
	while (p[*len] && p[*len] != ' ' && p[*len] != '\t')
		(*len)++;
	return p;
}

/* The value part of word when it is key=value; NULL when key alone. */
static const char *
match(const char *word, size_t len, const char *key, bool *found)
{
	size_t klen = strlen(key);

	*found = false;
	if (len < klen || strncmp(word, key, klen) != 0)
		return NULL;
	if (len == klen) {
		*found = true;
		return NULL;
	}
	if (word[klen] != '=')
		return NULL;
	*found = true;
	return word + klen + 1;
}

bool
cmdline_has(const char *cmdline, const char *key)
{
	const char *w = cmdline;
	size_t len;
	bool found;

	while ((w = next_word(w, &len))) {
		match(w, len, key, &found);
		if (found)
			return true;
		w += len;
	}
	return false;
}

int
cmdline_get(const char *cmdline, const char *key, char *buf, size_t size)
{
	const char *w = cmdline, *val, *best = NULL;
	size_t len, best_len = 0;
	bool found;

	while ((w = next_word(w, &len))) {
		val = match(w, len, key, &found);
		if (found && val) {
			best = val;
			best_len = len - (size_t)(val - w);
		}
		w += len;
	}
	if (!best)
		return -1;
	if (size) {
		size_t n = best_len < size - 1 ? best_len : size - 1;
		memcpy(buf, best, n);
		buf[n] = '\0';
	}
	return (int)best_len;
}

unsigned long
cmdline_get_ulong(const char *cmdline, const char *key, unsigned long fallback)
{
	char buf[24];
	unsigned long v = 0;
	int n = cmdline_get(cmdline, key, buf, sizeof(buf));

	if (n <= 0 || n >= (int)sizeof(buf))
		return fallback;
	for (int i = 0; i < n; i++) {
		if (buf[i] < '0' || buf[i] > '9')
			return fallback;
		if (v > (~0ul - 9) / 10)
			return fallback;
		v = v * 10 + (unsigned long)(buf[i] - '0');
	}
	return v;
}

int
cmdline_get_all(const char *cmdline, const char *key, char *buf, size_t size)
{
	const char *w = cmdline, *val;
	size_t len, used = 0;
	bool found;

	while ((w = next_word(w, &len))) {
		val = match(w, len, key, &found);
		if (found && val) {
			size_t n = len - (size_t)(val - w);

			if (n + 1 > size - used)
				return -1;
			memcpy(buf + used, val, n);
			buf[used + n] = '\0';
			used += n + 1;
		}
		w += len;
	}
	return (int)used;
}
