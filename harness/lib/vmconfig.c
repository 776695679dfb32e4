// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include "vmconfig.h"
#include "util.h"

#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void vars_set(struct vars *v, const char *key, const char *val)
{
	for (size_t i = 0; i < v->n; i++) {
		if (!strcmp(v->key[i], key)) {
			free(v->val[i]);
			v->val[i] = xstrdup(val);
			return;
		}
	}
	if (v->n == sizeof(v->key) / sizeof(v->key[0]))
		abort();
	v->key[v->n] = xstrdup(key);
	v->val[v->n++] = xstrdup(val);
}

const char *vars_get(const struct vars *v, const char *key)
{
	for (size_t i = 0; i < v->n; i++)
		if (!strcmp(v->key[i], key))
			return v->val[i];
	return NULL;
}

void vars_free(struct vars *v)
{
	for (size_t i = 0; i < v->n; i++) {
		free(v->key[i]);
		free(v->val[i]);
	}
	v->n = 0;
}

static char *subst(const struct vars *v, const char *in, char *err,
		   size_t errlen, int depth)
{
	size_t cap = strlen(in) + 64, len = 0;
	char *out = xmalloc(cap), *exp = NULL;

	if (depth > 8) {
		snprintf(err, errlen, "variables nest too deep in \"%s\"", in);
		free(out);
		return NULL;
	}
	while (*in) {
		const char *val, *end;
		size_t add;

		free(exp);
		exp = NULL;
		if (in[0] == '$' && in[1] == '{') {
			char name[64];
			size_t nl;

			end = strchr(in + 2, '}');
			nl = end ? (size_t)(end - (in + 2)) : 0;
			if (!end || nl == 0 || nl >= sizeof(name)) {
				snprintf(err, errlen, "bad ${...} in \"%s\"", in);
				free(out);
				return NULL;
			}
			memcpy(name, in + 2, nl);
			name[nl] = '\0';
			val = vars_get(v, name);
			if (!val) {
				snprintf(err, errlen, "unknown variable ${%s}", name);
				free(out);
				return NULL;
			}
			/* A value may use other variables. */
			exp = subst(v, val, err, errlen, depth + 1);
			if (!exp) {
				free(out);
				return NULL;
			}
			val = exp;
			in = end + 1;
			add = strlen(val);
		} else {
			val = in++;
			add = 1;
		}
		if (len + add + 1 > cap) {
			cap = (len + add + 1) * 2;
			out = realloc(out, cap);
			if (!out)
				abort();
		}
		memcpy(out + len, val, add);
		len += add;
	}
	free(exp);
	out[len] = '\0';
	return out;
}

char *vars_subst(const struct vars *v, const char *in, char *err, size_t errlen)
{
	return subst(v, in, err, errlen, 0);
}

