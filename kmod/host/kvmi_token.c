// SPDX-License-Identifier: GPL-2.0
/*
 * kvmi-harness host handler: the token store. Tokens, the targets they
 * name, their expiry and revocation, the failure counters, and the host
 * token API (/dev/kvmi and /sys/kernel/debug/kvmi/stats). The lock rule is
 * in kvmi_internal.h.
 */
#include <linux/kvm_host.h>
#include <linux/debugfs.h>
#include <linux/file.h>
#include <linux/magic.h>
#include <linux/miscdevice.h>
#include <linux/random.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <crypto/algapi.h>
#include <uapi/kvmi.h>

#include "kvmi_host.h"
#include "kvmi_internal.h"

/* kvmi_lock: the rule is in kvmi_internal.h */
DEFINE_MUTEX(kvmi_lock);
LIST_HEAD(kvmi_tokens);
LIST_HEAD(kvmi_targets);
struct kvmi_stats kvmi_stats;
static unsigned int kvmi_dead_tokens;
static u32 kvmi_next_id = 1;
static struct dentry *kvmi_debugfs;
static struct kmem_cache *kvmi_token_cache;
static struct kmem_cache *kvmi_target_cache;

static const char * const kvmi_fail_names[KVMI_FAIL_MAX] = KVMI_FAIL_NAMES;

static void kvmi_target_release(struct kref *kref)
{
	struct kvmi_target *t = container_of(kref, struct kvmi_target, kref);

	lockdep_assert_held(&kvmi_lock);
	list_del(&t->link);
	fput(t->map_file);
	fput(t->ram);
	kmem_cache_free(kvmi_target_cache, t);
}

static void kvmi_token_free(struct kvmi_token *t)
{
	if (t->window)
		fput(t->window);
	put_pid(t->introspector);
	kmem_cache_free(kvmi_token_cache, t);
}

void kvmi_target_put(struct kvmi_target *t)
{
	kref_put(&t->kref, kvmi_target_release);
}

/* A live token stops being usable: expired, revoked, or its target died. */
void kvmi_token_kill(struct kvmi_token *t, enum kvmi_token_state state)
{
	lockdep_assert_held(&kvmi_lock);
	if (t->state != KVMI_TOKEN_LIVE)
		return;
	t->state = state;
	kvmi_target_put(t->target);
	t->target = NULL;
	/* Maps hold the window's restore file; a dead token needs none. */
	if (t->window) {
		fput(t->window);
		t->window = NULL;
	}
	kvmi_stats.live_tokens--;
	kvmi_dead_tokens++;
}

/* Expire what is due and bound the tombstones kept for precise errors. */
static void kvmi_tokens_tidy(void)
{
	struct kvmi_token *t, *n;
	ktime_t now = ktime_get();

	lockdep_assert_held(&kvmi_lock);
	list_for_each_entry(t, &kvmi_tokens, link)
		if (t->state == KVMI_TOKEN_LIVE && ktime_after(now, t->expires))
			kvmi_token_kill(t, KVMI_TOKEN_EXPIRED);
	list_for_each_entry_safe(t, n, &kvmi_tokens, link) {
		if (kvmi_dead_tokens <= KVMI_MAX_DEAD_TOKENS)
			break;
		if (t->state == KVMI_TOKEN_LIVE)
			continue;
		list_del(&t->link);
		kvmi_token_free(t);
		kvmi_dead_tokens--;
	}
}

long kvmi_fail(enum kvmi_fail why, long err)
{
	mutex_lock(&kvmi_lock);
	kvmi_stats.fail[why]++;
	mutex_unlock(&kvmi_lock);
	return err;
}

/*
 * Find the token, check it may be used by this caller and return its target
 * and its window's restore file (or NULL), with a reference held on each.
 * Constant-time compare against every token.
 * Not inlined or cloned: kvmi-trace hc times it (fentry needs its BTF) as
 * the token-check phase of a map.
 */
noinline __noclone long
kvmi_token_use(const struct kvmi_map_mem_token *value,
	       struct kvmi_target **target, struct file **window,
	       enum kvmi_fail *why)
{
	struct kvmi_token *t, *found = NULL;

