// SPDX-License-Identifier: GPL-2.0
/*
 * Hypercall count and latency per hypercall number: the time spent in
 * kvm_emulate_hypercall() (kvm.ko), entry to exit, on the vCPU thread.
 * fentry/fexit through kvm.ko's module BTF, or kprobe/kretprobe; the loader
 * enables one pair.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "kt_bits.bpf.h"

const volatile __u32 targ_tgid;

struct hc_start {
	__u64 ts;
	__u64 nr;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);		/* tid */
	__type(value, struct hc_start);
} hc_start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);		/* hypercall number */
	__type(value, struct kt_hist);
} hc_hist SEC(".maps");

static const struct kt_hist hist_init = { .min = ~0ULL };

static __always_inline int hc_enter(struct kvm_vcpu *vcpu)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct hc_start s;

	if (targ_tgid && (id >> 32) != targ_tgid)
		return 0;
	/* nr = kvm_rax_read(vcpu); RAX is always available on SVM exits */
	s.nr = BPF_CORE_READ(vcpu, arch.regs[0]);
	s.ts = bpf_ktime_get_ns();
	bpf_map_update_elem(&hc_start, &tid, &s, BPF_ANY);
	return 0;
}

static __always_inline int hc_exit(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct hc_start *s = bpf_map_lookup_elem(&hc_start, &tid);
	struct kt_hist *h;
	__u64 delta, nr;

	if (!s)
		return 0;
	delta = bpf_ktime_get_ns() - s->ts;
	nr = s->nr;
	bpf_map_delete_elem(&hc_start, &tid);
	h = kt_lookup_init(&hc_hist, &nr, &hist_init);
	if (h)
		kt_hist_add(h, delta);
	return 0;
}

SEC("fentry/kvm_emulate_hypercall")
int BPF_PROG(hc_fentry, struct kvm_vcpu *vcpu)
{
	return hc_enter(vcpu);
}

SEC("fexit/kvm_emulate_hypercall")
int BPF_PROG(hc_fexit, struct kvm_vcpu *vcpu, int ret)
{
	return hc_exit();
}

SEC("kprobe/kvm_emulate_hypercall")
int BPF_KPROBE(hc_kprobe, struct kvm_vcpu *vcpu)
{
	return hc_enter(vcpu);
}

SEC("kretprobe/kvm_emulate_hypercall")
int BPF_KRETPROBE(hc_kretprobe)
{
	return hc_exit();
}

char LICENSE[] SEC("license") = "GPL";
