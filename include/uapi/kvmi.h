/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * kvmi-harness ABI: hypercalls between the introspector guest and the host
 * handler, and the /dev/kvmmem ioctls. The only definition of this ABI.
 */
#ifndef _UAPI_KVMI_H
#define _UAPI_KVMI_H

#include <linux/types.h>
#include <linux/ioctl.h>

/*
 * Hypercall numbers (rax); arguments in rbx, rcx, rdx; result in rax.
 * CPL 0 only: from CPL 3 KVM answers -KVM_EPERM (-EPERM).
 *
 * KVM_HC_MEM_MAP (a0 token gva, a1 target gpa, a2 introspector gpa):
 * afterwards a2's page is the target's page at a1. If the token names a
 * mapping window (KVMI_TOKEN_ISSUE_WINDOW), a2 must lie in that window: a
 * shared file of the introspector's VMM that backs a memslot and is not
 * guest RAM (a PCI BAR, say); then 0, or (a2's window page as it was):
 *   -EFAULT       the 32-byte token at a0 cannot be read (a0 = 0: no token)
 *   -EINVAL       a1 or a2 not page aligned
 *   -EACCES       no such token (forged)
 *   -EKEYEXPIRED  the token's TTL has passed
 *   -EKEYREVOKED  the token was revoked
 *   -EPERM        the token is bound to another introspector, or the
 *                 target's RAM file is sealed against writes
 *   -ERANGE       a1 is outside the target's RAM
 *   -ENXIO        a2 is outside the introspector's memslots, or outside
 *                 the token's window
 *   -EROFS        a2 is in a read-only memslot
 *   -ELOOP        the target is the caller (a2 is backed by the target's RAM)
 *   -EALREADY     a2 is mapped already
 *   -ENOSPC       this VM has kvm.kvmi_max_maps live maps (a parameter
 *                 of kvm.ko, KVMI_MAX_MAPS unless root lowers it)
 *   -ENOMEM       no memory, or the VMM hit vm.max_map_count
 *   -EIO          the map failed after a2's old page was unmapped and the
 *                 window page could not be put back: a2 is a hole in the
 *                 VMM's address space, kept as a live map until an unmap
 *                 of a2 succeeds
 * A token without a window maps over any writable memslot; a failure after
 * the VMM's page was unmapped puts a fresh zero page there, as unmap would
 * (the old contents are lost), or -EIO as above.
 *
 * KVM_HC_MEM_UNMAP (a0 introspector gpa): the window's own page backs a0
 * again, as it was before the map (for a token without a window, a fresh
 * zero page), at the address the map replaced, even if a0's memslot has
 * gone since (a guest that turned its BAR's decode off). 0, or -EINVAL
 * (unaligned), -ENOENT (not mapped, or no longer: the VMM replaced the
 * page itself, which the host leaves alone; unmap is idempotent), -ENOMEM
 * (the map stays, or a0 is a hole; either way unmap may be retried).
 *
 * KVM_HC_MEM_UNMAP_ALL (no arguments): unmaps every map of the caller's
 * VM, as KVM_HC_MEM_UNMAP does each; a kernel that has just booted calls
 * it, since its VM may hold maps of the kernel before it (a reset, kexec or
 * panic does not end them). The number of maps ended, or the error of one
 * that stays (the others end all the same).
 */
#define KVM_HC_MEM_MAP		32
#define KVM_HC_MEM_UNMAP	33
#define KVM_HC_MEM_UNMAP_ALL	34

struct kvmi_map_mem_token {
	__u64 token[4];
};

struct kvmi_mem_map {
	struct kvmi_map_mem_token token;
	__u64 gpa;			/* target gpa */
	__u64 gva;			/* local user address, page aligned */
};

/*
 * /dev/kvmmem in the introspector: mmap() hands out window pages;
 * KVM_INTRO_MEM_MAP maps the target's gpa over the window page at gva,
 * KVM_INTRO_MEM_UNMAP (the gva) ends it. Errors: those of the hypercalls
 * above, as the host returned them (-EKEYEXPIRED and -EKEYREVOKED
 * included; not -EROFS nor -ELOOP, which its window never meets), and
 * -EINVAL (gva not page aligned, or not in a mapping of this file),
 * -EFAULT, -ENOMEM, -ENODEV (the window's device went), -EOPNOTSUPP (the
 * host has no handler).
 */