	lockdep_assert_held(&kvmi_lock);
	kvmi_tokens_tidy();
	list_for_each_entry(t, &kvmi_tokens, link)
		if (!crypto_memneq(&t->value, value, sizeof(*value)))
			found = t;
	if (!found) {
		*why = KVMI_FAIL_TOKEN_UNKNOWN;
		return -EACCES;
	}
	if (found->state == KVMI_TOKEN_EXPIRED) {
		*why = KVMI_FAIL_TOKEN_EXPIRED;
		return -EKEYEXPIRED;
	}
	if (found->state == KVMI_TOKEN_REVOKED) {
		*why = KVMI_FAIL_TOKEN_REVOKED;
		return -EKEYREVOKED;
	}
	if (found->introspector && found->introspector != task_tgid(current)) {
		*why = KVMI_FAIL_WRONG_INTROSPECTOR;
		return -EPERM;
	}
	found->uses++;
	kref_get(&found->target->kref);
	*target = found->target;
	*window = found->window ? get_file(found->window) : NULL;
	return 0;
}

/* ---- host token API: /dev/kvmi ---- */

/*
 * The thread group of process nr in the caller's pid namespace, held: an
 * introspector is bound to a process, not to a number that another
 * namespace, or a later process, may reuse (review D9).
 */
static struct pid *kvmi_find_tgid(pid_t nr)
{
	struct pid *p;

	rcu_read_lock();
	p = find_vpid(nr);
	if (p && !pid_has_task(p, PIDTYPE_TGID))
		p = NULL;
	p = get_pid(p);
	rcu_read_unlock();
	return p;
}

/* The VM whose VMM is process pid, with a reference held. */
static struct kvm *kvmi_find_kvm(pid_t pid)
{
	struct task_struct *task = NULL;
	struct mm_struct *mm = NULL;
	struct kvm *kvm, *found = NULL;
	struct pid *p = find_get_pid(pid);

	if (p) {
		task = get_pid_task(p, PIDTYPE_PID);
		put_pid(p);
	}
	if (task) {
		mm = get_task_mm(task);
		put_task_struct(task);
	}
	if (!mm)
		return NULL;
	mutex_lock(&kvm_lock);
	list_for_each_entry(kvm, &vm_list, vm_list) {
		if (kvm->mm == mm && kvm_get_kvm_safe(kvm)) {
			found = kvm;
			break;
		}
	}
	mutex_unlock(&kvm_lock);
	mmput(mm);
	return found;
}

/* The target's gpa -> file offset layout: the memslots that ram backs. */
static int kvmi_read_layout(struct kvm *kvm, struct file *ram,
			    struct kvmi_target *t)
{
	struct mm_struct *mm = kvm->mm;
	struct kvm_memory_slot *slot;
	int bkt, idx, ret = 0;

	if (!mmget_not_zero(mm))
		return -ESRCH;
	idx = srcu_read_lock(&kvm->srcu);
	mmap_read_lock(mm);
	kvm_for_each_memslot(slot, bkt, __kvm_memslots(kvm, 0)) {
		unsigned long start = slot->userspace_addr;
		unsigned long end = start + (slot->npages << PAGE_SHIFT);
		struct vm_area_struct *vma = vma_lookup(mm, start);

		if (!kvm_is_visible_memslot(slot) || !vma || !vma->vm_file ||
		    file_inode(vma->vm_file) != file_inode(ram) ||
		    !(vma->vm_flags & VM_SHARED) || end > vma->vm_end)
			continue;
		/*
		 * Memory with no struct page refcount (a driver's
		 * remap_pfn_range()): what a second mmap() of it gives is the
		 * driver's choice, and nothing would keep its pages alive for
		 * a map but the driver's own rules. Refuse the whole token.
		 */
		if (vma->vm_flags & (VM_PFNMAP | VM_IO)) {
			ret = -EOPNOTSUPP;
			break;
		}
		if (t->nr_ranges == KVMI_MAX_RANGES) {
			ret = -E2BIG;
			break;
		}
		t->ranges[t->nr_ranges].base_gfn = slot->base_gfn;
		t->ranges[t->nr_ranges].npages = slot->npages;
		t->ranges[t->nr_ranges].offset = ((u64)vma->vm_pgoff << PAGE_SHIFT) +
						 (start - vma->vm_start);
		t->nr_ranges++;
	}
	mmap_read_unlock(mm);
	srcu_read_unlock(&kvm->srcu, idx);
	mmput(mm);
	return ret;
}

static bool kvmi_file_rw(struct file *f)
{
	return (f->f_mode & (FMODE_READ | FMODE_WRITE)) ==
	       (FMODE_READ | FMODE_WRITE);
}

