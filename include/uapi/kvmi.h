/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * kvmi-harness ABI: hypercalls between the introspector guest and the host
 * handler, and the /dev/kvmmem ioctls. The only definition of this ABI.
 */
#ifndef _UAPI_KVMI_H
#define _UAPI_KVMI_H

#include <linux/types.h>
#include <linux/ioctl.h>

/* Hypercall numbers (rax); arguments in rbx, rcx, rdx. CPL 0 only. */
#define KVM_HC_MEM_MAP		32	/* a0 token gva, a1 target gpa, a2 local gpa */
#define KVM_HC_MEM_UNMAP	33	/* a0 local gpa */

struct kvmi_map_mem_token {
	__u64 token[4];
};

struct kvmi_mem_map {
	struct kvmi_map_mem_token token;
	__u64 gpa;			/* target gpa */
	__u64 gva;			/* local user address, page aligned */
};

#define KVM_INTRO_MEM_MAP	_IOW('i', 0x01, struct kvmi_mem_map)
#define KVM_INTRO_MEM_UNMAP	_IOW('i', 0x02, unsigned long)

#endif /* _UAPI_KVMI_H */
