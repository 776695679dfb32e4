/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Test-only device /dev/kvmi_hctest: issue a raw hypercall from the guest
 * kernel (CPL 0) with caller-chosen number and arguments.
 */
#ifndef _UAPI_KVMI_HCTEST_H
#define _UAPI_KVMI_HCTEST_H

#include <linux/types.h>
#include <linux/ioctl.h>

struct kvmi_hctest_call {
	__u64 nr;
	__u64 args[4];
	__s64 ret;			/* out: rax after the hypercall */
	__u64 repeat;			/* issue it this many times (0 means 1) */
};

#define KVMI_HCTEST_CALL	_IOWR('i', 0x80, struct kvmi_hctest_call)

#endif /* _UAPI_KVMI_HCTEST_H */
