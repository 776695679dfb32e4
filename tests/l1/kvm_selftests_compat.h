/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Force-included (-include) into KVM's selftests from linux-source-6.1.
 * Debian's 6.1.y carries a stable backport of dirty_log_test.c that uses
 * TEST_ASSERT_EQ(), which 6.1's test_util.h does not define; without this
 * dirty_log_test does not link. TEST_ASSERT() comes from test_util.h and is
 * only expanded at the use, after that header is in.
 *
 * Its uapi asm/kvm.h also gained __DECLARE_FLEX_ARRAY() without including
 * linux/stddef.h, which defines it; steal_time.c includes asm/kvm.h first.
 */
#ifndef KVM_SELFTESTS_COMPAT_H
#define KVM_SELFTESTS_COMPAT_H

#include <linux/stddef.h>

#define TEST_ASSERT_EQ(a, b)						\
	TEST_ASSERT((a) == (b), "%s == %s: %#lx != %#lx", #a, #b,	\
		    (unsigned long)(a), (unsigned long)(b))

#endif
