// SPDX-License-Identifier: GPL-2.0
/*
 * kvmi-trace pfn: KVM pfn references (hva_to_pfn) vs releases (kvm_release_*):
 * obtained-never-released and released-never-obtained pfns.
 * BPF side: pfn.bpf.c; the report is report.c's.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <bpf/bpf.h>

#include "kvmi_trace.h"
#include "kt_mode.h"
#include "pfn.skel.h"

KT_SIMPLE_SKELETON(pfn)

/* Results per kind of memory behind the hva, with and without a reference. */
static void pfn_kinds(struct bpf_object *obj, json_object *o)
{
	static const char *const names[KT_K_NR] = KT_KIND_NAMES;
	json_object *k = json_object_new_object();
	int fd = kt_map_fd(obj, "kinds");

	for (uint32_t i = 0; i < KT_K_NR; i++) {
		uint64_t unref = kt_counter(fd, 2 * i), ref = kt_counter(fd, 2 * i + 1);
		json_object *e;

		if (!unref && !ref)
			continue;
		e = json_object_new_object();
		kt_add_u64(e, "referenced", ref);
		kt_add_u64(e, "unreferenced", unref);
		json_object_object_add(k, names[i], e);
		if (!env.json)
			printf("  %-8s %" PRIu64 " with a reference, %" PRIu64
			       " without (not refcounted: never paired)\n",
			       names[i], ref, unref);
	}
	json_object_object_add(o, "by_kind", k);
}

static json_object *pfn_report(struct bpf_object *obj)
{
	json_object *o = kt_report_refs(obj, "obtained", "released", true);

	pfn_kinds(obj, o);
	return o;
}

const struct kt_mode kt_mode_pfn = {
	.name = "pfn",
	.open_load = pfn_open_load,
	.report = pfn_report,
	.destroy = pfn_destroy,
	.attach_kind = kt_fentry,
};
