// SPDX-License-Identifier: GPL-2.0
/*
 * Hypercall count and latency per hypercall number: the time spent in
 * kvm_emulate_hypercall() (kvm.ko), entry to exit, on the vCPU thread.
 * Plus the host handler's phases (enum kt_phase): kvmi_hc_mem_map() and
 * kvmi_hc_mem_unmap() whole, with their return values, and inside them the
 * token check (kvmi_token_use()) and the mm work (vm_mmap()).
 *
 * fentry/fexit through the module BTF, or kprobe/kretprobe; the loader
 * enables one family, and only the phase programs whose functions exist.
 *
 * Start times live in task local storage: one slot per vCPU thread, created
 * once, then a plain load/store per call (no hash update + delete).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "kt_bits.bpf.h"

const volatile __u32 targ_tgid;
/* -u/-m: latencies in usecs or msecs, divided before the log2, as bcc does */
const volatile __u64 targ_unit_div = 1;

struct hc_task {
	__u64 hc_ts;		/* kvm_emulate_hypercall() entry; 0: not in it */
	__u64 nr;
	__u64 ph_ts[KT_PH_NR];	/* phase entry; 0: not in it */
	__u32 handler;		/* KT_PH_MAP/UNMAP + 1 while in a handler, else 0 */
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct hc_task);
} hc_task SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);		/* hypercall number */
	__type(value, struct kt_hist);
} hc_hist SEC(".maps");

/* kvmi-trace sets every min to ~0 before attaching; kt_hist_add() does not need it. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, KT_PH_NR);
	__type(key, __u32);		/* enum kt_phase */
	__type(value, struct kt_hist);
} phase_hist SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct kt_phase_ret);
	__type(value, __u64);
} phase_ret SEC(".maps");

static const struct kt_hist hist_init = { .min = ~0ULL };
static const __u64 zero;

/* The tgid filter comes first: other processes pay only this. */
static __always_inline bool skip(void)
{
	return targ_tgid && (bpf_get_current_pid_tgid() >> 32) != targ_tgid;
}

static __always_inline struct hc_task *slot(__u64 flags)
{
	return bpf_task_storage_get(&hc_task, bpf_get_current_task_btf(), NULL,
				    flags);
}

static __always_inline int hc_enter(__u64 nr)
{
	struct hc_task *t = slot(BPF_LOCAL_STORAGE_GET_F_CREATE);

	if (!t)
		return 0;
	t->nr = nr;
	t->hc_ts = bpf_ktime_get_ns();
	return 0;
}

static __always_inline int hc_exit(void)
{
	struct hc_task *t;
	struct kt_hist *h;
	__u64 delta;

	if (skip())
		return 0;
	t = slot(0);
	if (!t || !t->hc_ts)
		return 0;
	delta = bpf_ktime_get_ns() - t->hc_ts;
	t->hc_ts = 0;
	h = kt_lookup_init(&hc_hist, &t->nr, &hist_init);
	if (h)
		kt_hist_add(h, delta / targ_unit_div);
	return 0;
}

