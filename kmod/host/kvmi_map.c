// SPDX-License-Identifier: GPL-2.0
/*
 * kvmi-harness host handler: the KVM_HC_MEM_MAP, KVM_HC_MEM_UNMAP and
 * KVM_HC_MEM_UNMAP_ALL hypercalls (include/uapi/kvmi.h) and teardown when
 * a VM is destroyed (with, for tokens that ask for it, a worker that ends
 * the maps of a dead target).
 *
 * The target's RAM is a shared file. A map replaces one page of the
 * introspector VMM's address space with a MAP_SHARED | MAP_FIXED mapping of
 * that file at the target gpa's offset; KVM's MMU notifier zaps the old
 * SPTE and the next guest access faults the target page in through GUP.
 * With a token that names a window (the introspector's own shared file,
 * not guest RAM), the page replaced must be the window's and unmap maps
 * the window's page back, with the window VMA's flags so that the VMAs
 * merge again; without one, unmap maps fresh anonymous memory back. Only
 * VMAs change: no long-term pins and no PTE edits. The lock rule is in
 * kvmi_internal.h.
 */
#include <linux/kvm_host.h>
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/hashtable.h>
#include <linux/kthread.h>
#include <linux/mman.h>
#include <linux/sched/mm.h>
#include <linux/xarray.h>
#include <uapi/kvmi.h>

#include "x86.h"
#include "kvmi_host.h"
#include "kvmi_internal.h"

/* An introspector VM that has mapped pages. */
struct kvmi_vm {
	struct hlist_node node;		/* kvmi_vms */
	struct kvm *kvm;
	struct mutex lock;		/* map and unmap on this VM */
	struct xarray maps;		/* gfn -> struct kvmi_map */
	unsigned long nr_maps;
	bool reap;			/* kvmi_lock: see kvmi_reap() */
};

struct kvmi_map {
	unsigned long hva;
	u64 offset;			/* in the target's RAM file */
	struct kvmi_target *target;
	struct file *window;		/* restore file; NULL: no window */
	pgoff_t window_pgoff;		/* the window's page at hva */
};

static DEFINE_HASHTABLE(kvmi_vms, 6);

/* Our own caches, so that slub_debug can name them (kvmi_caches_init()). */
static struct kmem_cache *kvmi_map_cache;
static struct kmem_cache *kvmi_window_cache;

/*
 * Live maps per introspector VM: kvm.kvmi_max_maps, which root may lower
 * at any time (maps past it are refused; those alive stay).
 */
static unsigned int kvmi_max_maps = KVMI_MAX_MAPS;
module_param(kvmi_max_maps, uint, 0644);
MODULE_PARM_DESC(kvmi_max_maps, "live maps per introspector VM (kvmi-harness)");

/* Windows' restore files alive (debugfs "windows"): tokens' and maps'. */
atomic_t kvmi_nr_windows = ATOMIC_INIT(0);

static struct kvmi_vm *kvmi_vm_find(struct kvm *kvm)
{
	struct kvmi_vm *vm;

	lockdep_assert_held(&kvmi_lock);
	hash_for_each_possible(kvmi_vms, vm, node, (unsigned long)kvm)
		if (vm->kvm == kvm)
			return vm;
	return NULL;
}

static struct kvmi_vm *kvmi_vm_get(struct kvm *kvm)
{
	struct kvmi_vm *vm = kvmi_vm_find(kvm);

	if (vm)
		return vm;
	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		return NULL;
	vm->kvm = kvm;
	mutex_init(&vm->lock);
	xa_init(&vm->maps);
	hash_add(kvmi_vms, &vm->node, (unsigned long)kvm);
	return vm;
}

static void kvmi_map_release(struct kvmi_map *map)
{
	lockdep_assert_held(&kvmi_lock);
	kvmi_stats.live_maps--;
	if (!map->target->kvm)
		kvmi_stats.retained--;
	map->target->nr_maps--;
	kvmi_target_put(map->target);
	if (map->window)
		fput(map->window);
	kmem_cache_free(kvmi_map_cache, map);
}

