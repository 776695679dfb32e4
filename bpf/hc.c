// SPDX-License-Identifier: GPL-2.0
/*
 * kvmi-trace hc: hypercall count and latency per hypercall nr in
 * kvm_emulate_hypercall (fentry/fexit, or kprobes with -k), and the host
 * handler's phases: map, map.token, map.mm, unmap, unmap.mm, with map and
 * unmap calls per return value. BPF side: hc.bpf.c.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>

#include "hist.h"
#include "kt_mode.h"
#include "hc.skel.h"

static struct hc_bpf *hc_skel;

/* Host handler phases: where each is timed (enum kt_phase order). */
static const struct {
	const char *name, *fn, *module;
} phases[KT_PH_NR] = {
	[KT_PH_MAP] = { "map", "kvmi_hc_mem_map", "kvm" },
	[KT_PH_MAP_TOKEN] = { "map.token", "kvmi_token_use", "kvm" },
	[KT_PH_MAP_MM] = { "map.mm", "vm_mmap", NULL },
	[KT_PH_UNMAP] = { "unmap", "kvmi_hc_mem_unmap", "kvm" },
	[KT_PH_UNMAP_MM] = { "unmap.mm", "vm_mmap", NULL },
};
static bool phase_on[KT_PH_NR];

/* Does fn have BTF in vmlinux (module NULL) or in module? */
static bool have_func(const char *module, const char *fn)
{
	static struct btf *vml, *mod;
	struct btf *b;

	if (!vml)
		vml = btf__load_vmlinux_btf();
	if (!vml)
		return false;
	if (module && !mod)
		mod = btf__load_module_btf(module, vml);
	b = module ? mod : vml;
	return b && btf__find_by_name_kind(b, fn, BTF_KIND_FUNC) > 0;
}

static void hc_autoload(struct hc_bpf *s)
{
	bool fe = !env.kprobe, kp = env.kprobe;
	bool map = have_func("kvm", phases[KT_PH_MAP].fn);
	bool unmap = have_func("kvm", phases[KT_PH_UNMAP].fn);
	bool token = map && have_func("kvm", phases[KT_PH_MAP_TOKEN].fn);
	bool mm = (map || unmap) && have_func(NULL, "vm_mmap");

	bpf_program__set_autoload(s->progs.hc_fentry, fe);
	bpf_program__set_autoload(s->progs.hc_fexit, fe);
	bpf_program__set_autoload(s->progs.hc_kprobe, kp);
	bpf_program__set_autoload(s->progs.hc_kretprobe, kp);
	bpf_program__set_autoload(s->progs.map_fentry, fe && map);
	bpf_program__set_autoload(s->progs.map_fexit, fe && map);
	bpf_program__set_autoload(s->progs.map_kprobe, kp && map);
	bpf_program__set_autoload(s->progs.map_kretprobe, kp && map);
	bpf_program__set_autoload(s->progs.unmap_fentry, fe && unmap);
	bpf_program__set_autoload(s->progs.unmap_fexit, fe && unmap);
	bpf_program__set_autoload(s->progs.unmap_kprobe, kp && unmap);
	bpf_program__set_autoload(s->progs.unmap_kretprobe, kp && unmap);
	bpf_program__set_autoload(s->progs.token_fentry, fe && token);
	bpf_program__set_autoload(s->progs.token_fexit, fe && token);
	bpf_program__set_autoload(s->progs.token_kprobe, kp && token);
	bpf_program__set_autoload(s->progs.token_kretprobe, kp && token);
	bpf_program__set_autoload(s->progs.mm_fentry, fe && mm);
	bpf_program__set_autoload(s->progs.mm_fexit, fe && mm);
	bpf_program__set_autoload(s->progs.mm_kprobe, kp && mm);
	bpf_program__set_autoload(s->progs.mm_kretprobe, kp && mm);
	phase_on[KT_PH_MAP] = map;
	phase_on[KT_PH_MAP_TOKEN] = token;
	phase_on[KT_PH_MAP_MM] = map && mm;
	phase_on[KT_PH_UNMAP] = unmap;
	phase_on[KT_PH_UNMAP_MM] = unmap && mm;
}

/* Empty histograms start with min = ~0, as kt_hist_add() expects. */
static int hc_init_phases(struct hc_bpf *s)
{
	int fd = bpf_map__fd(s->maps.phase_hist);
	struct kt_hist h;
	uint32_t i;

	kt_hist_init(&h);
	for (i = 0; i < KT_PH_NR; i++)
		if (bpf_map_update_elem(fd, &i, &h, BPF_ANY))
			return -1;
	return 0;
}

