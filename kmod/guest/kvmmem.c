// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/kvmmem: map pages of a target VM into the calling process, by
 * hypercall to the host (include/uapi/kvmi.h).
 *
 * Target pages land in a mapping window, never in the guest's RAM: BAR 2 of
 * an ivshmem-plain device, which the introspector's VMM backs with a file of
 * its own (its token names that file). mmap() of /dev/kvmmem hands the
 * process window pages (VM_PFNMAP: nothing pins them, nothing else can);
 * KVM_INTRO_MEM_MAP's gva must lie in such a mapping of the same file, and
 * the host maps the target page over that window page. KVM_INTRO_MEM_UNMAP,
 * munmap() and exit ask the host to give the window page back. Binding the
 * device ends every map the VM holds, so a kernel that booted after a
 * reset, kexec or panic starts from a clean window; shutdown, reboot, kexec
 * and panic end them too. Removing the device (sysfs "remove", unplug)
 * with mappings alive zaps them and ends every map; the files left open
 * then say -ENODEV.
 *
 * If the host refuses an unmap, the map stays and the ioctl may be retried;
 * if that happens when the mapping goes away, the window page is leaked:
 * never handed out again, since it may still show the target.
 *
 * Locking: the window's lock covers its page bitmap, its maps, its areas and
 * their user counts, and is held across each hypercall; it nests inside
 * mmap_lock (VMA close runs under it), and the device's removal takes
 * i_mmap_rwsem inside it to zap the mappings.
 */
#include <linux/module.h>
#include <linux/bitmap.h>
#include <linux/debugfs.h>
#include <linux/io.h>
#include <linux/kref.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/panic_notifier.h>
#include <linux/pci.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>
#include <asm/kvm_para.h>
#include <uapi/linux/kvm_para.h>

#include "../../include/uapi/kvmi.h"

#define KVMMEM_DEVICE_IVSHMEM	0x1110
#define KVMMEM_BAR		2

/*
 * The mapping window: one per guest, held by its device while bound and by
 * every open file (the file's private_data). Once the device is removed it
 * is gone: its mappings are zapped and every call says -ENODEV.
 */
struct kvmmem_window {
	struct kref ref;
	struct pci_dev *pdev;
	phys_addr_t base;
	unsigned long npages;
	struct mutex lock;		/* all below */
	bool gone;
	void *va;			/* the kernel's view, to clear pages */
	unsigned long *used;		/* handed out, or leaked */
	struct xarray maps;		/* page index -> struct kvmmem_map */
	struct list_head areas;		/* struct kvmmem_area.link */
};

/* One mmap() of /dev/kvmmem: window pages first .. first + npages - 1. */
struct kvmmem_area {
	struct list_head link;		/* kvmmem_window.areas */
	struct address_space *mapping;	/* its VMA's file's, to zap it */
	unsigned long first;
	unsigned long npages;
	unsigned int users;		/* VMAs: 1, and briefly 2 in mremap */
};

struct kvmmem_map {
	unsigned long gva;		/* as mapped, for the listing */
	pid_t tgid;
	u64 target_gpa;
};

static DEFINE_MUTEX(kvmmem_probe_lock);
static struct kvmmem_window *kvmmem_win;
/* Caches of their own: slub_debug red-zones and poisons them alone. */
static struct kmem_cache *kvmmem_map_cache, *kvmmem_area_cache;
static atomic_long_t kvmmem_nr_areas, kvmmem_nr_maps, kvmmem_nr_leaked;
static struct dentry *kvmmem_debugfs;

/*
 * Host errors as the ioctl's errno, as precise as the host made them: an
 * expired or revoked token (ask for another) is not a forged one (EACCES).
 */
static int kvmmem_host_errno(long ret)
{
	switch (ret) {
	case -KVM_ENOSYS:
		return -EOPNOTSUPP;	/* the host has no handler */
	}
	return ret < 0 && ret >= -MAX_ERRNO ? ret : -EIO;
}