static long kvmi_target_offset(struct kvmi_target *t, gpa_t gpa, u64 *offset)
{
	gfn_t gfn = gpa_to_gfn(gpa);
	unsigned int i;

	for (i = 0; i < t->nr_ranges; i++) {
		if (gfn >= t->ranges[i].base_gfn &&
		    gfn - t->ranges[i].base_gfn < t->ranges[i].npages) {
			*offset = t->ranges[i].offset +
				  ((gfn - t->ranges[i].base_gfn) << PAGE_SHIFT);
			return 0;
		}
	}
	return -ERANGE;
}

/*
 * Maps mmap() a file of our own, not the target's RAM file: its ->mmap()
 * hands the new VMA to the RAM file with VM_DONTEXPAND | VM_DONTCOPY set,
 * within the VMM's mmap_lock, so the VMM can neither grow nor duplicate
 * the mapping with mremap() to reach the rest of the file, nor hand it to
 * a fork()ed child (review D7). One such file per target, private_data is
 * the RAM file, which the target holds for as long as this file.
 */
static int kvmi_map_file_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct file *ram = file->private_data;

	vma->vm_flags |= VM_DONTEXPAND | VM_DONTCOPY;
	vma_set_file(vma, ram);
	return call_mmap(ram, vma);
}

static const struct file_operations kvmi_map_file_fops = {
	.owner = THIS_MODULE,
	.mmap = kvmi_map_file_mmap,
};

struct file *kvmi_map_file(struct file *ram)
{
	return anon_inode_getfile("[kvmi-target]", &kvmi_map_file_fops, ram,
				  O_RDWR);
}

/*
 * Unmap mmap()s the window's restore file, whose ->mmap() hands the VMA to
 * the file of the window's VMA (the VMM's own open of it, not the token's)
 * and gives it the flags the window's VMA had (QEMU madvise()s its RAM
 * blocks: VM_DONTCOPY, VM_HUGEPAGE...). mmap_region() merges a VMA with
 * neighbours of the same struct file only if ->mmap() changed its flags,
 * so the restore asks for one flag the window's VMA does not have
 * (kvmi_mmap_restore()) and ->mmap() takes it away again: the window's VMA
 * is whole again after the last unmap (review D5).
 */
static int kvmi_window_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct kvmi_window *w = file->private_data;
	unsigned long flags;
	struct file *f;
	int ret;

	spin_lock(&w->lock);
	f = get_file(w->vma_file ?: w->file);
	flags = w->vm_flags;
	spin_unlock(&w->lock);
	vma_set_file(vma, f);
	fput(f);		/* the VMA holds its own */
	ret = call_mmap(vma->vm_file, vma);
	if (!ret && flags)
		vma->vm_flags = flags & ~VM_SOFTDIRTY;
	return ret;
}

/* The window's VMA as a map sees it, for the restore. */
static void kvmi_window_saw(struct kvmi_window *w, struct vm_area_struct *vma)
{
	struct file *old = NULL;

	spin_lock(&w->lock);
	if (w->vma_file != vma->vm_file) {
		old = w->vma_file;
		w->vma_file = get_file(vma->vm_file);
	}
	w->vm_flags = vma->vm_flags;
	spin_unlock(&w->lock);
	if (old)
		fput(old);
}

static int kvmi_window_release(struct inode *inode, struct file *file)
{
	struct kvmi_window *w = file->private_data;

	if (w->vma_file)
		fput(w->vma_file);
	fput(w->file);
	kmem_cache_free(kvmi_window_cache, w);
	atomic_dec(&kvmi_nr_windows);
	return 0;
}

static const struct file_operations kvmi_window_fops = {
	.owner = THIS_MODULE,
	.mmap = kvmi_window_mmap,
	.release = kvmi_window_release,
};

/* The restore file of an introspector's window, holding the window. */
struct file *kvmi_window_file(struct file *window)
{
	struct kvmi_window *w = kmem_cache_zalloc(kvmi_window_cache, GFP_KERNEL);
	struct file *f;

	if (!w)
		return ERR_PTR(-ENOMEM);
	spin_lock_init(&w->lock);
	w->file = get_file(window);
	f = anon_inode_getfile("[kvmi-window]", &kvmi_window_fops, w, O_RDWR);
	if (IS_ERR(f)) {
		fput(window);
		kmem_cache_free(kvmi_window_cache, w);
	} else {
		atomic_inc(&kvmi_nr_windows);
	}
	return f;
}

