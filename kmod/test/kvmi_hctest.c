// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only raw hypercall device for the introspector guest. It lets the
 * harness reach the host handler without the /dev/kvmmem driver: raw
 * hypercalls, a token buffer that may straddle two pages (physically
 * contiguous or not), and guest pages
 * to redirect and inspect. In a guest with a mapping window (an ivshmem
 * device, as /dev/kvmmem uses) the pages are the window's last
 * KVMI_HCTEST_NR_PAGES, which /dev/kvmmem hands out last; in one without
 * (the target), RAM pages of the module's own, freed only at unload, so a
 * page the host redirects is never reused by the guest while mapped.
 */
#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/rwsem.h>
#include <linux/uaccess.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/vmalloc.h>
#include <asm/kvm_para.h>
#include <uapi/linux/kvm_para.h>

#include "../../include/uapi/kvmi.h"
#include "kvmi_hctest.h"

/*
 * The token buffer: three pages, virtually contiguous. The first two are
 * physically contiguous too (an order-1 allocation); the third is not the
 * page after the second. A token at 4080 straddles the first pair, one at
 * 8176 the second, whose gpas are apart.
 */
#define TOKEN_BUF_PAGES 3
#define TOKEN_BUF_SIZE (TOKEN_BUF_PAGES * PAGE_SIZE)
static struct page *hctest_token_pair, *hctest_token_third;

/*
 * The token buffer and the pages' contents: written under the write side;
 * calls take the read side, so that several vCPUs can race hypercalls.
 */
static DECLARE_RWSEM(hctest_lock);
static struct page *hctest_pages[KVMI_HCTEST_NR_PAGES];
static phys_addr_t hctest_window;	/* gpa of the window's pages, or 0 */
static void *hctest_window_va;
static void *hctest_token;
static u32 hctest_token_offset;

static long hctest_page_gpa(u64 idx, u64 *gpa)
{
	if (idx >= KVMI_HCTEST_NR_PAGES)
		return -EINVAL;
	if (hctest_window)
		*gpa = hctest_window + idx * PAGE_SIZE;
	else
		*gpa = page_to_phys(hctest_pages[idx]);
	return 0;
}

static void *hctest_page_va(u64 idx)
{
	if (hctest_window)
		return hctest_window_va + idx * PAGE_SIZE;
	return page_address(hctest_pages[idx]);
}

/* The last pages of an ivshmem device's BAR 2, if the guest has one. */
static int hctest_find_window(void)
{
	struct pci_dev *pdev = pci_get_device(PCI_VENDOR_ID_REDHAT_QUMRANET,
					      0x1110, NULL);
	resource_size_t len, size = KVMI_HCTEST_NR_PAGES * PAGE_SIZE;
	int i;

	if (!pdev)
		return 0;
	len = pci_resource_len(pdev, 2);
	if (len >= size) {
		hctest_window = pci_resource_start(pdev, 2) + len - size;
		hctest_window_va = memremap(hctest_window, size, MEMREMAP_WB);
		if (!hctest_window_va)
			hctest_window = 0;
	}
	pci_dev_put(pdev);
	if (len >= size && !hctest_window)
		return -ENOMEM;
	if (hctest_window) {
		/*
		 * A kernel before this one may have left our pages mapped to a
		 * target: end that before writing them.
		 */
		for (i = 0; i < KVMI_HCTEST_NR_PAGES; i++)
			kvm_hypercall1(KVM_HC_MEM_UNMAP, hctest_window + i * PAGE_SIZE);
		memset(hctest_window_va, 0, size);
	}
	return 0;
}

