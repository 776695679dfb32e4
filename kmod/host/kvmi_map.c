// SPDX-License-Identifier: GPL-2.0
/*
 * kvmi-harness host handler: the KVM_HC_MEM_MAP and KVM_HC_MEM_UNMAP
 * hypercalls (include/uapi/kvmi.h) and teardown when a VM is destroyed.
 *
 * The target's RAM is a shared file. A map replaces one page of the
 * introspector VMM's address space with a MAP_SHARED | MAP_FIXED mapping of
 * that file at the target gpa's offset; KVM's MMU notifier zaps the old
 * SPTE and the next guest access faults the target page in through GUP.
 * Unmap maps fresh anonymous memory back. Only VMAs change: no long-term
 * pins and no PTE edits. The lock rule is in kvmi_internal.h.
 */
#include <linux/kvm_host.h>
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/hashtable.h>
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
};

struct kvmi_map {
	unsigned long hva;
	struct kvmi_target *target;
};

static DEFINE_HASHTABLE(kvmi_vms, 6);

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
	kfree(map);
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
 * mmap() of a shared file checks the file may be mapped writable for the
 * whole of the call (a write-sealed memfd may not); ours must do so for the
 * RAM file, which the VMA will be linked to.
 */
static unsigned long kvmi_mmap_target(struct kvmi_target *target,
				      unsigned long hva, u64 offset)
{
	struct address_space *mapping = target->ram->f_mapping;
	unsigned long addr;

	if (mapping_map_writable(mapping))
		return -EPERM;
	addr = vm_mmap(target->map_file, hva, PAGE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_FIXED, offset);
	mapping_unmap_writable(mapping);
	return addr;
}

/* Is hva backed by the target's RAM file, i.e. is the target the caller? */
static bool kvmi_is_self(unsigned long hva, struct file *ram)
{
	struct vm_area_struct *vma;
	bool self;

	mmap_read_lock(current->mm);
	vma = vma_lookup(current->mm, hva);
	self = vma && vma->vm_file &&
	       file_inode(vma->vm_file) == file_inode(ram);
	mmap_read_unlock(current->mm);
	return self;
}

static long kvmi_vm_map(struct kvm_vcpu *vcpu, struct kvmi_vm *vm, gfn_t gfn,
			unsigned long hva, struct kvmi_target *target,
			u64 offset, enum kvmi_fail *why)
{
	struct kvmi_map *map;
	unsigned long addr;
	long ret;

	map = kzalloc(sizeof(*map), GFP_KERNEL_ACCOUNT);
	if (!map) {
		*why = KVMI_FAIL_MM;
		return -ENOMEM;
	}
	map->hva = hva;
	map->target = target;

	mutex_lock(&vm->lock);
	if (vm->nr_maps >= KVMI_MAX_MAPS) {
		*why = KVMI_FAIL_LIMIT;
		ret = -ENOSPC;
		goto out_free;
	}
	/* Reserve the gfn first: a racing map of it sees -EALREADY. */
	ret = xa_insert(&vm->maps, gfn, map, GFP_KERNEL_ACCOUNT);
	if (ret) {
		*why = ret == -EBUSY ? KVMI_FAIL_ALREADY : KVMI_FAIL_MM;
		ret = ret == -EBUSY ? -EALREADY : ret;
		goto out_free;
	}

	kvm_vcpu_srcu_read_unlock(vcpu);
	if (kvmi_is_self(hva, target->ram))
		addr = -ELOOP;
	else
		addr = kvmi_mmap_target(target, hva, offset);
	kvm_vcpu_srcu_read_lock(vcpu);

	if (addr != hva) {
		xa_erase(&vm->maps, gfn);
		ret = IS_ERR_VALUE(addr) ? (long)addr : -EFAULT;
		*why = ret == -ELOOP ? KVMI_FAIL_SELF : KVMI_FAIL_MM;
		goto out_free;
	}
	/*
	 * Account the map before it can be found: once vm->lock is dropped an
	 * unmap of this gfn may release it, and with it the last reference to
	 * the target, before this vCPU runs again.
	 */
	mutex_lock(&kvmi_lock);
	kvmi_stats.total_maps++;
	kvmi_stats.live_maps++;
	target->nr_maps++;
	if (!target->kvm)	/* the target died meanwhile */
		kvmi_stats.retained++;
	mutex_unlock(&kvmi_lock);
	vm->nr_maps++;
	mutex_unlock(&vm->lock);
	return 0;

out_free:
	mutex_unlock(&vm->lock);
	kfree(map);
	return ret;
}

