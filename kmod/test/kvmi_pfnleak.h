/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Test-only device /dev/kvmi_pfnleak (L1, next to our kvm.ko): unbalanced
 * KVM pfn references on purpose, for the pfn-pairing tracer's tests.
 */
#ifndef _UAPI_KVMI_PFNLEAK_H
#define _UAPI_KVMI_PFNLEAK_H

#include <linux/types.h>
#include <linux/ioctl.h>

struct kvmi_pfnleak {
	__s32 vm_fd;		/* a KVM VM fd of the calling process */
	__u32 release;		/* 1: release the reference (balanced) */
	__u64 gfn;
	__u64 pfn;		/* out */
};

/* gfn_to_pfn(kvm, gfn), then kvm_release_pfn_clean() only if .release */
#define KVMI_PFNLEAK_GET	_IOWR('i', 0x90, struct kvmi_pfnleak)
/*
 * alloc_page(), then drop its only reference with kvm_release_pfn_clean():
 * a release KVM never obtained. .pfn is out.
 */
#define KVMI_PFNLEAK_ORPHAN	_IOWR('i', 0x91, struct kvmi_pfnleak)

#endif /* _UAPI_KVMI_PFNLEAK_H */