static long hctest_call(struct kvmi_hctest_call __user *argp)
{
	struct kvmi_hctest_call call;
	u64 i, repeat;
	long ret = 0;

	if (copy_from_user(&call, argp, sizeof(call)))
		return -EFAULT;
	if (call.flags & KVMI_HCTEST_A0_TOKEN)
		call.args[0] = (unsigned long)hctest_token + hctest_token_offset;
	if (call.flags & KVMI_HCTEST_A0_PAGE_VA) {
		if (call.args[0] >= KVMI_HCTEST_NR_PAGES)
			return -EINVAL;
		call.args[0] = (unsigned long)hctest_page_va(call.args[0]);
	} else if (call.flags & KVMI_HCTEST_A0_PAGE) {
		ret = hctest_page_gpa(call.args[0], &call.args[0]);
	}
	if (!ret && (call.flags & KVMI_HCTEST_A2_PAGE))
		ret = hctest_page_gpa(call.args[2], &call.args[2]);
	if (ret)
		return ret;

	repeat = call.repeat ? call.repeat : 1;
	for (i = 0; i < repeat; i++) {
		call.ret = kvm_hypercall4(call.nr, call.args[0], call.args[1],
					  call.args[2], call.args[3]);
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	return copy_to_user(argp, &call, sizeof(call)) ? -EFAULT : 0;
}

static long hctest_set_token(struct kvmi_hctest_token __user *argp)
{
	struct kvmi_hctest_token t;

	if (copy_from_user(&t, argp, sizeof(t)))
		return -EFAULT;
	if (t.offset > TOKEN_BUF_SIZE - sizeof(t.token))
		return -EINVAL;
	memset(hctest_token, 0, TOKEN_BUF_SIZE);
	memcpy(hctest_token + t.offset, t.token, sizeof(t.token));
	hctest_token_offset = t.offset;
	return 0;
}

static long hctest_page_io(struct kvmi_hctest_page_io __user *argp)
{
	struct kvmi_hctest_page_io io;
	void __user *buf;
	void *p;

	if (copy_from_user(&io, argp, sizeof(io)))
		return -EFAULT;
	if (io.page >= KVMI_HCTEST_NR_PAGES || io.offset > PAGE_SIZE ||
	    io.len > PAGE_SIZE - io.offset)
		return -EINVAL;
	p = hctest_page_va(io.page) + io.offset;
	buf = u64_to_user_ptr(io.buf);
	if (io.write ? copy_from_user(p, buf, io.len) : copy_to_user(buf, p, io.len))
		return -EFAULT;
	hctest_page_gpa(io.page, &io.gpa);
	return copy_to_user(argp, &io, sizeof(io)) ? -EFAULT : 0;
}

static long hctest_bench(struct kvmi_hctest_bench __user *argp)
{
	unsigned long token = (unsigned long)hctest_token + hctest_token_offset;
	struct kvmi_hctest_bench b;
	u64 *ns, gpa, t0, t1, t2, t3;
	long ret, r1, r2;
	u32 i, n;

	if (copy_from_user(&b, argp, sizeof(b)))
		return -EFAULT;
	if (!b.iterations || b.iterations > 1000000 || hctest_page_gpa(b.page, &gpa))
		return -EINVAL;
	n = b.iterations;
	ns = kvmalloc_array(3 * (size_t)n, sizeof(*ns), GFP_KERNEL);
	if (!ns)
		return -ENOMEM;
	b.ret = 0;
	for (i = 0; i < n && !b.ret; i++) {
		t0 = ktime_get_ns();
		kvm_hypercall0(KVM_HC_VAPIC_POLL_IRQ);
		t1 = ktime_get_ns();
		r1 = kvm_hypercall3(KVM_HC_MEM_MAP, token, b.target_gpa, gpa);
		t2 = ktime_get_ns();
		r2 = kvm_hypercall1(KVM_HC_MEM_UNMAP, gpa);
		t3 = ktime_get_ns();
		ns[i] = t1 - t0;
		ns[n + i] = t2 - t1;
		ns[2 * n + i] = t3 - t2;
		b.ret = r1 ? r1 : r2;
		if (fatal_signal_pending(current))
			b.ret = -EINTR;
		cond_resched();
	}
	ret = 0;
	if (copy_to_user(u64_to_user_ptr(b.null_ns), ns, n * sizeof(*ns)) ||
	    copy_to_user(u64_to_user_ptr(b.map_ns), ns + n, n * sizeof(*ns)) ||
	    copy_to_user(u64_to_user_ptr(b.unmap_ns), ns + 2 * n, n * sizeof(*ns)) ||
	    copy_to_user(argp, &b, sizeof(b)))
		ret = -EFAULT;
	kvfree(ns);
	return ret;
}

static long kvmi_hctest_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	void __user *argp = (void __user *)arg;
	long ret;

	switch (cmd) {
	case KVMI_HCTEST_CALL:
		down_read(&hctest_lock);
		ret = hctest_call(argp);
		up_read(&hctest_lock);
		break;
	case KVMI_HCTEST_SET_TOKEN:
		down_write(&hctest_lock);
		ret = hctest_set_token(argp);
		up_write(&hctest_lock);
		break;
	case KVMI_HCTEST_PAGE_IO:
		down_write(&hctest_lock);
		ret = hctest_page_io(argp);
		up_write(&hctest_lock);
		break;
	case KVMI_HCTEST_BENCH:
		down_read(&hctest_lock);
		ret = hctest_bench(argp);
		up_read(&hctest_lock);
		break;
	default:
		ret = -ENOTTY;
	}
	return ret;
}

