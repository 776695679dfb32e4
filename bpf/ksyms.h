/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel symbols from /proc/kallsyms, for printing stacks. */
#ifndef KT_KSYMS_H
#define KT_KSYMS_H

#include <stddef.h>
#include <stdint.h>

struct ksym {
	uint64_t addr;
	char *name;		/* "sym" or "sym [module]" */
};

struct ksyms {
	struct ksym *syms;
	size_t n;
};

int ksyms_load(struct ksyms *k, const char *path);
void ksyms_free(struct ksyms *k);
/* "name+0xoff" into buf; "0xaddr" if unknown. */
const char *ksyms_format(const struct ksyms *k, uint64_t addr, char *buf,
			 size_t len);

#endif