/*
 * mmap() of a shared file checks the file may be mapped writable for the
 * whole of the call (a write-sealed memfd may not); ours must do so for the
 * file the VMA will be linked to, not for our own file.
 */
static unsigned long kvmi_mmap_shared(struct file *file, struct file *linked,
				      unsigned long hva, u64 offset,
				      unsigned long flags)
{
	struct address_space *mapping = linked->f_mapping;
	unsigned long addr;

	if (mapping_map_writable(mapping))
		return -EPERM;
	addr = vm_mmap(file, hva, PAGE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_FIXED | flags, offset);
	mapping_unmap_writable(mapping);
	return addr;
}

static unsigned long kvmi_mmap_target(struct kvmi_map *map)
{
	return kvmi_mmap_shared(map->target->map_file, map->target->ram,
				map->hva, map->offset, 0);
}

/*
 * Put back what a map replaced: the window's page, or for a token without
 * a window fresh anonymous memory.
 */
static unsigned long kvmi_mmap_restore(struct kvmi_map *map)
{
	unsigned long differ = MAP_NORESERVE;
	struct kvmi_window *w;

	if (!map->window)
		return vm_mmap(NULL, map->hva, PAGE_SIZE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, 0);
	w = map->window->private_data;
	/*
	 * For a shared mapping VM_NORESERVE changes no accounting; asked for
	 * when the window's VMA lacks it, it makes ->mmap()'s flags differ.
	 * (With vm.overcommit_memory=2 MAP_NORESERVE is ignored: a window
	 * VMA with no flag of its own, no madvise(), then stays split.)
	 */
	spin_lock(&w->lock);
	if (w->vm_flags & VM_NORESERVE)
		differ = 0;
	spin_unlock(&w->lock);
	return kvmi_mmap_shared(map->window, w->file, map->hva,
				(u64)map->window_pgoff << PAGE_SHIFT, differ);
}

static pgoff_t kvmi_vma_pgoff(struct vm_area_struct *vma, unsigned long hva)
{
	return vma->vm_pgoff + ((hva - vma->vm_start) >> PAGE_SHIFT);
}

static bool kvmi_vma_is(struct vm_area_struct *vma, struct file *file)
{
	return vma && vma->vm_file &&
	       file_inode(vma->vm_file) == file_inode(file);
}

/*
 * What is at map->hva in the caller's VMM, which must be its window's page
 * (recorded in map, with the window VMA's flags) or, for a token without a
 * window, anything but the target's RAM.
 */
static long kvmi_check_local(struct kvmi_map *map)
{
	struct kvmi_target *target = map->target;
	struct vm_area_struct *vma;
	long ret = 0;

	mmap_read_lock(current->mm);
	vma = vma_lookup(current->mm, map->hva);
	if (map->window) {
		struct kvmi_window *w = map->window->private_data;

		if (kvmi_vma_is(vma, w->file) && (vma->vm_flags & VM_SHARED)) {
			map->window_pgoff = kvmi_vma_pgoff(vma, map->hva);
			kvmi_window_saw(w, vma);
		} else if (kvmi_vma_is(vma, target->ram)) {
			ret = -EALREADY;	/* through a memslot alias */
		} else {
			ret = -ENXIO;
		}
	} else if (kvmi_vma_is(vma, target->ram)) {
		ret = -ELOOP;
	}
	mmap_read_unlock(current->mm);
	return ret;
}

/* What is at a map's hva now. */
enum kvmi_at {
	KVMI_AT_TARGET,		/* the target's page it mapped */
	KVMI_AT_HOLE,		/* nothing: a MAP_FIXED failed there */
	KVMI_AT_OTHER,		/* what the VMM put there itself */
};

static enum kvmi_at kvmi_at_hva(struct kvmi_map *map)
{
	struct vm_area_struct *vma;
	enum kvmi_at at;