static const struct file_operations kvmi_hctest_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = kvmi_hctest_ioctl,
};

static struct miscdevice kvmi_hctest_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "kvmi_hctest",
	.fops = &kvmi_hctest_fops,
	.mode = 0600,
};

/*
 * Unload: end any map left on our pages first (a test that died midway).
 * A RAM page the host still maps is never handed back to the allocator.
 */
static void hctest_free(void)
{
	long ret;
	u64 gpa;
	int i;

	for (i = 0; i < KVMI_HCTEST_NR_PAGES; i++) {
		if (!hctest_window && !hctest_pages[i])
			continue;
		hctest_page_gpa(i, &gpa);
		ret = kvm_hypercall1(KVM_HC_MEM_UNMAP, gpa);
		if (ret && ret != -ENOENT && ret != -KVM_ENOSYS) {
			pr_err("kvmi_hctest: host refused to unmap gpa 0x%llx (%ld); page leaked\n",
			       gpa, ret);
			continue;
		}
		if (hctest_pages[i])
			__free_page(hctest_pages[i]);
	}
	if (hctest_window_va)
		memunmap(hctest_window_va);
	if (hctest_token)
		vunmap(hctest_token);
	if (hctest_token_pair)
		__free_pages(hctest_token_pair, 1);
	if (hctest_token_third)
		__free_page(hctest_token_third);
}

/* The token buffer, laid out as TOKEN_BUF_PAGES says. */
static int hctest_token_alloc(void)
{
	struct page *pages[TOKEN_BUF_PAGES], *other;

	hctest_token_pair = alloc_pages(GFP_KERNEL | __GFP_ZERO, 1);
	hctest_token_third = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!hctest_token_pair || !hctest_token_third)
		return -ENOMEM;
	if (page_to_pfn(hctest_token_third) == page_to_pfn(hctest_token_pair) + 2) {
		/* Adjacent after all: any other page is not. */
		other = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!other)
			return -ENOMEM;
		__free_page(hctest_token_third);
		hctest_token_third = other;
	}
	pages[0] = hctest_token_pair;
	pages[1] = hctest_token_pair + 1;
	pages[2] = hctest_token_third;
	hctest_token = vmap(pages, TOKEN_BUF_PAGES, VM_MAP, PAGE_KERNEL);
	if (!hctest_token)
		return -ENOMEM;
	pr_info("kvmi_hctest: token buffer at gpas 0x%llx, 0x%llx, 0x%llx\n",
		(u64)page_to_phys(pages[0]), (u64)page_to_phys(pages[1]),
		(u64)page_to_phys(pages[2]));
	return 0;
}

static int __init kvmi_hctest_init(void)
{
	int i, ret;

	ret = hctest_token_alloc() ?: hctest_find_window();
	for (i = 0; !ret && !hctest_window && i < KVMI_HCTEST_NR_PAGES; i++) {
		hctest_pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!hctest_pages[i])
			ret = -ENOMEM;
	}
	if (!ret)
		ret = misc_register(&kvmi_hctest_dev);
	if (ret)
		hctest_free();
	return ret;
}

static void __exit kvmi_hctest_exit(void)
{
	misc_deregister(&kvmi_hctest_dev);
	hctest_free();
}

module_init(kvmi_hctest_init);
module_exit(kvmi_hctest_exit);

MODULE_DESCRIPTION("kvmi-harness raw hypercall test device");
MODULE_LICENSE("GPL");
