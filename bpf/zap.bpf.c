// SPDX-License-Identifier: GPL-2.0
/*
 * MMU-notifier zaps per VM: kvm_unmap_gfn_range() is what the invalidate
 * notifier (kvm:kvm_unmap_hva_range) calls for each memslot the range hits;
 * it returns true when present SPTEs were zapped and a TLB flush is due.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "kt_bits.bpf.h"

const volatile __u32 targ_tgid;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u64);		/* struct kvm address */
	__type(value, struct kt_zap);
} zaps SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} hva_events SEC(".maps");

static const struct kt_zap zap_init;

SEC("fexit/kvm_unmap_gfn_range")
int BPF_PROG(zap_range, struct kvm *kvm, struct kvm_gfn_range *range, bool flush)
{
	__u64 key = (__u64)kvm;
	__u32 pid = BPF_CORE_READ(kvm, userspace_pid);
	struct kt_zap *z;

	if (targ_tgid && pid != targ_tgid)
		return 0;
	z = kt_lookup_init(&zaps, &key, &zap_init);
	if (!z)
		return 0;
	z->pid = pid;
	__sync_fetch_and_add(&z->hva_ranges, 1);
	__sync_fetch_and_add(&z->gfns, BPF_CORE_READ(range, end) -
				       BPF_CORE_READ(range, start));
	if (flush)
		__sync_fetch_and_add(&z->flushes, 1);
	return 0;
}

SEC("tp_btf/kvm_unmap_hva_range")
int BPF_PROG(unmap_hva, unsigned long start, unsigned long end)
{
	__u32 k = 0;
	__u64 *c = bpf_map_lookup_elem(&hva_events, &k);

	if (c)
		__sync_fetch_and_add(c, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