static phys_addr_t kvmmem_gpa(struct kvmmem_window *w, unsigned long idx)
{
	return w->base + ((phys_addr_t)idx << PAGE_SHIFT);
}

static void kvmmem_map_free(struct kvmmem_map *map)
{
	kmem_cache_free(kvmmem_map_cache, map);
	atomic_long_dec(&kvmmem_nr_maps);
}

static void kvmmem_window_free(struct kref *ref)
{
	struct kvmmem_window *w = container_of(ref, struct kvmmem_window, ref);

	WARN_ON(!xa_empty(&w->maps) || !list_empty(&w->areas));
	xa_destroy(&w->maps);
	bitmap_free(w->used);
	kfree(w);
}

static void kvmmem_window_put(struct kvmmem_window *w)
{
	kref_put(&w->ref, kvmmem_window_free);
}

/*
 * Ask the host to end the map at window page idx. 0 when it is gone: the
 * host's -ENOENT means it ended already (the host dropped it, or an
 * unmap-all did), which is no reason to leak the page. Called with the
 * window's lock held.
 */
static long kvmmem_unmap_idx(struct kvmmem_window *w, unsigned long idx)
{
	struct kvmmem_map *map = xa_load(&w->maps, idx);
	long ret;

	lockdep_assert_held(&w->lock);
	if (!map)
		return -ENOENT;
	ret = kvm_hypercall1(KVM_HC_MEM_UNMAP, kvmmem_gpa(w, idx));
	if (ret && ret != -ENOENT)
		return kvmmem_host_errno(ret);
	xa_erase(&w->maps, idx);
	kvmmem_map_free(map);
	return 0;
}

/* Every map of this VM, of this kernel or of one before it. */
static long kvmmem_unmap_all(void)
{
	return kvm_hypercall0(KVM_HC_MEM_UNMAP_ALL);
}

static const struct vm_operations_struct kvmmem_vm_ops;

/*
 * The window page at gva, which must lie in a mapping of file. Called
 * with mmap_lock held.
 */
static long kvmmem_window_page(struct file *file, unsigned long gva,
			       unsigned long *idx)
{
	struct vm_area_struct *vma = vma_lookup(current->mm, gva);
	struct kvmmem_area *a;

	if (!vma || vma->vm_ops != &kvmmem_vm_ops || vma->vm_file != file)
		return -EINVAL;
	a = vma->vm_private_data;
	*idx = a->first + ((gva - vma->vm_start) >> PAGE_SHIFT);
	return 0;
}

static long kvmmem_map(struct file *file, struct kvmi_mem_map __user *argp)
{
	struct kvmmem_window *w = file->private_data;
	struct kvmi_mem_map req;
	struct kvmmem_map *map;
	unsigned long idx;
	long ret;

	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	if (!PAGE_ALIGNED(req.gva) || !PAGE_ALIGNED(req.gpa))
		return -EINVAL;
	map = kmem_cache_zalloc(kvmmem_map_cache, GFP_KERNEL_ACCOUNT);
	if (!map)
		return -ENOMEM;
	atomic_long_inc(&kvmmem_nr_maps);
	map->gva = req.gva;
	map->tgid = task_tgid_vnr(current);
	map->target_gpa = req.gpa;

	mmap_read_lock(current->mm);
	ret = kvmmem_window_page(file, req.gva, &idx);
	if (ret)
		goto out_unlock_mm;
	mutex_lock(&w->lock);
	ret = -ENODEV;
	if (w->gone)
		goto out_unlock;
	/* Reserve the page first: its record must exist once it is mapped. */
	ret = xa_insert(&w->maps, idx, map, GFP_KERNEL_ACCOUNT);
	if (ret) {
		ret = ret == -EBUSY ? -EALREADY : ret;
		goto out_unlock;
	}
	ret = kvm_hypercall3(KVM_HC_MEM_MAP, (unsigned long)&req.token,
			     req.gpa, kvmmem_gpa(w, idx));
	if (!ret || ret == -EIO) {
		/*
		 * -EIO: the host keeps a hole where the window page was, and
		 * its record: so does the driver, so that an unmap, munmap or
		 * exit asks the host to fill it.
		 */
		map = NULL;
	} else {
		xa_erase(&w->maps, idx);
		ret = kvmmem_host_errno(ret);
	}
out_unlock:
	mutex_unlock(&w->lock);
out_unlock_mm:
	mmap_read_unlock(current->mm);
	memzero_explicit(&req.token, sizeof(req.token));
	if (map)
		kvmmem_map_free(map);
	return ret;
}

