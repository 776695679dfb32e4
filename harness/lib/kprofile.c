// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include "kprofile.h"
#include "vmconfig.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *unknown_key(struct json_object *root)
{
	json_object_object_foreach(root, key, val) {
		(void)val;
		if (strcmp(key, "cmdline") && strcmp(key, "timeout_scale") &&
		    strcmp(key, "vars"))
			return key;
	}
	return NULL;
}

static int load_vars(struct kprofile *p, struct json_object *o)
{
	if (!json_object_is_type(o, json_type_object))
		return -1;
	{
		json_object_object_foreach(o, key, val) {
			if (p->nvars == KPROFILE_VARS || strlen(key) >= sizeof(p->key[0]) ||
			    !json_object_is_type(val, json_type_string) ||
			    (size_t)json_object_get_string_len(val) >= sizeof(p->val[0]))
				return -1;
			strcpy(p->key[p->nvars], key);
			strcpy(p->val[p->nvars++], json_object_get_string(val));
		}
	}
	return 0;
}

void kprofile_vars(const struct kprofile *p, struct vars *v)
{
	for (int i = 0; i < p->nvars; i++)
		vars_set(v, p->key[i], p->val[i]);
}

int kprofile_load(struct kprofile *p, const char *path, char *err, size_t errlen)
{
	struct json_object *root, *v;
	int ret = -1;

	*p = (struct kprofile){ .timeout_scale = 1 };
	if (access(path, F_OK) && errno == ENOENT)
		return 0;
	root = json_object_from_file(path);
	if (!root || !json_object_is_type(root, json_type_object)) {
		snprintf(err, errlen, "%s: not a JSON object", path);
		goto out;
	}
	if (unknown_key(root)) {
		snprintf(err, errlen, "%s: unknown key \"%s\"", path, unknown_key(root));
		goto out;
	}
	if (json_object_object_get_ex(root, "cmdline", &v)) {
		if (!json_object_is_type(v, json_type_string) ||
		    (size_t)json_object_get_string_len(v) >= sizeof(p->cmdline)) {
			snprintf(err, errlen, "%s: \"cmdline\" wants a string", path);
			goto out;
		}
		snprintf(p->cmdline, sizeof(p->cmdline), "%s", json_object_get_string(v));
	}
	if (json_object_object_get_ex(root, "timeout_scale", &v)) {
		if (!json_object_is_type(v, json_type_int) ||
		    json_object_get_int(v) < 1 || json_object_get_int(v) > 100) {
			snprintf(err, errlen, "%s: \"timeout_scale\" wants an integer, 1 to 100",
				 path);
			goto out;
		}
		p->timeout_scale = json_object_get_int(v);
	}
	if (json_object_object_get_ex(root, "vars", &v) && load_vars(p, v)) {
		snprintf(err, errlen, "%s: \"vars\" wants at most %d short strings",
			 path, KPROFILE_VARS);
		goto out;
	}
	ret = 0;
out:
	json_object_put(root);
	return ret;
}
