// SPDX-License-Identifier: GPL-2.0
/*
 * kvmi-trace pin: GUP pins (pin_user_pages*) vs unpins (unpin_user_page*) per pfn; every pfn
 * left pinned, with the stack that pinned it.
 * BPF side: pin.bpf.c; the report is report.c's.
 */
#define _GNU_SOURCE
#include <stdlib.h>

#include "kt_mode.h"
#include "pin.skel.h"

KT_SIMPLE_SKELETON(pin)

static json_object *pin_report(struct bpf_object *obj)
{
	return kt_report_refs(obj, "pinned", "unpinned", false);
}

const struct kt_mode kt_mode_pin = {
	.name = "pin",
	.open_load = pin_open_load,
	.report = pin_report,
	.destroy = pin_destroy,
	.attach_kind = kt_fentry,
};