/* Entry of a handler (KT_PH_MAP/UNMAP) or of a phase inside one. */
static __always_inline int ph_enter(__u32 ph)
{
	bool handler = ph == KT_PH_MAP || ph == KT_PH_UNMAP;
	struct hc_task *t;

	if (skip())
		return 0;
	t = slot(handler ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
	if (!t)
		return 0;
	if (handler)
		t->handler = ph + 1;
	else if (!t->handler)
		return 0;
	t->ph_ts[ph] = bpf_ktime_get_ns();
	return 0;
}

static __always_inline int ph_exit(__u32 ph, long ret)
{
	bool handler = ph == KT_PH_MAP || ph == KT_PH_UNMAP;
	struct kt_phase_ret key = { .phase = ph, .ret = (__s32)ret };
	struct hc_task *t;
	struct kt_hist *h;
	__u64 delta, *c;

	if (skip())
		return 0;
	t = slot(0);
	if (!t || !t->ph_ts[ph])
		return 0;
	delta = bpf_ktime_get_ns() - t->ph_ts[ph];
	t->ph_ts[ph] = 0;
	if (handler)
		t->handler = 0;
	h = bpf_map_lookup_elem(&phase_hist, &ph);
	if (h)
		kt_hist_add(h, delta / targ_unit_div);
	if (handler) {
		c = kt_lookup_init(&phase_ret, &key, &zero);
		if (c)
			__sync_fetch_and_add(c, 1);
	}
	return 0;
}

/* vm_mmap() is the mm work of whichever handler this task is in. */
static __always_inline int mm_enter(void)
{
	struct hc_task *t;

	if (skip())
		return 0;
	t = slot(0);
	if (!t)
		return 0;
	if (t->handler == KT_PH_MAP + 1)
		t->ph_ts[KT_PH_MAP_MM] = bpf_ktime_get_ns();
	else if (t->handler == KT_PH_UNMAP + 1)
		t->ph_ts[KT_PH_UNMAP_MM] = bpf_ktime_get_ns();
	return 0;
}

static __always_inline int mm_exit(void)
{
	struct hc_task *t;

	if (skip())
		return 0;
	t = slot(0);
	if (!t)
		return 0;
	if (t->handler == KT_PH_MAP + 1)
		return ph_exit(KT_PH_MAP_MM, 0);
	if (t->handler == KT_PH_UNMAP + 1)
		return ph_exit(KT_PH_UNMAP_MM, 0);
	return 0;
}

/* fentry/fexit */

SEC("fentry/kvm_emulate_hypercall")
int BPF_PROG(hc_fentry, struct kvm_vcpu *vcpu)
{
	if (skip())
		return 0;
	/* nr = kvm_rax_read(vcpu); RAX is always available on SVM exits */
	return hc_enter(vcpu->arch.regs[0]);
}

SEC("fexit/kvm_emulate_hypercall")
int BPF_PROG(hc_fexit)
{
	return hc_exit();
}

SEC("fentry/kvmi_hc_mem_map")
int BPF_PROG(map_fentry)
{
	return ph_enter(KT_PH_MAP);
}

SEC("fexit/kvmi_hc_mem_map")
int BPF_PROG(map_fexit, struct kvm_vcpu *vcpu, gva_t token_gva,
	     gpa_t target_gpa, gpa_t local_gpa, long ret)
{
	return ph_exit(KT_PH_MAP, ret);
}

SEC("fentry/kvmi_hc_mem_unmap")
int BPF_PROG(unmap_fentry)
{
	return ph_enter(KT_PH_UNMAP);
}

SEC("fexit/kvmi_hc_mem_unmap")
int BPF_PROG(unmap_fexit, struct kvm_vcpu *vcpu, gpa_t local_gpa, long ret)
{
	return ph_exit(KT_PH_UNMAP, ret);
}

SEC("fentry/kvmi_token_use")
int BPF_PROG(token_fentry)
{
	return ph_enter(KT_PH_MAP_TOKEN);
}

SEC("fexit/kvmi_token_use")
int BPF_PROG(token_fexit, void *value, void *target, void *window, void *why,
	     long ret)
{
	return ph_exit(KT_PH_MAP_TOKEN, ret);
}

SEC("fentry/vm_mmap")
int BPF_PROG(mm_fentry)
{
	return mm_enter();
}

SEC("fexit/vm_mmap")
int BPF_PROG(mm_fexit)
{
	return mm_exit();
}

/*
 * kprobe/kretprobe: the same probes for kvmi-trace -k. The objects for
 * bpftool prog loadall ... autoattach (build/bpf/autoattach/) are built
 * without them: autoattach attaches every program of the object.
 */
#ifndef KT_FENTRY_ONLY

SEC("kprobe/kvm_emulate_hypercall")
int BPF_KPROBE(hc_kprobe, struct kvm_vcpu *vcpu)
{
	if (skip())
		return 0;
	return hc_enter(BPF_CORE_READ(vcpu, arch.regs[0]));
}

SEC("kretprobe/kvm_emulate_hypercall")
int BPF_KRETPROBE(hc_kretprobe)
{
	return hc_exit();
}

SEC("kprobe/kvmi_hc_mem_map")
int BPF_KPROBE(map_kprobe)
{
	return ph_enter(KT_PH_MAP);
}

SEC("kretprobe/kvmi_hc_mem_map")
int BPF_KRETPROBE(map_kretprobe, long ret)
{
	return ph_exit(KT_PH_MAP, ret);
}

SEC("kprobe/kvmi_hc_mem_unmap")
int BPF_KPROBE(unmap_kprobe)
{
	return ph_enter(KT_PH_UNMAP);
}

SEC("kretprobe/kvmi_hc_mem_unmap")
int BPF_KRETPROBE(unmap_kretprobe, long ret)
{
	return ph_exit(KT_PH_UNMAP, ret);
}

SEC("kprobe/kvmi_token_use")
int BPF_KPROBE(token_kprobe)
{
	return ph_enter(KT_PH_MAP_TOKEN);
}

SEC("kretprobe/kvmi_token_use")
int BPF_KRETPROBE(token_kretprobe, long ret)
{
	return ph_exit(KT_PH_MAP_TOKEN, ret);
}

SEC("kprobe/vm_mmap")
int BPF_KPROBE(mm_kprobe)
{
	return mm_enter();
}

SEC("kretprobe/vm_mmap")
int BPF_KRETPROBE(mm_kretprobe)
{
	return mm_exit();
}

#endif /* KT_FENTRY_ONLY */

char LICENSE[] SEC("license") = "GPL";
