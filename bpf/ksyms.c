// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include "ksyms.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

int ksyms_load(struct ksyms *k, const char *path)
{
	char line[512], name[256], mod[256], type;
	size_t cap = 0;
	uint64_t addr;
	FILE *f = fopen(path, "r");

	k->syms = NULL;
	k->n = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		int n = sscanf(line, "%" SCNx64 " %c %255s %255s", &addr, &type,
			       name, mod);
		char *full;

		if (n < 3 || !addr)
			continue;
		if (n == 4) {
			if (asprintf(&full, "%s %s", name, mod) < 0)
				break;
		} else {
			full = strdup(name);
		}
		if (k->n == cap) {
			struct ksym *s;

			cap = cap ? cap * 2 : 65536;
			s = realloc(k->syms, cap * sizeof(*s));
			if (!s) {
				free(full);
				break;
			}
			k->syms = s;
		}
		k->syms[k->n].addr = addr;
		k->syms[k->n++].name = full;
	}
	fclose(f);
	qsort(k->syms, k->n, sizeof(*k->syms), cmp);
	return k->n ? 0 : -1;
}

void ksyms_free(struct ksyms *k)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		free(k->syms[i].name);
	free(k->syms);
	k->syms = NULL;
	k->n = 0;
}

const char *ksyms_format(const struct ksyms *k, uint64_t addr, char *buf,
			 size_t len)
{
	size_t lo = 0, hi = k->n;
	const char *name, *mod;

	/* last symbol with sym.addr <= addr */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (k->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo) {
		snprintf(buf, len, "0x%" PRIx64, addr);
		return buf;
	}
	name = k->syms[lo - 1].name;
	mod = strchr(name, ' ');
	/* "sym+0xoff" or "sym+0xoff [module]" */
	snprintf(buf, len, "%.*s+0x%" PRIx64 "%s",
		 mod ? (int)(mod - name) : (int)strlen(name), name,
		 addr - k->syms[lo - 1].addr, mod ? mod : "");
	return buf;
}
