/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KVMI_INITRAMFS_H
#define KVMI_INITRAMFS_H

#include <stddef.h>

struct vmconfig;

/*
 * Assemble the initramfs a VM config describes under "initramfs":
 *   init     the /init script
 *   modules  module names from moddir (/lib/modules/ABI, or a kernel
 *            installed elsewhere), loaded with their dependencies first
 *            (order in /lib/kvmi/mods/order); one built into that kernel
 *            needs no file and is left out
 *   files    "SRC:DST" pairs (mode kept)
 * plus busybox-static as /bin/busybox. Writes a gzip'd newc cpio to out.
 * 0, or -1 with a message in err.
 */
int initramfs_build(struct vmconfig *c, const char *moddir, const char *out,
		    char *err, size_t errlen);

#endif
