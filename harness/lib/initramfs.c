// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include "initramfs.h"
#include "proc.h"
#include "util.h"
#include "vmconfig.h"

#include <errno.h>
#include <libkmod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BUSYBOX "/bin/busybox"

struct modlist {
	size_t n;
	char *path[256];
};

static int modlist_add(struct modlist *l, const char *path)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->path[i], path))
			return 0;
	if (l->n == sizeof(l->path) / sizeof(l->path[0]))
		return -ENOSPC;
	l->path[l->n++] = xstrdup(path);
	return 0;
}

/* Dependencies first, then the module itself; a built-in one has no file. */
static int add_with_deps(struct modlist *l, struct kmod_module *mod)
{
	struct kmod_list *deps, *it;
	const char *path;
	int ret = 0;

	/* The context's modules.builtin decides, not the running kernel's. */
	if (kmod_module_get_initstate(mod) == KMOD_MODULE_BUILTIN)
		return 0;
	deps = kmod_module_get_dependencies(mod);

	kmod_list_foreach(it, deps) {
		struct kmod_module *d = kmod_module_get_module(it);

		ret = add_with_deps(l, d);
		kmod_module_unref(d);
		if (ret)
			break;
	}
	kmod_module_unref_list(deps);
	path = kmod_module_get_path(mod);
	if (!ret && !path)
		ret = -ENOENT;
	return ret ? ret : modlist_add(l, path);
}

static int resolve_modules(const char *dir, char **names, struct modlist *l,
			   char *err, size_t errlen)
{
	struct kmod_ctx *ctx = kmod_new(dir, NULL);
	int ret = 0;

	if (!ctx) {
		snprintf(err, errlen, "cannot read %s", dir);
		return -1;
	}
	for (char **n = names; *n && !ret; n++) {
		struct kmod_list *found = NULL;
		struct kmod_module *mod;

		if (kmod_module_new_from_lookup(ctx, *n, &found) || !found) {
			snprintf(err, errlen,
				 "module %s not found in %s (for /lib/modules/ABI: install linux-image-ABI)",
				 *n, dir);
			ret = -1;
			break;
		}
		mod = kmod_module_get_module(found);
		if (add_with_deps(l, mod)) {
			snprintf(err, errlen, "cannot resolve module %s", *n);
			ret = -1;
		}
		kmod_module_unref(mod);
		kmod_module_unref_list(found);
	}
	kmod_unref(ctx);
	return ret;
}

static int put(const char *src, const char *root, const char *dst,
	       char *err, size_t errlen)
{
	char *path = xasprintf("%s/%s", root, dst), *slash;
	struct stat st;
	int ret;

	if (stat(src, &st)) {
		snprintf(err, errlen, "%s: %s", src, strerror(errno));
		free(path);
		return -1;
	}
	slash = strrchr(path, '/');
	*slash = '\0';
	mkdir_p(path);
	*slash = '/';
	ret = copy_file(src, path, st.st_mode & 07777);
	if (ret)
		snprintf(err, errlen, "copy %s: %s", src, strerror(-ret));
	free(path);
	return ret ? -1 : 0;
}

int initramfs_build(struct vmconfig *c, const char *moddir, const char *out,
		    char *err, size_t errlen)
{
	char *root = xasprintf("%s.d", out), *init = NULL, *order = NULL;
	char **mods = NULL, **files = NULL;
	struct modlist ml = { 0 };
	size_t olen = 0;
	int ret = -1, wr;
	char *rm[] = { "rm", "-rf", root, NULL };
	char *order_path, *tmp, *pack[] = { "sh", "-c",
		"cd \"$1\" && find . -print0 | cpio --null -o -H newc -R 0:0 --quiet | gzip -1 > \"$2\"",
		"sh", root, NULL, NULL };

	if (proc_run(rm, 60000) != 0 || mkdir_p(root)) {
		snprintf(err, errlen, "cannot prepare %s", root);
		goto out;
	}
	init = vmconfig_str(c, "initramfs.init");
	mods = init ? vmconfig_list(c, "initramfs.modules", NULL) : NULL;
	files = mods ? vmconfig_list(c, "initramfs.files", NULL) : NULL;
	if (!files) {
		snprintf(err, errlen, "%s", c->err);
		goto out;
	}
	if (access(BUSYBOX, X_OK)) {
		snprintf(err, errlen, BUSYBOX " missing: install busybox-static (make deps)");
		goto out;
	}
	if (put(BUSYBOX, root, "bin/busybox", err, errlen) ||
	    put(init, root, "init", err, errlen))
		goto out;
	for (const char *d = "dev\0proc\0sys\0run\0tmp\0mnt\0lib/kvmi/mods\0"; *d; d += strlen(d) + 1) {
		char *p = xasprintf("%s/%s", root, d);

		mkdir_p(p);
		free(p);
	}
	if (resolve_modules(moddir, mods, &ml, err, errlen))
		goto out;
	order = xmalloc(ml.n * 256 + 1);
	for (size_t i = 0; i < ml.n; i++) {
		const char *base = strrchr(ml.path[i], '/') + 1;
		char *dst = xasprintf("lib/kvmi/mods/%s", base);
		int r = put(ml.path[i], root, dst, err, errlen);

		free(dst);
		if (r)
			goto out;
		olen += snprintf(order + olen, 256, "%s\n", base);
	}
	order_path = xasprintf("%s/lib/kvmi/mods/order", root);
	wr = write_file(order_path, order, olen);

	free(order_path);
	if (wr) {
		snprintf(err, errlen, "cannot write module order: %s", strerror(-wr));
		goto out;
	}
	for (char **f = files; *f; f++) {
		char *sep = strchr(*f, ':');

		if (!sep) {
			snprintf(err, errlen, "%s: initramfs.files entry \"%s\" is not SRC:DST",
				 c->path, *f);
			goto out;
		}
		*sep = '\0';
		if (put(*f, root, sep + 1, err, errlen))
			goto out;
	}

	tmp = xasprintf("%s.tmp", out);
	pack[5] = tmp;
	if (proc_run(pack, 120000) != 0 || rename(tmp, out)) {
		snprintf(err, errlen, "packing %s failed (is cpio installed?)", out);
		free(tmp);
		goto out;
	}
	free(tmp);
	ret = 0;
out:
	for (size_t i = 0; i < ml.n; i++)
		free(ml.path[i]);
	free(order);
	free(init);
	strv_free(mods);
	strv_free(files);
	free(root);
	return ret;
}
