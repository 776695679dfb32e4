// SPDX-License-Identifier: GPL-2.0
/*
 * kvmi-trace pfn: KVM pfn references (hva_to_pfn) vs releases (kvm_release_*):
 * obtained-never-released and released-never-obtained pfns.
 * BPF side: pfn.bpf.c; the report is report.c's.
 */
#define _GNU_SOURCE
#include <stdlib.h>

#include "kt_mode.h"
#include "pfn.skel.h"

KT_SIMPLE_SKELETON(pfn)

static json_object *pfn_report(struct bpf_object *obj)
{
	return kt_report_refs(obj, "obtained", "released", true);
}

const struct kt_mode kt_mode_pfn = {
	.name = "pfn",
	.open_load = pfn_open_load,
	.report = pfn_report,
	.destroy = pfn_destroy,
	.attach_kind = kt_fentry,
};
