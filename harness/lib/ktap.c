// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include "ktap.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void ktap_start(struct ktap *k, FILE *out, int planned)
{
	memset(k, 0, sizeof(*k));
	k->out = out;
	k->next = 1;
	fprintf(out, "KTAP version 1\n1..%d\n", planned);
	fflush(out);
}

void ktap_diag(struct ktap *k, const char *fmt, ...)
{
	char *msg, *line, *save = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	va_end(ap);
	for (line = strtok_r(msg, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		fprintf(k->out, "# %s\n", line);
	free(msg);
	fflush(k->out);
}

/*
 * 6.1's kselftest_harness.h prints a skipped test's result without its name
 * ("ok 17 # SKIP reason"), which kunit.py cannot read as a result: the name
 * is taken from the "#  RUN           NAME ..." line before it.
 */
static void nested_line(struct ktap *k, const char *p, size_t n, char *run,
			size_t runsz)
{
	size_t ind = strspn(p, " "), d;
	const char *l = p + ind;
	char *end;

	if (n - ind > 7 && !strncmp(l, "#  RUN ", 7)) {
		const char *name = l + 7 + strspn(l + 7, " ");
		const char *dots = memmem(name, p + n - name, " ...", 4);

		if (dots)
			snprintf(run, runsz, "%.*s", (int)(dots - name), name);
	}
	d = !strncmp(l, "ok ", 3) ? 3 : !strncmp(l, "not ok ", 7) ? 7 : 0;
	if (d && run[0] && l[d] >= '0' && l[d] <= '9') {
		strtoul(l + d, &end, 10);
		if (end < p + n - 2 && !strncmp(end, " # ", 3)) {
			fprintf(k->out, "    %.*s %s%.*s\n", (int)(end - p), p, run,
				(int)(p + n - end), end);
			return;
		}
	}
	fprintf(k->out, "    %.*s\n", (int)n, p);
}

void ktap_nested(struct ktap *k, const char *text)
{
	const char *p = text;
	char run[256] = "";

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		/* "TAP version 13" from kselftest_harness.h becomes KTAP. */
		if (n == 14 && !strncmp(p, "TAP version 13", n))
			fprintf(k->out, "    KTAP version 1\n");
		else if (n)
			nested_line(k, p, n, run, sizeof(run));
		p += n + (nl ? 1 : 0);
	}
	fflush(k->out);
}

void ktap_result(struct ktap *k, enum ktap_result r, const char *name,
		 const char *directive)
{
	switch (r) {
	case KTAP_PASS:
		k->pass++;
		break;
	case KTAP_FAIL:
		k->fail++;
		break;
	case KTAP_SKIP:
		k->skip++;
		break;
	}
	fprintf(k->out, "%s %d %s", r == KTAP_FAIL ? "not ok" : "ok", k->next++,
		name);
	if (r == KTAP_SKIP)
		fprintf(k->out, " # SKIP%s%s", directive ? " " : "",
			directive ? directive : "");
	else if (directive)
		fprintf(k->out, " # %s", directive);
	fputc('\n', k->out);
	fflush(k->out);
}

void ktap_finish(struct ktap *k)
{
	fprintf(k->out, "# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0\n",
		k->pass, k->fail, k->skip);
	fprintf(k->out, "%d passed, %d failed", k->pass, k->fail);
	if (k->skip)
		fprintf(k->out, ", %d skipped", k->skip);
	fputc('\n', k->out);
	fflush(k->out);
}