static long kvmmem_unmap(struct file *file, unsigned long gva)
{
	struct kvmmem_window *w = file->private_data;
	unsigned long idx;
	long ret;

	if (!PAGE_ALIGNED(gva))
		return -EINVAL;
	mmap_read_lock(current->mm);
	ret = kvmmem_window_page(file, gva, &idx);
	if (!ret) {
		mutex_lock(&w->lock);
		ret = w->gone ? -ENODEV : kvmmem_unmap_idx(w, idx);
		mutex_unlock(&w->lock);
	}
	mmap_read_unlock(current->mm);
	return ret;
}

static long kvmmem_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	switch (cmd) {
	case KVM_INTRO_MEM_MAP:
		return kvmmem_map(file, (void __user *)arg);
	case KVM_INTRO_MEM_UNMAP:
		return kvmmem_unmap(file, arg);
	}
	return -ENOTTY;
}

static void kvmmem_vm_open(struct vm_area_struct *vma)
{
	struct kvmmem_window *w = vma->vm_file->private_data;
	struct kvmmem_area *a = vma->vm_private_data;

	mutex_lock(&w->lock);
	a->users++;
	mutex_unlock(&w->lock);
}

/* The mapping goes (munmap, exit): end its maps, free its window pages. */
static void kvmmem_vm_close(struct vm_area_struct *vma)
{
	struct kvmmem_window *w = vma->vm_file->private_data;
	struct kvmmem_area *a = vma->vm_private_data;
	unsigned long idx;

	mutex_lock(&w->lock);
	if (--a->users) {
		mutex_unlock(&w->lock);
		return;
	}
	list_del(&a->link);
	/* A removed window's maps ended when it went. */
	for (idx = a->first; !w->gone && idx < a->first + a->npages; idx++) {
		phys_addr_t gpa = kvmmem_gpa(w, idx);

		/*
		 * A hypercall per page, up to a window's worth: a slow host
		 * (a debug kernel in L1) made 4096 of them a 22 s soft lockup.
		 */
		cond_resched();
		if (!xa_load(&w->maps, idx) || !kvmmem_unmap_idx(w, idx)) {
			clear_bit(idx, w->used);
			continue;
		}
		/* The host keeps the map: the page may show the target. */
		pr_err("kvmmem: host refused to unmap gpa %pa; window page leaked\n",
		       &gpa);
		kvmmem_map_free(xa_erase(&w->maps, idx));
		atomic_long_inc(&kvmmem_nr_leaked);
	}
	mutex_unlock(&w->lock);
	kmem_cache_free(kvmmem_area_cache, a);
	atomic_long_dec(&kvmmem_nr_areas);
}

/*
 * Window pages are inserted at fault time, under the window's lock: a VMA
 * is linked into the file's mapping only after ->mmap() returns, so PTEs
 * made there could escape the zap of a removal running meanwhile.
 */
static vm_fault_t kvmmem_vm_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct kvmmem_window *w = vma->vm_file->private_data;
	struct kvmmem_area *a = vma->vm_private_data;
	unsigned long idx = a->first + vmf->pgoff;
	vm_fault_t ret = VM_FAULT_SIGBUS;

	mutex_lock(&w->lock);
	if (!w->gone && vmf->pgoff < a->npages)
		ret = vmf_insert_pfn(vma, vmf->address,
				     PHYS_PFN(kvmmem_gpa(w, idx)));
	mutex_unlock(&w->lock);
	return ret;
}