/*
 * A hugetlbfs file (SysV SHM_HUGETLB too): is_file_hugepages() is not
 * exported, and the superblock says the same.
 */
static bool kvmi_file_hugetlb(struct file *f)
{
	return file_inode(f)->i_sb->s_magic == HUGETLBFS_MAGIC;
}

/*
 * The restore file of window_fd, the introspector's mapping window, which
 * must be a regular file that can be mapped shared, and not the target's
 * RAM. ERR_PTR on error.
 */
static struct file *kvmi_window_get(int window_fd, struct file *ram)
{
	struct file *window = fget(window_fd), *restore;

	if (!window)
		return ERR_PTR(-EBADF);
	if (!kvmi_file_rw(window))
		restore = ERR_PTR(-EACCES);
	else if (!S_ISREG(file_inode(window)->i_mode) || !window->f_op->mmap)
		restore = ERR_PTR(-EINVAL);
	else if (file_inode(window) == file_inode(ram))
		restore = ERR_PTR(-ELOOP);
	else if (kvmi_file_hugetlb(window))
		restore = ERR_PTR(-EOPNOTSUPP);
	else
		restore = kvmi_window_file(window);
	fput(window);		/* the restore file holds its own */
	return restore;
}

/* KVMI_TOKEN_ISSUE, and KVMI_TOKEN_ISSUE_WINDOW when window_fd >= 0. */
static long kvmi_issue(struct kvmi_token_issue *req, int window_fd, u32 flags)
{
	struct kvmi_target *target;
	struct kvmi_token *tok;
	struct kvm *kvm;
	struct file *ram;
	long ret;

	ram = fget(req->ram_fd);
	if (!ram)
		return -EBADF;
	target = kmem_cache_zalloc(kvmi_target_cache, GFP_KERNEL);
	tok = kmem_cache_zalloc(kvmi_token_cache, GFP_KERNEL);
	ret = -ENOMEM;
	if (!target || !tok)
		goto out_free;
	/* Maps are shared and writable. */
	ret = -EACCES;
	if (!kvmi_file_rw(ram))
		goto out_free;
	/* Maps and restores are of one 4 KiB page: hugetlbfs has none. */
	ret = -EOPNOTSUPP;
	if (kvmi_file_hugetlb(ram))
		goto out_free;
	if (window_fd >= 0) {
		tok->window = kvmi_window_get(window_fd, ram);
		if (IS_ERR(tok->window)) {
			ret = PTR_ERR(tok->window);
			tok->window = NULL;
			goto out_free;
		}
	}
	ret = -ESRCH;
	if (req->introspector_pid) {
		tok->introspector = kvmi_find_tgid(req->introspector_pid);
		if (!tok->introspector)
			goto out_free;
	}
	kvm = kvmi_find_kvm(req->target_pid);
	if (!kvm)
		goto out_free;
	ret = kvmi_read_layout(kvm, ram, target);
	if (!ret && !target->nr_ranges)
		ret = -EINVAL;	/* ram backs none of the target's memory */
	if (!ret) {
		target->map_file = kvmi_map_file(ram);
		if (IS_ERR(target->map_file)) {
			ret = PTR_ERR(target->map_file);
			target->map_file = NULL;
		}
	}
	if (ret)
		goto out_put_kvm;

	kref_init(&target->kref);
	target->kvm = kvm;
	target->end_with_target = flags & KVMI_WINDOW_END_WITH_TARGET;
	target->ram = ram;
	get_random_bytes(&tok->value, sizeof(tok->value));
	tok->target = target;
	tok->target_pid = req->target_pid;
	tok->expires = ktime_add_ms(ktime_get(), 1000ULL *
				    (req->ttl_s ? req->ttl_s : KVMI_DEFAULT_TTL_S));

	mutex_lock(&kvmi_lock);
	kvmi_tokens_tidy();
	if (kvmi_stats.live_tokens >= KVMI_MAX_TOKENS) {
		mutex_unlock(&kvmi_lock);
		ret = -ENOSPC;
		goto out_put_kvm;
	}
	/* Listed while we hold the kvm: its destruction will see it. */
	list_add(&target->link, &kvmi_targets);
	tok->id = kvmi_next_id++;
	list_add_tail(&tok->link, &kvmi_tokens);
	kvmi_stats.live_tokens++;
	req->id = tok->id;
	req->nr_ranges = target->nr_ranges;
	req->token = tok->value;
	mutex_unlock(&kvmi_lock);
	kvm_put_kvm(kvm);
	return 0;

out_put_kvm:
	kvm_put_kvm(kvm);
	if (target->map_file)
		fput(target->map_file);
out_free:
	if (tok)
		kvmi_token_free(tok);
	if (target)
		kmem_cache_free(kvmi_target_cache, target);
	fput(ram);
	return ret;
}

