/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Types shared by the BPF programs (bpf/X.bpf.c) and kvmi-trace. The map
 * values carry BTF, so `bpftool map dump pinned` prints them by field name.
 * The includer provides __u64 and friends (vmlinux.h or <linux/types.h>).
 */
#ifndef KVMI_TRACE_H
#define KVMI_TRACE_H

#define KT_SLOTS	40	/* log2 slots: slot 0 holds 0..1, slot i 2^i..2^(i+1)-1 */
#define KT_MAX_PAGES	64	/* pages inspected per pin/unpin call */
#define KT_STACK_DEPTH	32
#define KT_COMM_LEN	16

/* A log2 histogram with exact count/sum/min/max (nanoseconds). */
struct kt_hist {
	__u64 count;
	__u64 sum;
	__u64 min;		/* ~0 until the first sample */
	__u64 max;
	__u64 slots[KT_SLOTS];
};

/* Per-pfn reference balance: GUP pins (pin tracer), KVM pfn refs (pfn tracer). */
struct kt_ref {
	__s64 refs;		/* taken - dropped while traced */
	__u64 taken;
	__u64 dropped;
	__u32 pid;		/* tgid that took the last reference */
	__s32 stackid;		/* its kernel stack, <0: unavailable */
	char comm[KT_COMM_LEN];
};

/* Per-pfn drops of a reference that was never taken while traced. */
struct kt_orphan {
	__u64 count;
	__u32 pid;
	__s32 stackid;
	char comm[KT_COMM_LEN];
};

/* Per-VM MMU-notifier zaps (zap tracer), keyed by struct kvm address. */
struct kt_zap {
	__u64 hva_ranges;	/* kvm_unmap_gfn_range calls (one per memslot hit) */
	__u64 gfns;		/* gfns covered by those ranges */
	__u64 flushes;		/* calls that zapped present SPTEs (returned true) */
	__u32 pid;		/* kvm->userspace_pid */
	__u32 pad;
};

/* Indices of the per-tracer counters array ("counters" map). */
enum kt_counter {
	KT_C_TAKEN,		/* pins / refs taken */
	KT_C_DROPPED,		/* unpins / refs released */
	KT_C_ORPHAN,		/* drops of references not taken while traced */
	KT_C_TRUNC,		/* calls with more pages than KT_MAX_PAGES */
	KT_C_MAPFULL,		/* map updates that failed (map full) */
	KT_C_UNTRACKED,		/* hva_to_pfn results without a reference */
	KT_C_NR,
};

/*
 * What backs the host virtual address of each hva_to_pfn() result (pfn
 * tracer), i.e. the kind of memslot: the "kinds" array holds, per kind,
 * results with a reference (index 2 * kind + 1) and without (2 * kind).
 */
enum kt_kind {
	KT_K_ANON,		/* private or shared anonymous memory */
	KT_K_FILE,		/* a file: shmem, memfd, a RAM file */
	KT_K_PFNMAP,		/* VM_PFNMAP or VM_IO: a driver's remap_pfn_range() */
	KT_K_UNKNOWN,		/* no VMA found, or mmap_lock was contended */
	KT_K_NR,
};

#define KT_KIND_NAMES { "anon", "file", "pfnmap", "unknown" }

/*
 * Host handler phases (hc tracer), indices of the "phase_hist" array. A phase
 * counts only inside a hypercall handler on the same task: vm_mmap() from
 * anywhere else is not the handler's mm work.
 */
enum kt_phase {
	KT_PH_MAP,		/* kvmi_hc_mem_map(), whole */
	KT_PH_MAP_TOKEN,	/* kvmi_token_use() inside it: the token check */
	KT_PH_MAP_MM,		/* vm_mmap() inside it: the mm work */
	KT_PH_UNMAP,		/* kvmi_hc_mem_unmap(), whole */
	KT_PH_UNMAP_MM,		/* vm_mmap() inside it */
	KT_PH_NR,
};

/* Key of "phase_ret": calls of a handler (KT_PH_MAP/UNMAP) per return value. */
struct kt_phase_ret {
	__u32 phase;
	__s32 ret;
};

#endif
