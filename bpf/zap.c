// SPDX-License-Identifier: GPL-2.0
/*
 * kvmi-trace zap: MMU-notifier zaps (kvm_unmap_gfn_range) per VM, and the
 * kvm:kvm_unmap_hva_range events. BPF side: zap.bpf.c.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <bpf/bpf.h>

#include "kvmi_trace.h"
#include "kt_mode.h"
#include "zap.skel.h"

KT_SIMPLE_SKELETON(zap)

static json_object *zap_report(struct bpf_object *obj)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	int fd = kt_map_fd(obj, "zaps"), ev_fd = kt_map_fd(obj, "hva_events");
	uint32_t zero = 0;
	uint64_t ev = 0, *keys;
	size_t n, i;

	bpf_map_lookup_elem(ev_fd, &zero, &ev);
	kt_add_u64(o, "unmap_hva_range_events", ev);
	if (!env.json)
		printf("kvm:kvm_unmap_hva_range events: %" PRIu64 "\n", ev);
	keys = kt_map_keys(fd, &n);
	for (i = 0; i < n; i++) {
		struct kt_zap z;
		json_object *e;
		char buf[32];

		if (bpf_map_lookup_elem(fd, &keys[i], &z))
			continue;
		e = json_object_new_object();
		snprintf(buf, sizeof(buf), "0x%" PRIx64, keys[i]);
		json_object_object_add(e, "kvm", json_object_new_string(buf));
		json_object_object_add(e, "pid", json_object_new_int(z.pid));
		kt_add_u64(e, "ranges", z.hva_ranges);
		kt_add_u64(e, "gfns", z.gfns);
		kt_add_u64(e, "flushes", z.flushes);
		json_object_array_add(a, e);
		if (!env.json)
			printf("  VM %s (pid %u): %" PRIu64 " gfn ranges, %" PRIu64
			       " gfns, %" PRIu64 " with SPTEs zapped\n", buf, z.pid,
			       (uint64_t)z.hva_ranges, (uint64_t)z.gfns,
			       (uint64_t)z.flushes);
	}
	free(keys);
	json_object_object_add(o, "vms", a);
	return o;
}

/* The next interval starts from zero. */
static void zap_clear(struct bpf_object *obj)
{
	int fd = kt_map_fd(obj, "zaps"), ev_fd = kt_map_fd(obj, "hva_events");
	uint64_t *keys, ev = 0;
	uint32_t zero = 0;
	size_t n, i;

	keys = kt_map_keys(fd, &n);
	for (i = 0; i < n; i++)
		bpf_map_delete_elem(fd, &keys[i]);
	free(keys);
	bpf_map_update_elem(ev_fd, &zero, &ev, BPF_ANY);
}

const struct kt_mode kt_mode_zap = {
	.name = "zap",
	.open_load = zap_open_load,
	.report = zap_report,
	.destroy = zap_destroy,
	.clear = zap_clear,
	.attach_kind = kt_fentry,
};