/* Revoke token id: by the host token API, or one its caller never got. */
static long kvmi_revoke(u32 id)
{
	struct kvmi_token *t;
	long ret = -ENOENT;

	mutex_lock(&kvmi_lock);
	list_for_each_entry(t, &kvmi_tokens, link) {
		if (t->id == id) {
			kvmi_token_kill(t, KVMI_TOKEN_REVOKED);
			ret = 0;
			break;
		}
	}
	kvmi_tokens_tidy();
	mutex_unlock(&kvmi_lock);
	return ret;
}

static long kvmi_ioctl_issue(struct kvmi_token_issue __user *argp)
{
	struct kvmi_token_issue req;
	long ret;

	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	ret = kvmi_issue(&req, -1, 0);
	if (!ret && copy_to_user(argp, &req, sizeof(req))) {
		kvmi_revoke(req.id);
		ret = -EFAULT;
	}
	return ret;
}

static long kvmi_ioctl_issue_window(struct kvmi_token_issue_window __user *argp)
{
	struct kvmi_token_issue_window req;
	long ret;

	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	if (req.flags & ~KVMI_WINDOW_END_WITH_TARGET)
		return -EINVAL;
	if (req.window_fd < 0)
		return -EBADF;
	ret = kvmi_issue(&req.issue, req.window_fd, req.flags);
	if (!ret && copy_to_user(argp, &req, sizeof(req))) {
		kvmi_revoke(req.issue.id);
		ret = -EFAULT;
	}
	return ret;
}

static long kvmi_ioctl_revoke(u32 __user *argp)
{
	u32 id;

	if (get_user(id, argp))
		return -EFAULT;
	return kvmi_revoke(id);
}

/* As the caller's pid namespace sees it: -1 if it cannot, 0 for any. */
static pid_t kvmi_pid_nr(struct pid *p)
{
	pid_t nr = p ? pid_vnr(p) : 0;

	return p && !nr ? -1 : nr;
}

static long kvmi_ioctl_list(struct kvmi_token_list __user *argp)
{
	struct kvmi_token_info __user *out;
	struct kvmi_token_info *info;
	struct kvmi_token_list req;
	struct kvmi_token *t;
	ktime_t now = ktime_get();
	u32 n = 0;
	long ret = 0;

	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	req.count = min_t(u32, req.count, KVMI_MAX_TOKENS + KVMI_MAX_DEAD_TOKENS);
	info = kvcalloc(req.count, sizeof(*info), GFP_KERNEL_ACCOUNT);
	if (!info && req.count)
		return -ENOMEM;
	mutex_lock(&kvmi_lock);
	kvmi_tokens_tidy();
	list_for_each_entry(t, &kvmi_tokens, link) {
		if (n == req.count)
			break;
		info[n].id = t->id;
		info[n].state = t->state;
		info[n].target_pid = t->target_pid;
		info[n].introspector_pid = kvmi_pid_nr(t->introspector);
		info[n].uses = t->uses;
		if (t->state == KVMI_TOKEN_LIVE)
			info[n].ttl_left_ms = ktime_ms_delta(t->expires, now);
		n++;
	}
	mutex_unlock(&kvmi_lock);
	out = u64_to_user_ptr(req.info);
	req.count = n;
	if (copy_to_user(out, info, n * sizeof(*info)) ||
	    copy_to_user(argp, &req, sizeof(req)))
		ret = -EFAULT;
	kvfree(info);
	return ret;
}

static void kvmi_get_stats(struct kvmi_stats *s)
{
	mutex_lock(&kvmi_lock);
	kvmi_tokens_tidy();
	*s = kvmi_stats;
	mutex_unlock(&kvmi_lock);
}

static long kvmi_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *argp = (void __user *)arg;
	struct kvmi_stats s;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	switch (cmd) {
	case KVMI_TOKEN_ISSUE:
		return kvmi_ioctl_issue(argp);
	case KVMI_TOKEN_ISSUE_WINDOW:
		return kvmi_ioctl_issue_window(argp);
	case KVMI_TOKEN_REVOKE:
		return kvmi_ioctl_revoke(argp);
	case KVMI_TOKEN_LIST:
		return kvmi_ioctl_list(argp);
	case KVMI_GET_STATS:
		kvmi_get_stats(&s);
		return copy_to_user(argp, &s, sizeof(s)) ? -EFAULT : 0;
	}
	return -ENOTTY;
}