static void seterr(struct vmconfig *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void seterr(struct vmconfig *c, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(c->err, sizeof(c->err), "%s: ", c->path);

	va_start(ap, fmt);
	vsnprintf(c->err + n, sizeof(c->err) - n, fmt, ap);
	va_end(ap);
}

/*
 * A key nobody reads is a typo: refuse it (NULL-separated lists of the keys
 * each object may hold; harness/lib/vmconfig.schema.json says the same).
 */
static const char TOP_KEYS[] = "comment\0vars\0qemu\0cpu\0kernel\0initrd\0"
	"prepare\0args\0cmdline\0initramfs\0";
static const char INITRAMFS_KEYS[] = "init\0modules\0files\0";

static int check_keys(struct vmconfig *c, struct json_object *o,
		      const char *where, const char *keys)
{
	struct json_object_iter it;

	json_object_object_foreachC(o, it) {
		const char *k = keys;

		while (*k && strcmp(k, it.key))
			k += strlen(k) + 1;
		if (!*k) {
			seterr(c, "unknown key \"%s%s\"", where, it.key);
			return -1;
		}
	}
	return 0;
}

int vmconfig_load(struct vmconfig *c, const char *path, const struct vars *base)
{
	struct json_object *jv;
	struct json_object_iter it;

	memset(c, 0, sizeof(*c));
	c->path = xstrdup(path);
	c->root = json_object_from_file(path);
	if (!c->root) {
		seterr(c, "%s", json_util_get_last_err());
		return -1;
	}
	if (!json_object_is_type(c->root, json_type_object)) {
		seterr(c, "top level is not an object");
		return -1;
	}
	if (check_keys(c, c->root, "", TOP_KEYS))
		return -1;
	if (json_object_object_get_ex(c->root, "initramfs", &jv) &&
	    (!json_object_is_type(jv, json_type_object) ||
	     check_keys(c, jv, "initramfs.", INITRAMFS_KEYS))) {
		if (!c->err[0])
			seterr(c, "\"initramfs\" is not an object");
		return -1;
	}
	for (size_t i = 0; base && i < base->n; i++)
		vars_set(&c->vars, base->key[i], base->val[i]);
	if (json_object_object_get_ex(c->root, "vars", &jv)) {
		if (!json_object_is_type(jv, json_type_object)) {
			seterr(c, "\"vars\" is not an object");
			return -1;
		}
		json_object_object_foreachC(jv, it) {
			if (!json_object_is_type(it.val, json_type_string)) {
				seterr(c, "vars.%s is not a string", it.key);
				return -1;
			}
			/* The file's vars are defaults: the runner's win. */
			if (!base || !vars_get(base, it.key))
				vars_set(&c->vars, it.key, json_object_get_string(it.val));
		}
	}
	return 0;
}

void vmconfig_free(struct vmconfig *c)
{
	json_object_put(c->root);
	vars_free(&c->vars);
	free(c->path);
	memset(c, 0, sizeof(*c));
}

static struct json_object *lookup(struct vmconfig *c, const char *key)
{
	struct json_object *o = c->root;
	char *k = xstrdup(key), *save = NULL;

	for (char *p = strtok_r(k, ".", &save); p && o;
	     p = strtok_r(NULL, ".", &save))
		if (!json_object_is_type(o, json_type_object) ||
		    !json_object_object_get_ex(o, p, &o))
			o = NULL;
	free(k);
	return o;
}

static char *expand(struct vmconfig *c, const char *key, struct json_object *o)
{
	char e[256];
	char *s;

	if (!json_object_is_type(o, json_type_string)) {
		seterr(c, "%s: expected a string", key);
		return NULL;
	}
	s = vars_subst(&c->vars, json_object_get_string(o), e, sizeof(e));
	if (!s)
		seterr(c, "%s: %s", key, e);
	return s;
}

char *vmconfig_str(struct vmconfig *c, const char *key)
{
	struct json_object *o = lookup(c, key);

	if (!o) {
		seterr(c, "missing \"%s\"", key);
		return NULL;
	}
	return expand(c, key, o);
}

char **vmconfig_list(struct vmconfig *c, const char *key, size_t *n)
{
	struct json_object *o = lookup(c, key);
	size_t len = 0;
	char **v;

	if (o && !json_object_is_type(o, json_type_array)) {
		seterr(c, "%s: expected an array", key);
		return NULL;
	}
	if (o)
		len = json_object_array_length(o);
	v = xmalloc((len + 1) * sizeof(*v));
	for (size_t i = 0; i < len; i++) {
		v[i] = expand(c, key, json_object_array_get_idx(o, i));
		if (!v[i]) {
			strv_free(v);
			return NULL;
		}
	}
	if (n)
		*n = len;
	return v;
}

void strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

char **vmconfig_qemu_argv(struct vmconfig *c)
{
	char *qemu = NULL, *kernel = NULL, *initrd = NULL, *cmdline = NULL;
	char **args = NULL, **cl = NULL, **argv = NULL;
	size_t nargs, ncl, i = 0;

	qemu = vmconfig_str(c, "qemu");
	kernel = qemu ? vmconfig_str(c, "kernel") : NULL;
	initrd = kernel ? vmconfig_str(c, "initrd") : NULL;
	args = initrd ? vmconfig_list(c, "args", &nargs) : NULL;
	cl = args ? vmconfig_list(c, "cmdline", &ncl) : NULL;
	if (!cl)
		goto out;

	cmdline = strv_join(cl, ncl);

	argv = xmalloc((nargs + 8) * sizeof(*argv));
	argv[i++] = qemu;
	for (size_t j = 0; j < nargs; j++)
		argv[i++] = xstrdup(args[j]);
	argv[i++] = xstrdup("-kernel");
	argv[i++] = kernel;
	argv[i++] = xstrdup("-initrd");
	argv[i++] = initrd;
	argv[i++] = xstrdup("-append");
	argv[i++] = cmdline;
	qemu = kernel = initrd = cmdline = NULL;
out:
	free(qemu);
	free(kernel);
	free(initrd);
	free(cmdline);
	strv_free(args);
	strv_free(cl);
	return argv;
}
