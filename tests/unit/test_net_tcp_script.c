/*
 * The TCP engine driven by scripts: every .pkt file in
 * tests/unit/tcp_scripts runs against a fresh engine (format in tcp_scripts/README), and any
 * mismatch fails with the script's name and line.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcp_script.h"
#include "unit.h"

#define SCRIPT_DIR "tests/unit/tcp_scripts"

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return NULL;
	}
	buf[n] = 0;
	fclose(f);
	return buf;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

UNIT_TEST(every_script_passes)
{
	DIR *d = opendir(SCRIPT_DIR);
	char *names[256], path[512], err[512];
	int n = 0, passed = 0;
	struct dirent *de;

	CHECK(d != NULL);
	if (!d)
		return;
	while ((de = readdir(d)) && n < 256) {
		size_t len = strlen(de->d_name);

		if (len > 4 && !strcmp(de->d_name + len - 4, ".pkt"))
			names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), by_name);
	for (int i = 0; i < n; i++) {
		char *text;

		snprintf(path, sizeof(path), "%s/%s", SCRIPT_DIR, names[i]);
		text = slurp(path);
		CHECK(text != NULL);
		if (text && tcp_script_run(text, err, sizeof(err)) == 0) {
			passed++;
		} else {
			printf("  FAIL %s: %s\n", names[i], err);
			unit_failed_checks++;
		}
		free(text);
		free(names[i]);
	}
	printf("  %d of %d scripts passed\n", passed, n);
	CHECK(n >= 30);
}

UNIT_MAIN();
