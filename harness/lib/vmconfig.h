/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VM definitions in vmconfigs/NAME.json: QEMU binary and arguments, kernel,
 * initrd, command line and initramfs contents. Strings may use ${VAR}, taken
 * from the file's own "vars" (which may use others) and the caller's;
 * expanded when used.
 */
#ifndef KVMI_VMCONFIG_H
#define KVMI_VMCONFIG_H

#include <stddef.h>

struct json_object;

struct vars {
	size_t n;
	char *key[32];
	char *val[32];
};

void vars_set(struct vars *v, const char *key, const char *val);
const char *vars_get(const struct vars *v, const char *key);
void vars_free(struct vars *v);

/* Expand ${VAR}; returns malloc'd string or NULL with a message in err. */
char *vars_subst(const struct vars *v, const char *in, char *err, size_t errlen);

struct vmconfig {
	char *path;
	struct json_object *root;
	struct vars vars;	/* caller's vars plus the file's own */
	char err[512];
};

/* 0, or -1 with a message in c->err. */
int vmconfig_load(struct vmconfig *c, const char *path, const struct vars *base);
void vmconfig_free(struct vmconfig *c);

/*
 * Expanded string at a dotted key ("initramfs.init"); malloc'd.
 * NULL if missing (err set) or not a string.
 */
char *vmconfig_str(struct vmconfig *c, const char *key);
/* Expanded string array at key, NULL-terminated, malloc'd; *n gets count.
 * A missing key gives an empty list. NULL on error. */
char **vmconfig_list(struct vmconfig *c, const char *key, size_t *n);
/* qemu, args..., -kernel K -initrd I -append "cmdline": the full argv. */
char **vmconfig_qemu_argv(struct vmconfig *c);
void strv_free(char **v);

#endif