#define KVM_INTRO_MEM_MAP	_IOW('i', 0x01, struct kvmi_mem_map)
#define KVM_INTRO_MEM_UNMAP	_IOW('i', 0x02, unsigned long)

/*
 * Host token API: /dev/kvmi in the host (L1), root only.
 *
 * A token is 256 random bits bound to one target VM (the VM of target_pid)
 * and its RAM file (ram_fd, opened read-write), whose gpa->offset layout is
 * read from the target's memslots when the token is issued. It may be bound
 * to one introspector: the process whose pid is introspector_pid in the
 * issuer's pid namespace when the token is issued. The binding is to that
 * process, whatever pid namespace it runs in; a later process given the
 * same number is not it. Pids are those of processes, not of threads.
 * A token expires after ttl_s seconds and can be revoked; revoking stops
 * new maps, it does not undo existing ones.
 *
 * The introspector's VMM gets a shared mapping of the target's RAM file,
 * one page per map, which it can neither grow nor duplicate (mremap) and
 * which a fork()ed child does not inherit.
 *
 * KVMI_TOKEN_ISSUE_WINDOW issues a token whose maps go only into a window:
 * the introspector's file window_fd (opened read-write, a regular file such
 * as a memfd), wherever its VMM maps it; unmap puts the window's own page
 * back, with the window's VMA flags, so the VMA merges back whole.
 *
 * KVMI_TOKEN_ISSUE: 0, or -EBADF (ram_fd), -EACCES (ram_fd not opened
 * read-write), -ESRCH (no VM at target_pid, or no process at a non-zero
 * introspector_pid), -EINVAL (ram_fd backs none of its memory),
 * -EOPNOTSUPP (the target maps ram_fd VM_PFNMAP or VM_IO: memory without
 * page refcounts, such as a driver's remap_pfn_range(), is never mapped;
 * nor is a hugetlbfs file, which has no 4 KiB pages), -E2BIG (more than 16
 * memslots of ram_fd), -ENOSPC (KVMI_MAX_TOKENS live), -ENOMEM.
 *
 * KVMI_TOKEN_ISSUE_WINDOW: as KVMI_TOKEN_ISSUE, or -EBADF (window_fd),
 * -EACCES (not opened read-write), -EINVAL (unknown flags, or not a
 * regular file that can be mapped), -ELOOP (window_fd is the target's RAM
 * file),
 * -EOPNOTSUPP (window_fd is a hugetlbfs file). A token's window is let go
 * of when the token dies (expired, revoked, its target gone); maps made
 * through it hold it until they end.
 */
#define KVMI_MAX_TOKENS		64
#define KVMI_MAX_MAPS		65536	/* kvm.kvmi_max_maps's default */
#define KVMI_DEFAULT_TTL_S	600

struct kvmi_token_issue {
	__s32 target_pid;		/* in: the target's VMM */
	__s32 ram_fd;			/* in: its RAM file */
	__s32 introspector_pid;		/* in: 0 = any introspector */
	__u32 ttl_s;			/* in: 0 = KVMI_DEFAULT_TTL_S */
	__u32 id;			/* out */
	__u32 nr_ranges;		/* out: RAM ranges found in the target */
	struct kvmi_map_mem_token token;	/* out */
};

struct kvmi_token_issue_window {
	struct kvmi_token_issue issue;	/* in and out, as KVMI_TOKEN_ISSUE */
	__s32 window_fd;		/* in: the introspector's window */
	__u32 flags;			/* in: KVMI_WINDOW_* */
};

/*
 * Maps made through the token end when the target VM is destroyed: the
 * host puts the window's pages back, shortly after (from a worker, in the
 * introspector VMM's mm), instead of retaining the target's pages, so a
 * dead target's RAM file is not kept alive by them (review D8). The
 * introspector's later unmaps of them say -ENOENT.
 */
