/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-pfn reference balance shared by the pin and pfn tracers: every take
 * and drop, the stack of the last take, and drops of references never taken.
 */
#ifndef KT_REFS_BPF_H
#define KT_REFS_BPF_H

#include "kt_bits.bpf.h"

const volatile __u32 targ_tgid;

/* struct page * -> pfn, as page_to_pfn() with SPARSEMEM_VMEMMAP (x86-64). */
extern const void vmemmap_base __ksym;

static __always_inline __u64 kt_page_to_pfn(__u64 page)
{
	unsigned long base = 0;

	bpf_probe_read_kernel(&base, sizeof(base), &vmemmap_base);
	return (page - base) / bpf_core_type_size(struct page);
}

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 8192);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, KT_STACK_DEPTH * sizeof(__u64));
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, KT_C_NR);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

static __always_inline void kt_count(__u32 idx, __u64 n)
{
	__u64 *c = bpf_map_lookup_elem(&counters, &idx);

	if (c)
		__sync_fetch_and_add(c, n);
}

/* Per-pfn balance: refs (taken) and orphans (dropped, never taken). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 262144);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);		/* pfn */
	__type(value, struct kt_ref);
} refs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);		/* pfn */
	__type(value, struct kt_orphan);
} orphans SEC(".maps");

static const struct kt_ref ref_init;
static const struct kt_orphan orphan_init;

static __always_inline bool kt_pid_ok(void)
{
	return !targ_tgid || (bpf_get_current_pid_tgid() >> 32) == targ_tgid;
}

static __always_inline void kt_take(void *ctx, __u64 pfn, __s32 stackid)
{
	struct kt_ref *r = kt_lookup_init(&refs, &pfn, &ref_init);

	if (!r) {
		kt_count(KT_C_MAPFULL, 1);
		return;
	}
	__sync_fetch_and_add(&r->refs, 1);
	__sync_fetch_and_add(&r->taken, 1);
	r->pid = bpf_get_current_pid_tgid() >> 32;
	r->stackid = stackid;
	bpf_get_current_comm(r->comm, sizeof(r->comm));
	kt_count(KT_C_TAKEN, 1);
}

/*
 * Entries are never deleted (a delete racing with a take on another CPU
 * would lose the take); refs goes back to 0 when balanced.
 */
static __always_inline void kt_drop(void *ctx, __u64 pfn)
{
	struct kt_ref *r = bpf_map_lookup_elem(&refs, &pfn);
	struct kt_orphan *o;

	kt_count(KT_C_DROPPED, 1);
	if (r) {
		if (__sync_fetch_and_add(&r->refs, -1) > 0) {
			__sync_fetch_and_add(&r->dropped, 1);
			return;
		}
		__sync_fetch_and_add(&r->refs, 1);	/* undo: not ours */
	}
	if (targ_tgid)
		return;		/* -p: only the traced process's references */
	kt_count(KT_C_ORPHAN, 1);
	o = kt_lookup_init(&orphans, &pfn, &orphan_init);
	if (!o) {
		kt_count(KT_C_MAPFULL, 1);
		return;
	}
	__sync_fetch_and_add(&o->count, 1);
	o->pid = bpf_get_current_pid_tgid() >> 32;
	o->stackid = bpf_get_stackid(ctx, &stacks, 0);
	bpf_get_current_comm(o->comm, sizeof(o->comm));
}

#endif