static const struct file_operations kvmi_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = kvmi_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice kvmi_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "kvmi",
	.fops = &kvmi_fops,
	.mode = 0600,
};

/*
 * What the stats file counts by walking the lists. What retained maps keep
 * alive (review D8): a map of a dead target holds its whole RAM file, not
 * one page; files and their size in bytes. And every target and token of
 * ours, live or not, which /sys/kernel/slab/kvmi_target and kvmi_token
 * must match exactly.
 */
struct kvmi_census {
	u64 files, bytes, targets, tokens;
};

static void kvmi_census(struct kvmi_census *c)
{
	struct kvmi_target *t;
	struct kvmi_token *tok;

	memset(c, 0, sizeof(*c));
	mutex_lock(&kvmi_lock);
	list_for_each_entry(tok, &kvmi_tokens, link)
		c->tokens++;
	list_for_each_entry(t, &kvmi_targets, link) {
		c->targets++;
		if (t->kvm || !t->nr_maps)
			continue;
		c->files++;
		c->bytes += i_size_read(file_inode(t->ram));
	}
	mutex_unlock(&kvmi_lock);
}

static int kvmi_stats_show(struct seq_file *m, void *unused)
{
	struct kvmi_census c;
	struct kvmi_stats s;
	int i;

	kvmi_get_stats(&s);
	kvmi_census(&c);
	seq_printf(m, "live_tokens %llu\nlive_maps %llu\ntotal_maps %llu\n",
		   s.live_tokens, s.live_maps, s.total_maps);
	seq_printf(m, "total_unmaps %llu\nretained %llu\n",
		   s.total_unmaps, s.retained);
	seq_printf(m, "retained_files %llu\nretained_bytes %llu\n", c.files, c.bytes);
	seq_printf(m, "windows %d\n", atomic_read(&kvmi_nr_windows));
	seq_printf(m, "targets %llu\ntokens %llu\n", c.targets, c.tokens);
	for (i = 0; i < KVMI_FAIL_MAX; i++)
		seq_printf(m, "fail_%s %llu\n", kvmi_fail_names[i], s.fail[i]);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kvmi_stats);

/*
 * Each kind of object of ours in a cache of its own, named after its
 * struct: slub_debug=FZPU,kvmi_map,... (L1's command line) gives them red
 * zones, poisoning and their owners, and /sys/kernel/slab/kvmi_* counts
 * them exactly.
 */
static void kvmi_caches_exit(void)
{
	kvmi_map_caches_exit();
	kmem_cache_destroy(kvmi_target_cache);
	kmem_cache_destroy(kvmi_token_cache);
}

static int kvmi_caches_init(void)
{
	kvmi_token_cache = KMEM_CACHE(kvmi_token, SLAB_ACCOUNT);
	kvmi_target_cache = KMEM_CACHE(kvmi_target, SLAB_ACCOUNT);
	if (kvmi_token_cache && kvmi_target_cache && !kvmi_map_caches_init())
		return 0;
	kvmi_caches_exit();
	return -ENOMEM;
}

int kvmi_init(void)
{
	int ret = kvmi_caches_init();

	if (ret)
		return ret;
	ret = misc_register(&kvmi_dev);
	if (ret) {
		kvmi_caches_exit();
		return ret;
	}
	kvmi_debugfs = debugfs_create_dir("kvmi", NULL);
	debugfs_create_file("stats", 0444, kvmi_debugfs, NULL, &kvmi_stats_fops);
	return 0;
}

void kvmi_exit(void)
{
	struct kvmi_token *t, *n;

	debugfs_remove_recursive(kvmi_debugfs);
	misc_deregister(&kvmi_dev);
	kvmi_reap_flush();
	mutex_lock(&kvmi_lock);
	list_for_each_entry_safe(t, n, &kvmi_tokens, link) {
		kvmi_token_kill(t, KVMI_TOKEN_REVOKED);
		list_del(&t->link);
		kvmi_token_free(t);
	}
	/* Every VM is gone, so every map and target is too. */
	WARN_ON(!list_empty(&kvmi_targets) || kvmi_stats.live_maps);
	mutex_unlock(&kvmi_lock);
	kvmi_caches_exit();
}
