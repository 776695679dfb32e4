// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only: unbalanced KVM pfn references on purpose, for the pfn-pairing
 * tracer (kvmi-trace pfn). Loaded in L1, next to our kvm.ko; see
 * kmod/test/kvmi_pfnleak.h. Never load it anywhere that matters: a
 * leaked reference keeps its page allocated forever.
 */
#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/gfp.h>
#include <linux/kvm_host.h>
#include <linux/uaccess.h>

#include "kvmi_pfnleak.h"

static long kvmi_pfnleak_get(struct kvmi_pfnleak *req)
{
	struct fd f = fdget(req->vm_fd);
	struct kvm *kvm;
	kvm_pfn_t pfn;
	long ret = 0;
	int idx;

	if (!f.file)
		return -EBADF;
	if (!file_is_kvm(f.file)) {
		ret = -EINVAL;
		goto out;
	}
	kvm = f.file->private_data;
	if (kvm->mm != current->mm) {
		ret = -EINVAL;
		goto out;
	}
	/* The memslots are read under kvm->srcu, as KVM's own callers do. */
	idx = srcu_read_lock(&kvm->srcu);
	pfn = gfn_to_pfn(kvm, req->gfn);
	srcu_read_unlock(&kvm->srcu, idx);
	if (is_error_noslot_pfn(pfn)) {
		ret = -EFAULT;
		goto out;
	}
	req->pfn = pfn;
	if (req->release)
		kvm_release_pfn_clean(pfn);
out:
	fdput(f);
	return ret;
}

static long kvmi_pfnleak_orphan(struct kvmi_pfnleak *req)
{
	struct page *page = alloc_page(GFP_KERNEL);

	if (!page)
		return -ENOMEM;
	req->pfn = page_to_pfn(page);
	kvm_release_pfn_clean(req->pfn);	/* frees the page */
	return 0;
}

static long kvmi_pfnleak_ioctl(struct file *file, unsigned int cmd,
			       unsigned long arg)
{
	struct kvmi_pfnleak req;
	long ret;

	if (cmd != KVMI_PFNLEAK_GET && cmd != KVMI_PFNLEAK_ORPHAN)
		return -ENOTTY;
	if (copy_from_user(&req, (void __user *)arg, sizeof(req)))
		return -EFAULT;
	if (cmd == KVMI_PFNLEAK_GET)
		ret = kvmi_pfnleak_get(&req);
	else
		ret = kvmi_pfnleak_orphan(&req);
	if (!ret && copy_to_user((void __user *)arg, &req, sizeof(req)))
		ret = -EFAULT;
	return ret;
}

static const struct file_operations kvmi_pfnleak_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = kvmi_pfnleak_ioctl,
};

static struct miscdevice kvmi_pfnleak_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "kvmi_pfnleak",
	.fops = &kvmi_pfnleak_fops,
	.mode = 0600,
};

module_misc_device(kvmi_pfnleak_dev);

MODULE_DESCRIPTION("kvmi-harness test-only KVM pfn reference leaks");
MODULE_LICENSE("GPL");
