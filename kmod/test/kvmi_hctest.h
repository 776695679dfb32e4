/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Test-only device /dev/kvmi_hctest: issue a raw hypercall from the guest
 * kernel (CPL 0) with caller-chosen number and arguments, and look at the
 * guest pages the host redirects. Not part of the product ABI (kvmi.h).
 */
#ifndef _UAPI_KVMI_HCTEST_H
#define _UAPI_KVMI_HCTEST_H

#include <linux/const.h>
#include <linux/types.h>
#include <linux/ioctl.h>

/* Guest pages the module owns (its window's last pages, or RAM), by index. */
#define KVMI_HCTEST_NR_PAGES	64

/* Replace an argument before the call: */
#define KVMI_HCTEST_A0_TOKEN	_BITUL(0)	/* a0 = gva of the token */
#define KVMI_HCTEST_A0_PAGE	_BITUL(1)	/* a0 = gpa of page a0 */
#define KVMI_HCTEST_A2_PAGE	_BITUL(2)	/* a2 = gpa of page a2 */
#define KVMI_HCTEST_A0_PAGE_VA	_BITUL(3)	/* a0 = gva of page a0 */

struct kvmi_hctest_call {
	__u64 nr;
	__u64 args[4];
	__s64 ret;			/* out: rax after the hypercall */
	__u64 repeat;			/* issue it this many times (0 means 1) */
	__u32 flags;			/* KVMI_HCTEST_A* */
	__u32 pad;
};

/*
 * Place a 32-byte token at offset in a 3-page buffer, virtually contiguous:
 * at 4080 it crosses two physically contiguous pages, at 8176 two that are
 * not.
 */
struct kvmi_hctest_token {
	__u64 token[4];
	__u32 offset;
	__u32 pad;
};

struct kvmi_hctest_page_io {
	__u32 page;
	__u32 offset;
	__u32 len;
	__u32 write;			/* 0: page -> buf, 1: buf -> page */
	__u64 buf;
	__u64 gpa;			/* out: the page's gpa */
};

/*
 * Time, in the guest kernel, iterations of: a null hypercall (nr 1), a map
 * of target_gpa onto page with the placed token, and its unmap. Each array
 * (user pointers) receives iterations durations in ns.
 */
struct kvmi_hctest_bench {
	__u64 target_gpa;
	__u32 page;
	__u32 iterations;
	__u64 null_ns;
	__u64 map_ns;
	__u64 unmap_ns;
	__s64 ret;			/* out: first non-zero map/unmap result */
};

#define KVMI_HCTEST_CALL	_IOWR('i', 0x80, struct kvmi_hctest_call)
#define KVMI_HCTEST_SET_TOKEN	_IOW('i', 0x81, struct kvmi_hctest_token)
#define KVMI_HCTEST_PAGE_IO	_IOWR('i', 0x82, struct kvmi_hctest_page_io)
#define KVMI_HCTEST_BENCH	_IOWR('i', 0x83, struct kvmi_hctest_bench)

#endif /* _UAPI_KVMI_HCTEST_H */
