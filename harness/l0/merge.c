// SPDX-License-Identifier: GPL-2.0
/*
 * kvmi-run: shards. --shard I/N runs a deterministic 1/N of the suite (the
 * tests whose position in tests/suite.json is I modulo N, counting from
 * 1), so a CI matrix spreads the suite over machines; --merge DIR...
 * joins the shards' summary.json into one run, in suite order, with the
 * same KTAP, summary.json and junit.xml as one whole run.
 */
#define _GNU_SOURCE
#include "kvmi_run.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool in_shard(int index, int shard, int nshards)
{
	return !nshards || index % nshards == shard - 1;
}

void parse_shard(const char *s, int *shard, int *nshards)
{
	char c;

	if (sscanf(s, "%d/%d%c", shard, nshards, &c) != 2 || *nshards < 1 ||
	    *shard < 1 || *shard > *nshards)
		die("--shard wants I/N with 1 <= I <= N, not \"%s\"", s);
}

static int suite_pos(struct test *tests, int ntests, const char *name)
{
	for (int i = 0; i < ntests; i++)
		if (!strcmp(tests[i].name, name))
			return i;
	return ntests;
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

int merge_runs(struct env *env, struct test *tests, int ntests, int ndirs,
	       char **dirs)
{
	struct json_object **byname = calloc(ntests, sizeof(*byname));
	struct json_object *jtests = json_object_new_array(), *v;
	double secs = 0;
	int retries = 0, n = 0;
	char *path;

	for (int d = 0; d < ndirs; d++) {
		struct json_object *s, *arr;

		path = xasprintf("%s/summary.json", dirs[d]);
		s = json_object_from_file(path);
		if (!s || !json_object_object_get_ex(s, "tests", &arr))
			die("%s: not a kvmi-run summary", path);
		free(path);
		if (json_object_object_get_ex(s, "seconds", &v))
			secs += json_object_get_double(v);
		if (json_object_object_get_ex(s, "retries", &v))
			retries += json_object_get_int(v);
		if (!env->abi[0] && jstr(s, "abi"))
			strfmt(env->abi, sizeof(env->abi), "%s", jstr(s, "abi"));
		for (size_t i = 0; i < json_object_array_length(arr); i++) {
			struct json_object *t = json_object_array_get_idx(arr, i);
			int pos = suite_pos(tests, ntests, jstr(t, "name") ?: "");

			if (pos == ntests)
				die("%s: test %s is not in the suite", dirs[d], jstr(t, "name"));
			if (byname[pos])
				die("test %s is in two shards", jstr(t, "name"));
			byname[pos] = json_object_get(t);
			n++;
		}
		json_object_put(s);
	}
	ktap_start(&env->k, stdout, n);
	ktap_diag(&env->k, "kvmi-run: %d shard(s) merged into %s", ndirs, env->run_dir);
	for (int i = 0; i < ntests; i++) {
		struct json_object *t = byname[i];
		bool pass;

		if (!t)
			continue;
		pass = !strcmp(jstr(t, "result") ?: "", "pass");
		if (jstr(t, "ktap") && !tests[i].expect)
			ktap_nested(&env->k, jstr(t, "ktap"));
		ktap_diag(&env->k, "[%s] %s", tests[i].name, jstr(t, "reason") ?: "");
		ktap_result(&env->k, pass ? KTAP_PASS : KTAP_FAIL, tests[i].name,
			    !pass && (!strcmp(jstr(t, "verdict") ?: "", "timeout") ||
				       !strcmp(jstr(t, "verdict") ?: "", "frozen")) ?
			    "TIMEOUT" : NULL);
		json_object_array_add(jtests, t);
	}
	env->retries = retries;
	write_summary(env, jtests, secs);
	free(byname);
	ktap_finish(&env->k);
	return env->k.fail ? 1 : 0;
}
