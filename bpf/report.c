// SPDX-License-Identifier: GPL-2.0
/*
 * kvmi-trace: what the modes' reports share: map lookups, and the
 * reference-balance report of the pin and pfn modes (per pfn: taken vs
 * dropped, with the stack of the last taker).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "kvmi_trace.h"
#include "kt_mode.h"
#include "ksyms.h"
#include "util.h"

int kt_map_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, name);

	return m ? bpf_map__fd(m) : -1;
}

uint64_t kt_counter(int fd, uint32_t idx)
{
	uint64_t v = 0;

	bpf_map_lookup_elem(fd, &idx, &v);
	return v;
}

uint64_t *kt_map_keys(int fd, size_t *n)
{
	uint64_t key, next, *keys = NULL, *k;
	size_t cap = 0;
	void *prev = NULL;

	*n = 0;
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			k = realloc(keys, cap * sizeof(*keys));
			if (!k)
				break;
			keys = k;
		}
		keys[(*n)++] = next;
		key = next;
		prev = &key;
	}
	if (*n)
		qsort(keys, *n, sizeof(*keys), cmp_u64);
	return keys;
}

/*
 * Every key (8 bytes) and value of a hash map, in batches: one syscall per
 * 4096 entries, not two per entry, so a report over a few hundred thousand
 * pfns takes a moment even in L1 under TCG. free() both.
 */
size_t kt_map_dump(int fd, size_t vsize, uint64_t **keys, void **vals)
{
	uint32_t in = 0, out = 0, count;
	size_t n = 0, cap = 0;
	int err;

	*keys = NULL;
	*vals = NULL;
	do {
		count = 4096;
		if (n + count > cap) {
			cap = 2 * (n + count);
			*keys = xrealloc(*keys, cap * sizeof(**keys));
			*vals = xrealloc(*vals, cap * vsize);
		}
		err = bpf_map_lookup_batch(fd, n ? &in : NULL, &out, *keys + n,
					   (char *)*vals + n * vsize, &count, NULL);
		if (err && err != -ENOENT) {
			fprintf(stderr, "kvmi-trace: reading a map: %s\n", strerror(-err));
			break;
		}
		n += count;	/* also at the end (-ENOENT): the last batch */
		in = out;
	} while (!err);
	return n;
}

/*
 * The pfn-keyed maps (refs): one entry per page of RAM at most, so they
 * cannot fill however long the run. BPF_F_NO_PREALLOC: the memory grows
 * only with the pfns actually seen.
 */
void kt_size_pfn_maps(struct bpf_object *obj)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, "refs");
	long pages = sysconf(_SC_PHYS_PAGES);

	if (m && pages > 0 && (unsigned long)pages + 65536 > bpf_map__max_entries(m))
		bpf_map__set_max_entries(m, pages + 65536);
}

void kt_add_u64(json_object *o, const char *k, uint64_t v)
{
	json_object_object_add(o, k, json_object_new_uint64(v));
}

static struct ksyms ksyms;
static bool ksyms_loaded;

static json_object *stack_json(int stacks_fd, int32_t id)
{
	json_object *a = json_object_new_array();
	uint64_t ips[KT_STACK_DEPTH] = { 0 };
	char buf[256];
	int i;

	if (id < 0 || bpf_map_lookup_elem(stacks_fd, &id, ips))
		return a;
	if (!ksyms_loaded)
		ksyms_loaded = !ksyms_load(&ksyms, "/proc/kallsyms");
	for (i = 0; i < KT_STACK_DEPTH && ips[i]; i++)
		json_object_array_add(a, json_object_new_string(
			ksyms_format(&ksyms, ips[i], buf, sizeof(buf))));
	return a;
}

static void print_stack_text(json_object *stack)
{
	size_t i, n = json_object_array_length(stack);

	if (!n)
		printf("        (stack unavailable)\n");
	for (i = 0; i < n; i++)
		printf("        %s\n", json_object_get_string(
			json_object_array_get_idx(stack, i)));
}

/* Who took or dropped it last: pid, comm (NUL-terminated here), stack. */
static void add_who(json_object *e, uint32_t pid, char *comm, json_object *stack)
{
	comm[KT_COMM_LEN - 1] = 0;
	json_object_object_add(e, "pid", json_object_new_int(pid));
	json_object_object_add(e, "comm", json_object_new_string(comm));
	json_object_object_add(e, "stack", stack);
}

/* An unbalanced pfn and its record, sorted by pfn for the report. */
struct kt_pfn_ref {
	uint64_t pfn;
	struct kt_ref r;
};

static int cmp_pfn_ref(const void *a, const void *b)
{
	uint64_t x = ((const struct kt_pfn_ref *)a)->pfn;
	uint64_t y = ((const struct kt_pfn_ref *)b)->pfn;

	return x < y ? -1 : x > y;
}

