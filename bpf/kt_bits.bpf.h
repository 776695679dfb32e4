/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the BPF programs. */
#ifndef KT_BITS_BPF_H
#define KT_BITS_BPF_H

#include "kvmi_trace.h"

/* floor(log2(v)), 0 for v == 0: the slot layout of bcc's log2l(). */
static __always_inline __u32 kt_log2(__u64 v)
{
	__u32 r = 0;

	if (v >> 32) { v >>= 32; r += 32; }
	if (v >> 16) { v >>= 16; r += 16; }
	if (v >> 8) { v >>= 8; r += 8; }
	if (v >> 4) { v >>= 4; r += 4; }
	if (v >> 2) { v >>= 2; r += 2; }
	if (v >> 1) r += 1;
	return r;
}

static __always_inline void kt_hist_add(struct kt_hist *h, __u64 v)
{
	__u32 slot = kt_log2(v);
	__u64 n;

	if (slot >= KT_SLOTS)
		slot = KT_SLOTS - 1;
	__sync_fetch_and_add(&h->slots[slot], 1);
	n = __sync_fetch_and_add(&h->count, 1);
	__sync_fetch_and_add(&h->sum, v);
	/*
	 * min/max: a lost race only loses an extreme, counts stay exact. The
	 * first value sets min whatever it held: a histogram another loader
	 * made (bpftool prog loadall) starts at 0, not ~0.
	 */
	if (!n || v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

/* Lookup, or insert init then lookup: returns NULL only if the map is full. */
static __always_inline void *kt_lookup_init(void *map, const void *key,
					    const void *init)
{
	void *v = bpf_map_lookup_elem(map, key);

	if (v)
		return v;
	bpf_map_update_elem(map, key, init, BPF_NOEXIST);
	return bpf_map_lookup_elem(map, key);
}

/*
 * Argument n / return value of an fentry/fexit program as a plain scalar:
 * the verifier types BTF pointer arguments (no arithmetic on them, no
 * pointer-to-pointer reads), and we only need their values.
 */
static __always_inline __u64 kt_arg(void *ctx, __u32 n)
{
	__u64 v = 0;

	bpf_get_func_arg(ctx, n, &v);
	return v;
}

static __always_inline __u64 kt_ret(void *ctx)
{
	__u64 v = 0;

	bpf_get_func_ret(ctx, &v);
	return v;
}

#endif

