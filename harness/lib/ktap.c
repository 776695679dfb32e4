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

void ktap_nested(struct ktap *k, const char *text)
{
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		/* "TAP version 13" from kselftest_harness.h becomes KTAP. */
		if (n == 14 && !strncmp(p, "TAP version 13", n))
			fprintf(k->out, "    KTAP version 1\n");
		else if (n)
			fprintf(k->out, "    %.*s\n", (int)n, p);
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
