/* SPDX-License-Identifier: GPL-2.0 */
/* KTAP v1 writer (Documentation/dev-tools/ktap.rst) with kselftest totals. */
#ifndef KVMI_KTAP_H
#define KVMI_KTAP_H

#include <stdio.h>

enum ktap_result { KTAP_PASS, KTAP_FAIL, KTAP_SKIP };

struct ktap {
	FILE *out;
	int next;		/* number of the next result */
	int pass, fail, skip;
};

void ktap_start(struct ktap *k, FILE *out, int planned);
/* "# ..." diagnostic line; a multi-line message gets one "# " per line. */
void ktap_diag(struct ktap *k, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Copy a child's KTAP/TAP output as a nested subtest block (indented). */
void ktap_nested(struct ktap *k, const char *text);
void ktap_result(struct ktap *k, enum ktap_result r, const char *name,
		 const char *directive);
/* "# Totals: ..." and the closing "N passed, N failed[, N skipped]". */
void ktap_finish(struct ktap *k);

#endif