	mmap_read_lock(current->mm);
	vma = vma_lookup(current->mm, map->hva);
	if (!vma)
		at = KVMI_AT_HOLE;
	else if (kvmi_vma_is(vma, map->target->ram) &&
		 kvmi_vma_pgoff(vma, map->hva) == map->offset >> PAGE_SHIFT)
		at = KVMI_AT_TARGET;
	else
		at = KVMI_AT_OTHER;
	mmap_read_unlock(current->mm);
	return at;
}

/*
 * The hva of gfn in slot, the writable memslot of kvm that holds it, or an
 * error. Called with kvm->slots_lock held: the answer holds until it is
 * dropped.
 */
static long kvmi_slot_hva(struct kvm *kvm, struct kvm_memory_slot *slot,
			  gfn_t gfn, unsigned long *hva, enum kvmi_fail *why)
{
	lockdep_assert_held(&kvm->slots_lock);
	if (!kvm_is_visible_memslot(slot)) {
		*why = KVMI_FAIL_LOCAL_RANGE;
		return -ENXIO;
	}
	if (slot->flags & KVM_MEM_READONLY) {
		*why = KVMI_FAIL_READONLY;
		return -EROFS;
	}
	*hva = __gfn_to_hva_memslot(slot, gfn);
	return 0;
}

/*
 * Map map->target's page at map->offset over gfn, which this VM's map
 * table reserves meanwhile. Called with kvm->slots_lock and vm->lock held.
 * On an error, *kept says the record stays all the same (a hole).
 */
static long kvmi_vm_map_locked(struct kvm_vcpu *vcpu, struct kvmi_vm *vm,
			       gfn_t gfn, struct kvmi_map *map,
			       enum kvmi_fail *why, bool *kept)
{
	unsigned long addr;
	long ret;

	ret = kvmi_slot_hva(vcpu->kvm, kvm_vcpu_gfn_to_memslot(vcpu, gfn), gfn,
			    &map->hva, why);
	if (ret)
		return ret;
	if (vm->nr_maps >= READ_ONCE(kvmi_max_maps)) {
		*why = KVMI_FAIL_LIMIT;
		return -ENOSPC;
	}
	/* Reserve the gfn first: a racing map of it sees -EALREADY. */
	ret = xa_insert(&vm->maps, gfn, map, GFP_KERNEL_ACCOUNT);
	if (ret) {
		*why = ret == -EBUSY ? KVMI_FAIL_ALREADY : KVMI_FAIL_MM;
		return ret == -EBUSY ? -EALREADY : ret;
	}
	ret = kvmi_check_local(map);
	if (ret) {
		*why = ret == -ELOOP ? KVMI_FAIL_SELF :
		       ret == -EALREADY ? KVMI_FAIL_ALREADY :
		       KVMI_FAIL_LOCAL_RANGE;
		goto out_erase;
	}
	addr = kvmi_mmap_target(map);
	if (addr == map->hva)
		return 0;

	/*
	 * MAP_FIXED is not atomic: a failure after its munmap step leaves a
	 * hole (review D3). Put back what unmap would: the window's page,
	 * which from a shared file is the page that was there, or for a token
	 * without a window a fresh zero page. If even that fails the record
	 * stays, as a live map, so that an unmap of the gfn can fill the hole.
	 */
	*why = KVMI_FAIL_MM;
	ret = IS_ERR_VALUE(addr) ? (long)addr : -EFAULT;
	if (kvmi_at_hva(map) == KVMI_AT_HOLE &&
	    kvmi_mmap_restore(map) != map->hva) {
		*kept = true;
		return -EIO;
	}
out_erase:
	xa_erase(&vm->maps, gfn);
	return ret;
}

static void kvmi_reap_soon(struct kvmi_vm *vm);

static long kvmi_vm_map(struct kvm_vcpu *vcpu, struct kvmi_vm *vm, gfn_t gfn,
			struct kvmi_map *map, enum kvmi_fail *why, bool *kept)
{
	struct kvm *kvm = vcpu->kvm;
	long ret;