long kvmi_hc_mem_map(struct kvm_vcpu *vcpu, gva_t token_gva, gpa_t target_gpa,
		     gpa_t local_gpa)
{
	struct kvm *kvm = vcpu->kvm;
	gfn_t gfn = gpa_to_gfn(local_gpa);
	struct kvmi_map_mem_token value;
	struct kvmi_target *target = NULL;
	struct kvm_memory_slot *slot;
	struct x86_exception e;
	struct kvmi_vm *vm = NULL;
	enum kvmi_fail why;
	unsigned long hva;
	u64 offset;
	long ret;

	/* The token may cross a page boundary; this reads both pages. */
	if (kvm_read_guest_virt(vcpu, token_gva, &value, sizeof(value), &e))
		return kvmi_fail(KVMI_FAIL_TOKEN_FAULT, -EFAULT);
	if (!PAGE_ALIGNED(target_gpa) || !PAGE_ALIGNED(local_gpa))
		return kvmi_fail(KVMI_FAIL_ALIGN, -EINVAL);
	slot = kvm_vcpu_gfn_to_memslot(vcpu, gfn);
	if (!kvm_is_visible_memslot(slot))
		return kvmi_fail(KVMI_FAIL_LOCAL_RANGE, -ENXIO);
	if (slot->flags & KVM_MEM_READONLY)
		return kvmi_fail(KVMI_FAIL_READONLY, -EROFS);
	if (current->mm != kvm->mm)
		return kvmi_fail(KVMI_FAIL_MM, -EPERM);
	hva = __gfn_to_hva_memslot(slot, gfn);

	mutex_lock(&kvmi_lock);
	ret = kvmi_token_use(&value, &target, &why);
	if (!ret) {
		ret = kvmi_target_offset(target, target_gpa, &offset);
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

	/* On success the map owns the token's reference: target is not ours. */
	ret = kvmi_vm_map(vcpu, vm, gfn, hva, target, offset, &why);
	if (!ret)
		return 0;
	mutex_lock(&kvmi_lock);
out_fail:
	kvmi_stats.fail[why]++;
	if (target)
		kvmi_target_put(target);
	mutex_unlock(&kvmi_lock);
	return ret;
}

long kvmi_hc_mem_unmap(struct kvm_vcpu *vcpu, gpa_t local_gpa)
{
	gfn_t gfn = gpa_to_gfn(local_gpa);
	struct kvmi_map *map = NULL;
	struct kvmi_vm *vm;
	unsigned long addr;

	if (!PAGE_ALIGNED(local_gpa))
		return kvmi_fail(KVMI_FAIL_ALIGN, -EINVAL);

	mutex_lock(&kvmi_lock);
	vm = kvmi_vm_find(vcpu->kvm);
	mutex_unlock(&kvmi_lock);
	if (vm) {
		mutex_lock(&vm->lock);
		map = xa_load(&vm->maps, gfn);
		if (!map)
			mutex_unlock(&vm->lock);
	}
	if (!map)
		return kvmi_fail(KVMI_FAIL_NOT_MAPPED, -ENOENT);

	kvm_vcpu_srcu_read_unlock(vcpu);
	addr = vm_mmap(NULL, map->hva, PAGE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, 0);
	kvm_vcpu_srcu_read_lock(vcpu);
	if (addr != map->hva) {
		mutex_unlock(&vm->lock);
		return kvmi_fail(KVMI_FAIL_MM,
				 IS_ERR_VALUE(addr) ? (long)addr : -EFAULT);
	}
	xa_erase(&vm->maps, gfn);
	vm->nr_maps--;
	mutex_unlock(&vm->lock);

	mutex_lock(&kvmi_lock);
	kvmi_map_release(map);
	kvmi_stats.total_unmaps++;
	mutex_unlock(&kvmi_lock);
	return 0;
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

	mutex_lock(&kvmi_lock);
	list_for_each_entry(tok, &kvmi_tokens, link)
		if (tok->state == KVMI_TOKEN_LIVE && tok->target->kvm == kvm)
			kvmi_token_kill(tok, KVMI_TOKEN_REVOKED);
	list_for_each_entry(t, &kvmi_targets, link) {
		if (t->kvm != kvm)
			continue;
		t->kvm = NULL;
		kvmi_stats.retained += t->nr_maps;
	}
	vm = kvmi_vm_find(kvm);
	if (vm) {
		hash_del(&vm->node);
		xa_for_each(&vm->maps, gfn, map)
			kvmi_map_release(map);
		xa_destroy(&vm->maps);
		kfree(vm);
	}
	mutex_unlock(&kvmi_lock);
}
