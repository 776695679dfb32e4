/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KVMI_KPROFILE_H
#define KVMI_KPROFILE_H

#include <stddef.h>

/*
 * What a kernel other than Debian's needs from the harness, beside its
 * image: boot/kvmi-REL.json under the root it is installed in (make
 * debug-kernel writes it), e.g.
 *   {"cmdline": "acpi=noirq", "timeout_scale": 4, "vars": {"MEM": "512M"}}
 *   cmdline        kernel parameters for L1 and every L2 VM
 *   timeout_scale  every timeout of a test and of its L2 VMs is this many
 *                  times longer (a debug kernel under TCG is slower)
 *   vars           vmconfig variables over the files' defaults (a debug
 *                  kernel needs more RAM); --set and a test's own still win
 */
#define KPROFILE_VARS 16

struct kprofile {
	char cmdline[512];
	int timeout_scale;
	int nvars;
	char key[KPROFILE_VARS][32];
	char val[KPROFILE_VARS][128];
};

struct vars;

/* An absent file is the empty profile (scale 1); 0, or -1 with err. */
int kprofile_load(struct kprofile *p, const char *path, char *err, size_t errlen);
/* Its vars into v. */
void kprofile_vars(const struct kprofile *p, struct vars *v);

#endif