#define KVMI_WINDOW_END_WITH_TARGET	(1U << 0)

enum kvmi_token_state {
	KVMI_TOKEN_LIVE,
	KVMI_TOKEN_EXPIRED,
	KVMI_TOKEN_REVOKED,
};

struct kvmi_token_info {
	__u32 id;
	__u32 state;			/* enum kvmi_token_state */
	__s32 target_pid;
	__s32 introspector_pid;		/* 0: any; -1: not in the caller's pid namespace */
	__u64 ttl_left_ms;
	__u64 uses;			/* successful maps with it */
};

struct kvmi_token_list {
	__u32 count;			/* in: room in info[]; out: entries */
	__u32 pad;
	__u64 info;			/* user pointer to struct kvmi_token_info[] */
};

/* Why a hypercall failed; indexes kvmi_stats.fail[]. */
enum kvmi_fail {
	KVMI_FAIL_TOKEN_FAULT,		/* -EFAULT */
	KVMI_FAIL_ALIGN,		/* -EINVAL */
	KVMI_FAIL_TOKEN_UNKNOWN,	/* -EACCES */
	KVMI_FAIL_TOKEN_EXPIRED,	/* -EKEYEXPIRED */
	KVMI_FAIL_TOKEN_REVOKED,	/* -EKEYREVOKED */
	KVMI_FAIL_WRONG_INTROSPECTOR,	/* -EPERM */
	KVMI_FAIL_TARGET_RANGE,		/* -ERANGE */
	KVMI_FAIL_LOCAL_RANGE,		/* -ENXIO */
	KVMI_FAIL_READONLY,		/* -EROFS */
	KVMI_FAIL_SELF,			/* -ELOOP */
	KVMI_FAIL_ALREADY,		/* -EALREADY */
	KVMI_FAIL_LIMIT,		/* -ENOSPC */
	KVMI_FAIL_MM,			/* -ENOMEM and other mm errors */
	KVMI_FAIL_NOT_MAPPED,		/* -ENOENT */
	KVMI_FAIL_MAX
};

/* Names of the reasons, as /sys/kernel/debug/kvmi/stats prints them. */
#define KVMI_FAIL_NAMES {						\
	[KVMI_FAIL_TOKEN_FAULT] = "token_fault",			\
	[KVMI_FAIL_ALIGN] = "unaligned",				\
	[KVMI_FAIL_TOKEN_UNKNOWN] = "token_unknown",			\
	[KVMI_FAIL_TOKEN_EXPIRED] = "token_expired",			\
	[KVMI_FAIL_TOKEN_REVOKED] = "token_revoked",			\
	[KVMI_FAIL_WRONG_INTROSPECTOR] = "wrong_introspector",		\
	[KVMI_FAIL_TARGET_RANGE] = "target_range",			\
	[KVMI_FAIL_LOCAL_RANGE] = "local_range",			\
	[KVMI_FAIL_READONLY] = "readonly_slot",				\
	[KVMI_FAIL_SELF] = "self_map",					\
	[KVMI_FAIL_ALREADY] = "already_mapped",				\
	[KVMI_FAIL_LIMIT] = "map_limit",				\
	[KVMI_FAIL_MM] = "mm",						\
	[KVMI_FAIL_NOT_MAPPED] = "not_mapped",				\
}

struct kvmi_stats {
	__u64 live_tokens;
	__u64 live_maps;
	__u64 total_maps;
	__u64 total_unmaps;
	__u64 retained;			/* live maps whose target VM is gone */
	__u64 fail[KVMI_FAIL_MAX];
};

#define KVMI_TOKEN_ISSUE	_IOWR('k', 0x01, struct kvmi_token_issue)
#define KVMI_TOKEN_REVOKE	_IOW('k', 0x02, __u32)
#define KVMI_TOKEN_LIST		_IOWR('k', 0x03, struct kvmi_token_list)
#define KVMI_GET_STATS		_IOR('k', 0x04, struct kvmi_stats)
#define KVMI_TOKEN_ISSUE_WINDOW	_IOWR('k', 0x05, struct kvmi_token_issue_window)

#endif /* _UAPI_KVMI_H */