	kvm_vcpu_srcu_read_unlock(vcpu);
	mutex_lock(&kvm->slots_lock);
	mutex_lock(&vm->lock);
	ret = kvmi_vm_map_locked(vcpu, vm, gfn, map, why, kept);
	if (!ret || *kept) {
		/*
		 * Account the map before it can be found: once vm->lock is
		 * dropped an unmap of this gfn may release it, and with it the
		 * last reference to the target, before this vCPU runs again.
		 */
		mutex_lock(&kvmi_lock);
		kvmi_stats.total_maps++;
		kvmi_stats.live_maps++;
		map->target->nr_maps++;
		if (!map->target->kvm) {	/* the target died meanwhile */
			kvmi_stats.retained++;
			if (map->target->end_with_target)
				kvmi_reap_soon(vm);
		}
		mutex_unlock(&kvmi_lock);
		vm->nr_maps++;
	}
	mutex_unlock(&vm->lock);
	mutex_unlock(&kvm->slots_lock);
	kvm_vcpu_srcu_read_lock(vcpu);
	return ret;
}

long kvmi_hc_mem_map(struct kvm_vcpu *vcpu, gva_t token_gva, gpa_t target_gpa,
		     gpa_t local_gpa)
{
	struct kvm *kvm = vcpu->kvm;
	struct kvmi_map_mem_token value;
	struct kvmi_map *map;
	struct x86_exception e;
	struct kvmi_vm *vm = NULL;
	enum kvmi_fail why;
	bool kept = false;
	long ret;

	/* The token may cross a page boundary; this reads both pages. */
	if (kvm_read_guest_virt(vcpu, token_gva, &value, sizeof(value), &e))
		return kvmi_fail(KVMI_FAIL_TOKEN_FAULT, -EFAULT);
	if (!PAGE_ALIGNED(target_gpa) || !PAGE_ALIGNED(local_gpa))
		return kvmi_fail(KVMI_FAIL_ALIGN, -EINVAL);
	if (current->mm != kvm->mm)
		return kvmi_fail(KVMI_FAIL_MM, -EPERM);
	map = kmem_cache_zalloc(kvmi_map_cache, GFP_KERNEL);
	if (!map)
		return kvmi_fail(KVMI_FAIL_MM, -ENOMEM);

	mutex_lock(&kvmi_lock);
	ret = kvmi_token_use(&value, &map->target, &map->window, &why);
	if (!ret) {
		ret = kvmi_target_offset(map->target, target_gpa, &map->offset);
		why = KVMI_FAIL_TARGET_RANGE;
	}
	if (!ret) {
		vm = kvmi_vm_get(kvm);
		ret = vm ? 0 : -ENOMEM;
		why = KVMI_FAIL_MM;
	}
	if (ret)
		goto out_fail;
	mutex_unlock(&kvmi_lock);

	/* Once recorded (0, or a hole kept) the map owns the references. */
	ret = kvmi_vm_map(vcpu, vm, gpa_to_gfn(local_gpa), map, &why, &kept);
	if (!ret)
		return 0;
	if (kept)
		return kvmi_fail(why, ret);
	mutex_lock(&kvmi_lock);
out_fail:
	kvmi_stats.fail[why]++;
	if (map->target)
		kvmi_target_put(map->target);
	mutex_unlock(&kvmi_lock);
	if (map->window)
		fput(map->window);
	kmem_cache_free(kvmi_map_cache, map);
	return ret;
}

/*
 * End the map of gfn: give back what it replaced. Called with
 * kvm->slots_lock and vm->lock held. On 0 or -ENOENT the map is released;
 * on any other error it stays, and unmap may be retried.
 */
