// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/kvmmem: map pages of a target VM into the calling process, by
 * hypercall to the host (include/uapi/kvmi.h). A 6.1 port of the KVMI v6
 * remote-mapping driver's design.
 *
 * State: one struct kvmmem_mm per mm (hash keyed by mm) holds every mapping
 * of that mm in an rbtree keyed by gva; each open file has a struct
 * kvmmem_file bound to the opener's mm and lists the mappings made through
 * it. Map pins the local page (FOLL_WRITE | FOLL_LONGTERM) so the guest
 * never reuses or migrates a page the host redirected, then issues the
 * hypercall with its gpa; unmap issues the hypercall, then unpins. If the
 * host refuses an unmap the page stays pinned and is counted as leaked:
 * leaking is safer than freeing a page that may still alias another VM.
 *
 * Locking: kvmmem_mm.lock covers that mm's rbtree, the map lists of its
 * files and the pin and hypercall state of each mapping, and is held for a
 * whole map, unmap or teardown, so teardown never races a map. kvmmem_lock
 * covers the mm hash and the kvmmem_mm reference counts.
 */
#include <linux/module.h>
#include <linux/debugfs.h>
#include <linux/hashtable.h>
#include <linux/io.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/rbtree.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/kvm_para.h>
#include <uapi/linux/kvm_para.h>

#include "../../include/uapi/kvmi.h"

struct kvmmem_mm {
	struct hlist_node node;		/* kvmmem_mms */
	struct mm_struct *mm;		/* mmgrab()ed */
	pid_t tgid;
	unsigned int users;		/* open files bound to it */
	struct mutex lock;
	struct rb_root maps;		/* struct kvmmem_map by gva */
};

struct kvmmem_file {
	struct kvmmem_mm *kmm;
	struct list_head maps;		/* struct kvmmem_map.file_link */
};

struct kvmmem_map {
	struct rb_node node;		/* kvmmem_mm.maps */
	struct list_head file_link;	/* kvmmem_file.maps */
	struct kvmmem_file *file;
	unsigned long gva;
	u64 target_gpa;
	struct page *page;		/* pinned */
};

static DEFINE_MUTEX(kvmmem_lock);
static DEFINE_HASHTABLE(kvmmem_mms, 6);
static struct kmem_cache *kvmmem_mm_cache;
static struct kmem_cache *kvmmem_map_cache;
static atomic_long_t kvmmem_nr_mm, kvmmem_nr_maps, kvmmem_nr_leaked;
static struct dentry *kvmmem_debugfs;

/* Host errors as the ioctl's errno: every token refusal is EACCES. */
static int kvmmem_host_errno(long ret)
{
	switch (ret) {
	case -EKEYEXPIRED:
	case -EKEYREVOKED:
	case -EACCES:
		return -EACCES;
	case -KVM_ENOSYS:
		return -EOPNOTSUPP;	/* the host has no handler */
	}
	return ret < 0 && ret >= -MAX_ERRNO ? ret : -EIO;
}

static struct kvmmem_map *kvmmem_find(struct kvmmem_mm *kmm, unsigned long gva)
{
	struct rb_node *n = kmm->maps.rb_node;

	while (n) {
		struct kvmmem_map *m = rb_entry(n, struct kvmmem_map, node);

		if (gva < m->gva)
			n = n->rb_left;
		else if (gva > m->gva)
			n = n->rb_right;
		else
			return m;
	}
	return NULL;
}

static void kvmmem_insert(struct kvmmem_mm *kmm, struct kvmmem_map *map)
{
	struct rb_node **link = &kmm->maps.rb_node, *parent = NULL;

	while (*link) {
		parent = *link;
		if (map->gva < rb_entry(parent, struct kvmmem_map, node)->gva)
			link = &parent->rb_left;
		else
			link = &parent->rb_right;
	}
	rb_link_node(&map->node, parent, link);
	rb_insert_color(&map->node, &kmm->maps);
}

static void kvmmem_map_free(struct kvmmem_map *map)
{
	kmem_cache_free(kvmmem_map_cache, map);
	atomic_long_dec(&kvmmem_nr_maps);
}

/*
 * Undo one mapping: hypercall, then unpin. Called with kmm->lock held and
 * the mapping already out of the tree and list. A refused unmap leaks the
 * pinned page on purpose.
 */