static struct bpf_object_skeleton *hc_open_load(void)
{
	struct hc_bpf *s = hc_bpf__open();

	if (!s)
		return NULL;
	hc_skel = s;
	s->rodata->targ_tgid = env.pid;
	s->rodata->targ_unit_div = env.unit_div;
	hc_autoload(s);
	if (hc_bpf__load(s) || hc_init_phases(s))
		return NULL;
	return s->skeleton;
}

/* The next interval starts from zero: histograms and return values. */
static void hc_clear(struct bpf_object *obj)
{
	int fd = kt_map_fd(obj, "hc_hist"), rfd = kt_map_fd(obj, "phase_ret");
	struct kt_phase_ret key, next;
	size_t n, i;
	uint64_t *keys = kt_map_keys(fd, &n);

	for (i = 0; i < n; i++)
		bpf_map_delete_elem(fd, &keys[i]);
	free(keys);
	while (!bpf_map_get_next_key(rfd, NULL, &next)) {
		key = next;
		if (bpf_map_delete_elem(rfd, &key))
			break;
	}
	hc_init_phases(hc_skel);
}

static void hc_destroy(void)
{
	hc_bpf__destroy(hc_skel);
	hc_skel = NULL;
}

static const char *hc_attach_kind(void)
{
	return env.kprobe ? "kprobe" : "fentry";
}

/*
 * "phases": [{phase, fn, count, ..., hist_total, buckets}] for the phases
 * whose functions exist; "results": [{phase, ret, count}] for map/unmap.
 */
static void report_phases(struct bpf_object *obj, json_object *o)
{
	json_object *a = json_object_new_array(), *r = json_object_new_array();
	int fd = kt_map_fd(obj, "phase_hist"), rfd = kt_map_fd(obj, "phase_ret");
	struct kt_phase_ret key, next, *prev = NULL;
	uint32_t i;

	for (i = 0; i < KT_PH_NR; i++) {
		struct kt_hist h;
		json_object *e;

		if (!phase_on[i] || bpf_map_lookup_elem(fd, &i, &h))
			continue;
		e = kt_hist_json(&h);
		json_object_object_add(e, "phase",
				       json_object_new_string(phases[i].name));
		json_object_object_add(e, "fn", json_object_new_string(phases[i].fn));
		kt_add_u64(e, "hist_total", kt_hist_total(&h));
		json_object_array_add(a, e);
		if (!env.json && h.count) {
			printf("phase %s (%s):\n", phases[i].name, phases[i].fn);
			kt_hist_print(stdout, &h, env.unit);
		}
	}
	while (!bpf_map_get_next_key(rfd, prev, &next)) {
		uint64_t c;
		json_object *e;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(rfd, &key, &c) || key.phase >= KT_PH_NR)
			continue;
		e = json_object_new_object();
		json_object_object_add(e, "phase",
				       json_object_new_string(phases[key.phase].name));
		json_object_object_add(e, "ret", json_object_new_int(key.ret));
		kt_add_u64(e, "count", c);
		json_object_array_add(r, e);
		if (!env.json)
			printf("%s returned %d: %" PRIu64 " time(s)\n",
			       phases[key.phase].name, key.ret, c);
	}
	json_object_object_add(o, "phases", a);
	json_object_object_add(o, "results", r);
}

static json_object *hc_report(struct bpf_object *obj)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	int fd = kt_map_fd(obj, "hc_hist");
	size_t n, i;
	uint64_t *keys = kt_map_keys(fd, &n);

	json_object_object_add(o, "attach",
		json_object_new_string(env.kprobe ? "kprobe" : "fentry"));
	for (i = 0; i < n; i++) {
		struct kt_hist h;
		json_object *e;

		if (bpf_map_lookup_elem(fd, &keys[i], &h))
			continue;
		e = kt_hist_json(&h);
		kt_add_u64(e, "nr", keys[i]);
		kt_add_u64(e, "hist_total", kt_hist_total(&h));
		json_object_array_add(a, e);
		if (!env.json) {
			printf("hypercall nr %" PRIu64 ":\n", keys[i]);
			kt_hist_print(stdout, &h, env.unit);
		}
	}
	if (!env.json && !n)
		printf("no hypercalls\n");
	free(keys);
	json_object_object_add(o, "hypercalls", a);
	report_phases(obj, o);
	return o;
}

const struct kt_mode kt_mode_hc = {
	.name = "hc",
	.open_load = hc_open_load,
	.report = hc_report,
	.destroy = hc_destroy,
	.clear = hc_clear,
	.attach_kind = hc_attach_kind,
};
