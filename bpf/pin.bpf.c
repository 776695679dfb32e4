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

static __always_inline int record_pins(void *ctx, __u64 pages, long ret)
{
	__s32 stackid;
	int i;

	if (ret <= 0 || !pages || !kt_pid_ok())
		return 0;
	if (ret > KT_MAX_PAGES)
		kt_count(KT_C_TRUNC, 1);
	stackid = bpf_get_stackid(ctx, &stacks, 0);
	for (i = 0; i < KT_MAX_PAGES; i++) {
		__u64 p = 0;

		if (i >= ret)
			break;
		bpf_probe_read_kernel(&p, sizeof(p), (void *)(pages + i * 8));
		if (p)
			kt_take(ctx, kt_page_to_pfn(p), stackid);
	}
	return 0;
}

static __always_inline int record_unpins(void *ctx, __u64 pages,
					 unsigned long npages)
{
	int i;

	if (npages > KT_MAX_PAGES)
		kt_count(KT_C_TRUNC, 1);
	for (i = 0; i < KT_MAX_PAGES; i++) {
		__u64 p = 0;

		if (i >= npages)
			break;
		bpf_probe_read_kernel(&p, sizeof(p), (void *)(pages + i * 8));
		if (p)
			kt_drop(ctx, kt_page_to_pfn(p));
	}
	return 0;
}

/* pin_user_pages_fast{,_only}(start, nr_pages, gup_flags, pages) */
SEC("fexit/pin_user_pages_fast")
int pin_fast(void *ctx)
{
	return record_pins(ctx, kt_arg(ctx, 3), (int)kt_ret(ctx));
}

SEC("fexit/pin_user_pages_fast_only")
int pin_fast_only(void *ctx)
{
	return record_pins(ctx, kt_arg(ctx, 3), (int)kt_ret(ctx));
}

/* pin_user_pages(start, nr_pages, gup_flags, pages, vmas) */
SEC("fexit/pin_user_pages")
int pin_pages(void *ctx)
{
	return record_pins(ctx, kt_arg(ctx, 3), (long)kt_ret(ctx));
}

/* pin_user_pages_unlocked(start, nr_pages, pages, gup_flags) */
SEC("fexit/pin_user_pages_unlocked")
int pin_unlocked(void *ctx)
{
	return record_pins(ctx, kt_arg(ctx, 2), (long)kt_ret(ctx));
}

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);		/* tid */
	__type(value, __u64);		/* pages */
} remote_pages SEC(".maps");

SEC("kprobe/pin_user_pages_remote")
int BPF_KPROBE(pin_remote_entry, struct mm_struct *mm, unsigned long start,
	       unsigned long nr_pages, unsigned int flags, struct page **pages)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 p = (__u64)pages;

	bpf_map_update_elem(&remote_pages, &tid, &p, BPF_ANY);
	return 0;
}

SEC("kretprobe/pin_user_pages_remote")
int BPF_KRETPROBE(pin_remote_exit, long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 *pp = bpf_map_lookup_elem(&remote_pages, &tid);
	__u64 pages;

	if (!pp)
		return 0;
	pages = *pp;
	bpf_map_delete_elem(&remote_pages, &tid);
	return record_pins(ctx, pages, ret);
}

/* unpin_user_page(page) */
SEC("fentry/unpin_user_page")
int unpin_page(void *ctx)
{
	kt_drop(ctx, kt_page_to_pfn(kt_arg(ctx, 0)));
	return 0;
}

/* unpin_user_pages(pages, npages) */
SEC("fentry/unpin_user_pages")
int unpin_pages(void *ctx)
{
	return record_unpins(ctx, kt_arg(ctx, 0), kt_arg(ctx, 1));
}

/*
 * unpin_user_pages_dirty_lock(pages, npages, make_dirty): without
 * make_dirty it calls unpin_user_pages(), traced above.
 */
SEC("fentry/unpin_user_pages_dirty_lock")
int unpin_dirty(void *ctx)
{
	if (!(kt_arg(ctx, 2) & 0xff))
		return 0;
	return record_unpins(ctx, kt_arg(ctx, 0), kt_arg(ctx, 1));
}

/* unpin_user_page_range_dirty_lock(page, npages, make_dirty) */
SEC("fentry/unpin_user_page_range_dirty_lock")
int unpin_range(void *ctx)
{
	__u64 pfn = kt_page_to_pfn(kt_arg(ctx, 0));
	__u64 npages = kt_arg(ctx, 1);
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
