// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only: /dev/kvmi_pfnmap, memory with no refcount for KVM. Loaded in
 * L1, it holds one physically contiguous block of pages marked PG_reserved,
 * as drivers do for memory they hand out with remap_pfn_range(), and its
 * mmap() gives a VM_PFNMAP | VM_IO mapping of them. The target's QEMU takes
 * it as guest memory (memory-backend-file on this node, plugged as a
 * pc-dimm), so KVM's hva_to_pfn() reaches these pfns through
 * hva_to_pfn_remapped() and takes no reference on them.
 *
 * Its words hold the target's known pattern (harness/lib/pattern.h) for
 * the gpa the pc-dimm will be plugged at (gpa=), so the target checks what
 * it reads there with kvmi-pattern, byte for byte.
 */
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>

#define KVMI_PATTERN_MAGIC 0x4b564d49ULL	/* "KVMI", as pattern.h */

static unsigned int order = 9;	/* 2 MiB, the smallest pc-dimm */
module_param(order, uint, 0444);
MODULE_PARM_DESC(order, "log2 of the number of pages (default 9: 2 MiB)");
static bool zero_tails;
module_param(zero_tails, bool, 0444);
MODULE_PARM_DESC(zero_tails, "leave the tail pages at refcount 0 (no split_page()), as a driver handing out a plain high-order allocation does");
static unsigned long long gpa;
module_param(gpa, ullong, 0444);
MODULE_PARM_DESC(gpa, "the gpa the target will see the first byte at");

static struct page *kvmi_pfnmap_pages;

static loff_t kvmi_pfnmap_size(void)
{
	return (loff_t)PAGE_SIZE << order;
}

/* QEMU sizes a memory-backend-file by seeking to its end. */
static loff_t kvmi_pfnmap_llseek(struct file *file, loff_t off, int whence)
{
	return fixed_size_llseek(file, off, whence, kvmi_pfnmap_size());
}

static int kvmi_pfnmap_mmap(struct file *file, struct vm_area_struct *vma)
{
	unsigned long size = vma->vm_end - vma->vm_start;
	unsigned long npages = 1UL << order;

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;	/* a private copy would be refcounted */
	if (vma->vm_pgoff >= npages || size >> PAGE_SHIFT > npages - vma->vm_pgoff)
		return -EINVAL;
	/* remap_pfn_range() sets VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP */
	return remap_pfn_range(vma, vma->vm_start,
			       page_to_pfn(kvmi_pfnmap_pages) + vma->vm_pgoff,
			       size, vma->vm_page_prot);
}

static const struct file_operations kvmi_pfnmap_fops = {
	.owner = THIS_MODULE,
	.llseek = kvmi_pfnmap_llseek,
	.mmap = kvmi_pfnmap_mmap,
};

static struct miscdevice kvmi_pfnmap_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "kvmi_pfnmap",
	.fops = &kvmi_pfnmap_fops,
	.mode = 0600,
};

static void kvmi_pfnmap_free(void)
{
	unsigned long i;

	for (i = 0; i < 1UL << order; i++)
		ClearPageReserved(kvmi_pfnmap_pages + i);
	if (zero_tails) {
		__free_pages(kvmi_pfnmap_pages, order);
		return;
	}
	for (i = 0; i < 1UL << order; i++)
		__free_page(kvmi_pfnmap_pages + i);
}

static int __init kvmi_pfnmap_init(void)
{
	unsigned long i;
	u64 *w;
	int ret;

	if (order > MAX_ORDER - 1)
		return -EINVAL;
	kvmi_pfnmap_pages = alloc_pages(GFP_KERNEL | __GFP_ZERO, order);
	if (!kvmi_pfnmap_pages)
		return -ENOMEM;
	/*
	 * Every page its own refcount of 1, as a driver's pages have: the
	 * tail pages of a plain high-order allocation have none, and KVM
	 * WARNs on a reserved page with a zero count (kvm_is_zone_device_page).
	 * zero_tails=1 keeps them so: the pfnmap_zero_refcount reproducer.
	 */
	if (!zero_tails)
		split_page(kvmi_pfnmap_pages, order);
	w = page_address(kvmi_pfnmap_pages);
	for (i = 0; i < kvmi_pfnmap_size() / sizeof(*w); i++)
		w[i] = KVMI_PATTERN_MAGIC << 32 | (u32)((gpa + i * 8) >> 3);
	for (i = 0; i < 1UL << order; i++)
		SetPageReserved(kvmi_pfnmap_pages + i);
	ret = misc_register(&kvmi_pfnmap_dev);
	if (ret)
		goto err;
	pr_info("kvmi_pfnmap: %lu pages at pfn %#lx\n", 1UL << order,
		page_to_pfn(kvmi_pfnmap_pages));
	return 0;
err:
	kvmi_pfnmap_free();
	return ret;
}

/* No mapping can be left: each holds the file, and the file this module. */
static void __exit kvmi_pfnmap_exit(void)
{
	misc_deregister(&kvmi_pfnmap_dev);
	kvmi_pfnmap_free();
}

module_init(kvmi_pfnmap_init);
module_exit(kvmi_pfnmap_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kvmi-harness: VM_PFNMAP memory with no refcount, for KVM tests");
