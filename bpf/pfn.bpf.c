// SPDX-License-Identifier: GPL-2.0
/*
 * KVM pfn reference discipline. In 6.1 every pfn KVM obtains from a host
 * virtual address goes through hva_to_pfn() (__gfn_to_pfn_memslot() and the
 * gfn_to_pfn*() family tail-call it, the pfn caches call it directly), and
 * every release ends in kvm_release_page_clean() (kvm_release_pfn_clean(),
 * kvm_release_pfn_dirty() and kvm_release_page_dirty() tail-call it; checked
 * on our kvm.ko with objdump). hva_to_pfn() returns a reference only for a
 * refcounted page: the same test as kvm_pfn_to_refcounted_page() (valid pfn,
 * not PG_reserved unless it is the zero page) decides whether it counts.
 * Each result is also counted by what backs its hva (bpf_find_vma()): a
 * driver's VM_PFNMAP memory shows there as taken without a reference.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "kt_refs.bpf.h"

extern const void max_pfn __ksym;
extern const void zero_pfn __ksym;

#define KVM_PFN_ERR_NOSLOT_MASK	(0xfffULL << 52)	/* error or noslot */
#define VM_IO		0x00004000UL	/* include/linux/mm.h, 6.1 */
#define VM_PFNMAP	0x00000400UL

/* Per kind of memory, results without and with a reference (enum kt_kind). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * KT_K_NR);
	__type(key, __u32);
	__type(value, __u64);
} kinds SEC(".maps");

static long vma_kind(struct task_struct *task, struct vm_area_struct *vma,
		     void *data)
{
	unsigned long flags = BPF_CORE_READ(vma, vm_flags);
	__u32 *kind = data;

	if (flags & (VM_PFNMAP | VM_IO))
		*kind = KT_K_PFNMAP;
	else if (BPF_CORE_READ(vma, vm_file))
		*kind = KT_K_FILE;
	else
		*kind = KT_K_ANON;
	return 0;
}

static __always_inline void count_kind(__u64 hva, bool ref)
{
	__u32 kind = KT_K_UNKNOWN, idx;
	__u64 *c;

	/* vma_kind() sets kind only when it finds the VMA */
	bpf_find_vma(bpf_get_current_task_btf(), hva, vma_kind, &kind, 0);
	idx = 2 * kind + ref;
	c = bpf_map_lookup_elem(&kinds, &idx);
	if (c)
		__sync_fetch_and_add(c, 1);
}

static __always_inline bool refcounted(__u64 pfn)
{
	unsigned long maxp = 0, zero = 0, base = 0, flags;
	struct page *page;

	bpf_probe_read_kernel(&maxp, sizeof(maxp), &max_pfn);
	if (pfn >= maxp)
		return false;
	bpf_probe_read_kernel(&base, sizeof(base), &vmemmap_base);
	page = (struct page *)(base + pfn * bpf_core_type_size(struct page));
	flags = BPF_CORE_READ(page, flags);
	if (!(flags & (1UL << PG_reserved)))
		return true;
	bpf_probe_read_kernel(&zero, sizeof(zero), &zero_pfn);
	return pfn == zero;
}

/* kvm_pfn_t hva_to_pfn(addr, atomic, async, write_fault, writable) */
SEC("fexit/hva_to_pfn")
int pfn_obtain(void *ctx)
{
	__u64 pfn = kt_ret(ctx);
	bool ref;

	if (pfn & KVM_PFN_ERR_NOSLOT_MASK || !kt_pid_ok())
		return 0;
	ref = refcounted(pfn);
	count_kind(kt_arg(ctx, 0), ref);
	if (!ref) {
		kt_count(KT_C_UNTRACKED, 1);
		return 0;
	}
	kt_take(ctx, pfn, bpf_get_stackid(ctx, &stacks, 0));
	return 0;
}

/* kvm_release_page_clean(page) */
SEC("fentry/kvm_release_page_clean")
int pfn_release(void *ctx)
{
	kt_drop(ctx, kt_page_to_pfn(kt_arg(ctx, 0)));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