/* A window mapping is unmapped whole: its pages are one area. */
static int kvmmem_vm_may_split(struct vm_area_struct *vma, unsigned long addr)
{
	return -EINVAL;
}

static int kvmmem_vm_mremap(struct vm_area_struct *vma)
{
	return -EINVAL;
}

static const struct vm_operations_struct kvmmem_vm_ops = {
	.fault = kvmmem_vm_fault,
	.open = kvmmem_vm_open,
	.close = kvmmem_vm_close,
	.may_split = kvmmem_vm_may_split,
	.mremap = kvmmem_vm_mremap,
};

/*
 * Hand the process free window pages, cleared: shared, from offset 0 (the
 * driver chooses the pages), never copied into a child.
 */
static int kvmmem_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct kvmmem_window *w = file->private_data;
	unsigned long n = vma_pages(vma), first;
	struct kvmmem_area *a;
	int ret;

	if (!(vma->vm_flags & VM_SHARED) || vma->vm_pgoff)
		return -EINVAL;
	a = kmem_cache_zalloc(kvmmem_area_cache, GFP_KERNEL_ACCOUNT);
	if (!a)
		return -ENOMEM;
	mutex_lock(&w->lock);
	ret = -ENODEV;
	if (w->gone)
		goto out_unlock;
	ret = -ENOSPC;
	first = bitmap_find_next_zero_area(w->used, w->npages, 0, n, 0);
	if (first >= w->npages)
		goto out_unlock;
	bitmap_set(w->used, first, n);
	memset(w->va + (first << PAGE_SHIFT), 0, n << PAGE_SHIFT);
	a->first = first;
	a->npages = n;
	a->users = 1;
	a->mapping = file->f_mapping;
	list_add(&a->link, &w->areas);
	mutex_unlock(&w->lock);

	/* Its PTEs come at fault time (kvmmem_vm_fault()). */
	vma->vm_flags |= VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP |
			 VM_DONTCOPY;
	vma->vm_private_data = a;
	vma->vm_ops = &kvmmem_vm_ops;
	atomic_long_inc(&kvmmem_nr_areas);
	return 0;

out_unlock:
	mutex_unlock(&w->lock);
	kmem_cache_free(kvmmem_area_cache, a);
	return ret;
}

static int kvmmem_open(struct inode *inode, struct file *file)
{
	struct kvmmem_window *w;

	mutex_lock(&kvmmem_probe_lock);
	w = kvmmem_win;
	if (w)
		kref_get(&w->ref);
	mutex_unlock(&kvmmem_probe_lock);
	if (!w)
		return -ENODEV;
	file->private_data = w;
	return 0;
}

static int kvmmem_release(struct inode *inode, struct file *file)
{
	kvmmem_window_put(file->private_data);
	return 0;
}

static const struct file_operations kvmmem_fops = {
	.owner = THIS_MODULE,
	.open = kvmmem_open,
	.release = kvmmem_release,
	.mmap = kvmmem_mmap,
	.unlocked_ioctl = kvmmem_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice kvmmem_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "kvmmem",
	.fops = &kvmmem_fops,
	.mode = 0600,
};