json_object *kt_report_refs(struct bpf_object *obj, const char *what_taken,
			    const char *what_dropped, bool pfn)
{
	json_object *o = json_object_new_object();
	json_object *un = json_object_new_array(), *orph = json_object_new_array();
	int refs_fd = kt_map_fd(obj, "refs"), orph_fd = kt_map_fd(obj, "orphans");
	int cnt_fd = kt_map_fd(obj, "counters"), stacks_fd = kt_map_fd(obj, "stacks");
	struct kt_pfn_ref *unb;
	struct kt_ref *refs;
	uint64_t *keys;
	size_t n, i, nun = 0;

	kt_add_u64(o, "taken", kt_counter(cnt_fd, KT_C_TAKEN));
	kt_add_u64(o, "dropped", kt_counter(cnt_fd, KT_C_DROPPED));
	kt_add_u64(o, "orphan_drops", kt_counter(cnt_fd, KT_C_ORPHAN));
	kt_add_u64(o, "truncated_calls", kt_counter(cnt_fd, KT_C_TRUNC));
	kt_add_u64(o, "map_full", kt_counter(cnt_fd, KT_C_MAPFULL));
	if (pfn)
		kt_add_u64(o, "unreferenced_pfns", kt_counter(cnt_fd, KT_C_UNTRACKED));
	if (!env.json)
		printf("%s %" PRIu64 ", %s %" PRIu64 ", dropped without a take %" PRIu64
		       "%s\n", what_taken, kt_counter(cnt_fd, KT_C_TAKEN),
		       what_dropped, kt_counter(cnt_fd, KT_C_DROPPED),
		       kt_counter(cnt_fd, KT_C_ORPHAN),
		       kt_counter(cnt_fd, KT_C_MAPFULL) ? " (MAP FULL: counts incomplete)" : "");

	n = kt_map_dump(refs_fd, sizeof(*refs), &keys, (void **)&refs);
	unb = xmalloc(n * sizeof(*unb));
	for (i = 0; i < n; i++)
		if (refs[i].refs > 0)
			unb[nun++] = (struct kt_pfn_ref){ keys[i], refs[i] };
	free(keys);
	free(refs);
	qsort(unb, nun, sizeof(*unb), cmp_pfn_ref);
	for (i = 0; i < nun; i++) {
		struct kt_ref r = unb[i].r;
		json_object *e;

		e = json_object_new_object();
		kt_add_u64(e, "pfn", unb[i].pfn);
		json_object_object_add(e, "refs", json_object_new_int64(r.refs));
		kt_add_u64(e, "taken", r.taken);
		kt_add_u64(e, "dropped", r.dropped);
		add_who(e, r.pid, r.comm, stack_json(stacks_fd, r.stackid));
		if (!env.json) {
			printf("  unbalanced pfn 0x%" PRIx64 ": %lld outstanding (%"
			       PRIu64 " taken, %" PRIu64 " dropped), last by pid %u (%s):\n",
			       unb[i].pfn, (long long)r.refs, (uint64_t)r.taken, (uint64_t)r.dropped,
			       r.pid, r.comm);
			print_stack_text(json_object_object_get(e, "stack"));
		}
		json_object_array_add(un, e);
	}
	free(unb);
	keys = kt_map_keys(orph_fd, &n);
	for (i = 0; i < n; i++) {
		struct kt_orphan r;
		json_object *e;

		if (bpf_map_lookup_elem(orph_fd, &keys[i], &r))
			continue;
		e = json_object_new_object();
		kt_add_u64(e, "pfn", keys[i]);
		kt_add_u64(e, "count", r.count);
		add_who(e, r.pid, r.comm, stack_json(stacks_fd, r.stackid));
		if (!env.json) {
			printf("  pfn 0x%" PRIx64 " dropped %" PRIu64
			       " time(s) without a take, last by pid %u (%s):\n",
			       keys[i], (uint64_t)r.count, r.pid, r.comm);
			print_stack_text(json_object_object_get(e, "stack"));
		}
		json_object_array_add(orph, e);
	}
	free(keys);
	if (!env.json)
		printf("%zu pfn(s) unbalanced, %zu pfn(s) dropped without a take\n",
		       nun, n);
	kt_add_u64(o, "unbalanced_pfns", nun);
	json_object_object_add(o, "unbalanced", un);
	json_object_object_add(o, "orphans", orph);
	return o;
}

void kt_report_free(void)
{
	if (ksyms_loaded)
		ksyms_free(&ksyms);
	ksyms_loaded = false;
}

const char *kt_fentry(void)
{
	return "fentry";
}
