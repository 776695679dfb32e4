// SPDX-License-Identifier: GPL-2.0
/*
 * GUP pins: every page pinned through the pin_user_pages*() API against
 * unpin_user_page*(), per pfn, with the kernel stack of the last pin.
 * Pins are read at fexit from the caller's pages[] array (ret pages).
 * pin_user_pages_remote() has 7 arguments, beyond what the x86-64 trampoline
 * takes in 6.1, so it is traced with a kprobe/kretprobe pair.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "kt_refs.bpf.h"

static __always_inline int record_pins(void *ctx, struct page **pages, long ret)
{
	__s32 stackid;
	int i;

	if (ret <= 0 || !pages || !kt_pid_ok())
		return 0;
	if (ret > KT_MAX_PAGES)
		kt_count(KT_C_TRUNC, 1);
	stackid = bpf_get_stackid(ctx, &stacks, 0);
	for (i = 0; i < KT_MAX_PAGES; i++) {
		struct page *p = NULL;

		if (i >= ret)
			break;
		bpf_probe_read_kernel(&p, sizeof(p), &pages[i]);
		if (p)
			kt_take(ctx, kt_page_to_pfn(p), stackid);
	}
	return 0;
}

static __always_inline int record_unpins(void *ctx, struct page **pages,
					 unsigned long npages)
{
	int i;

	if (npages > KT_MAX_PAGES)
		kt_count(KT_C_TRUNC, 1);
	for (i = 0; i < KT_MAX_PAGES; i++) {
		struct page *p = NULL;

		if (i >= npages)
			break;
		bpf_probe_read_kernel(&p, sizeof(p), &pages[i]);
		if (p)
			kt_drop(ctx, kt_page_to_pfn(p));
	}
	return 0;
}

SEC("fexit/pin_user_pages_fast")
int BPF_PROG(pin_fast, unsigned long start, int nr_pages, unsigned int flags,
	     struct page **pages, int ret)
{
	return record_pins(ctx, pages, ret);
}

SEC("fexit/pin_user_pages_fast_only")
int BPF_PROG(pin_fast_only, unsigned long start, int nr_pages,
	     unsigned int flags, struct page **pages, int ret)
{
	return record_pins(ctx, pages, ret);
}

SEC("fexit/pin_user_pages")
int BPF_PROG(pin_pages, unsigned long start, unsigned long nr_pages,
	     unsigned int flags, struct page **pages,
	     struct vm_area_struct **vmas, long ret)
{
	return record_pins(ctx, pages, ret);
}

SEC("fexit/pin_user_pages_unlocked")
int BPF_PROG(pin_unlocked, unsigned long start, unsigned long nr_pages,
	     struct page **pages, unsigned int flags, long ret)
{
	return record_pins(ctx, pages, ret);
}

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);		/* tid */
	__type(value, struct page **);
} remote_pages SEC(".maps");

SEC("kprobe/pin_user_pages_remote")
int BPF_KPROBE(pin_remote_entry, struct mm_struct *mm, unsigned long start,
	       unsigned long nr_pages, unsigned int flags, struct page **pages)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	bpf_map_update_elem(&remote_pages, &tid, &pages, BPF_ANY);
	return 0;
}

SEC("kretprobe/pin_user_pages_remote")
int BPF_KRETPROBE(pin_remote_exit, long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct page ***pp = bpf_map_lookup_elem(&remote_pages, &tid);
	struct page **pages;

	if (!pp)
		return 0;
	pages = *pp;
	bpf_map_delete_elem(&remote_pages, &tid);
	return record_pins(ctx, pages, ret);
}

SEC("fentry/unpin_user_page")
int BPF_PROG(unpin_page, struct page *page)
{
	kt_drop(ctx, kt_page_to_pfn(page));
	return 0;
}

SEC("fentry/unpin_user_pages")
int BPF_PROG(unpin_pages, struct page **pages, unsigned long npages)
{
	return record_unpins(ctx, pages, npages);
}

/* Without make_dirty it calls unpin_user_pages(), traced above. */
SEC("fentry/unpin_user_pages_dirty_lock")
int BPF_PROG(unpin_dirty, struct page **pages, unsigned long npages,
	     bool make_dirty)
{
	if (!make_dirty)
		return 0;
	return record_unpins(ctx, pages, npages);
}

SEC("fentry/unpin_user_page_range_dirty_lock")
int BPF_PROG(unpin_range, struct page *page, unsigned long npages,
	     bool make_dirty)
{
	__u64 pfn = kt_page_to_pfn(page);
	int i;

	if (npages > KT_MAX_PAGES)
		kt_count(KT_C_TRUNC, 1);
	for (i = 0; i < KT_MAX_PAGES; i++) {
		if (i >= npages)
			break;
		kt_drop(ctx, pfn + i);
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