static int kvmmem_unmap_one(struct kvmmem_map *map)
{
	long ret = kvm_hypercall1(KVM_HC_MEM_UNMAP, page_to_phys(map->page));

	if (ret) {
		atomic_long_inc(&kvmmem_nr_leaked);
		pr_err("kvmmem: host refused to unmap gpa 0x%llx (%ld); page stays pinned\n",
		       (u64)page_to_phys(map->page), ret);
	} else {
		unpin_user_page(map->page);
	}
	kvmmem_map_free(map);
	return ret ? kvmmem_host_errno(ret) : 0;
}

static long kvmmem_map(struct kvmmem_file *kf, struct kvmi_mem_map __user *argp)
{
	struct kvmmem_mm *kmm = kf->kmm;
	struct kvmi_mem_map req;
	struct kvmmem_map *map;
	struct page *page;
	long ret;

	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	if (!PAGE_ALIGNED(req.gva) || !PAGE_ALIGNED(req.gpa) || !req.gva)
		return -EINVAL;
	map = kmem_cache_zalloc(kvmmem_map_cache, GFP_KERNEL_ACCOUNT);
	if (!map)
		return -ENOMEM;
	atomic_long_inc(&kvmmem_nr_maps);
	map->file = kf;
	map->gva = req.gva;
	map->target_gpa = req.gpa;

	mutex_lock(&kmm->lock);
	if (kvmmem_find(kmm, req.gva)) {
		ret = -EALREADY;
		goto out_free;
	}
	ret = pin_user_pages_fast(req.gva, 1, FOLL_WRITE | FOLL_LONGTERM, &page);
	if (ret != 1) {
		ret = ret == -ENOMEM ? -ENOMEM : -EINVAL;	/* bad gva */
		goto out_free;
	}
	ret = kvm_hypercall3(KVM_HC_MEM_MAP, (unsigned long)&req.token,
			     req.gpa, page_to_phys(page));
	if (ret) {
		unpin_user_page(page);
		ret = kvmmem_host_errno(ret);
		goto out_free;
	}
	map->page = page;
	kvmmem_insert(kmm, map);
	list_add(&map->file_link, &kf->maps);
	map = NULL;
out_free:
	mutex_unlock(&kmm->lock);
	if (map)
		kvmmem_map_free(map);
	return ret;
}

static long kvmmem_unmap(struct kvmmem_file *kf, unsigned long gva)
{
	struct kvmmem_mm *kmm = kf->kmm;
	struct kvmmem_map *map;
	long ret = -ENOENT;

	if (!PAGE_ALIGNED(gva))
		return -EINVAL;
	mutex_lock(&kmm->lock);
	map = kvmmem_find(kmm, gva);
	if (map && map->file == kf) {
		rb_erase(&map->node, &kmm->maps);
		list_del(&map->file_link);
		ret = kvmmem_unmap_one(map);
	}
	mutex_unlock(&kmm->lock);
	return ret;
}

static long kvmmem_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct kvmmem_file *kf = file->private_data;

	if (cmd != KVM_INTRO_MEM_MAP && cmd != KVM_INTRO_MEM_UNMAP)
		return -ENOTTY;
	if (current->mm != kf->kmm->mm)
		return -EINVAL;		/* not the opener's address space */
	if (cmd == KVM_INTRO_MEM_MAP)
		return kvmmem_map(kf, (void __user *)arg);
	return kvmmem_unmap(kf, arg);
}

/* The mm's state, with a user counted; NULL when out of memory. */
static struct kvmmem_mm *kvmmem_mm_get(struct mm_struct *mm)
{
	struct kvmmem_mm *kmm;

	mutex_lock(&kvmmem_lock);
	hash_for_each_possible(kvmmem_mms, kmm, node, (unsigned long)mm)
		if (kmm->mm == mm)
			goto out;
	kmm = kmem_cache_zalloc(kvmmem_mm_cache, GFP_KERNEL_ACCOUNT);
	if (!kmm)
		goto out;
	atomic_long_inc(&kvmmem_nr_mm);
	mmgrab(mm);
	kmm->mm = mm;
	kmm->tgid = task_tgid_vnr(current);
	kmm->maps = RB_ROOT;
	mutex_init(&kmm->lock);
	hash_add(kvmmem_mms, &kmm->node, (unsigned long)mm);
out:
	if (kmm)
		kmm->users++;
	mutex_unlock(&kvmmem_lock);
	return kmm;
}