/* One line per live map: pid gva local_gpa target_gpa. */
static int kvmmem_mappings_show(struct seq_file *m, void *unused)
{
	struct kvmmem_window *w;
	struct kvmmem_map *map;
	unsigned long idx;

	mutex_lock(&kvmmem_probe_lock);
	w = kvmmem_win;
	if (w) {
		mutex_lock(&w->lock);
		xa_for_each(&w->maps, idx, map)
			seq_printf(m, "%d 0x%lx 0x%llx 0x%llx\n", map->tgid,
				   map->gva, (u64)kvmmem_gpa(w, idx),
				   map->target_gpa);
		mutex_unlock(&w->lock);
	}
	mutex_unlock(&kvmmem_probe_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kvmmem_mappings);

static int kvmmem_stats_show(struct seq_file *m, void *unused)
{
	struct kvmmem_window *w;
	unsigned long used = 0, npages = 0;

	mutex_lock(&kvmmem_probe_lock);
	w = kvmmem_win;
	if (w) {
		mutex_lock(&w->lock);
		used = bitmap_weight(w->used, w->npages);
		npages = w->npages;
		mutex_unlock(&w->lock);
	}
	mutex_unlock(&kvmmem_probe_lock);
	seq_printf(m, "areas %ld\nmap_objects %ld\nleaked_pages %ld\n",
		   atomic_long_read(&kvmmem_nr_areas),
		   atomic_long_read(&kvmmem_nr_maps),
		   atomic_long_read(&kvmmem_nr_leaked));
	seq_printf(m, "window_pages %lu\nwindow_used %lu\n", npages, used);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kvmmem_stats);

/* Panic: end the maps; the next kernel would end them too, if it binds. */
static int kvmmem_panic(struct notifier_block *nb, unsigned long event,
			void *unused)
{
	kvmmem_unmap_all();
	return NOTIFY_DONE;
}

static struct notifier_block kvmmem_panic_nb = {
	.notifier_call = kvmmem_panic,
};

static int kvmmem_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct kvmmem_window *w;
	resource_size_t len;
	long ended;
	int ret;

	mutex_lock(&kvmmem_probe_lock);
	ret = -EBUSY;
	if (kvmmem_win)
		goto out_unlock;
	ret = pci_enable_device_mem(pdev);
	if (ret)
		goto out_unlock;
	ret = pci_request_region(pdev, KVMMEM_BAR, "kvmmem");
	if (ret)
		goto out_disable;
	ret = -ENOMEM;
	w = kzalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		goto out_release;
	kref_init(&w->ref);
	INIT_LIST_HEAD(&w->areas);
	w->pdev = pdev;
	w->base = pci_resource_start(pdev, KVMMEM_BAR);
	len = pci_resource_len(pdev, KVMMEM_BAR);
	w->npages = len >> PAGE_SHIFT;
	mutex_init(&w->lock);
	xa_init(&w->maps);
	w->used = bitmap_zalloc(w->npages, GFP_KERNEL);
	if (!w->used)
		goto out_free;
	ret = -ENODEV;
	if (!w->npages || !PAGE_ALIGNED(w->base) || !PAGE_ALIGNED(len))
		goto out_free;
	w->va = memremap(w->base, len, MEMREMAP_WB);
	if (!w->va)
		goto out_free;

	/* Whatever an earlier kernel of this VM left mapped goes first. */
	ended = kvmmem_unmap_all();
	if (ended < 0 && ended != -KVM_ENOSYS) {
		dev_err(&pdev->dev, "the host kept maps of an earlier kernel (%ld)\n",
			ended);
		ret = -EIO;
		goto out_unmap;
	}
	dev_info(&pdev->dev, "mapping window at %pa, %lu pages; %ld earlier maps ended\n",
		 &w->base, w->npages, ended > 0 ? ended : 0);
	pci_set_drvdata(pdev, w);
	WRITE_ONCE(kvmmem_win, w);
	mutex_unlock(&kvmmem_probe_lock);
	return 0;

out_unmap:
	memunmap(w->va);
out_free:
	bitmap_free(w->used);
	kfree(w);
out_release:
	pci_release_region(pdev, KVMMEM_BAR);
out_disable:
	pci_disable_device(pdev);
out_unlock:
	mutex_unlock(&kvmmem_probe_lock);
	return ret;
}

/* Shutdown, reboot, kexec: the next kernel must not inherit the maps. */
static void kvmmem_shutdown(struct pci_dev *pdev)
{
	if (pci_get_drvdata(pdev))
		kvmmem_unmap_all();
}

