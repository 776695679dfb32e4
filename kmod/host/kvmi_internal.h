/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvmi-harness host handler, shared between its two halves:
 *   kvmi_token.c  the token store, the targets and the host token API
 *                 (/dev/kvmi, debugfs stats)
 *   kvmi_map.c    the hypercalls: map, unmap, and teardown at VM destroy
 *
 * Locking: kvmi_lock covers tokens, targets, the VM table and the counters,
 * and is never held across mm work. A map or unmap drops kvm->srcu and
 * takes the introspector's kvm->slots_lock, then kvmi_vm.lock, and holds
 * both across the memslot lookup and vm_mmap(): the gfn's hva cannot change
 * meanwhile (KVM itself takes mmap_lock inside slots_lock). kvmi_lock may be
 * taken inside kvmi_vm.lock (a map is accounted before it can be found),
 * never the reverse. The reaper (a worker ending a dead target's maps) takes
 * the same locks in the same order, in the introspector VMM's mm.
 */
#ifndef ARCH_X86_KVM_KVMI_INTERNAL_H
#define ARCH_X86_KVM_KVMI_INTERNAL_H

#include <linux/kvm_host.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <uapi/kvmi.h>

#define KVMI_MAX_RANGES		16
#define KVMI_MAX_DEAD_TOKENS	256

struct kvmi_range {
	gfn_t base_gfn;
	u64 npages;
	u64 offset;			/* file offset of base_gfn */
};

/* A target VM as its token saw it; lives on while maps use its pages. */
struct kvmi_target {
	struct kref kref;
	struct list_head link;		/* kvmi_targets */
	struct kvm *kvm;		/* identity only; NULL once destroyed */
	struct file *ram;
	struct file *map_file;		/* what maps mmap(): see kvmi_map.c */
	u64 nr_maps;
	bool end_with_target;		/* KVMI_WINDOW_END_WITH_TARGET */
	unsigned int nr_ranges;
	struct kvmi_range ranges[KVMI_MAX_RANGES];
};

/*
 * An introspector's mapping window, as a token names it: a shared file of
 * the introspector's VMM that backs a memslot but is not guest RAM. Owned
 * by its restore file (what unmap mmap()s, kvmi_map.c), which the token
 * and every map made through it hold.
 */
struct kvmi_window {
	struct file *file;		/* the window's file, as the token names it */
	spinlock_t lock;		/* vma_file, vm_flags */
	/*
	 * Of the window's VMA, as the last map saw it: the VMM's own open of
	 * the file (VMAs merge only with the same struct file) and its flags.
	 */
	struct file *vma_file;
	unsigned long vm_flags;
};

struct kvmi_token {
	struct list_head link;		/* kvmi_tokens */
	u32 id;
	enum kvmi_token_state state;
	struct kvmi_map_mem_token value;
	struct kvmi_target *target;	/* NULL unless live */
	struct file *window;		/* restore file; NULL: no window */
	pid_t target_pid;
	struct pid *introspector;	/* its VMM's thread group; NULL: any */
	ktime_t expires;
	u64 uses;
};

extern struct mutex kvmi_lock;
extern struct list_head kvmi_tokens;
extern struct list_head kvmi_targets;
extern struct kvmi_stats kvmi_stats;
extern atomic_t kvmi_nr_windows;

void kvmi_target_put(struct kvmi_target *t);
void kvmi_reap_flush(void);
int kvmi_map_caches_init(void);
void kvmi_map_caches_exit(void);
struct file *kvmi_map_file(struct file *ram);
struct file *kvmi_window_file(struct file *window);
void kvmi_token_kill(struct kvmi_token *t, enum kvmi_token_state state);
long kvmi_token_use(const struct kvmi_map_mem_token *value,
		    struct kvmi_target **target, struct file **window,
		    enum kvmi_fail *why);
long kvmi_fail(enum kvmi_fail why, long err);

#endif