static void kvmmem_mm_put(struct kvmmem_mm *kmm)
{
	bool last;

	mutex_lock(&kvmmem_lock);
	last = !--kmm->users;
	if (last)
		hash_del(&kmm->node);
	mutex_unlock(&kvmmem_lock);
	if (!last)
		return;
	WARN_ON(!RB_EMPTY_ROOT(&kmm->maps));
	mmdrop(kmm->mm);
	kmem_cache_free(kvmmem_mm_cache, kmm);
	atomic_long_dec(&kvmmem_nr_mm);
}

static int kvmmem_open(struct inode *inode, struct file *file)
{
	struct kvmmem_file *kf;

	if (!current->mm)
		return -EINVAL;
	kf = kzalloc(sizeof(*kf), GFP_KERNEL_ACCOUNT);
	if (!kf)
		return -ENOMEM;
	kf->kmm = kvmmem_mm_get(current->mm);
	if (!kf->kmm) {
		kfree(kf);
		return -ENOMEM;
	}
	INIT_LIST_HEAD(&kf->maps);
	file->private_data = kf;
	return 0;
}

/* Last close, or the process exiting: unmap everything made through it. */
static int kvmmem_release(struct inode *inode, struct file *file)
{
	struct kvmmem_file *kf = file->private_data;
	struct kvmmem_mm *kmm = kf->kmm;
	struct kvmmem_map *map, *n;

	mutex_lock(&kmm->lock);
	list_for_each_entry_safe(map, n, &kf->maps, file_link) {
		rb_erase(&map->node, &kmm->maps);
		list_del(&map->file_link);
		kvmmem_unmap_one(map);
	}
	mutex_unlock(&kmm->lock);
	kvmmem_mm_put(kmm);
	kfree(kf);
	return 0;
}

static const struct file_operations kvmmem_fops = {
	.owner = THIS_MODULE,
	.open = kvmmem_open,
	.release = kvmmem_release,
	.unlocked_ioctl = kvmmem_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice kvmmem_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "kvmmem",
	.fops = &kvmmem_fops,
	.mode = 0600,
};

/* One line per live mapping: pid gva local_gpa target_gpa. */
static int kvmmem_mappings_show(struct seq_file *m, void *unused)
{
	struct kvmmem_mm *kmm;
	struct rb_node *n;
	int bkt;

	mutex_lock(&kvmmem_lock);
	hash_for_each(kvmmem_mms, bkt, kmm, node) {
		mutex_lock(&kmm->lock);
		for (n = rb_first(&kmm->maps); n; n = rb_next(n)) {
			struct kvmmem_map *map = rb_entry(n, struct kvmmem_map, node);

			seq_printf(m, "%d 0x%lx 0x%llx 0x%llx\n", kmm->tgid, map->gva,
				   (u64)page_to_phys(map->page), map->target_gpa);
		}
		mutex_unlock(&kmm->lock);
	}
	mutex_unlock(&kvmmem_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kvmmem_mappings);

static int kvmmem_stats_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "mm_objects %ld\nmap_objects %ld\nleaked_pages %ld\n",
		   atomic_long_read(&kvmmem_nr_mm),
		   atomic_long_read(&kvmmem_nr_maps),
		   atomic_long_read(&kvmmem_nr_leaked));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kvmmem_stats);

static int __init kvmmem_init(void)
{
	int ret = -ENOMEM;

	kvmmem_mm_cache = KMEM_CACHE(kvmmem_mm, SLAB_ACCOUNT);
	kvmmem_map_cache = KMEM_CACHE(kvmmem_map, SLAB_ACCOUNT);
	if (!kvmmem_mm_cache || !kvmmem_map_cache)
		goto out_caches;
	ret = misc_register(&kvmmem_dev);
	if (ret)
		goto out_caches;
	kvmmem_debugfs = debugfs_create_dir("kvmmem", NULL);
	debugfs_create_file("mappings", 0400, kvmmem_debugfs, NULL,
			    &kvmmem_mappings_fops);
	debugfs_create_file("stats", 0444, kvmmem_debugfs, NULL,
			    &kvmmem_stats_fops);
	return 0;

out_caches:
	kmem_cache_destroy(kvmmem_map_cache);
	kmem_cache_destroy(kvmmem_mm_cache);
	return ret;
}

static void __exit kvmmem_exit(void)
{
	debugfs_remove_recursive(kvmmem_debugfs);
	misc_deregister(&kvmmem_dev);
	kmem_cache_destroy(kvmmem_map_cache);
	kmem_cache_destroy(kvmmem_mm_cache);
}

module_init(kvmmem_init);
module_exit(kvmmem_exit);

MODULE_DESCRIPTION("Map pages of another VM by hypercall (kvmi-harness)");
MODULE_LICENSE("GPL");