/*
 * Module unload, with no file open, or the device removed (sysfs "remove",
 * hot unplug) with mappings alive: they lose their PTEs (an access after
 * is SIGBUS, never another device's BAR at the same address), the host
 * ends the maps made through them, and the files left say -ENODEV. Maps
 * others made (the raw test device) are left to the next bind.
 */
static void kvmmem_remove(struct pci_dev *pdev)
{
	struct kvmmem_window *w = pci_get_drvdata(pdev);
	struct kvmmem_map *map;
	struct kvmmem_area *a;
	unsigned long idx;
	phys_addr_t gpa;

	if (!w)
		return;
	mutex_lock(&kvmmem_probe_lock);
	WRITE_ONCE(kvmmem_win, NULL);
	mutex_unlock(&kvmmem_probe_lock);

	mutex_lock(&w->lock);
	w->gone = true;
	list_for_each_entry(a, &w->areas, link)
		unmap_mapping_range(a->mapping, 0, 0, 1);
	xa_for_each(&w->maps, idx, map) {
		if (!kvmmem_unmap_idx(w, idx))
			continue;
		gpa = kvmmem_gpa(w, idx);
		dev_err(&pdev->dev, "host refused to unmap gpa %pa at removal\n",
			&gpa);
		kvmmem_map_free(xa_erase(&w->maps, idx));
		atomic_long_inc(&kvmmem_nr_leaked);
	}
	memunmap(w->va);
	w->va = NULL;
	mutex_unlock(&w->lock);
	pci_release_region(pdev, KVMMEM_BAR);
	pci_disable_device(pdev);
	kvmmem_window_put(w);
}

static const struct pci_device_id kvmmem_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_REDHAT_QUMRANET, KVMMEM_DEVICE_IVSHMEM) },
	{ }
};
MODULE_DEVICE_TABLE(pci, kvmmem_ids);

static struct pci_driver kvmmem_driver = {
	.name = "kvmmem",
	.id_table = kvmmem_ids,
	.probe = kvmmem_probe,
	.remove = kvmmem_remove,
	.shutdown = kvmmem_shutdown,
	/* Unbinding under live mappings would pull the window from them. */
	.driver.suppress_bind_attrs = true,
};

static int __init kvmmem_init(void)
{
	int ret = -ENOMEM;

	kvmmem_map_cache = KMEM_CACHE(kvmmem_map, SLAB_ACCOUNT);
	kvmmem_area_cache = KMEM_CACHE(kvmmem_area, SLAB_ACCOUNT);
	if (!kvmmem_map_cache || !kvmmem_area_cache)
		goto out_cache;
	ret = pci_register_driver(&kvmmem_driver);
	if (ret)
		goto out_cache;
	ret = misc_register(&kvmmem_dev);
	if (ret)
		goto out_driver;
	atomic_notifier_chain_register(&panic_notifier_list, &kvmmem_panic_nb);
	kvmmem_debugfs = debugfs_create_dir("kvmmem", NULL);
	debugfs_create_file("mappings", 0400, kvmmem_debugfs, NULL,
			    &kvmmem_mappings_fops);
	debugfs_create_file("stats", 0444, kvmmem_debugfs, NULL,
			    &kvmmem_stats_fops);
	return 0;

out_driver:
	pci_unregister_driver(&kvmmem_driver);
out_cache:
	kmem_cache_destroy(kvmmem_area_cache);
	kmem_cache_destroy(kvmmem_map_cache);
	return ret;
}

static void __exit kvmmem_exit(void)
{
	debugfs_remove_recursive(kvmmem_debugfs);
	atomic_notifier_chain_unregister(&panic_notifier_list, &kvmmem_panic_nb);
	misc_deregister(&kvmmem_dev);
	pci_unregister_driver(&kvmmem_driver);
	kmem_cache_destroy(kvmmem_area_cache);
	kmem_cache_destroy(kvmmem_map_cache);
}

module_init(kvmmem_init);
module_exit(kvmmem_exit);

MODULE_DESCRIPTION("Map pages of another VM by hypercall (kvmi-harness)");
MODULE_LICENSE("GPL");