static long kvmi_vm_unmap_locked(struct kvm *kvm, struct kvmi_vm *vm,
				 unsigned long gfn, struct kvmi_map *map)
{
	enum kvmi_fail why;
	unsigned long hva, addr;
	long ret = -ENOENT;

	/*
	 * What the map replaced is put back wherever the target's page still
	 * is, whatever became of the gfn's memslot (a guest that turned its BAR's decode off still
	 * has the target in its window). A hole a failed restore left is
	 * filled only while the gfn's memslot still covers it. If the VMM put
	 * something there itself, the record goes and the mm is left alone
	 * (review D4).
	 */
	switch (kvmi_at_hva(map)) {
	case KVMI_AT_HOLE:
		if (kvmi_slot_hva(kvm, gfn_to_memslot(kvm, gfn), gfn, &hva,
				  &why) || hva != map->hva)
			break;
		fallthrough;
	case KVMI_AT_TARGET:
		addr = kvmi_mmap_restore(map);
		if (addr == map->hva)
			ret = 0;
		else
			ret = IS_ERR_VALUE(addr) ? (long)addr : -EFAULT;
		break;
	case KVMI_AT_OTHER:
		break;
	}
	if (ret && ret != -ENOENT)
		return ret;
	xa_erase(&vm->maps, gfn);
	vm->nr_maps--;
	mutex_lock(&kvmi_lock);
	kvmi_map_release(map);
	kvmi_stats.total_unmaps++;
	mutex_unlock(&kvmi_lock);
	return ret;
}

/* This VM's map records, or NULL if it never mapped. */
static struct kvmi_vm *kvmi_vm_of(struct kvm *kvm)
{
	struct kvmi_vm *vm;

	mutex_lock(&kvmi_lock);
	vm = kvmi_vm_find(kvm);
	mutex_unlock(&kvmi_lock);
	return vm;
}

long kvmi_hc_mem_unmap(struct kvm_vcpu *vcpu, gpa_t local_gpa)
{
	struct kvm *kvm = vcpu->kvm;
	gfn_t gfn = gpa_to_gfn(local_gpa);
	struct kvmi_map *map;
	struct kvmi_vm *vm;
	long ret = -ENOENT;

	if (!PAGE_ALIGNED(local_gpa))
		return kvmi_fail(KVMI_FAIL_ALIGN, -EINVAL);
	vm = kvmi_vm_of(kvm);
	if (!vm)
		return kvmi_fail(KVMI_FAIL_NOT_MAPPED, -ENOENT);

	kvm_vcpu_srcu_read_unlock(vcpu);
	mutex_lock(&kvm->slots_lock);
	mutex_lock(&vm->lock);
	map = xa_load(&vm->maps, gfn);
	if (map)
		ret = kvmi_vm_unmap_locked(kvm, vm, gfn, map);
	mutex_unlock(&vm->lock);
	mutex_unlock(&kvm->slots_lock);
	kvm_vcpu_srcu_read_lock(vcpu);
	if (ret)
		kvmi_fail(ret == -ENOENT ? KVMI_FAIL_NOT_MAPPED : KVMI_FAIL_MM,
			  ret);
	return ret;
}

/*
 * Every map of the caller's VM, as a kernel that has just booted wants:
 * the number of maps ended, or the error of one that stays (the others are
 * ended all the same).
 */
long kvmi_hc_mem_unmap_all(struct kvm_vcpu *vcpu)
{
	struct kvm *kvm = vcpu->kvm;
	struct kvmi_map *map;
	struct kvmi_vm *vm;
	unsigned long gfn;
	long ret, err = 0, n = 0;

	vm = kvmi_vm_of(kvm);
	if (!vm)
		return 0;

	kvm_vcpu_srcu_read_unlock(vcpu);
	mutex_lock(&kvm->slots_lock);
	mutex_lock(&vm->lock);
	xa_for_each(&vm->maps, gfn, map) {
		ret = kvmi_vm_unmap_locked(kvm, vm, gfn, map);
		if (ret && ret != -ENOENT)
			err = ret;
		else
			n++;
		cond_resched();
	}
	mutex_unlock(&vm->lock);
	mutex_unlock(&kvm->slots_lock);
	kvm_vcpu_srcu_read_lock(vcpu);
	return err ? kvmi_fail(KVMI_FAIL_MM, err) : n;
}

/*
 * Maps of a dead target whose token said KVMI_WINDOW_END_WITH_TARGET end
 * here, in a worker: the introspector's VMM is another process, so the
 * worker borrows its mm (kthread_use_mm()) and takes the locks a vCPU's
 * unmap takes, in the same order.
 */
