// SPDX-License-Identifier: GPL-2.0
/*
 * kvmi-run: shards. --shard I/N runs a deterministic 1/N of the suite (the
 * tests whose position in tests/suite.json is I modulo N, counting from
 * 1), so a CI matrix spreads the suite over machines; --merge DIR...
 * joins the shards' summary.json into one run, in suite order, with the
 * same KTAP, summary.json and junit.xml as one whole run. It checks that it
 * has every shard of one N, once, all of one kernel and one selection of
 * tests, each test in the shard it belongs to: a merge that lacked a shard
 * would pass a suite it never ran.
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

/* A shard's summary.json, checked against the first shard's. */
static struct json_object *load_shard(const char *dir, struct json_object *first,
				      int *shard, int *nshards)
{
	char *path = xasprintf("%s/summary.json", dir);
	struct json_object *s = json_object_from_file(path), *v;
	static const char *const same[] = { "abi", "kernel_root", "l2_debug_kernel", "selection" };

	if (!s || !json_object_object_get_ex(s, "tests", &v) ||
	    !json_object_is_type(v, json_type_array))
		die("%s: not a kvmi-run summary", path);
	if (!jstr(s, "shard"))
		die("%s: not a shard's run (run it with --shard I/N)", path);
	parse_shard(jstr(s, "shard"), shard, nshards);
	for (size_t i = 0; first && i < sizeof(same) / sizeof(same[0]); i++)
		if (strcmp(jstr(s, same[i]) ?: "", jstr(first, same[i]) ?: ""))
			die("%s: its %s is \"%s\", the first shard's \"%s\": not one run",
			    path, same[i], jstr(s, same[i]) ?: "", jstr(first, same[i]) ?: "");
	free(path);
	return s;
}

/* The first shard's kernel and stack, for the merged summary. */
static void take_stack(struct env *env, struct json_object *s)
{
	struct json_object *st, *v;

	strfmt(env->abi, sizeof(env->abi), "%s", jstr(s, "abi") ?: "");
	if (strcmp(jstr(s, "kernel_root") ?: "/", "/"))
		strfmt(env->kroot, sizeof(env->kroot), "%s", jstr(s, "kernel_root"));
	strfmt(env->selection, sizeof(env->selection), "%s", jstr(s, "selection") ?: "");
	strfmt(env->l2dbg_abi, sizeof(env->l2dbg_abi), "%s", jstr(s, "l2_debug_kernel") ?: "");
	if (!json_object_object_get_ex(s, "stack", &st))
		return;
	strfmt(env->l1_qemu, sizeof(env->l1_qemu), "%s", jstr(st, "l1_qemu") ?: "");
	strfmt(env->l1_qemu_version, sizeof(env->l1_qemu_version), "%s",
	       jstr(st, "l1_qemu_version") ?: "");
	strfmt(env->l1_smp, sizeof(env->l1_smp), "%s", jstr(st, "l1_smp") ?: "");
	strfmt(env->l1_tick, sizeof(env->l1_tick), "%s", jstr(st, "l1_tick") ?: "");
	if (json_object_object_get_ex(st, "jobs", &v))
		env->jobs = json_object_get_int(v);
}

int merge_runs(struct env *env, struct test *tests, int ntests, int ndirs,
	       char **dirs)
{
	struct json_object **byname = calloc(ntests, sizeof(*byname));
	struct json_object *jtests = json_object_new_array(), *first = NULL, *v;
	int retries = 0, unexpected = 0, n = 0, planned = 0, nshards = 0, short_shards = 0;
	const char **seen = NULL;	/* by shard number, once the first says N */
	double secs = 0;

	env->shards = json_object_new_array();
	for (int d = 0; d < ndirs; d++) {
		struct json_object *s, *arr, *sh = json_object_new_object();
		int shard, of, ran, plan = -1;

		s = load_shard(dirs[d], first, &shard, &of);
		if (!first) {
			first = json_object_get(s);
			nshards = of;
			seen = calloc(nshards + 1, sizeof(*seen));
			take_stack(env, s);
		}
		if (of != nshards || ndirs > nshards)
			die("%s is shard %s, with %d shard dir(s) given for shards of %d",
			    dirs[d], jstr(s, "shard"), ndirs, nshards);
		if (seen[shard])
			die("%s and %s are both shard %d/%d", seen[shard], dirs[d], shard, of);
		seen[shard] = dirs[d];
		json_object_object_get_ex(s, "tests", &arr);
		if (json_object_object_get_ex(s, "seconds", &v))
			secs += json_object_get_double(v);
		if (json_object_object_get_ex(s, "retries", &v))
			retries += json_object_get_int(v);
		ran = (int)json_object_array_length(arr);
		if (json_object_object_get_ex(s, "planned", &v))
			plan = json_object_get_int(v);
		planned += plan < 0 ? ran : plan;
		if (plan > ran) {
			short_shards++;
			fprintf(stderr, "kvmi-run: shard %s (%s) has %d of its %d tests: it was stopped\n",
				jstr(s, "shard"), dirs[d], ran, plan);
		}
		for (int i = 0; i < ran; i++) {
			struct json_object *t = json_object_array_get_idx(arr, i);
			int pos = suite_pos(tests, ntests, jstr(t, "name") ?: "");

			if (pos == ntests)
				die("%s: test %s is not in the suite", dirs[d], jstr(t, "name"));
			if (!in_shard(pos, shard, of))
				die("%s: test %s is not in shard %d/%d", dirs[d], tests[pos].name,
				    shard, of);
			if (byname[pos])
				die("test %s is in two shards", tests[pos].name);
			byname[pos] = json_object_get(t);
			n++;
			unexpected += retry_unexpected(&tests[pos],
				json_object_get_boolean(json_object_object_get(t, "retried")));
		}
		json_object_object_add(sh, "dir", json_object_new_string(dirs[d]));
		json_object_object_add(sh, "shard", json_object_new_string(jstr(s, "shard")));
		if (json_object_object_get_ex(s, "seconds", &v))
			json_object_object_add(sh, "seconds", json_object_get(v));
		if (json_object_object_get_ex(s, "stack", &v))
			json_object_object_add(sh, "stack", json_object_get(v));
		json_object_array_add(env->shards, sh);
		json_object_put(s);
	}
	for (int i = 1; i <= nshards; i++)
		if (!seen[i])
			die("shard %d/%d is missing: a merge without it would pass a suite it never ran",
			    i, nshards);
	ktap_start(&env->k, stdout, planned);
	ktap_diag(&env->k, "kvmi-run: %d shard(s) merged into %s (kernel %s), %.1fs of runner time",
		  ndirs, env->run_dir, env->abi, secs);
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
	if (short_shards)
		ktap_diag(&env->k, "kvmi-run: %d shard(s) stopped early: %d of %d tests ran",
			  short_shards, n, planned);
	env->retries = retries;
	env->unexpected_retries = unexpected;
	env->planned = planned;
	write_summary(env, jtests, secs);
	free(byname);
	free(seen);
	json_object_put(first);
	ktap_finish(&env->k);
	return env->k.fail || short_shards ? 1 : 0;
}