static void kvmi_vm_reap(struct kvm *kvm, struct kvmi_vm *vm)
{
	struct mm_struct *mm = kvm->mm;
	struct kvmi_map *map;
	unsigned long gfn;
	long ret;

	if (!mmget_not_zero(mm))
		return;		/* the VMM is exiting, and its maps with it */
	kthread_use_mm(mm);
	mutex_lock(&kvm->slots_lock);
	mutex_lock(&vm->lock);
	xa_for_each(&vm->maps, gfn, map) {
		if (READ_ONCE(map->target->kvm) || !map->target->end_with_target)
			continue;
		ret = kvmi_vm_unmap_locked(kvm, vm, gfn, map);
		if (ret && ret != -ENOENT)	/* the map stays */
			kvmi_fail(KVMI_FAIL_MM, ret);
		cond_resched();
	}
	mutex_unlock(&vm->lock);
	mutex_unlock(&kvm->slots_lock);
	kthread_unuse_mm(mm);
	mmput(mm);
}

static void kvmi_reap(struct work_struct *work)
{
	struct kvmi_vm *vm;
	struct kvm *kvm;
	int bkt;

restart:
	mutex_lock(&kvmi_lock);
	hash_for_each(kvmi_vms, bkt, vm, node) {
		if (!vm->reap)
			continue;
		vm->reap = false;
		kvm = vm->kvm;
		/* A VM being destroyed drops its records itself. */
		if (!kvm_get_kvm_safe(kvm))
			continue;
		/* Held, the VM and so vm outlive the unlock. */
		mutex_unlock(&kvmi_lock);
		kvmi_vm_reap(kvm, vm);
		kvm_put_kvm(kvm);
		goto restart;
	}
	mutex_unlock(&kvmi_lock);
}

static DECLARE_WORK(kvmi_reap_work, kvmi_reap);

static void kvmi_reap_soon(struct kvmi_vm *vm)
{
	lockdep_assert_held(&kvmi_lock);
	vm->reap = true;
	queue_work(system_long_wq, &kvmi_reap_work);
}

/* Module exit: no VM is left, and no reap is pending after this. */
void kvmi_reap_flush(void)
{
	flush_work(&kvmi_reap_work);
}

/*
 * A VM is going away. As an introspector its records go; its VMM's mm, and
 * with it the mappings, is gone already. As a target, its tokens are revoked
 * and the pages introspectors still map are retained until they unmap.
 */
void kvmi_destroy_vm(struct kvm *kvm)
{
	struct kvmi_target *t;
	struct kvmi_token *tok;
	struct kvmi_map *map;
	struct kvmi_vm *vm;
	unsigned long gfn;
	bool reap = false;
	int bkt;

	mutex_lock(&kvmi_lock);
	list_for_each_entry(tok, &kvmi_tokens, link)
		if (tok->state == KVMI_TOKEN_LIVE && tok->target->kvm == kvm)
			kvmi_token_kill(tok, KVMI_TOKEN_REVOKED);
	list_for_each_entry(t, &kvmi_targets, link) {
		if (t->kvm != kvm)
			continue;
		WRITE_ONCE(t->kvm, NULL);
		kvmi_stats.retained += t->nr_maps;
		reap |= t->end_with_target && t->nr_maps;
	}
	vm = kvmi_vm_find(kvm);
	if (vm) {
		hash_del(&vm->node);
		xa_for_each(&vm->maps, gfn, map)
			kvmi_map_release(map);
		xa_destroy(&vm->maps);
		kfree(vm);
	}
	if (reap)
		hash_for_each(kvmi_vms, bkt, vm, node)
			kvmi_reap_soon(vm);
	mutex_unlock(&kvmi_lock);
}

int kvmi_map_caches_init(void)
{
	kvmi_map_cache = KMEM_CACHE(kvmi_map, SLAB_ACCOUNT);
	kvmi_window_cache = KMEM_CACHE(kvmi_window, SLAB_ACCOUNT);
	if (kvmi_map_cache && kvmi_window_cache)
		return 0;
	kvmi_map_caches_exit();
	return -ENOMEM;
}

/* After every map and window is gone: a leaked one is reported by name. */
void kvmi_map_caches_exit(void)
{
	kmem_cache_destroy(kvmi_window_cache);
	kmem_cache_destroy(kvmi_map_cache);
	kvmi_window_cache = NULL;
	kvmi_map_cache = NULL;
}
